package vector

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
)

// scripted plays a script of rewards, terminations and float observations;
// a reset does not rewind it: it returns the observation at the current
// step.
type scripted struct {
	rewards []float64
	terms   []bool
	obs     [][]float32
	k       int
	grid    []uint8
	float   []float32
}

func (s *scripted) observe() env.Obs {
	if s.grid == nil {
		s.grid, s.float = make([]uint8, arc.FrameCells), make([]float32, 3)
	}
	copy(s.float, s.obs[s.k])
	return env.Obs{
		Grid:  tensor.U8{Shape: []int{arc.GridSize, arc.GridSize}, Data: s.grid},
		Float: tensor.F32{Shape: []int{3}, Data: s.float},
	}
}

func (s *scripted) Reset(context.Context, env.ResetOptions) (env.Obs, env.Info, error) {
	return s.observe(), env.Info{}, nil
}

func (s *scripted) Step(context.Context, arc.Action) (env.Step, error) {
	s.k++
	return env.Step{Obs: s.observe(), Reward: s.rewards[s.k-1], Terminated: s.terms[s.k-1]}, nil
}

func (s *scripted) ObservationSpace() spaces.Space {
	return spaces.NewBox(0, 15, spaces.Uint8, arc.GridSize, arc.GridSize)
}
func (s *scripted) ActionSpace() spaces.Space { return spaces.NewAction(arc.ActionSetOf(arc.Action1)) }
func (s *scripted) Close() error              { return nil }

func scripts() Factory {
	return func(_ context.Context, i int) (env.Env, error) {
		return []*scripted{{
			rewards: []float64{1, 0, 2, -1, 3, 0.5, 0, 1},
			terms:   []bool{false, false, true, false, false, true, false, false},
			obs:     [][]float32{{0, 0, 0}, {1, 2, 3}, {2, 2, 2}, {5, -1, 0}, {0.5, 4, 1}, {3, 3, 3}, {1, 0, 1}, {2, 1, 0}, {4, 4, 4}, {1, 1, 1}},
		}, {
			rewards: []float64{0.5, 0.5, -2, 1, 1, 0, 4, 0.25},
			terms:   []bool{false, true, false, false, false, false, true, false},
			obs:     [][]float32{{1, 0, 2}, {0, 0, 1}, {3, 1, 2}, {2, 2, 0}, {1, -3, 1}, {0, 0, 0}, {6, 1, 2}, {2, 5, 1}, {0, 1, 0}, {2, 2, 2}},
		}}[i], nil
	}
}

// The figures are Gymnasium 1.2.0's for the same two scripts in a
// SyncVectorEnv (next-step autoreset) under
// gymnasium.wrappers.vector.NormalizeReward (gamma 0.9) and
// NormalizeObservation: the reset, then seven steps. Gymnasium keeps the
// returns in float32 and takes the batch moments in float32, hence the
// tolerances.
func TestVectorNormalizeAsGymnasium(t *testing.T) {
	wantR := [][2]float64{
		{3.9976020031103765, 1.9988010015551883}, {0.0, 2.1945058391264802}, {3.7115250467666274, 0.0},
		{0.0, -1.9472485931780446}, {-1.0218756093632713, 1.0218756093632713},
		{2.4685551580959633, 0.8228517193653211}, {0.44243150164664674, 0.0},
	}
	wantO := [][2][3]float64{
		{{-0.9998500347137451, 0.0, -0.9999251365661621}, {0.9999499320983887, 0.0, 1.0000250339508057}},
		{{0.9999750852584839, 1.732050895690918, 1.3416475057601929}, {-0.9999250769615173, -0.577331006526947, -0.4471711814403534}},
		{{0.7808800935745239, 1.2998708486557007, 0.3535732328891754}, {1.717914342880249, 0.1857091188430786, 0.3535732328891754}},
		{{1.9345637559890747, -1.637833833694458, -1.4999604225158691}, {0.696452260017395, 0.377971351146698, 0.5000117421150208}},
		{{1.627471923828125, -1.4368362426757812, -1.1141548156738281}, {-0.11623421311378479, 1.25724196434021, -1.1141548156738281}},
		{{-0.8763578534126282, 1.9479761123657227, -0.16902001202106476}, {-0.5758889317512512, -2.0429937839508057, -0.16902001202106476}},
		{{0.6712287664413452, 1.3063998222351074, 1.6520479917526245}, {-1.1475622653961182, -0.40824609994888306, -1.123379111289978}},
		{{-0.5893310904502869, -0.4172517657279968, -0.24252690374851227}, {2.1047861576080322, 0.18966367840766907, 0.727611243724823}},
	}
	ctx := t.Context()
	acts := repeat(arc.Simple(arc.Action1), 2)

	s, err := NewSync(t.Context(), 2, scripts(), Config{})
	require.NoError(t, err)
	rv, err := Wrap(s, NormalizeRewardConfig{Gamma: 0.9})
	require.NoError(t, err)
	defer rv.Close()
	b, err := rv.Reset(ctx, env.ResetOptions{})
	require.NoError(t, err)
	assert.Equal(t, []float64{0, 0}, b.Rewards)
	for k, want := range wantR {
		b, err = rv.Step(ctx, acts)
		require.NoError(t, err)
		assert.InDeltaSlice(t, want[:], b.Rewards, 1e-6, "step %d", k)
	}

	s, err = NewSync(t.Context(), 2, scripts(), Config{})
	require.NoError(t, err)
	ov, err := Wrap(s, NormalizeObservationConfig{})
	require.NoError(t, err)
	defer ov.Close()
	b, err = ov.Reset(ctx, env.ResetOptions{})
	for k, want := range wantO {
		if k > 0 {
			b, err = ov.Step(ctx, acts)
		}
		require.NoError(t, err)
		require.Equal(t, []int{2, 3}, b.Float.Shape)
		for r := range 2 {
			for i := range 3 {
				assert.InDelta(t, want[r][i], b.Float.Data[r*3+i], 2e-5, "call %d row %d [%d]", k, r, i)
			}
		}
	}
	// Frozen statistics stay as they are.
	o := ov.(*NormalizeObservation)
	o.Freeze(true)
	mean, _ := o.Stats()
	before := append([]float64(nil), mean...)
	_, err = ov.Step(ctx, acts)
	require.NoError(t, err)
	mean, _ = o.Stats()
	assert.Equal(t, before, mean)
}

// Without floats in the batch, observation normalisation says what to wrap;
// bad settings fail.
func TestVectorNormalizeErrors(t *testing.T) {
	v := newVec(t, kinds[0], 2, sameFakes(envtest.FakeConfig{}), Config{})
	w, err := NewNormalizeObservation(v, NormalizeObservationConfig{})
	require.NoError(t, err)
	_, err = w.Reset(t.Context(), env.ResetOptions{})
	assert.ErrorIs(t, err, ErrShape)
	assert.ErrorContains(t, err, "Encode")
	_, err = NewNormalizeReward(v, NormalizeRewardConfig{Gamma: 2})
	assert.Error(t, err)
	_, err = NewNormalizeObservation(v, NormalizeObservationConfig{Epsilon: -1})
	assert.Error(t, err)
}
