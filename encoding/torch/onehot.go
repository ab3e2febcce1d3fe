//go:build gotch

package torch

import (
	"fmt"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/ts"

	"github.com/arcgym/arcgym/encoding"
)

// OneHot expands a uint8 tensor of colour indices, of shape (64,64),
// (k,64,64) or (batch,k,64,64), into a float32 one-hot tensor on the
// libtorch side, with the shape and channel order of encoding.OneHot for the
// same layout. Indices above 15 make libtorch fail, and OneHot return the
// error.
func OneHot(indices *ts.Tensor, layout encoding.Layout) (*ts.Tensor, error) {
	defer pin()()
	shape, err := Shape(indices)
	if err != nil {
		return nil, err
	}
	out := encoding.OneHot{Layout: layout}.OutShape(shape)
	if out == nil {
		return nil, fmt.Errorf("%w: indices of shape %v (layout %v)", ErrShape, shape, layout)
	}
	if indices.DType() != gotch.Uint8 {
		return nil, fmt.Errorf("%w: indices of %v, want uint8", ErrShape, indices.DType())
	}
	// one_hot wants int64 classes and appends the channel dimension last:
	// (..., 64, 64, 16).
	long, err := indices.Totype(gotch.Int64, false)
	if err != nil {
		return nil, fmt.Errorf("torch: indices to int64: %w", err)
	}
	oh, err := long.OneHot(encoding.Colors, true)
	if err != nil {
		return nil, fmt.Errorf("torch: one_hot: %w", err)
	}
	f, err := oh.Totype(gotch.Float, true)
	if err != nil {
		return nil, fmt.Errorf("torch: one_hot to float: %w", err)
	}
	perm := permutation(len(shape), layout)
	if perm != nil {
		p, err := f.Permute(perm, true)
		if err != nil {
			return nil, fmt.Errorf("torch: permute: %w", err)
		}
		f = p
	}
	// Reshape merges the stack with the channels; on a permuted tensor it
	// copies into the contiguous layout of encoding.OneHot.
	r, err := f.Reshape(int64s(out), true)
	if err != nil {
		return nil, fmt.Errorf("torch: reshape: %w", err)
	}
	c, err := r.Contiguous(true)
	if err != nil {
		return nil, fmt.Errorf("torch: contiguous: %w", err)
	}
	return c, nil
}

// permutation orders the dimensions of one_hot's (..., 64, 64, 16) output so
// that a reshape gives encoding.OneHot's layout: channels after the stack
// (CHW) or after the columns with the stack just before them (HWC). Nil
// means no permutation.
func permutation(rank int, layout encoding.Layout) []int64 {
	switch {
	case layout == encoding.ChannelFirst && rank == 2: // (64,64,16)
		return []int64{2, 0, 1}
	case layout == encoding.ChannelFirst && rank == 3: // (k,64,64,16)
		return []int64{0, 3, 1, 2}
	case layout == encoding.ChannelFirst: // (b,k,64,64,16)
		return []int64{0, 1, 4, 2, 3}
	case rank == 2:
		return nil
	case rank == 3:
		return []int64{1, 2, 0, 3}
	}
	return []int64{0, 2, 3, 1, 4}
}
