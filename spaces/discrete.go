package spaces

import (
	"fmt"
)

// Discrete is the space of the N integers Start, Start+1, ..., Start+N-1,
// Gymnasium's Discrete(n, start). Its elements are ints; Contains accepts
// any Go integer type.
type Discrete struct {
	N, Start int
	rng      *source
}

// NewDiscrete returns Discrete(n, start). It panics when n < 1: a space with
// no elements is a programming error.
func NewDiscrete(n, start int) *Discrete {
	if n < 1 {
		panic(fmt.Sprintf("spaces: Discrete needs n >= 1, got %d", n))
	}
	return &Discrete{N: n, Start: start, rng: newRand(0)}
}

// Contains reports whether v is an integer in Start..Start+N-1.
func (d *Discrete) Contains(v any) bool {
	x, ok := asInt(v)
	return ok && x >= d.Start && x-d.Start < d.N
}

// Shape is nil: an element is a scalar.
func (d *Discrete) Shape() []int { return nil }

// Seed reseeds the sampler.
func (d *Discrete) Seed(seed uint64) { d.rng.seed(seed) }

// String describes the space as "Discrete(n)" or "Discrete(n, start=s)".
func (d *Discrete) String() string {
	if d.Start == 0 {
		return fmt.Sprintf("Discrete(%d)", d.N)
	}
	return fmt.Sprintf("Discrete(%d, start=%d)", d.N, d.Start)
}

// Sample draws an element uniformly.
func (d *Discrete) Sample() int { return d.Start + d.rng.IntN(d.N) }

// SampleMask draws uniformly among the values whose mask entry is true;
// mask[i] stands for Start+i and must have length N. As in Gymnasium, when no
// entry is true the result is Start. A mask of the wrong length gives an
// error wrapping ErrInvalidMask.
func (d *Discrete) SampleMask(mask []bool) (int, error) { return sampleDiscrete(d, mask) }

// SampleMaskInt8 is SampleMask for Gymnasium's int8 masks, whose entries
// must be 0 (excluded) or 1 (allowed).
func (d *Discrete) SampleMaskInt8(mask []int8) (int, error) { return sampleDiscrete(d, mask) }

func sampleDiscrete[M maskElem](d *Discrete, mask []M) (int, error) {
	if err := checkMask(mask, d.N); err != nil {
		return d.Start, fmt.Errorf("%v: %w", d, err)
	}
	i := pickMasked(d.rng.Rand, mask)
	if i < 0 {
		return d.Start, nil
	}
	return d.Start + i, nil
}

// SampleValue implements Sampler; mask is nil, []bool or []int8.
func (d *Discrete) SampleValue(mask any) (any, error) {
	switch m := mask.(type) {
	case nil:
		return d.Sample(), nil
	case []bool:
		return orNil(d.SampleMask(m))
	case []int8:
		return orNil(d.SampleMaskInt8(m))
	}
	return nil, fmt.Errorf("%w: %T for %v, want []bool or []int8", ErrInvalidMask, mask, d)
}
