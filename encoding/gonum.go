package encoding

import (
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/arcgym/arcgym/tensor"
)

// matrixDims is the matrix reading of a tensor shape: one row per element of
// the first dimension (one per observation of a batch), the remaining
// dimensions flattened into the columns. A rank-1 tensor is a single row.
func matrixDims(shape []int) (r, c int, err error) {
	switch {
	case len(shape) == 0:
		return 0, 0, fmt.Errorf("%w: a scalar shape has no matrix view", ErrShape)
	case len(shape) == 1:
		r, c = 1, shape[0]
	default:
		r, c = shape[0], tensor.Size(shape[1:])
	}
	if r <= 0 || c <= 0 {
		return 0, 0, fmt.Errorf("%w: shape %v is empty; gonum matrices have no zero dimension", ErrShape, shape)
	}
	return r, c, nil
}

// DenseView returns a gonum matrix sharing t's memory: row i is t.Index(i)
// flattened, so a batch of encoded observations becomes the batch x features
// design matrix of a linear model. Writes through either side are seen by
// the other. Gonum matrices hold float64 only; encode with EncodeF64 to use
// this view, or copy a float32 tensor with CopyToDense.
func DenseView(t tensor.Dense[float64]) (*mat.Dense, error) {
	if err := validate(t); err != nil {
		return nil, err
	}
	r, c, err := matrixDims(t.Shape)
	if err != nil {
		return nil, err
	}
	return mat.NewDense(r, c, t.Data), nil
}

// VecDenseView returns a gonum vector sharing all of t's elements in
// row-major order.
func VecDenseView(t tensor.Dense[float64]) (*mat.VecDense, error) {
	if err := validate(t); err != nil {
		return nil, err
	}
	if len(t.Data) == 0 {
		return nil, fmt.Errorf("%w: shape %v is empty; gonum vectors have no zero length", ErrShape, t.Shape)
	}
	return mat.NewVecDense(len(t.Data), t.Data), nil
}

// TensorView returns a (rows, cols) tensor sharing m's memory. It fails when
// the rows of m are not contiguous, as in a view of a wider matrix; copy
// with mat.DenseCopyOf first in that case.
func TensorView(m *mat.Dense) (tensor.Dense[float64], error) {
	raw := m.RawMatrix()
	if raw.Rows == 0 || raw.Cols == 0 {
		return tensor.Dense[float64]{}, fmt.Errorf("%w: empty matrix", ErrShape)
	}
	if raw.Stride != raw.Cols {
		return tensor.Dense[float64]{}, fmt.Errorf("%w: matrix stride %d is not its width %d", ErrShape, raw.Stride, raw.Cols)
	}
	return tensor.Dense[float64]{Shape: []int{raw.Rows, raw.Cols}, Data: raw.Data[:raw.Rows*raw.Cols]}, nil
}

// CopyToDense converts the float32 tensor t into dst with the matrix reading
// of DenseView. An empty dst (the zero mat.Dense, or after Reset) is sized
// to fit, which allocates; otherwise dst must already have t's matrix
// dimensions, and the copy allocates nothing.
func CopyToDense(dst *mat.Dense, t tensor.F32) error {
	if err := validate(t); err != nil {
		return err
	}
	r, c, err := matrixDims(t.Shape)
	if err != nil {
		return err
	}
	if dst.IsEmpty() {
		dst.ReuseAs(r, c)
	}
	if dr, dc := dst.Dims(); dr != r || dc != c {
		return fmt.Errorf("%w: matrix is %dx%d, tensor %v reads as %dx%d", ErrShape, dr, dc, t.Shape, r, c)
	}
	raw := dst.RawMatrix()
	for i := range r {
		row := raw.Data[i*raw.Stride : i*raw.Stride+c]
		for j, v := range t.Data[i*c : (i+1)*c] {
			row[j] = float64(v)
		}
	}
	return nil
}

// CopyToVecDense converts all elements of the float32 tensor t into dst in
// row-major order. An empty dst is sized to fit; otherwise its length must
// be t.Len().
func CopyToVecDense(dst *mat.VecDense, t tensor.F32) error {
	if err := validate(t); err != nil {
		return err
	}
	if len(t.Data) == 0 {
		return fmt.Errorf("%w: shape %v is empty; gonum vectors have no zero length", ErrShape, t.Shape)
	}
	if dst.IsEmpty() {
		dst.ReuseAsVec(len(t.Data))
	}
	if dst.Len() != len(t.Data) {
		return fmt.Errorf("%w: vector of length %d, tensor %v has %d elements", ErrShape, dst.Len(), t.Shape, len(t.Data))
	}
	raw := dst.RawVector()
	for i, v := range t.Data {
		raw.Data[i*raw.Inc] = float64(v)
	}
	return nil
}

// CopyFromMatrix converts any gonum matrix into the float32 tensor dst, row
// by row; dst must hold exactly rows*cols elements (its shape is kept), so a
// model's (batch, actions) output lands in a tensor of the same shape.
func CopyFromMatrix(dst tensor.F32, m mat.Matrix) error {
	if err := validate(dst); err != nil {
		return err
	}
	r, c := m.Dims()
	if r*c != len(dst.Data) {
		return fmt.Errorf("%w: %dx%d matrix into tensor %v of %d elements", ErrShape, r, c, dst.Shape, len(dst.Data))
	}
	if rm, ok := m.(mat.RawMatrixer); ok {
		raw := rm.RawMatrix()
		for i := range r {
			out := dst.Data[i*c : (i+1)*c]
			for j, v := range raw.Data[i*raw.Stride : i*raw.Stride+c] {
				out[j] = float32(v)
			}
		}
		return nil
	}
	for i := range r {
		for j := range c {
			dst.Data[i*c+j] = float32(m.At(i, j))
		}
	}
	return nil
}
