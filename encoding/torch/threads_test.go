//go:build gotch

package torch

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSetNumThreads(t *testing.T) {
	before := NumThreads()
	require.Positive(t, before)
	defer func() { require.NoError(t, SetNumThreads(before)) }()
	for _, n := range []int{1, 2, 3} {
		require.NoError(t, SetNumThreads(n))
		assert.Equal(t, n, NumThreads())
	}
	for _, n := range []int{0, -1} {
		assert.Error(t, SetNumThreads(n))
	}
	assert.Equal(t, 3, NumThreads(), "a refused count changes nothing")
}
