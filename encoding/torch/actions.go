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
)

// ErrNoAction reports a row whose mask allows no action.
var ErrNoAction = errors.New("torch: mask allows no action")

// ErrLogits reports a row of logits no choice can be made from: a NaN
// among the allowed entries, or, for sampling, every allowed entry at -Inf.
var ErrLogits = errors.New("torch: bad logits")

// Mask packs the action masks of a batch, masks holding rows of width
// entries one after the other (as vector.Batch.Masks writes them, in any
// spaces.Layout), into a (rows, width) bool CPU tensor.
func Mask(masks []bool, width int) (*ts.Tensor, error) {
	defer pin()()
	if width <= 0 || len(masks)%width != 0 {
		return nil, fmt.Errorf("%w: %d mask entries in rows of %d", ErrShape, len(masks), width)
	}
	t, err := ts.Empty([]int64{int64(len(masks) / width), int64(width)}, gotch.Bool, gotch.CPU)
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
	copy(unsafe.Slice((*bool)(p), len(masks)), masks)
	return t, nil
}

// checkLogits verifies that logits is a (batch, width) float32 tensor and
// mask, when not nil, a bool tensor of the same shape, and returns the
// shape.
func checkLogits(logits, mask *ts.Tensor) ([]int, error) {
	shape, err := Shape(logits)
	if err != nil {
		return nil, err
	}
	if len(shape) != 2 || shape[1] < 1 || logits.DType() != gotch.Float {
		return nil, fmt.Errorf("%w: logits %v of %v, want (batch, width) float32", ErrShape, shape, logits.DType())
	}
	if mask == nil {
		return shape, nil
	}
	mshape, err := Shape(mask)
	if err != nil {
		return nil, err
	}
	if len(mshape) != 2 || mshape[0] != shape[0] || mshape[1] != shape[1] || mask.DType() != gotch.Bool {
		return nil, fmt.Errorf("%w: mask %v of %v for logits %v, want bool of the same shape", ErrShape, mshape, mask.DType(), shape)
	}
	return shape, nil
}

// rows is a batch of logits and their mask read from libtorch memory.
type rows struct {
	logits []float32
	// mask holds one byte per logit, non-zero where allowed; nil allows
	// all.
	mask         []uint8
	batch, width int
	tmp, mtmp    *ts.Tensor
}

// readRows checks logits and mask and reads them in place, or from
// contiguous CPU copies that release drops.
func readRows(dst []int, logits, mask *ts.Tensor) (*rows, error) {
	shape, err := checkLogits(logits, mask)
	if err != nil {
		return nil, err
	}
	r := &rows{batch: shape[0], width: shape[1]}
	if len(dst) != r.batch {
		return nil, fmt.Errorf("%w: %d destinations for a batch of %d", ErrShape, len(dst), r.batch)
	}
	n := r.batch * r.width
	if r.logits, r.tmp, err = host[float32](logits, shape, n); err != nil {
		return nil, err
	}
	if mask != nil {
		if r.mask, r.mtmp, err = host[uint8](mask, shape, n); err != nil {
			r.release()
			return nil, err
		}
	}
	return r, nil
}

func (r *rows) release() {
	dropIf(r.tmp)
	dropIf(r.mtmp)
}

// row returns the logits and the mask (nil: all allowed) of row i.
func (r *rows) row(i int) ([]float32, []uint8) {
	l := r.logits[i*r.width : (i+1)*r.width]
	if r.mask == nil {
		return l, nil
	}
	return l, r.mask[i*r.width : (i+1)*r.width]
}

// best returns the first allowed index of the largest allowed logit of
// row i. A NaN among the allowed logits fails with ErrLogits, a mask that
// allows nothing with ErrNoAction; masked entries are never looked at.
func (r *rows) best(i int) (int, error) {
	logits, mask := r.row(i)
	best := -1
	for j, x := range logits {
		if mask != nil && mask[j] == 0 {
			continue
		}
		if x != x {
			return 0, fmt.Errorf("%w: row %d: NaN logit at index %d", ErrLogits, i, j)
		}
		if best < 0 || x > logits[best] {
			best = j
		}
	}
	if best < 0 {
		return 0, fmt.Errorf("%w: row %d", ErrNoAction, i)
	}
	return best, nil
}

// MaskedArgmax writes into dst, one per row of the (batch, width) float32
// logits, the index of the largest logit the bool mask allows
// (a nil mask allows all); ties, -Inf ones included, go to the lowest
// allowed index. dst must have length batch. A row whose mask allows
// nothing fails with ErrNoAction, a NaN among a row's allowed logits with
// ErrLogits; on error dst is left as it was. The logits and the mask may
// live on any device and in any memory layout; contiguous CPU tensors are
// read in place. Neither is modified or dropped.
func MaskedArgmax(dst []int, logits, mask *ts.Tensor) error {
	defer pin()()
	r, err := readRows(dst, logits, mask)
	if err != nil {
		return err
	}
	defer r.release()
	for i := range r.batch {
		if _, err := r.best(i); err != nil {
			return err
		}
	}
	for i := range r.batch {
		dst[i], _ = r.best(i)
	}
	return nil
}

// MaskedSample writes into dst, one per row of the (batch, width) float32
// logits, an index drawn from the softmax of the logits over the
// entries the bool mask allows (a nil mask allows all). An allowed +Inf
// logit takes all the probability, shared with any other +Inf ones; a
// masked entry, or an allowed one at -Inf, is never drawn. Draws take one
// rng.Float64 per row, so a seeded rng makes them reproducible. A row whose
// mask allows nothing fails with ErrNoAction; a NaN among a row's allowed
// logits, or allowed logits all at -Inf (no distribution to draw from),
// with ErrLogits. On error neither dst nor rng is used. As for
// MaskedArgmax, the tensors may be anywhere and are left alone.
func MaskedSample(dst []int, logits, mask *ts.Tensor, rng *rand.Rand) error {
	defer pin()()
	r, err := readRows(dst, logits, mask)
	if err != nil {
		return err
	}
	defer r.release()
	for i := range r.batch {
		b, err := r.best(i)
		if err != nil {
			return err
		}
		if l, _ := r.row(i); math.IsInf(float64(l[b]), -1) {
			return fmt.Errorf("%w: row %d: every allowed logit is -Inf", ErrLogits, i)
		}
	}
	for i := range r.batch {
		b, _ := r.best(i)
		logits, mask := r.row(i)
		dst[i] = draw(logits, mask, logits[b], rng.Float64())
	}
	return nil
}

// draw picks an allowed index of logits with probability proportional to
// exp(logit-top), top being the largest allowed logit (finite or +Inf), by
// finding where the cumulative weight passes u times the total.
func draw(logits []float32, mask []uint8, top float32, u float64) int {
	weight := func(x float32) float64 {
		if math.IsInf(float64(top), 1) {
			if x == top {
				return 1
			}
			return 0
		}
		return math.Exp(float64(x) - float64(top))
	}
	var total float64
	for j, x := range logits {
		if mask == nil || mask[j] != 0 {
			total += weight(x)
		}
	}
	target := u * total
	var acc float64
	last := -1
	for j, x := range logits {
		if mask != nil && mask[j] == 0 {
			continue
		}
		w := weight(x)
		if w == 0 {
			continue
		}
		acc += w
		last = j
		if acc > target {
			return j
		}
	}
	return last
}
