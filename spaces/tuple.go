package spaces

import (
	"fmt"
	"slices"
	"strings"
)

// Tuple is a fixed sequence of spaces, Gymnasium's Tuple. Its elements are
// []any holding one element of every member, in order.
type Tuple struct {
	spaces []Space
}

// NewTuple returns the Tuple of the given members. It panics on a nil
// member, a programming error.
func NewTuple(members ...Space) *Tuple {
	for i, s := range members {
		if s == nil {
			panic(fmt.Sprintf("spaces: Tuple member %d is nil", i))
		}
	}
	return &Tuple{spaces: slices.Clone(members)}
}

// At returns member i.
func (t *Tuple) At(i int) Space { return t.spaces[i] }

// Len returns the number of members.
func (t *Tuple) Len() int { return len(t.spaces) }

// Contains accepts a []any of the Tuple's length whose entries are elements
// of the members at the same positions.
func (t *Tuple) Contains(v any) bool {
	x, ok := v.([]any)
	if !ok || len(x) != len(t.spaces) {
		return false
	}
	for i, s := range t.spaces {
		if !s.Contains(x[i]) {
			return false
		}
	}
	return true
}

// Shape is nil: a Tuple has no shape of its own.
func (t *Tuple) Shape() []int { return nil }

// Seed seeds every member with its own seed derived from seed and the
// member's position.
func (t *Tuple) Seed(seed uint64) {
	for i, s := range t.spaces {
		s.Seed(subSeed(seed, i))
	}
}

// String describes the space as "Tuple(Discrete(2), Box(...))".
func (t *Tuple) String() string {
	var b strings.Builder
	b.WriteString("Tuple(")
	for i, s := range t.spaces {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(s.String())
	}
	b.WriteByte(')')
	return b.String()
}

// Sample draws one element of every member, in order. mask is nil or holds
// one member mask (or nil) per member; every member must implement Sampler.
func (t *Tuple) Sample(mask []any) ([]any, error) {
	if mask != nil && len(mask) != len(t.spaces) {
		return nil, fmt.Errorf("%w: %d member masks for %v", ErrInvalidMask, len(mask), t)
	}
	out := make([]any, len(t.spaces))
	for i, sp := range t.spaces {
		s, ok := sp.(Sampler)
		if !ok {
			return nil, fmt.Errorf("%w: member %d is %v", ErrNotSampler, i, sp)
		}
		var m any
		if mask != nil {
			m = mask[i]
		}
		v, err := s.SampleValue(m)
		if err != nil {
			return nil, fmt.Errorf("tuple member %d: %w", i, err)
		}
		out[i] = v
	}
	return out, nil
}

// SampleValue implements Sampler; mask is nil or []any.
func (t *Tuple) SampleValue(mask any) (any, error) {
	switch m := mask.(type) {
	case nil:
		return orNil(t.Sample(nil))
	case []any:
		return orNil(t.Sample(m))
	}
	return nil, fmt.Errorf("%w: %T for %v, want []any", ErrInvalidMask, mask, t)
}
