package machine

import (
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestParseTakesTheFirstModelAndCache(t *testing.T) {
	info := "processor\t: 0\nmodel name\t: AMD EPYC\ncache size\t: 1024 KB\n\nprocessor\t: 1\nmodel name\t: Other\ncache size\t: 1 KB\n"
	assert.Equal(t, "AMD EPYC, 1024 KB cache", parse(info))
	assert.Equal(t, "Some CPU", parse("model name : Some CPU\n"))
	assert.Equal(t, runtime.GOARCH, parse("nothing useful\n"))
}

func TestCPUNamesSomething(t *testing.T) {
	assert.NotEmpty(t, CPU())
}
