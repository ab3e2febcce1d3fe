package tensor

import (
	"fmt"
	"math"
	"slices"
)

// Numeric is the set of element types tensors hold.
type Numeric interface {
	~uint8 | ~int8 | ~int32 | ~int64 | ~float32 | ~float64
}

// Dense is a row-major tensor: Data holds the elements, Shape the size of
// each dimension. len(Data) == product of Shape.
type Dense[T Numeric] struct {
	Shape []int
	Data  []T
}

// U8 is a tensor of bytes: colour indices, masks, packed frames.
type U8 = Dense[uint8]

// F32 is a tensor of float32, the element type models consume.
type F32 = Dense[float32]

// New returns a zeroed tensor of the given shape.
func New[T Numeric](shape ...int) Dense[T] {
	if Size(shape) < 0 {
		panic(fmt.Sprintf("tensor: invalid shape %v", shape))
	}
	return Dense[T]{Shape: slices.Clone(shape), Data: make([]T, Size(shape))}
}

// Of returns a tensor viewing data with the given shape; it panics if the
// sizes disagree, which is a programming error.
func Of[T Numeric](data []T, shape ...int) Dense[T] {
	if Size(shape) != len(data) {
		panic(fmt.Sprintf("tensor: shape %v needs %d elements, have %d", shape, Size(shape), len(data)))
	}
	return Dense[T]{Shape: shape, Data: data}
}

// Size returns the number of elements of a shape. It returns -1 when a
// dimension is negative or the product overflows an int, so that such a
// shape never matches the length of any slice.
func Size(shape []int) int {
	if slices.Contains(shape, 0) && !slices.ContainsFunc(shape, func(d int) bool { return d < 0 }) {
		return 0
	}
	n := 1
	for _, d := range shape {
		if d < 0 {
			return -1
		}
		if d != 0 && n > math.MaxInt/d {
			return -1
		}
		n *= d
	}
	return n
}

// Len returns the number of elements.
func (t Dense[T]) Len() int { return len(t.Data) }

// Rank returns the number of dimensions.
func (t Dense[T]) Rank() int { return len(t.Shape) }

// Validate reports whether the shape and the data length agree.
func (t Dense[T]) Validate() error {
	for _, d := range t.Shape {
		if d < 0 {
			return fmt.Errorf("tensor: negative dimension in shape %v", t.Shape)
		}
	}
	if Size(t.Shape) < 0 {
		return fmt.Errorf("tensor: shape %v has more elements than an int holds", t.Shape)
	}
	if Size(t.Shape) != len(t.Data) {
		return fmt.Errorf("tensor: shape %v needs %d elements, have %d", t.Shape, Size(t.Shape), len(t.Data))
	}
	return nil
}

// Index returns row i of the outermost dimension as a view.
func (t Dense[T]) Index(i int) Dense[T] {
	inner := t.Shape[1:]
	n := Size(inner)
	return Dense[T]{Shape: inner, Data: t.Data[i*n : (i+1)*n]}
}

// Reshape returns a view with a new shape of the same size; it returns an
// error when the sizes differ.
func (t Dense[T]) Reshape(shape ...int) (Dense[T], error) {
	if Size(shape) != len(t.Data) {
		return Dense[T]{}, fmt.Errorf("tensor: cannot reshape %v (%d elements) to %v", t.Shape, len(t.Data), shape)
	}
	return Dense[T]{Shape: shape, Data: t.Data}, nil
}

// CopyFrom copies src's data into t, which must have the same size.
func (t Dense[T]) CopyFrom(src Dense[T]) error {
	if len(src.Data) != len(t.Data) {
		return fmt.Errorf("tensor: copy of %v into %v: sizes differ", src.Shape, t.Shape)
	}
	copy(t.Data, src.Data)
	return nil
}

// Clone returns a deep copy.
func (t Dense[T]) Clone() Dense[T] {
	return Dense[T]{Shape: slices.Clone(t.Shape), Data: slices.Clone(t.Data)}
}

// SameShape reports whether t and u have identical shapes.
func SameShape[T, U Numeric](t Dense[T], u Dense[U]) bool { return slices.Equal(t.Shape, u.Shape) }
