package encoding_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/arcgym/arcgym/encoding"
	"github.com/arcgym/arcgym/tensor"
)

func TestDenseViewSharesMemory(t *testing.T) {
	src := filled(3, 2, 1, 64, 64)
	src.Data[4096] = 5 // frame 1, cell 0
	enc := encoding.OneHot{}
	obs := tensor.New[float64](enc.OutShape(src.Shape)...)
	require.NoError(t, enc.EncodeF64(obs, src))

	m, err := encoding.DenseView(obs)
	require.NoError(t, err)
	r, c := m.Dims()
	assert.Equal(t, 2, r)
	assert.Equal(t, 16*4096, c)
	assert.Equal(t, 1.0, m.At(0, 3*4096))
	assert.Equal(t, 1.0, m.At(1, 5*4096))
	assert.Equal(t, 0.0, m.At(1, 3*4096))
	// Every row holds one 1 per cell.
	assert.Equal(t, 4096.0, mat.Sum(m.RowView(0)))
	raw := m.RawMatrix()
	assert.Equal(t, c, raw.Stride, "rows are packed back to back")
	assert.Same(t, &obs.Data[0], &raw.Data[0])
	assert.Same(t, &obs.Data[16*4096], &m.RawRowView(1)[0], "row 1 starts at observation 1")

	m.Set(0, 0, 42)
	assert.Equal(t, 42.0, obs.Data[0], "write through the view")

	back, err := encoding.TensorView(m)
	require.NoError(t, err)
	assert.Equal(t, []int{2, 16 * 4096}, back.Shape)
	assert.Same(t, &obs.Data[0], &back.Data[0])
}

func TestVecDenseView(t *testing.T) {
	x := tensor.New[float64](2, 3)
	v, err := encoding.VecDenseView(x)
	require.NoError(t, err)
	assert.Equal(t, 6, v.Len())
	v.SetVec(4, 2.5)
	assert.Equal(t, 2.5, x.Data[4])

	_, err = encoding.VecDenseView(tensor.New[float64](0, 3))
	assert.ErrorIs(t, err, encoding.ErrShape)
	_, err = encoding.VecDenseView(tensor.Dense[float64]{Shape: []int{4}, Data: make([]float64, 3)})
	assert.ErrorIs(t, err, encoding.ErrShape)
}

func TestDenseViewErrors(t *testing.T) {
	tests := []struct {
		name string
		t    tensor.Dense[float64]
	}{
		{"scalar", tensor.Dense[float64]{Shape: []int{}, Data: []float64{1}}},
		{"empty batch", tensor.New[float64](0, 4)},
		{"empty row", tensor.New[float64](3, 0)},
		{"length", tensor.Dense[float64]{Shape: []int{2, 2}, Data: make([]float64, 3)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := encoding.DenseView(tt.t)
			assert.ErrorIs(t, err, encoding.ErrShape)
		})
	}
	v, err := encoding.DenseView(tensor.New[float64](5))
	require.NoError(t, err)
	r, c := v.Dims()
	assert.Equal(t, [2]int{1, 5}, [2]int{r, c}, "rank 1 is one row")
}

func TestTensorViewNeedsContiguousRows(t *testing.T) {
	m := mat.NewDense(3, 4, nil)
	sub := m.Slice(0, 2, 0, 2).(*mat.Dense)
	_, err := encoding.TensorView(sub)
	assert.ErrorIs(t, err, encoding.ErrShape)
	_, err = encoding.TensorView(&mat.Dense{})
	assert.ErrorIs(t, err, encoding.ErrShape)
}

func TestCopyToDense(t *testing.T) {
	src := tensor.Of([]float32{1, 2, 3, 4, 5, 6}, 2, 1, 3)

	var m mat.Dense
	require.NoError(t, encoding.CopyToDense(&m, src))
	assert.Equal(t, mat.NewDense(2, 3, []float64{1, 2, 3, 4, 5, 6}), &m)

	// A strided destination receives the copy row by row.
	big := mat.NewDense(3, 5, nil)
	sub := big.Slice(1, 3, 1, 4).(*mat.Dense)
	require.NoError(t, encoding.CopyToDense(sub, src))
	assert.Equal(t, []float64{0, 1, 2, 3, 0}, big.RawRowView(1))
	assert.Equal(t, []float64{0, 4, 5, 6, 0}, big.RawRowView(2))

	assert.ErrorIs(t, encoding.CopyToDense(mat.NewDense(3, 2, nil), src), encoding.ErrShape)
	assert.ErrorIs(t, encoding.CopyToDense(&m, tensor.New[float32](0, 3)), encoding.ErrShape)

	allocs := testing.AllocsPerRun(10, func() { _ = encoding.CopyToDense(&m, src) })
	assert.Zero(t, allocs)
}

func TestCopyToVecDense(t *testing.T) {
	src := tensor.Of([]float32{1, 2, 3, 4}, 2, 2)
	var v mat.VecDense
	require.NoError(t, encoding.CopyToVecDense(&v, src))
	assert.Equal(t, []float64{1, 2, 3, 4}, v.RawVector().Data)

	col := mat.NewDense(4, 2, nil).ColView(1).(*mat.VecDense)
	require.NoError(t, encoding.CopyToVecDense(col, src))
	assert.Equal(t, 3.0, col.AtVec(2))

	assert.ErrorIs(t, encoding.CopyToVecDense(mat.NewVecDense(3, nil), src), encoding.ErrShape)
	assert.ErrorIs(t, encoding.CopyToVecDense(&v, tensor.New[float32](0)), encoding.ErrShape)
}

func TestCopyFromMatrix(t *testing.T) {
	logits := tensor.New[float32](2, 3)
	m := mat.NewDense(2, 3, []float64{1, 2, 3, 4, 5, 6})
	require.NoError(t, encoding.CopyFromMatrix(logits, m))
	assert.Equal(t, []float32{1, 2, 3, 4, 5, 6}, logits.Data)

	require.NoError(t, encoding.CopyFromMatrix(logits, m.T()))
	assert.Equal(t, []float32{1, 4, 2, 5, 3, 6}, logits.Data, "any mat.Matrix, read by At")

	require.NoError(t, encoding.CopyFromMatrix(logits, m.Slice(0, 2, 0, 3)))
	assert.ErrorIs(t, encoding.CopyFromMatrix(tensor.New[float32](4), m), encoding.ErrShape)
}
