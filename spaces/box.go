package spaces

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/arcgym/arcgym/tensor"
)

// Dtype is the element type of a Box: Uint8 or Float32. Its zero value is
// neither, so a Dtype that was never set is caught rather than taken for
// one of them. It prints and encodes (as text, and so as a JSON string)
// under numpy's names, "uint8" and "float32".
type Dtype uint8

// Element types a Box can hold, the values of Box.Dtype.
const (
	// Uint8 boxes hold tensor.U8 values.
	Uint8 Dtype = iota + 1
	// Float32 boxes hold tensor.F32 values.
	Float32
)

// String returns numpy's name of the type, "uint8" or "float32", and
// "Dtype(n)" for a value that is neither.
func (d Dtype) String() string {
	switch d {
	case Uint8:
		return "uint8"
	case Float32:
		return "float32"
	}
	return "Dtype(" + strconv.Itoa(int(d)) + ")"
}

// MarshalText encodes the type as its numpy name; a value other than Uint8
// and Float32 is an error.
func (d Dtype) MarshalText() ([]byte, error) {
	if !d.valid() {
		return nil, fmt.Errorf("spaces: cannot encode %v, want %v or %v", d, Uint8, Float32)
	}
	return []byte(d.String()), nil
}

// UnmarshalText decodes a numpy name, "uint8" or "float32"; any other text
// is an error and leaves d unchanged.
func (d *Dtype) UnmarshalText(text []byte) error {
	switch string(text) {
	case "uint8":
		*d = Uint8
	case "float32":
		*d = Float32
	default:
		return fmt.Errorf("spaces: Box dtype %q, want %q or %q", text, Uint8.String(), Float32.String())
	}
	return nil
}

func (d Dtype) valid() bool { return d == Uint8 || d == Float32 }

// Box is a tensor space with per-space bounds Low..High (inclusive) on every
// element. It holds tensor.U8 or tensor.F32 values, whichever its Dtype says.
// Float32 boxes may be unbounded on either side (±Inf).
type Box struct {
	shape     []int
	Low, High float64
	// Dtype is Uint8 or Float32.
	Dtype Dtype
	rng   *source
}

// NewBox returns a Box of the given bounds, element type (Uint8 or Float32)
// and shape. It panics on NaN bounds, low > high, a negative dimension, or
// uint8 bounds that hold no integer of 0..255: such a box is a programming
// error. It panics too on a dtype other than the two constants, which only
// a conversion of a number to Dtype can produce.
func NewBox(low, high float64, dtype Dtype, shape ...int) *Box {
	if !dtype.valid() {
		panic(fmt.Sprintf("spaces: Box dtype %v, want %v or %v", dtype, Uint8, Float32))
	}
	if math.IsNaN(low) || math.IsNaN(high) || low > high {
		panic(fmt.Sprintf("spaces: Box bounds [%g, %g] are empty", low, high))
	}
	for _, d := range shape {
		if d < 0 {
			panic(fmt.Sprintf("spaces: Box shape %v has a negative dimension", shape))
		}
	}
	b := &Box{shape: slices.Clone(shape), Low: low, High: high, Dtype: dtype, rng: newRand(0)}
	if dtype == Uint8 {
		if lo, hi := b.intBounds(); lo > hi {
			panic(fmt.Sprintf("spaces: uint8 Box bounds [%g, %g] hold no value of 0..255", low, high))
		}
	}
	return b
}

// intBounds returns the integer range of a uint8 box: the integers of
// Low..High clamped to 0..255.
func (b *Box) intBounds() (lo, hi int) {
	return int(max(math.Ceil(b.Low), 0)), int(min(math.Floor(b.High), 255))
}

// Size returns the number of elements of one value.
func (b *Box) Size() int { return tensor.Size(b.shape) }

// Contains accepts a tensor.U8 or tensor.F32 (or a pointer to one) of the
// box's shape and type whose elements all lie within the bounds.
func (b *Box) Contains(v any) bool {
	switch t := v.(type) {
	case tensor.U8:
		return b.ContainsU8(t)
	case *tensor.U8:
		return t != nil && b.ContainsU8(*t)
	case tensor.F32:
		return b.ContainsF32(t)
	case *tensor.F32:
		return t != nil && b.ContainsF32(*t)
	}
	return false
}

// ContainsU8 is Contains for a tensor.U8 without boxing it in an interface;
// it allocates nothing.
func (b *Box) ContainsU8(t tensor.U8) bool {
	if b.Dtype != Uint8 || !slices.Equal(t.Shape, b.shape) || t.Validate() != nil {
		return false
	}
	lo, hi := b.intBounds()
	for _, x := range t.Data {
		if int(x) < lo || int(x) > hi {
			return false
		}
	}
	return true
}

// ContainsF32 is Contains for a tensor.F32 without boxing it in an
// interface; it allocates nothing.
func (b *Box) ContainsF32(t tensor.F32) bool {
	return b.Dtype == Float32 && slices.Equal(t.Shape, b.shape) && t.Validate() == nil && within(t.Data, b.Low, b.High)
}

func within(data []float32, lo, hi float64) bool {
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
func (b *Box) Seed(seed uint64) { b.rng.seed(seed) }

// String describes the box.
func (b *Box) String() string {
	return fmt.Sprintf("Box(%g, %g, %v, %s)", b.Low, b.High, b.shape, b.Dtype)
}

// SampleU8 fills dst with uniform integers of Low..High (clamped to 0..255).
// It allocates nothing.
func (b *Box) SampleU8(dst []uint8) {
	lo, hi := b.intBounds()
	if lo > hi {
		return
	}
	n := hi - lo + 1
	for i := range dst {
		dst[i] = uint8(lo + b.rng.IntN(n))
	}
}

// SampleF32 fills dst as Gymnasium samples a float box: uniformly when both
// bounds are finite, Low plus an exponential draw when only Low is, High
// minus one when only High is, and from the standard normal when neither
// is. Values are rounded inward to float32 so that they stay in bounds. It
// allocates nothing.
func (b *Box) SampleF32(dst []float32) {
	lo, hi := b.Low, b.High
	loInf, hiInf := math.IsInf(lo, 0), math.IsInf(hi, 0)
	for i := range dst {
		var x float64
		switch {
		case !loInf && !hiInf:
			x = lo + b.rng.Float64()*(hi-lo)
		case !loInf:
			x = lo + b.rng.ExpFloat64()
		case !hiInf:
			x = hi - b.rng.ExpFloat64()
		default:
			x = b.rng.NormFloat64()
		}
		v := float32(x)
		if float64(v) > hi {
			v = math.Nextafter32(v, float32(math.Inf(-1)))
		}
		if float64(v) < lo {
			v = math.Nextafter32(v, float32(math.Inf(1)))
		}
		dst[i] = v
	}
}

// SampleValue implements Sampler: it returns a new tensor.U8 or tensor.F32.
// Boxes take no mask, as in Gymnasium; a non-nil mask is an error.
func (b *Box) SampleValue(mask any) (any, error) {
	if mask != nil {
		return nil, fmt.Errorf("%w: %v takes no mask, got %T", ErrInvalidMask, b, mask)
	}
	if b.Dtype == Uint8 {
		t := tensor.New[uint8](b.shape...)
		b.SampleU8(t.Data)
		return t, nil
	}
	t := tensor.New[float32](b.shape...)
	b.SampleF32(t.Data)
	return t, nil
}
