package wrappers_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/env/envtest"
	"github.com/arcgym/arcgym/spaces"
	"github.com/arcgym/arcgym/tensor"
	"github.com/arcgym/arcgym/wrappers"
)

// scripted plays a script of rewards, terminations and float observations
// (index 0 is the reset's); its grid is blank.
type scripted struct {
	rewards []float64
	terms   []bool
	obs     [][]float32
	k       int
	grid    []uint8
}

func (s *scripted) observe(i int) env.Obs {
	return env.Obs{
		Grid:  tensor.U8{Shape: []int{arc.GridSize, arc.GridSize}, Data: s.grid},
		Float: tensor.F32{Shape: []int{len(s.obs[i])}, Data: append([]float32(nil), s.obs[i]...)},
	}
}

func (s *scripted) Reset(context.Context, env.ResetOptions) (env.Obs, env.Info, error) {
	if s.grid == nil {
		s.grid = make([]uint8, arc.FrameCells)
	}
	return s.observe(s.k), env.Info{}, nil
}

func (s *scripted) Step(context.Context, arc.Action) (env.Step, error) {
	s.k++
	return env.Step{Obs: s.observe(s.k), Reward: s.rewards[s.k-1], Terminated: s.terms[s.k-1]}, nil
}

func (s *scripted) ObservationSpace() spaces.Space {
	return spaces.NewBox(0, 15, spaces.Uint8, arc.GridSize, arc.GridSize)
}
func (s *scripted) ActionSpace() spaces.Space { return spaces.NewAction(arc.ActionSetOf(arc.Action1)) }
func (s *scripted) Close() error              { return nil }

var script = scripted{
	rewards: []float64{1, 0, 2, -1, 3, 0.5, 0, 1},
	terms:   []bool{false, false, true, false, false, true, false, false},
	obs:     [][]float32{{0, 0, 0}, {1, 2, 3}, {2, 2, 2}, {5, -1, 0}, {0.5, 4, 1}, {3, 3, 3}, {1, 0, 1}, {2, 1, 0}, {4, 4, 4}},
}

// The figures are Gymnasium 1.2.0's for the same script: NormalizeReward
// (gamma 0.9; a new episode by reset after each termination) and
// NormalizeObservation (the reset's observation, then four steps).
func TestNormalizeRewardAsGymnasium(t *testing.T) {
	s := script
	w := must(wrappers.NewNormalizeReward(&s, wrappers.NormalizeRewardConfig{Gamma: 0.9}))
	ctx := t.Context()
	_, _, err := w.Reset(ctx, env.ResetOptions{})
	require.NoError(t, err)
	want := []float64{70.71421321062337, 0.0, 4.026271644467785, -2.076455978157476, 2.713986207250412, 0.4539975763291164, 0.0, 0.9875775076713673}
	for k := range want {
		if k > 0 && s.terms[k-1] {
			_, _, err := w.Reset(ctx, env.ResetOptions{})
			require.NoError(t, err)
		}
		st, err := w.Step(ctx, arc.Simple(arc.Action1))
		require.NoError(t, err)
		assert.InDelta(t, want[k], st.Reward, 1e-9, "step %d", k)
	}
	// Frozen statistics no longer move.
	w.Freeze(true)
	mean, variance := w.Stats()
	s.rewards = append(s.rewards, 100)
	s.terms = append(s.terms, false)
	s.obs = append(s.obs, []float32{0, 0, 0})
	_, err = w.Step(ctx, arc.Simple(arc.Action1))
	require.NoError(t, err)
	m2, v2 := w.Stats()
	assert.Equal(t, [2]float64{mean, variance}, [2]float64{m2, v2})

	_, err = wrappers.NewNormalizeReward(&s, wrappers.NormalizeRewardConfig{Gamma: 1.5})
	assert.Error(t, err)
}

func TestNormalizeObservationAsGymnasium(t *testing.T) {
	s := script
	w := must(wrappers.NewNormalizeObservation(&s, wrappers.NormalizeObservationConfig{}))
	ctx := t.Context()
	want := [][]float64{
		{0.0, 0.0, 0.0},
		{0.9999499320983887, 1.0000249147415161, 1.000038743019104},
		{1.2247446775436401, 0.7071288228034973, 0.2672993540763855},
		{1.6035857200622559, -1.3471375703811646, -0.9622200727462769},
		{-0.6750320792198181, 1.4912186861038208, -0.1714766025543213},
	}
	obs, _, err := w.Reset(ctx, env.ResetOptions{})
	require.NoError(t, err)
	got := [][]float32{append([]float32(nil), obs.Float.Data...)}
	for range 4 {
		st, err := w.Step(ctx, arc.Simple(arc.Action1))
		require.NoError(t, err)
		got = append(got, append([]float32(nil), st.Obs.Float.Data...))
	}
	for k := range want {
		for i := range want[k] {
			// Gymnasium keeps float32 statistics for a float32 space.
			assert.InDelta(t, want[k][i], got[k][i], 2e-5, "observation %d element %d", k, i)
		}
	}
	// An observation without floats is refused.
	g := newGame(t, envtest.FakeConfig{})
	nf := must(wrappers.NewNormalizeObservation(g, wrappers.NormalizeObservationConfig{}))
	_, _, err = nf.Reset(ctx, env.ResetOptions{})
	assert.ErrorContains(t, err, "no Obs.Float")
}
