//go:build gotch

package main

import (
	"cmp"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/encoding"
	"github.com/arcgym/arcgym/encoding/torch"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/examples/internal/train"
	"github.com/arcgym/arcgym/spaces"
	"github.com/arcgym/arcgym/tensor"
	"github.com/arcgym/arcgym/vector"
)

// The learning test runs the example's defaults but for the number of
// updates: 160 updates of 16x64 steps, about a minute of one core.
const trainUpdates = 160

// TestPPOBeatsRandom trains with three seeds and checks the run with the
// median evaluation return on 200 held-out seeds against the random policy
// and its untrained network: at least twice the random policy's return,
// and ahead of either baseline by four standard errors of the difference.
// One seed alone says little: with the policy's five outputs, seed 1 ended
// at 0.205 where seeds 2 and 3 reached 0.56 and 0.53.
func TestPPOBeatsRandom(t *testing.T) {
	var runs []*Result
	for seed := range uint64(3) {
		cfg := DefaultConfig()
		cfg.Seed = 1 + seed
		cfg.Updates = trainUpdates
		cfg.EvalEvery = cfg.Updates
		cfg.Plot = filepath.Join(t.TempDir(), "ppo.png")
		res, err := Train(t.Context(), cfg)
		require.NoError(t, err)
		require.Len(t, res.Learner.Episodes, cfg.EvalEpisodes)
		f, err := os.Open(cfg.Plot)
		require.NoError(t, err)
		_, err = png.Decode(f)
		assert.NoError(t, err, "the learning curve is a PNG")
		require.NoError(t, f.Close())
		t.Logf("seed %d: learner %v; untrained %v; random %v; %d steps in %v", cfg.Seed, res.Learner, res.Initial, res.Random, res.Steps, res.Elapsed)
		runs = append(runs, res)
	}
	slices.SortFunc(runs, func(a, b *Result) int { return cmp.Compare(a.Learner.MeanReturn, b.Learner.MeanReturn) })
	res := runs[1]
	assert.GreaterOrEqual(t, res.Learner.MeanReturn, 2*res.Random.MeanReturn)
	for name, base := range map[string]train.Stats{"random": res.Random, "untrained": res.Initial} {
		margin := 4 * math.Hypot(res.Learner.StdErr, base.StdErr)
		assert.Greater(t, res.Learner.MeanReturn-base.MeanReturn, margin, "learner vs %s", name)
	}
}

func TestCheckpointRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ppo.ckpt")
	cfg := DefaultConfig()
	cfg.Updates, cfg.Rollout, cfg.EvalEvery, cfg.EvalEpisodes = 2, 16, 1, 3
	cfg.Checkpoint = path
	first, err := Train(t.Context(), cfg)
	require.NoError(t, err)

	var st State
	require.NoError(t, train.Load(path, checkpointKind, checkpointVersion, &st))
	assert.Equal(t, first.Weights, st.Weights, "the checkpoint holds the final weights and Adam state")
	assert.Equal(t, 2, st.Updates)
	assert.Equal(t, 2*cfg.Envs*cfg.Rollout, st.Steps)
	assert.Equal(t, 2*cfg.Minibatches*cfg.Epochs, st.Weights.Adam.Steps)
	// Each sub-environment's next game seed lies further along its own
	// sequence base+i, base+i+Envs, ...
	require.Len(t, st.Reseeds, cfg.Envs)
	base := 1 + int64(cfg.Seed)*10_000_000
	for i, next := range st.Reseeds {
		own := base + int64(i)
		assert.Greater(t, next, own, "sub-environment %d", i)
		assert.Zero(t, (next-own)%int64(cfg.Envs), "sub-environment %d", i)
	}

	info, err := lookup(cfg.Game)
	require.NoError(t, err)
	p, err := NewPolicy(cfg.Stack, spaces.Compact(info.Available).N(), 99)
	require.NoError(t, err)
	defer p.Close()
	require.NoError(t, p.Restore(&st.Weights))
	assert.Equal(t, st.Weights, p.Snapshot(st.Weights.Adam))

	cfg.Updates, cfg.Resume = 3, true
	resumed, err := Train(t.Context(), cfg)
	require.NoError(t, err)
	assert.Equal(t, 3, resumed.Updates)
	assert.Equal(t, 3*cfg.Envs*cfg.Rollout, resumed.Steps)
	assert.NotEqual(t, first.Weights.Data, resumed.Weights.Data)
	// The curve goes on from the checkpoint's points.
	assert.Len(t, resumed.Curve.Get("random policy (same seeds)").X, 4)

	cfg.Seed = 2
	_, err = Train(t.Context(), cfg)
	assert.ErrorIs(t, err, train.ErrCheckpoint)
}

func TestSameSeedSameWeights(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Updates, cfg.Rollout, cfg.EvalEvery, cfg.EvalEpisodes = 1, 16, 1, 2
	a, err := Train(t.Context(), cfg)
	require.NoError(t, err)
	b, err := Train(t.Context(), cfg)
	require.NoError(t, err)
	assert.Equal(t, a.Weights, b.Weights)
}

// The uint8 input path gives the network exactly the features of the
// float32 one: the Go one-hot encoding in a libtorch tensor, average-pooled
// by libtorch over Pool x Pool patches.
func TestInputMatchesPooledOneHot(t *testing.T) {
	const envs, stack = 4, 2
	venv, err := vector.New(t.Context(), vector.Spec{
		NumEnvs: envs, Make: vector.Make("gl02", env.Config{}), Vector: []vector.Wrapper{vector.FrameStackConfig{Depth: stack}},
	})
	require.NoError(t, err)
	defer venv.Close()
	in, err := NewInput(envs, stack)
	require.NoError(t, err)
	defer in.Close()
	b, err := venv.Reset(t.Context(), env.ResetOptions{})
	require.NoError(t, err)
	moves := make([]arc.Action, envs)
	for s := range 8 {
		obs := b.Obs
		x, err := in.Features(obs)
		require.NoError(t, err)
		got := tensor.New[float32](envs, encoding.Colors*stack, mapSide, mapSide)
		require.NoError(t, torch.CopyTo(got, x))

		oh, err := torch.Encode(encoding.OneHot{}, obs)
		require.NoError(t, err)
		k := []int64{Pool, Pool}
		pooled, err := oh.AvgPool2d(k, k, []int64{0, 0}, false, true, nil, true)
		require.NoError(t, err)
		want := tensor.New[float32](got.Shape...)
		require.NoError(t, torch.CopyTo(want, pooled))
		pooled.MustDrop()
		require.True(t, slices.Equal(want.Data, got.Data), "step %d", s)

		for i := range moves {
			moves[i] = arc.Simple(arc.Action1 + arc.ActionID((s+i)%4))
		}
		b, err = venv.Step(t.Context(), moves)
		require.NoError(t, err)
	}
}

func TestRejectsClickGames(t *testing.T) {
	_, err := Train(t.Context(), Config{Game: "tl03"})
	assert.Error(t, err)
}

// Episodes cut off by the time limit are bootstrapped from the value of
// their final observation, not treated as terminations: with 5-step
// episodes, the first rollout holds truncated steps, and each took in a
// value.
func TestTrainBootstrapsTruncatedEpisodes(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Updates, cfg.Rollout, cfg.EvalEvery, cfg.EvalEpisodes = 1, 32, 1, 2
	cfg.MaxEpisodeSteps = 5
	res, err := Train(t.Context(), cfg)
	require.NoError(t, err)
	assert.Positive(t, res.Bootstrapped, "truncated steps bootstrapped")
	assert.LessOrEqual(t, res.Bootstrapped, cfg.Envs*cfg.Rollout/cfg.MaxEpisodeSteps, "at most one per episode")
}
