package spaces

import (
	"fmt"
	"slices"
	"strings"
)

// MultiDiscrete is a vector of independent discrete values, Gymnasium's
// MultiDiscrete(nvec, start): element i lies in Start[i]..Start[i]+NVec[i]-1.
// Its elements are []int of length len(NVec).
type MultiDiscrete struct {
	NVec, Start []int
	shape       []int
	rng         *source
}

// NewMultiDiscrete returns MultiDiscrete(nvec) with every start at 0.
func NewMultiDiscrete(nvec ...int) *MultiDiscrete {
	return NewMultiDiscreteStart(nvec, make([]int, len(nvec)))
}

// NewMultiDiscreteStart returns MultiDiscrete(nvec, start). It panics when
// nvec is empty, an entry is below 1, or the lengths differ: such a space is
// a programming error.
func NewMultiDiscreteStart(nvec, start []int) *MultiDiscrete {
	if len(nvec) == 0 || len(nvec) != len(start) {
		panic(fmt.Sprintf("spaces: MultiDiscrete needs equal non-empty nvec and start, got %d and %d", len(nvec), len(start)))
	}
	for i, n := range nvec {
		if n < 1 {
			panic(fmt.Sprintf("spaces: MultiDiscrete nvec[%d] is %d, want >= 1", i, n))
		}
	}
	return &MultiDiscrete{
		NVec:  slices.Clone(nvec),
		Start: slices.Clone(start),
		shape: []int{len(nvec)},
		rng:   newRand(0),
	}
}

// Contains accepts a []int of length len(NVec) with every entry in range.
func (m *MultiDiscrete) Contains(v any) bool {
	x, ok := v.([]int)
	if !ok || len(x) != len(m.NVec) {
		return false
	}
	for i, e := range x {
		if e < m.Start[i] || e-m.Start[i] >= m.NVec[i] {
			return false
		}
	}
	return true
}

// Shape is (len(NVec)).
func (m *MultiDiscrete) Shape() []int { return m.shape }

// Seed reseeds the sampler.
func (m *MultiDiscrete) Seed(seed uint64) { m.rng.seed(seed) }

// String describes the space as "MultiDiscrete([3 4])", with the starts when
// any is not 0.
func (m *MultiDiscrete) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "MultiDiscrete(%v", m.NVec)
	if slices.ContainsFunc(m.Start, func(s int) bool { return s != 0 }) {
		fmt.Fprintf(&b, ", start=%v", m.Start)
	}
	b.WriteByte(')')
	return b.String()
}

// Sample draws every entry uniformly and independently into dst, which is
// grown when shorter than len(NVec), and returns it.
func (m *MultiDiscrete) Sample(dst []int) []int {
	dst = m.dst(dst)
	for i, n := range m.NVec {
		dst[i] = m.Start[i] + m.rng.IntN(n)
	}
	return dst
}

// SampleMask is Sample under one mask per dimension: masks[i] is nil (no
// constraint on dimension i) or a []bool of length NVec[i]. As in
// Gymnasium, a dimension whose mask allows nothing takes its Start value.
// masks must have one entry per dimension.
func (m *MultiDiscrete) SampleMask(dst []int, masks [][]bool) ([]int, error) {
	return sampleMulti(m, dst, masks)
}

// SampleMaskInt8 is SampleMask for Gymnasium's int8 masks (entries 0 or 1).
func (m *MultiDiscrete) SampleMaskInt8(dst []int, masks [][]int8) ([]int, error) {
	return sampleMulti(m, dst, masks)
}

func (m *MultiDiscrete) dst(dst []int) []int {
	if cap(dst) < len(m.NVec) {
		return make([]int, len(m.NVec))
	}
	return dst[:len(m.NVec)]
}

func sampleMulti[M maskElem](m *MultiDiscrete, dst []int, masks [][]M) ([]int, error) {
	return m.sampleDims(dst, len(masks), ErrInvalidMask, "masks",
		func(i int) bool { return masks[i] == nil },
		func(i int) error { return checkMask(masks[i], m.NVec[i]) },
		func(i int) int { return max(pickMasked(m.rng.Rand, masks[i]), 0) })
}

// sampleDims draws every dimension: uniformly where none(i), else by
// pick(i) once check has passed for every dimension given. k is the number
// of constraints given, one per dimension, and what names them in errors.
func (m *MultiDiscrete) sampleDims(dst []int, k int, invalid error, what string, none func(i int) bool, check func(i int) error, pick func(i int) int) ([]int, error) {
	if k != len(m.NVec) {
		return dst, fmt.Errorf("%v: %w: %d dimension %s, want %d", m, invalid, k, what, len(m.NVec))
	}
	for i := range m.NVec {
		if none(i) {
			continue
		}
		if err := check(i); err != nil {
			return dst, fmt.Errorf("%v: dimension %d: %w", m, i, err)
		}
	}
	dst = m.dst(dst)
	for i, n := range m.NVec {
		if none(i) {
			dst[i] = m.Start[i] + m.rng.IntN(n)
			continue
		}
		dst[i] = m.Start[i] + pick(i)
	}
	return dst, nil
}

// SampleValue implements Sampler; mask is nil, [][]bool or [][]int8, and the
// value is a new []int.
func (m *MultiDiscrete) SampleValue(mask any) (any, error) {
	switch mk := mask.(type) {
	case nil:
		return m.Sample(nil), nil
	case [][]bool:
		return orNil(m.SampleMask(nil, mk))
	case [][]int8:
		return orNil(m.SampleMaskInt8(nil, mk))
	}
	return nil, fmt.Errorf("%w: %T for %v, want [][]bool or [][]int8", ErrInvalidMask, mask, m)
}
