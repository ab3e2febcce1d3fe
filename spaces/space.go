package spaces

import "math/rand/v2"

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

// newRand returns the deterministic source every space starts from.
func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)) }
