package spaces

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/arcgym/arcgym/tensor"
)

// Box is a tensor space with per-space bounds Low..High (inclusive) on every
// element. It holds tensor.U8 or tensor.F32 values, whichever its Dtype says.
type Box struct {
	shape     []int
	Low, High float64
	// Dtype is "uint8" or "float32".
	Dtype string
	rng   *rand.Rand
}

// NewBox returns a Box of the given bounds, element type ("uint8" or
// "float32") and shape.
func NewBox(low, high float64, dtype string, shape ...int) *Box {
	return &Box{shape: slices.Clone(shape), Low: low, High: high, Dtype: dtype, rng: newRand(0)}
}

// Contains accepts a tensor.U8 or tensor.F32 of the box's shape and type whose
// elements all lie within the bounds.
func (b *Box) Contains(v any) bool {
	switch t := v.(type) {
	case tensor.U8:
		return b.Dtype == "uint8" && slices.Equal(t.Shape, b.shape) && t.Validate() == nil && within(t.Data, b.Low, b.High)
	case tensor.F32:
		return b.Dtype == "float32" && slices.Equal(t.Shape, b.shape) && t.Validate() == nil && within(t.Data, b.Low, b.High)
	}
	return false
}

func within[T uint8 | float32](data []T, lo, hi float64) bool {
	for _, x := range data {
		f := float64(x)
		if f < lo || f > hi || f != f {
			return false
		}
	}
	return true
}

// Shape returns the shape of an element.
func (b *Box) Shape() []int { return b.shape }

// Seed reseeds the sampler.
func (b *Box) Seed(seed uint64) { b.rng = newRand(seed) }

// String describes the box.
func (b *Box) String() string {
	return fmt.Sprintf("Box(%g, %g, %v, %s)", b.Low, b.High, b.shape, b.Dtype)
}

// SampleU8 fills dst (of the box's size) with uniform integers in bounds.
func (b *Box) SampleU8(dst []uint8) {
	lo, hi := int(b.Low), int(b.High)
	for i := range dst {
		dst[i] = uint8(lo + b.rng.IntN(hi-lo+1))
	}
}

// SampleF32 fills dst with uniform floats in bounds.
func (b *Box) SampleF32(dst []float32) {
	for i := range dst {
		dst[i] = float32(b.Low + b.rng.Float64()*(b.High-b.Low))
	}
}
