package spaces

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Dict is a space of named members, Gymnasium's Dict. Its elements are
// map[string]any holding one element of every member under its key, and
// nothing else. Keys are kept sorted, which fixes the order of String and of
// sampling.
type Dict struct {
	keys   []string
	spaces map[string]Space
}

// NewDict returns the Dict of the given members. The map is copied. It
// panics on a nil member, a programming error.
func NewDict(members map[string]Space) *Dict {
	for k, s := range members {
		if s == nil {
			panic(fmt.Sprintf("spaces: Dict member %q is nil", k))
		}
	}
	return &Dict{keys: slices.Sorted(maps.Keys(members)), spaces: maps.Clone(members)}
}

// Keys returns the member names in sorted order.
func (d *Dict) Keys() []string { return slices.Clone(d.keys) }

// Get returns the member named key, or nil.
func (d *Dict) Get(key string) Space { return d.spaces[key] }

// Len returns the number of members.
func (d *Dict) Len() int { return len(d.keys) }

// Contains accepts a map[string]any with exactly the Dict's keys, each
// value an element of its member.
func (d *Dict) Contains(v any) bool {
	m, ok := v.(map[string]any)
	if !ok || len(m) != len(d.keys) {
		return false
	}
	for _, k := range d.keys {
		x, ok := m[k]
		if !ok || !d.spaces[k].Contains(x) {
			return false
		}
	}
	return true
}

// Shape is nil: a Dict has no shape of its own.
func (d *Dict) Shape() []int { return nil }

// Seed seeds every member with its own seed derived from seed and the
// member's position in key order.
func (d *Dict) Seed(seed uint64) {
	for i, k := range d.keys {
		d.spaces[k].Seed(subSeed(seed, i))
	}
}

// String describes the space as "Dict(a: Discrete(2), b: ...)".
func (d *Dict) String() string {
	var b strings.Builder
	b.WriteString("Dict(")
	for i, k := range d.keys {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s: %v", k, d.spaces[k])
	}
	b.WriteByte(')')
	return b.String()
}

// Sample draws one element of every member, in key order. mask is nil or
// maps keys to member masks (see each member's SampleValue); keys that are
// missing or map to nil are drawn unmasked, and unknown keys are an error
// wrapping ErrInvalidMask. Every member must implement Sampler.
func (d *Dict) Sample(mask map[string]any) (map[string]any, error) {
	for k := range mask {
		if _, ok := d.spaces[k]; !ok {
			return nil, fmt.Errorf("%w: key %q is not in %v", ErrInvalidMask, k, d)
		}
	}
	out := make(map[string]any, len(d.keys))
	for _, k := range d.keys {
		s, ok := d.spaces[k].(Sampler)
		if !ok {
			return nil, fmt.Errorf("%w: member %q is %v", ErrNotSampler, k, d.spaces[k])
		}
		v, err := s.SampleValue(mask[k])
		if err != nil {
			return nil, fmt.Errorf("dict member %q: %w", k, err)
		}
		out[k] = v
	}
	return out, nil
}

// SampleValue implements Sampler; mask is nil or map[string]any.
func (d *Dict) SampleValue(mask any) (any, error) {
	switch m := mask.(type) {
	case nil:
		return orNil(d.Sample(nil))
	case map[string]any:
		return orNil(d.Sample(m))
	}
	return nil, fmt.Errorf("%w: %T for %v, want map[string]any", ErrInvalidMask, mask, d)
}
