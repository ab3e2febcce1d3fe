package encoding

import (
	"fmt"

	"github.com/arcgym/arcgym/tensor"
)

// Layout says where an encoder puts its channels.
type Layout int

const (
	// ChannelFirst lays channels out before the rows: (C,64,64), the order
	// PyTorch convolutions expect.
	ChannelFirst Layout = iota
	// ChannelLast lays channels out after the columns: (64,64,C), the order
	// of images and of TensorFlow convolutions.
	ChannelLast
)

// String returns "CHW" or "HWC".
func (l Layout) String() string {
	switch l {
	case ChannelFirst:
		return "CHW"
	case ChannelLast:
		return "HWC"
	}
	return fmt.Sprintf("Layout(%d)", int(l))
}

// OneHot encodes colour indices as 16 one-hot channels per frame. The stack
// dimension of the source merges with the channels, so frame j of a stack
// owns channels 16j..16j+15:
//
//	(64,64)        -> (16,64,64)       or (64,64,16)
//	(k,64,64)      -> (16k,64,64)      or (64,64,16k)
//	(batch,k,64,64) -> (batch,16k,64,64) or (batch,64,64,16k)
//
// The zero value encodes channel-first on the calling goroutine.
type OneHot struct {
	// Layout puts the channels first (the default) or last.
	Layout Layout
	// Workers, when above 1, splits a batch over that many goroutines for
	// the duration of the call. The single-threaded default allocates
	// nothing; the parallel path allocates a few bytes per worker.
	Workers int
}

// OutShape returns the shape Encode writes for a source of shape in, or nil
// when in is not a frame shape or the layout is unknown.
func (e OneHot) OutShape(in []int) []int {
	l, ok := parseShape(in)
	if !ok || !e.Layout.valid() {
		return nil
	}
	d := channelDims(l, Colors, e.Layout == ChannelLast)
	return d.clone()
}

// Encode writes the float32 one-hot encoding of src into dst, whose shape
// must be OutShape(src.Shape). It checks src completely before writing, so
// on error dst is untouched.
func (e OneHot) Encode(dst tensor.F32, src tensor.U8) error {
	return encodeOneHot(e, dst, src, tabF32)
}

// EncodeU8 is Encode with one byte (0 or 1) per channel, a quarter of the
// memory of float32.
func (e OneHot) EncodeU8(dst tensor.U8, src tensor.U8) error {
	return encodeOneHot(e, dst, src, tabU8)
}

// EncodeF64 is Encode into float64, the element type of gonum matrices (see
// DenseView).
func (e OneHot) EncodeF64(dst tensor.Dense[float64], src tensor.U8) error {
	return encodeOneHot(e, dst, src, tabF64)
}

func encodeOneHot[T elem](e OneHot, dst tensor.Dense[T], src tensor.U8, tab *tables[T]) error {
	if !e.Layout.valid() {
		return fmt.Errorf("%w: unknown layout %d", ErrShape, int(e.Layout))
	}
	l, err := source(src)
	if err != nil {
		return err
	}
	want := channelDims(l, Colors, e.Layout == ChannelLast)
	if err := checkDst(dst, &want); err != nil {
		return err
	}
	if e.Layout == ChannelFirst {
		if e.Workers > 1 {
			parallel(e.Workers, l.frames(), func(lo, hi int) {
				oneHotCHW(dst.Data[lo*Colors*Cells:hi*Colors*Cells], src.Data[lo*Cells:hi*Cells])
			})
			return nil
		}
		oneHotCHW(dst.Data, src.Data)
		return nil
	}
	per := l.stack * Cells
	if e.Workers > 1 {
		parallel(e.Workers, l.batch, func(lo, hi int) {
			oneHotHWC(dst.Data[lo*per*Colors:hi*per*Colors], src.Data[lo*per:hi*per], l.stack, &tab.onehot)
		})
		return nil
	}
	oneHotHWC(dst.Data, src.Data, l.stack, &tab.onehot)
	return nil
}

func (l Layout) valid() bool { return l == ChannelFirst || l == ChannelLast }
