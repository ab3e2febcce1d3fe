package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestBootstrapTruncated(t *testing.T) {
	// Rows: running, terminated, truncated by the time limit, and both
	// (a limit step that also terminated: terminal, no bootstrap).
	rewards := []float32{1, 1, 1, 1}
	terminated := []bool{false, true, false, true}
	truncated := []bool{false, false, true, true}
	a := assert.New(t)
	a.True(anyTruncated(terminated, truncated))
	n := bootstrapTruncated(rewards, terminated, truncated, []float32{9, 9, 5, 9}, 0.9)
	a.Equal(1, n)
	a.Equal([]float32{1, 1, 1 + 0.9*5, 1}, rewards)

	a.False(anyTruncated([]bool{true, false}, []bool{true, false}))
	a.Zero(bootstrapTruncated(rewards[:2], []bool{false, false}, []bool{false, false}, nil, 0.9))
}
