package encoding

import (
	"fmt"
	"slices"

	"github.com/arcgym/arcgym/tensor"
)

// dims is a shape of rank at most 4 held by value, so that encoders can
// compute and compare output shapes without allocating.
type dims struct {
	d [4]int
	n int
}

func dimsOf(ds ...int) dims {
	var s dims
	s.n = copy(s.d[:], ds)
	return s
}

func (s *dims) slice() []int { return s.d[:s.n] }

// clone returns the shape as a new slice for callers to keep.
func (s *dims) clone() []int { return slices.Clone(s.d[:s.n]) }

// channelDims is the output shape of an encoder that turns every frame of a
// source of layout l into perFrame channels: the stack dimension merges with
// the channels, which go first (C,64,64) or last (64,64,C); a batch
// dimension stays in front.
func channelDims(l layout, perFrame int, last bool) dims {
	var s dims
	if l.rank == 4 {
		s.d[0] = l.batch
		s.n = 1
	}
	ch := l.stack * perFrame
	if last {
		s.d[s.n], s.d[s.n+1], s.d[s.n+2] = Side, Side, ch
	} else {
		s.d[s.n], s.d[s.n+1], s.d[s.n+2] = ch, Side, Side
	}
	s.n += 3
	return s
}

// sameDims is the output shape of an element-wise encoder.
func sameDims(l layout) dims {
	switch l.rank {
	case 2:
		return dimsOf(Side, Side)
	case 3:
		return dimsOf(l.stack, Side, Side)
	}
	return dimsOf(l.batch, l.stack, Side, Side)
}

// checkDst checks that dst has exactly the shape want and a matching data
// length.
func checkDst[T tensor.Numeric](dst tensor.Dense[T], want *dims) error {
	if !slices.Equal(dst.Shape, want.slice()) {
		return fmt.Errorf("%w: destination shape %v, want %v", ErrShape, dst.Shape, want.clone())
	}
	if len(dst.Data) != tensor.Size(dst.Shape) {
		return fmt.Errorf("%w: destination shape %v needs %d elements, have %d", ErrShape, dst.Shape, tensor.Size(dst.Shape), len(dst.Data))
	}
	return nil
}

// validate checks that t's shape is a real size and that its data has that
// many elements.
func validate[T tensor.Numeric](t tensor.Dense[T]) error {
	n := tensor.Size(t.Shape)
	if n < 0 {
		return fmt.Errorf("%w: shape %v has no representable size", ErrShape, t.Shape)
	}
	if n != len(t.Data) {
		return fmt.Errorf("%w: shape %v needs %d elements, have %d", ErrShape, t.Shape, n, len(t.Data))
	}
	return nil
}
