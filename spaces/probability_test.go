package spaces_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/spaces"
)

// Gymnasium's Discrete.sample(probability=p): start + a draw from
// numpy's choice(n, p=p), p of shape (n,) in [0, 1] summing to 1
// (np.isclose), never an entry of probability 0.
func TestDiscreteSampleProbability(t *testing.T) {
	d := spaces.NewDiscrete(3, 5)
	d.Seed(1)
	for range 200 {
		v, err := d.SampleProbability([]float64{0, 1, 0})
		require.NoError(t, err)
		require.Equal(t, 6, v)
		v, err = d.SampleProbability([]float64{0.5, 0, 0.5})
		require.NoError(t, err)
		require.NotEqual(t, 6, v, "an entry of probability 0 is never drawn")
	}
	// Frequencies follow p (20,000 draws: a standard error under 0.003).
	counts := map[int]int{}
	const draws = 20000
	for range draws {
		v, err := d.SampleProbability([]float64{0.2, 0.3, 0.5})
		require.NoError(t, err)
		counts[v]++
	}
	for v, p := range map[int]float64{5: 0.2, 6: 0.3, 7: 0.5} {
		assert.InDelta(t, p, float64(counts[v])/draws, 0.015, "value %d", v)
	}
	// np.isclose's tolerance on the sum.
	_, err := d.SampleProbability([]float64{0.2, 0.3, 0.5 + 5e-6})
	assert.NoError(t, err)
	for name, p := range map[string][]float64{
		"short":    {0.5, 0.5},
		"negative": {-0.1, 0.6, 0.5},
		"above 1":  {1.5, -0.5, 0},
		"NaN":      {math.NaN(), 0.5, 0.5},
		"sum":      {0.2, 0.3, 0.4},
	} {
		_, err := d.SampleProbability(p)
		assert.ErrorIs(t, err, spaces.ErrInvalidProbability, name)
	}
}

func TestMultiDiscreteSampleProbability(t *testing.T) {
	m := spaces.NewMultiDiscrete(2, 3)
	m.Seed(2)
	for range 100 {
		v, err := m.SampleProbability(nil, [][]float64{{0, 1}, nil})
		require.NoError(t, err)
		require.Equal(t, 1, v[0])
		require.True(t, m.Contains(v))
	}
	_, err := m.SampleProbability(nil, [][]float64{{1, 0}})
	assert.ErrorIs(t, err, spaces.ErrInvalidProbability)
	_, err = m.SampleProbability(nil, [][]float64{{1, 0}, {0.5, 0.5}})
	assert.ErrorIs(t, err, spaces.ErrInvalidProbability, "dimension 1 has 3 values")
}

func TestActionSampleProbability(t *testing.T) {
	s := spaces.NewAction(arc.ActionSetOf(arc.Action1, arc.Action6))
	s.Seed(3)
	p := make([]float64, spaces.FlatSize)
	cell := spaces.Flatten(arc.Click(9, 4))
	p[cell] = 0.25
	p[spaces.Flatten(arc.Simple(arc.Action1))] = 0.75
	seen := map[int]int{} // by flat index
	for range 400 {
		a, err := s.SampleProbability(p)
		require.NoError(t, err)
		seen[spaces.Flatten(a)]++
	}
	assert.Len(t, seen, 2)
	assert.Positive(t, seen[cell])
	assert.Greater(t, seen[spaces.Flatten(arc.Simple(arc.Action1))], seen[cell])

	// An action not available may not have a chance.
	p[spaces.Flatten(arc.Simple(arc.Action1))] = 0
	p[spaces.Flatten(arc.Simple(arc.Action2))] = 0.75
	_, err := s.SampleProbability(p)
	assert.ErrorIs(t, err, spaces.ErrInvalidProbability)
	_, err = s.SampleProbability(p[:10])
	assert.ErrorIs(t, err, spaces.ErrInvalidProbability)
}
