//go:build gotch

package torch

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"unsafe"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/ts"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/spaces"
	"github.com/arcgym/arcgym/tensor"
)

// ErrNoAction reports a row whose mask allows no action.
var ErrNoAction = errors.New("torch: mask allows no action")

// Mask packs the flat action masks of a batch, one []bool of length
// spaces.FlatSize per row (as in env.Info), into a (batch, FlatSize) bool
// CPU tensor.
func Mask(masks [][]bool) (*ts.Tensor, error) {
	for i, m := range masks {
		if len(m) != spaces.FlatSize {
			return nil, fmt.Errorf("%w: mask %d has length %d, want %d", ErrShape, i, len(m), spaces.FlatSize)
		}
	}
	t, err := ts.Empty([]int64{int64(len(masks)), spaces.FlatSize}, gotch.Bool, gotch.CPU)
	if err != nil {
		return nil, fmt.Errorf("torch: empty mask: %w", err)
	}
	if len(masks) == 0 {
		return t, nil
	}
	p, err := t.DataPtr()
	if err != nil {
		t.MustDrop()
		return nil, fmt.Errorf("torch: data pointer: %w", err)
	}
	// A libtorch bool is one byte holding 0 or 1, as a Go bool is.
	copy(unsafe.Slice((*bool)(p), len(masks)*spaces.FlatSize), flattenMasks(masks))
	return t, nil
}

func flattenMasks(masks [][]bool) []bool {
	out := make([]bool, 0, len(masks)*spaces.FlatSize)
	for _, m := range masks {
		out = append(out, m...)
	}
	return out
}

// checkLogits verifies that logits is a (batch, FlatSize) float32 tensor and
// mask, when not nil, a bool tensor of the same shape, and returns batch.
func checkLogits(logits, mask *ts.Tensor) (int, error) {
	shape, err := Shape(logits)
	if err != nil {
		return 0, err
	}
	if len(shape) != 2 || shape[1] != spaces.FlatSize || logits.DType() != gotch.Float {
		return 0, fmt.Errorf("%w: logits %v of %v, want (batch, %d) float32", ErrShape, shape, logits.DType(), spaces.FlatSize)
	}
	if mask == nil {
		return shape[0], nil
	}
	mshape, err := Shape(mask)
	if err != nil {
		return 0, err
	}
	if len(mshape) != 2 || mshape[0] != shape[0] || mshape[1] != shape[1] || mask.DType() != gotch.Bool {
		return 0, fmt.Errorf("%w: mask %v of %v for logits %v, want bool of the same shape", ErrShape, mshape, mask.DType(), shape)
	}
	return shape[0], nil
}

// masked returns logits with every disallowed entry set to -Inf, after
// checking that every row allows something. A nil mask allows everything.
func masked(logits, mask *ts.Tensor, batch int) (*ts.Tensor, error) {
	if mask == nil {
		return logits.ShallowClone()
	}
	anyRow, err := mask.AnyDim(1, false, false)
	if err != nil {
		return nil, fmt.Errorf("torch: any: %w", err)
	}
	allowed := make([]uint8, batch)
	asU8, err := anyRow.Totype(gotch.Uint8, true)
	if err != nil {
		return nil, fmt.Errorf("torch: any to uint8: %w", err)
	}
	err = CopyTo(tensor.Of(allowed, batch), asU8)
	asU8.MustDrop()
	if err != nil {
		return nil, err
	}
	for i, ok := range allowed {
		if ok == 0 {
			return nil, fmt.Errorf("%w: row %d", ErrNoAction, i)
		}
	}
	denied, err := mask.LogicalNot(false)
	if err != nil {
		return nil, fmt.Errorf("torch: logical_not: %w", err)
	}
	defer denied.MustDrop()
	out, err := logits.MaskedFill(denied, ts.FloatScalar(math.Inf(-1)), false)
	if err != nil {
		return nil, fmt.Errorf("torch: masked_fill: %w", err)
	}
	return out, nil
}

// MaskedArgmax writes into dst, one per row of the (batch, spaces.FlatSize)
// float32 logits, the flat index of the largest logit the bool mask allows
// (a nil mask allows all). dst must have length batch. A row whose mask
// allows nothing fails with ErrNoAction.
func MaskedArgmax(dst []int, logits, mask *ts.Tensor) error {
	batch, err := checkLogits(logits, mask)
	if err != nil {
		return err
	}
	if len(dst) != batch {
		return fmt.Errorf("%w: %d destinations for a batch of %d", ErrShape, len(dst), batch)
	}
	m, err := masked(logits, mask, batch)
	if err != nil {
		return err
	}
	idx, err := m.Argmax([]int64{1}, false, true)
	if err != nil {
		return fmt.Errorf("torch: argmax: %w", err)
	}
	defer idx.MustDrop()
	flat := make([]int64, batch)
	if err := CopyTo(tensor.Of(flat, batch), idx); err != nil {
		return err
	}
	for i, v := range flat {
		dst[i] = int(v)
	}
	return nil
}

// MaskedSample writes into dst, one per row of the (batch, spaces.FlatSize)
// float32 logits, a flat index drawn from the softmax of the logits over the
// entries the bool mask allows (a nil mask allows all). Draws come from rng,
// so a seeded rng makes them reproducible. A row whose mask allows nothing
// fails with ErrNoAction.
func MaskedSample(dst []int, logits, mask *ts.Tensor, rng *rand.Rand) error {
	batch, err := checkLogits(logits, mask)
	if err != nil {
		return err
	}
	if len(dst) != batch {
		return fmt.Errorf("%w: %d destinations for a batch of %d", ErrShape, len(dst), batch)
	}
	m, err := masked(logits, mask, batch)
	if err != nil {
		return err
	}
	probs, err := m.Softmax(1, gotch.Float, true)
	if err != nil {
		return fmt.Errorf("torch: softmax: %w", err)
	}
	defer probs.MustDrop()
	p := make([]float32, batch*spaces.FlatSize)
	if err := CopyTo(tensor.Of(p, batch, spaces.FlatSize), probs); err != nil {
		return err
	}
	for i := range batch {
		row := p[i*spaces.FlatSize : (i+1)*spaces.FlatSize]
		dst[i] = draw(row, rng.Float64())
	}
	return nil
}

// draw picks the index where the cumulative sum of probs passes u times
// the total; it never returns an entry of probability zero (a masked one).
func draw(probs []float32, u float64) int {
	var total float64
	last := -1
	for i, q := range probs {
		if q > 0 {
			total += float64(q)
			last = i
		}
	}
	target := u * total
	var acc float64
	for i, q := range probs {
		if q <= 0 {
			continue
		}
		acc += float64(q)
		if acc > target {
			return i
		}
	}
	return last
}

// Actions maps flat indices, as chosen by MaskedArgmax or MaskedSample, to
// actions; dst must have the length of flat.
func Actions(dst []arc.Action, flat []int) error {
	if len(dst) != len(flat) {
		return fmt.Errorf("%w: %d actions for %d indices", ErrShape, len(dst), len(flat))
	}
	for i, f := range flat {
		a, ok := spaces.Unflatten(f)
		if !ok {
			return fmt.Errorf("%w: flat index %d outside 0..%d", ErrShape, f, spaces.FlatSize-1)
		}
		dst[i] = a
	}
	return nil
}
