//go:build gotch

package torch

/*
#include <stdint.h>

// From libtorch's C API compiled into gotch's libtch package. gotch's Go
// wrapper of embedding_bag writes its four result handles into a
// zero-sized allocation; called directly, they land in an array of four.
void atg_embedding_bag(void **out, void *weight, void *indices, void *offsets, int scale_grad_by_freq, int64_t mode, int sparse, void *per_sample_weights, int include_last_offset);
void atg_view(void **out, void *self, int64_t *size_data, int size_len);
void at_copy_(void *dst, void *src);
void at_free(void *t);
*/
import "C"

import (
	"fmt"
	"slices"
	"unsafe"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/ts"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/encoding"
)

// Pooler computes, on the libtorch side, the channel-first one-hot of
// Indices averaged over pool x pool patches: the share of each colour in
// each patch, shape (batch, 16k, 64/pool, 64/pool), what average pooling
// the output of an Expander gives. It never builds the one-hot tensor: each
// patch is a bag of colour indices summed by an embedding bag over a table
// of one-hot rows scaled by 1/pool², so it writes a pool²-th of the bytes.
// Shares are multiples of 1/pool², exact in float32 for pool up to 64: the
// result equals the pooled one-hot bit for bit.
type Pooler struct {
	// long holds the indices as int32, the narrower of the two index
	// types an embedding bag takes, patch by patch: (batch, k, 64/pool,
	// 64/pool, pool, pool); wide is the same memory viewed as the input
	// reordered, for the copy.
	long, wide *ts.Tensor
	// table is the (16, 16) embedding table, offsets the start of every
	// bag, flat the indices as one dimension.
	table, offsets, flat *ts.Tensor
	// out is the result; dst is it viewed as (batch, k, 16, side, side)
	// and permuted to (batch, k, side, side, 16), the order of the bags.
	out, dst *ts.Tensor
	// bagShape is an embedding-bag result viewed as (batch, k, side, side,
	// 16); inView is the input viewed as (batch, k, side, pool, side, pool).
	bagShape, inView []int64
	inShape          []int
	ret              [4]unsafe.Pointer
}

// NewPooler returns a Pooler for Indices of shape (batch, k, 64, 64) over
// patches of pool x pool cells; pool must divide 64.
func NewPooler(pool int, inShape ...int) (*Pooler, error) {
	defer pin()()
	if err := checkFrames(inShape); err != nil {
		return nil, err
	}
	if len(inShape) != 4 {
		return nil, fmt.Errorf("%w: pooler over frames of shape %v, want (batch, k, %d, %d)", ErrShape, inShape, arc.GridSize, arc.GridSize)
	}
	if pool <= 0 || arc.GridSize%pool != 0 {
		return nil, fmt.Errorf("%w: pool %d does not divide %d", ErrShape, pool, arc.GridSize)
	}
	b, k, p := int64(inShape[0]), int64(inShape[1]), int64(pool)
	side := int64(arc.GridSize / pool)
	colours := int64(encoding.Colors)
	pl := &Pooler{
		inShape:  slices.Clone(inShape),
		bagShape: []int64{b, k, side, side, colours},
		inView:   []int64{b, k, side, p, side, p},
	}
	fail := func(what string, err error) (*Pooler, error) {
		pl.Close()
		return nil, fmt.Errorf("torch: pooler %s: %w", what, err)
	}
	var err error
	if pl.long, err = ts.Empty([]int64{b, k, side, side, p, p}, gotch.Int, gotch.CPU); err != nil {
		return fail("indices", err)
	}
	// Element (y, x) of a frame is cell (y%p, x%p) of patch (y/p, x/p):
	// the input viewed as (b, k, side, p, side, p) matches long permuted.
	if pl.wide, err = pl.long.Permute([]int64{0, 1, 2, 4, 3, 5}, false); err != nil {
		return fail("permute", err)
	}
	if pl.flat, err = pl.long.View([]int64{-1}, false); err != nil {
		return fail("view", err)
	}
	bags := b * k * side * side
	if pl.offsets, err = ts.ArangeStartStep(ts.IntScalar(0), ts.IntScalar(bags*p*p), ts.IntScalar(p*p), gotch.Int, gotch.CPU); err != nil {
		return fail("offsets", err)
	}
	eye, err := ts.Eye(colours, gotch.Float, gotch.CPU)
	if err != nil {
		return fail("table", err)
	}
	pl.table, err = eye.DivScalar(ts.FloatScalar(float64(p*p)), true)
	if err != nil {
		return fail("table", err)
	}
	if pl.out, err = ts.Empty([]int64{b, k * colours, side, side}, gotch.Float, gotch.CPU); err != nil {
		return fail("output", err)
	}
	v, err := pl.out.View([]int64{b, k, colours, side, side}, false)
	if err != nil {
		return fail("view", err)
	}
	if pl.dst, err = v.Permute([]int64{0, 1, 3, 4, 2}, true); err != nil {
		return fail("permute", err)
	}
	return pl, nil
}

// Pool writes the colour shares of in, whose shape must be the one the
// Pooler was made for, into the output tensor and returns it. The tensor
// belongs to pl: the caller must not drop it, and the next Pool overwrites
// it. Indices above 15 make libtorch fail, and Pool return the error.
// Pool allocates nothing on the Go side; libtorch allocates the embedding
// bag's result.
func (pl *Pooler) Pool(in *Indices) (*ts.Tensor, error) {
	defer pin()()
	if err := checkIndices(in, pl.inShape); err != nil {
		return nil, err
	}
	C.atg_view(&pl.ret[0], unsafe.Pointer(in.t.Ctensor()), (*C.int64_t)(unsafe.Pointer(&pl.inView[0])), C.int(len(pl.inView)))
	if err := ts.TorchErr(); err != nil {
		return nil, fmt.Errorf("torch: view indices: %w", err)
	}
	C.at_copy_(unsafe.Pointer(pl.wide.Ctensor()), pl.ret[0])
	err := ts.TorchErr()
	C.at_free(pl.ret[0])
	if err != nil {
		return nil, fmt.Errorf("torch: widen indices: %w", err)
	}
	C.atg_embedding_bag(&pl.ret[0], unsafe.Pointer(pl.table.Ctensor()), unsafe.Pointer(pl.flat.Ctensor()), unsafe.Pointer(pl.offsets.Ctensor()), 0, 0, 0, nil, 0)
	if err := ts.TorchErr(); err != nil {
		return nil, fmt.Errorf("torch: embedding bag: %w", err)
	}
	for _, r := range pl.ret[1:] {
		C.at_free(r)
	}
	// (bags, 16) viewed as (b, k, side, side, 16) copies into the output
	// permuted the same way: the colours move in front of the patches.
	bags := pl.ret[0]
	C.atg_view(&pl.ret[1], bags, (*C.int64_t)(unsafe.Pointer(&pl.bagShape[0])), C.int(len(pl.bagShape)))
	err = ts.TorchErr()
	if err == nil {
		C.at_copy_(unsafe.Pointer(pl.dst.Ctensor()), pl.ret[1])
		err = ts.TorchErr()
		C.at_free(pl.ret[1])
	}
	C.at_free(bags)
	if err != nil {
		return nil, fmt.Errorf("torch: pooled layout: %w", err)
	}
	return pl.out, nil
}

// Close releases the Pooler's tensors.
func (pl *Pooler) Close() {
	for _, t := range []*ts.Tensor{pl.dst, pl.out, pl.table, pl.offsets, pl.flat, pl.wide, pl.long} {
		dropIf(t)
	}
	*pl = Pooler{}
}
