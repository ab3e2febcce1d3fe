package spaces

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/arcgym/arcgym/arc"
)

// ErrInvalidProbability is returned for a probability vector of the wrong
// length, with an entry outside [0, 1] (NaN included), or whose entries do
// not sum to 1 (within numpy.isclose's default tolerance, as Gymnasium
// checks).
var ErrInvalidProbability = errors.New("spaces: invalid probability")

// checkProbability verifies p as Gymnasium's Discrete.sample(probability=)
// does: n entries in [0, 1] summing to 1.
func checkProbability(p []float64, n int) error {
	if len(p) != n {
		return fmt.Errorf("%w: length %d, want %d", ErrInvalidProbability, len(p), n)
	}
	sum := 0.0
	for i, v := range p {
		if !(v >= 0 && v <= 1) {
			return fmt.Errorf("%w: entry %d is %g, want 0..1", ErrInvalidProbability, i, v)
		}
		sum += v
	}
	// numpy.isclose(sum, 1): |sum-1| <= atol + rtol*1.
	if math.Abs(sum-1) > 1e-8+1e-5 {
		return fmt.Errorf("%w: entries sum to %g, want 1", ErrInvalidProbability, sum)
	}
	return nil
}

// pickProbability draws an index with the chances p (checked), by the
// cumulative sum; rounding that leaves the draw past the last entry falls
// on the last entry with a chance above 0.
func pickProbability(rng *rand.Rand, p []float64) int {
	u := rng.Float64()
	acc, last := 0.0, -1
	for i, v := range p {
		if v == 0 {
			continue
		}
		last = i
		acc += v
		if u < acc {
			return i
		}
	}
	return last
}

// SampleProbability draws Start+i with probability p[i], as Gymnasium's
// Discrete.sample(probability=p); p must have N entries in [0, 1] summing
// to 1, else the error wraps ErrInvalidProbability.
func (d *Discrete) SampleProbability(p []float64) (int, error) {
	if err := checkProbability(p, d.N); err != nil {
		return d.Start, fmt.Errorf("%v: %w", d, err)
	}
	return d.Start + pickProbability(d.rng.Rand, p), nil
}

// SampleProbability draws each dimension i from probs[i] as Discrete's
// SampleProbability does (a nil entry: uniformly), writing into dst when
// it has room, as Gymnasium's MultiDiscrete.sample(probability=).
func (m *MultiDiscrete) SampleProbability(dst []int, probs [][]float64) ([]int, error) {
	return m.sampleDims(dst, len(probs), ErrInvalidProbability, "vectors",
		func(i int) bool { return probs[i] == nil },
		func(i int) error { return checkProbability(probs[i], m.NVec[i]) },
		func(i int) int { return pickProbability(m.rng.Rand, probs[i]) })
}

// SampleProbability draws an action with the chances p over the flat
// layout (len FlatSize: the simple actions, then the 4096 ACTION6 cells),
// as a policy's softmax gives them. Entries of actions not available must
// be 0; the error wraps ErrInvalidProbability otherwise, as for p of the
// wrong length, entries outside [0, 1] or a sum other than 1.
func (s *Action) SampleProbability(p []float64) (arc.Action, error) {
	if err := checkProbability(p, FlatSize); err != nil {
		return arc.Action{}, fmt.Errorf("%v: %w", s, err)
	}
	for i, v := range p {
		if a, _ := Unflatten(i); v > 0 && !s.Available.Has(a.ID) {
			return arc.Action{}, fmt.Errorf("%v: %w: %s has probability %g but is not available", s, ErrInvalidProbability, a, v)
		}
	}
	a, _ := Unflatten(pickProbability(s.rng.Rand, p))
	return a, nil
}
