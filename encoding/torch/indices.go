//go:build gotch

package torch

/*
#include <stdint.h>

// From libtorch's C API compiled into gotch's libtch package. gotch's Go
// wrappers of in-place operations overwrite the tensor's handle with the
// one libtorch returns and leak the old one; called directly, the returned
// handle can be freed at once, so a buffer reused every step leaks nothing.
void atg_zero_(void **out, void *self);
void atg_scatter_(void **out, void *self, int64_t dim, void *index, void *src);
void at_copy_(void *dst, void *src);
void at_free(void *t);
*/
import "C"

import (
	"errors"
	"fmt"
	"slices"
	"unsafe"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/ts"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/encoding"
	"github.com/arcgym/arcgym/tensor"
)

// ErrColor reports a colour index above 15 in a batch given to
// Indices.Load.
var ErrColor = errors.New("torch: colour index out of range")

// Indices is a caller-owned uint8 CPU tensor of colour indices, shape
// (batch, 64, 64) or (batch, k, 64, 64) as in a vector env's Batch.Obs or a
// vector.FrameStack's output, together with a Go view of its memory. Load
// copies a batch in: four KiB per frame, a sixteenth of the float32 one-hot
// encoding of the same frame, and no allocation. Expander turns it into
// the one-hot tensor on the libtorch side.
type Indices struct {
	t    *ts.Tensor
	view tensor.U8
}

// checkFrames verifies that shape is (batch, 64, 64) or (batch, k, 64, 64)
// with positive batch and k.
func checkFrames(shape []int) error {
	n := len(shape)
	if (n != 3 && n != 4) || shape[n-1] != arc.GridSize || shape[n-2] != arc.GridSize || shape[0] <= 0 || (n == 4 && shape[1] <= 0) {
		return fmt.Errorf("%w: frames of shape %v, want (batch, [k,] %d, %d)", ErrShape, shape, arc.GridSize, arc.GridSize)
	}
	return nil
}

// NewIndices allocates an Indices of the given shape, (batch, 64, 64) or
// (batch, k, 64, 64).
func NewIndices(shape ...int) (*Indices, error) {
	if err := checkFrames(shape); err != nil {
		return nil, err
	}
	t, view, err := NewU8(shape...)
	if err != nil {
		return nil, err
	}
	return &Indices{t: t, view: view}, nil
}

// Load copies src, which must have x's shape, into the tensor. A colour
// above 15 fails with ErrColor, naming the first one, and leaves the
// tensor as it was. Load allocates nothing unless it fails.
func (x *Indices) Load(src tensor.U8) error {
	if !slices.Equal(src.Shape, x.view.Shape) || len(src.Data) != len(x.view.Data) {
		return fmt.Errorf("%w: batch of shape %v (%d cells) into indices %v", ErrShape, src.Shape, len(src.Data), x.view.Shape)
	}
	if i := outOfRange(src.Data); i >= 0 {
		return fmt.Errorf("%w: %d at flat index %d of batch %v", ErrColor, src.Data[i], i, src.Shape)
	}
	copy(x.view.Data, src.Data)
	return nil
}

// outOfRange returns the index of the first byte above 15 in b, or -1. It
// tests eight bytes at a time: a byte is above 15 exactly when one of its
// high four bits is set.
func outOfRange(b []uint8) int {
	const high = 0xf0f0f0f0f0f0f0f0
	i := 0
	for ; i+8 <= len(b); i += 8 {
		if *(*uint64)(unsafe.Pointer(&b[i]))&high != 0 {
			break
		}
	}
	for ; i < len(b); i++ {
		if b[i] > encoding.Colors-1 {
			return i
		}
	}
	return -1
}

// Tensor returns the uint8 tensor, owned by x: the caller must not drop it.
func (x *Indices) Tensor() *ts.Tensor { return x.t }

// View returns the Go view of the tensor's memory, valid until Close.
func (x *Indices) View() tensor.U8 { return x.view }

// Close releases the tensor; Load then fails with ErrShape.
func (x *Indices) Close() {
	if x.t != nil {
		x.t.MustDrop()
		x.t = nil
	}
	x.view.Data = nil
}

// checkIndices verifies that in is open and of shape want.
func checkIndices(in *Indices, want []int) error {
	if in.t == nil || !slices.Equal(in.view.Shape, want) {
		return fmt.Errorf("%w: indices %v (closed: %v) for %v", ErrShape, in.view.Shape, in.t == nil, want)
	}
	return nil
}

// Expander expands Indices into the float32 one-hot tensor that
// encoding.OneHot would give for the same frames and layout, on the
// libtorch side and into a tensor it owns and reuses: it widens the indices
// to int64 (the index type scatter wants), zeroes the output and scatters
// ones into it. Only the four KiB per frame of indices cross from Go.
type Expander struct {
	out *ts.Tensor
	// long holds the indices as int64, shape (batch, k, 1, 64, 64); for
	// the channel-last layout index is a permuted view of it.
	long, index *ts.Tensor
	// wide is long viewed in the shape of the indices, for the copy.
	wide *ts.Tensor
	// scatterOut is a view of out with the colours in their own dimension
	// dim; ones is a view of a single 1 expanded to index's shape.
	scatterOut *ts.Tensor
	ones, one  *ts.Tensor
	dim        int64
	inShape    []int
	// ret receives the handle libtorch returns from an in-place call.
	ret unsafe.Pointer
}

// NewExpander returns an Expander for Indices of shape inShape, (k, 64, 64)
// or (batch, k, 64, 64), into the shape and layout of encoding.OneHot{Layout:
// layout}: (batch, 16k, 64, 64) channel first or (batch, 64, 64, 16k)
// channel last, colours inner to the stack, and no batch dimension for
// three input dimensions. Like encoding.OneHot, it takes three dimensions
// for one stack; the batch of single frames of a vector env, (batch, 64,
// 64), then expands channel first to (16 batch, 64, 64), the memory of
// (batch, 16, 64, 64).
func NewExpander(layout encoding.Layout, inShape ...int) (*Expander, error) {
	defer pin()()
	if err := checkFrames(inShape); err != nil {
		return nil, err
	}
	if layout != encoding.ChannelFirst && layout != encoding.ChannelLast {
		return nil, fmt.Errorf("%w: layout %v", ErrShape, layout)
	}
	// As for encoding.OneHot, three dimensions are one stack.
	b, k := int64(1), int64(inShape[0])
	if len(inShape) == 4 {
		b, k = int64(inShape[0]), int64(inShape[1])
	}
	const g = arc.GridSize
	e := &Expander{inShape: slices.Clone(inShape)}
	var err error
	fail := func(what string, err error) (*Expander, error) {
		e.Close()
		return nil, fmt.Errorf("torch: expander %s: %w", what, err)
	}
	if e.out, err = ts.Empty(int64s(encoding.OneHot{Layout: layout}.OutShape(inShape)), gotch.Float, gotch.CPU); err != nil {
		return fail("output", err)
	}
	if e.long, err = ts.Empty([]int64{b, k, 1, g, g}, gotch.Int64, gotch.CPU); err != nil {
		return fail("indices", err)
	}
	if e.wide, err = e.long.View(int64s(inShape), false); err != nil {
		return fail("view", err)
	}
	if e.one, err = ts.Ones([]int64{1, 1, 1, 1, 1}, gotch.Float, gotch.CPU); err != nil {
		return fail("ones", err)
	}
	if layout == encoding.ChannelFirst {
		e.dim = 2
		e.index = e.long
		e.scatterOut, err = e.out.View([]int64{b, k, encoding.Colors, g, g}, false)
	} else {
		e.dim = 4
		if e.index, err = e.long.Permute([]int64{0, 3, 4, 1, 2}, false); err != nil {
			return fail("permute", err)
		}
		e.scatterOut, err = e.out.View([]int64{b, g, g, k, encoding.Colors}, false)
	}
	if err != nil {
		return fail("view", err)
	}
	if e.ones, err = e.one.Expand(e.index.MustSize(), false, false); err != nil {
		return fail("ones", err)
	}
	return e, nil
}

// Expand writes the one-hot encoding of in, whose shape must be the one
// the Expander was made for, into the output tensor and returns it. The
// tensor belongs to e: the caller must not drop it, and the next Expand
// overwrites it. Indices above 15 make libtorch fail, and Expand return
// the error; Indices.Load keeps them out. Expand allocates nothing on the
// Go side.
func (e *Expander) Expand(in *Indices) (*ts.Tensor, error) {
	defer pin()()
	if err := checkIndices(in, e.inShape); err != nil {
		return nil, err
	}
	C.at_copy_(unsafe.Pointer(e.wide.Ctensor()), unsafe.Pointer(in.t.Ctensor()))
	if err := ts.TorchErr(); err != nil {
		return nil, fmt.Errorf("torch: widen indices: %w", err)
	}
	C.atg_zero_(&e.ret, unsafe.Pointer(e.out.Ctensor()))
	if err := ts.TorchErr(); err != nil {
		return nil, fmt.Errorf("torch: zero one-hot: %w", err)
	}
	C.at_free(e.ret)
	C.atg_scatter_(&e.ret, unsafe.Pointer(e.scatterOut.Ctensor()), C.int64_t(e.dim), unsafe.Pointer(e.index.Ctensor()), unsafe.Pointer(e.ones.Ctensor()))
	if err := ts.TorchErr(); err != nil {
		return nil, fmt.Errorf("torch: scatter one-hot: %w", err)
	}
	C.at_free(e.ret)
	return e.out, nil
}

// Close releases the Expander's tensors.
func (e *Expander) Close() {
	for _, t := range []*ts.Tensor{e.ones, e.one, e.scatterOut, e.out, e.wide} {
		dropIf(t)
	}
	if e.index != e.long {
		dropIf(e.index)
	}
	dropIf(e.long)
	*e = Expander{}
}
