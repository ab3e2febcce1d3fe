package spaces

import (
	"errors"
	"math/rand/v2"
)

// Space is the common behaviour of all spaces.
type Space interface {
	// Contains reports whether v is an element of the space.
	Contains(v any) bool
	// Shape is the shape of one element (nil for scalars).
	Shape() []int
	// Seed reseeds the space's random source, making Sample reproducible.
	Seed(seed uint64)
	// String describes the space, e.g. "Discrete(5)".
	String() string
}

// Sampler is a Space that draws random elements without knowing their
// concrete type; Dict and Tuple sample their members through it, and every
// space of this package implements it.
type Sampler interface {
	Space
	// SampleValue draws one element. mask is nil (no constraint) or of the
	// mask type the space documents; a mask of the wrong type or size gives
	// an error wrapping ErrInvalidMask.
	SampleValue(mask any) (any, error)
}

// Errors of the package; match them with errors.Is.
var (
	// ErrInvalidMask is returned for a mask of the wrong type or length, or
	// an int8 mask holding something other than 0 and 1.
	ErrInvalidMask = errors.New("spaces: invalid mask")
	// ErrNotSampler is returned by Dict and Tuple when a member space does
	// not implement Sampler.
	ErrNotSampler = errors.New("spaces: space cannot sample")
)

// source is a space's random stream. Reseeding it rewinds the generator in
// place, so Seed allocates nothing: environments reseed their spaces on
// every seeded reset.
type source struct {
	pcg rand.PCG
	*rand.Rand
}

// newRand returns the deterministic source every space starts from.
func newRand(seed uint64) *source {
	s := &source{}
	s.Rand = rand.New(&s.pcg)
	s.seed(seed)
	return s
}

func (s *source) seed(seed uint64) { s.pcg.Seed(seed, seed^0x9e3779b97f4a7c15) }

// subSeed derives the seed of member i of a composite space from the
// composite's seed (splitmix64), so that members draw independent streams.
func subSeed(seed uint64, i int) uint64 {
	z := seed + uint64(i+1)*0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// Every space of the package samples through Sampler.
var (
	_ Sampler = (*Discrete)(nil)
	_ Sampler = (*MultiDiscrete)(nil)
	_ Sampler = (*Box)(nil)
	_ Sampler = (*Dict)(nil)
	_ Sampler = (*Tuple)(nil)
	_ Sampler = (*Action)(nil)
)
