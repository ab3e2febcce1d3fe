package tensor_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/tensor"
)

func TestNewAndIndexShareMemory(t *testing.T) {
	x := tensor.New[uint8](2, 3, 4)
	require.NoError(t, x.Validate())
	assert.Equal(t, 24, x.Len())
	assert.Equal(t, 3, x.Rank())
	row := x.Index(1)
	assert.Equal(t, []int{3, 4}, row.Shape)
	row.Data[0] = 9
	assert.Equal(t, uint8(9), x.Data[12], "Index is a view")
}

func TestReshapeAndCopy(t *testing.T) {
	x := tensor.New[float32](4, 4)
	y, err := x.Reshape(2, 8)
	require.NoError(t, err)
	y.Data[15] = 1
	assert.Equal(t, float32(1), x.Data[15])
	_, err = x.Reshape(3, 3)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "[3 3]")

	c := x.Clone()
	c.Data[15] = 2
	assert.Equal(t, float32(1), x.Data[15], "Clone copies")
	require.NoError(t, c.CopyFrom(x))
	assert.Equal(t, float32(1), c.Data[15])
	require.Error(t, c.CopyFrom(tensor.New[float32](3)))
	assert.True(t, tensor.SameShape(x, c))
	assert.False(t, tensor.SameShape(x, y))
}

func TestValidate(t *testing.T) {
	assert.Error(t, tensor.U8{Shape: []int{2, 2}, Data: make([]uint8, 3)}.Validate())
	assert.Error(t, tensor.U8{Shape: []int{-1, -4}, Data: make([]uint8, 4)}.Validate())
	assert.NoError(t, tensor.Of(make([]uint8, 6), 2, 3).Validate())
	assert.Panics(t, func() { tensor.Of(make([]uint8, 5), 2, 3) })
}

func TestSizeOverflowAndNegative(t *testing.T) {
	assert.Equal(t, 0, tensor.Size([]int{1 << 62, 1 << 62, 0}))
	assert.Equal(t, -1, tensor.Size([]int{3 << 26, 1 << 26, 64, 64}))
	assert.Equal(t, -1, tensor.Size([]int{2, -3}))
	err := tensor.U8{Shape: []int{1 << 40, 1 << 40}}.Validate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "more elements")
	_, err = tensor.New[uint8](4).Reshape(1<<62, 1<<62, 4)
	require.Error(t, err)
	assert.Panics(t, func() { tensor.New[uint8](-1) })
}
