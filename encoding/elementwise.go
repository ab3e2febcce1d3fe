package encoding

import (
	"fmt"

	"github.com/arcgym/arcgym/tensor"
)

// Scaled encodes every cell as its colour divided by 15, a value in [0,1],
// keeping the source shape: (64,64), (k,64,64) or (batch,k,64,64) in and the
// same shape out, the stack dimension serving as channels. The zero value
// encodes on the calling goroutine.
type Scaled struct {
	// Workers, when above 1, splits the frames over that many goroutines
	// for the duration of the call.
	Workers int
}

// OutShape returns in for a frame shape and nil otherwise.
func (e Scaled) OutShape(in []int) []int { return sameShape(in) }

// Encode writes src/15 into dst, whose shape must equal src's. It checks
// src completely before writing, so on error dst is untouched.
func (e Scaled) Encode(dst tensor.F32, src tensor.U8) error {
	return encodeLookup(e.Workers, dst, src, &tabF32.scaled)
}

// EncodeF64 is Encode into float64.
func (e Scaled) EncodeF64(dst tensor.Dense[float64], src tensor.U8) error {
	return encodeLookup(e.Workers, dst, src, &tabF64.scaled)
}

// Raw encodes every cell as its colour index converted to a float, 0..15,
// keeping the source shape like Scaled. The zero value encodes on the
// calling goroutine.
type Raw struct {
	// Workers, when above 1, splits the frames over that many goroutines
	// for the duration of the call.
	Workers int
}

// OutShape returns in for a frame shape and nil otherwise.
func (e Raw) OutShape(in []int) []int { return sameShape(in) }

// Encode writes the colour indices of src as float32 into dst, whose shape
// must equal src's. It checks src completely before writing, so on error
// dst is untouched.
func (e Raw) Encode(dst tensor.F32, src tensor.U8) error {
	return encodeLookup(e.Workers, dst, src, &tabF32.raw)
}

// EncodeF64 is Encode into float64.
func (e Raw) EncodeF64(dst tensor.Dense[float64], src tensor.U8) error {
	return encodeLookup(e.Workers, dst, src, &tabF64.raw)
}

func sameShape(in []int) []int {
	l, ok := parseShape(in)
	if !ok {
		return nil
	}
	d := sameDims(l)
	return d.clone()
}

func encodeLookup[T elem](workers int, dst tensor.Dense[T], src tensor.U8, lut *[Colors]T) error {
	l, err := source(src)
	if err != nil {
		return err
	}
	want := sameDims(l)
	if err := checkDst(dst, &want); err != nil {
		return err
	}
	if workers > 1 {
		parallel(workers, l.frames(), func(lo, hi int) {
			lookup(dst.Data[lo*Cells:hi*Cells], src.Data[lo*Cells:hi*Cells], lut)
		})
		return nil
	}
	lookup(dst.Data, src.Data, lut)
	return nil
}

// Diff encodes the change between consecutive frames of each stack: a
// source of k frames gives k-1 planes, plane j comparing frame j+1 with
// frame j:
//
//	(k,64,64)       -> (k-1,64,64)
//	(batch,k,64,64) -> (batch,k-1,64,64)
//
// A single (64,64) frame, or a stack of fewer than two frames, has no
// difference and is refused with ErrShape. The zero value writes 1 where a
// cell changed and 0 where it did not.
type Diff struct {
	// Signed writes (next-previous)/15, a value in [-1,1], instead of the
	// 0/1 change mask.
	Signed bool
	// Workers, when above 1, splits a batch over that many goroutines for
	// the duration of the call.
	Workers int
}

// OutShape returns the shape Encode writes for a source of shape in, or nil
// when in is not a stack of at least two frames.
func (e Diff) OutShape(in []int) []int {
	d, ok := diffDims(in)
	if !ok {
		return nil
	}
	return d.clone()
}

func diffDims(in []int) (dims, bool) {
	l, ok := parseShape(in)
	if !ok || l.rank == 2 || l.stack < 2 {
		return dims{}, false
	}
	if l.rank == 3 {
		return dimsOf(l.stack-1, Side, Side), true
	}
	return dimsOf(l.batch, l.stack-1, Side, Side), true
}

// Encode writes the frame differences of src into dst, whose shape must be
// OutShape(src.Shape). It checks src completely before writing, so on error
// dst is untouched.
func (e Diff) Encode(dst tensor.F32, src tensor.U8) error {
	return encodeDiff(e, dst, src, tabF32)
}

// EncodeF64 is Encode into float64.
func (e Diff) EncodeF64(dst tensor.Dense[float64], src tensor.U8) error {
	return encodeDiff(e, dst, src, tabF64)
}

func encodeDiff[T elem](e Diff, dst tensor.Dense[T], src tensor.U8, tab *tables[T]) error {
	l, err := source(src)
	if err != nil {
		return err
	}
	want, ok := diffDims(src.Shape)
	if !ok {
		return fmt.Errorf("%w: source shape %v is not a stack of at least two frames", ErrShape, src.Shape)
	}
	if err := checkDst(dst, &want); err != nil {
		return err
	}
	in, out := l.stack*Cells, (l.stack-1)*Cells
	if e.Workers > 1 {
		parallel(e.Workers, l.batch, func(lo, hi int) {
			diff(e.Signed, dst.Data[lo*out:hi*out], src.Data[lo*in:hi*in], l.stack, tab)
		})
		return nil
	}
	diff(e.Signed, dst.Data, src.Data, l.stack, tab)
	return nil
}

func diff[T elem](signedDiff bool, dst []T, src []uint8, stack int, tab *tables[T]) {
	if signedDiff {
		signed(dst, src, stack, &tab.signed)
		return
	}
	changed(dst, src, stack, &tab.changed)
}
