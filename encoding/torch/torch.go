//go:build gotch

package torch

import (
	"errors"
	"fmt"
	"slices"
	"unsafe"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/ts"

	"github.com/arcgym/arcgym/tensor"
)

// ErrShape reports a tensor whose shape or element type does not fit the
// operation.
var ErrShape = errors.New("torch: shape mismatch")

// Encoder is what Encode needs of an encoder; encoding.OneHot, Scaled, Raw
// and Diff satisfy it.
type Encoder interface {
	OutShape(in []int) []int
	Encode(dst tensor.F32, src tensor.U8) error
}

func int64s(shape []int) []int64 {
	out := make([]int64, len(shape))
	for i, d := range shape {
		out[i] = int64(d)
	}
	return out
}

// Shape returns the shape of t as ints.
func Shape(t *ts.Tensor) ([]int, error) {
	defer pin()()
	size, err := t.Size()
	if err != nil {
		return nil, fmt.Errorf("torch: size: %w", err)
	}
	out := make([]int, len(size))
	for i, d := range size {
		out[i] = int(d)
	}
	return out, nil
}

// newView allocates a contiguous CPU tensor and a Go tensor over its memory.
func newView[T uint8 | float32](shape []int, dtype gotch.DType) (*ts.Tensor, tensor.Dense[T], error) {
	defer pin()()
	for _, d := range shape {
		if d < 0 {
			return nil, tensor.Dense[T]{}, fmt.Errorf("%w: negative dimension in %v", ErrShape, shape)
		}
	}
	t, err := ts.Empty(int64s(shape), dtype, gotch.CPU)
	if err != nil {
		return nil, tensor.Dense[T]{}, fmt.Errorf("torch: empty %v: %w", shape, err)
	}
	view := tensor.Dense[T]{Shape: slices.Clone(shape)}
	if n := tensor.Size(shape); n > 0 {
		p, err := t.DataPtr()
		if err != nil {
			t.MustDrop()
			return nil, tensor.Dense[T]{}, fmt.Errorf("torch: data pointer: %w", err)
		}
		view.Data = unsafe.Slice((*T)(p), n)
	}
	return t, view, nil
}

// NewF32 allocates a float32 CPU tensor of the given shape, contents
// unspecified, and returns it with a Go view of its memory: what is written
// through the view is in the tensor, without a copy. The view is valid until
// the tensor is dropped.
func NewF32(shape ...int) (*ts.Tensor, tensor.F32, error) {
	return newView[float32](shape, gotch.Float)
}

// NewU8 is NewF32 for a uint8 tensor.
func NewU8(shape ...int) (*ts.Tensor, tensor.U8, error) {
	return newView[uint8](shape, gotch.Uint8)
}

// FromU8 copies src, colour indices or any bytes, into a new uint8 CPU
// tensor of the same shape.
func FromU8(src tensor.U8) (*ts.Tensor, error) {
	defer pin()()
	if err := src.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrShape, err)
	}
	t, view, err := NewU8(src.Shape...)
	if err != nil {
		return nil, err
	}
	copy(view.Data, src.Data)
	return t, nil
}

// FromF32 copies src into a new float32 CPU tensor of the same shape.
func FromF32(src tensor.F32) (*ts.Tensor, error) {
	defer pin()()
	if err := src.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrShape, err)
	}
	t, view, err := NewF32(src.Shape...)
	if err != nil {
		return nil, err
	}
	copy(view.Data, src.Data)
	return t, nil
}

// Encode runs enc over src and returns the result as a new float32 CPU
// tensor of shape enc.OutShape(src.Shape); the encoder writes straight into
// the tensor's memory.
func Encode(enc Encoder, src tensor.U8) (*ts.Tensor, error) {
	defer pin()()
	shape := enc.OutShape(src.Shape)
	if shape == nil {
		return nil, fmt.Errorf("%w: encoder %T does not accept shape %v", ErrShape, enc, src.Shape)
	}
	t, view, err := NewF32(shape...)
	if err != nil {
		return nil, err
	}
	if err := enc.Encode(view, src); err != nil {
		t.MustDrop()
		return nil, err
	}
	return t, nil
}

// CopyTo copies the elements of t, a tensor of dst's element type on any
// device and in any memory layout, into dst in row-major order; dst must
// hold exactly as many elements, and its shape is kept. t is not modified or
// dropped.
func CopyTo[T uint8 | float32 | int64](dst tensor.Dense[T], t *ts.Tensor) error {
	defer pin()()
	if err := dst.Validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrShape, err)
	}
	var want gotch.DType
	switch any(dst.Data).(type) {
	case []uint8:
		want = gotch.Uint8
	case []float32:
		want = gotch.Float
	case []int64:
		want = gotch.Int64
	}
	if t.DType() != want {
		return fmt.Errorf("%w: tensor of %v into %T", ErrShape, t.DType(), dst.Data)
	}
	shape, err := Shape(t)
	if err != nil {
		return err
	}
	if n := tensor.Size(shape); n != len(dst.Data) {
		return fmt.Errorf("%w: tensor %v of %d elements into %v", ErrShape, shape, n, dst.Shape)
	}
	data, tmp, err := host[T](t, shape, len(dst.Data))
	if err != nil {
		return err
	}
	copy(dst.Data, data)
	dropIf(tmp)
	return nil
}
