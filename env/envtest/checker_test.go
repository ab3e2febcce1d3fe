package envtest_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/env/envtest"
)

func newGame(t testing.TB, cfg envtest.FakeConfig, game env.Config) *env.Game {
	t.Helper()
	g, err := env.New(envtest.NewFake(cfg), game)
	require.NoError(t, err)
	return g
}

func TestCheckGameOnFake(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  envtest.FakeConfig
		game env.Config
	}{
		{"default", envtest.FakeConfig{}, env.Config{}},
		{"animated", envtest.FakeConfig{FramesPerAction: 3, Levels: 5}, env.Config{}},
		{"budget", envtest.FakeConfig{Budget: 4}, env.Config{}},
		{"click only", envtest.FakeConfig{Available: arc.ActionSetOf(arc.Action6)}, env.Config{}},
		{"restart on game over", envtest.FakeConfig{Levels: 2}, env.Config{GameOver: env.GameOverRestartsLevel}},
		{"shaped reward", envtest.FakeConfig{}, env.Config{Reward: env.ShapedReward(1, 5, -1)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			envtest.CheckT(t, newGame(t, tc.cfg, tc.game), envtest.CheckOptions{Seed: 3})
			envtest.CheckT(t, newGame(t, tc.cfg, tc.game), envtest.CheckOptions{
				Seed: 4, Steps: 50,
				New: func() (env.Env, error) { return env.New(envtest.NewFake(tc.cfg), tc.game) },
			})
		})
	}
}

// broken breaks one rule of the contract over a correct Env.
type broken struct {
	env.Env
	rule   string
	calls  int
	closed bool
	ended  bool
	rng    *rand.Rand
}

func (b *broken) Reset(ctx context.Context, o env.ResetOptions) (env.Obs, env.Info, error) {
	obs, info, err := b.Env.Reset(ctx, o)
	b.ended = false
	switch b.rule {
	case "obs outside space":
		obs.Grid.Shape = []int{1, 64, 64}
	case "frames shape":
		info.Frames.Shape = []int{64, 64}
	case "mask length":
		info.Mask = make([]bool, 3)
	case "mask beyond available":
		info.Mask = make([]bool, 4102)
		info.Mask[0] = true
		info.Available = arc.ActionSetOf(arc.Action6)
	case "episode early":
		info.Episode = &env.EpisodeStats{Length: 1}
	case "unseeded reset":
		// A level set drawn afresh on every unseeded reset, not from the
		// last seed: the same colour in the observation and its frame.
		if !o.HasSeed && err == nil {
			c := byte(b.rng.IntN(16))
			obs.Grid.Data[0] = c
			info.Frames.Data[info.Frames.Len()-arc.FrameCells] = c
		}
	}
	return obs, info, err
}

func (b *broken) Step(ctx context.Context, a arc.Action) (env.Step, error) {
	b.calls++
	switch b.rule {
	case "step before reset":
		if b.calls == 1 {
			return env.Step{}, nil
		}
	case "step after close":
		if b.closed {
			return env.Step{}, nil
		}
	case "step after end":
		st, err := b.Env.Step(ctx, a)
		if err != nil && b.calls > 1 {
			return env.Step{}, nil
		}
		return st, err
	}
	st, err := b.Env.Step(ctx, a)
	switch b.rule {
	case "nondeterministic":
		st.Reward = b.rng.Float64()
	case "nan reward":
		st.Reward = st.Reward / 0 * 0
	case "info differs":
		st.Info.GameOvers = b.rng.IntN(1000)
	case "truncate at once":
		// A time limit of one step: the episode is over after it.
		if b.ended && err == nil {
			return env.Step{}, env.ErrNeedsReset
		}
		st.Truncated, b.ended = true, true
	case "obs not last frame":
		if st.Info.Frames.Len() > 4096 {
			st.Obs.Grid.Data = st.Info.Frames.Data[:4096]
		}
	}
	return st, err
}

func (b *broken) Close() error {
	b.closed = true
	return b.Env.Close()
}

func TestCheckFindsViolations(t *testing.T) {
	for _, tc := range []struct{ rule, want string }{
		{"step before reset", "before Reset"},
		{"obs outside space", "not in"},
		{"frames shape", "Info.Frames"},
		{"mask length", "Info.Mask has 3"},
		{"mask beyond available", "mask allows ACTION1"},
		{"episode early", "Info.Episode"},
		{"step after end", "after the episode ended"},
		{"nondeterministic", "not deterministic"},
		// Gymnasium's check_reset_seed_determinism resets with a seed,
		// then without, and compares; check_step_determinism compares the
		// infos of two runs too (data_equivalence), not only the arrays.
		{"unseeded reset", "the unseeded Reset right after a seeded one differs"},
		{"info differs", "the info of result"},
		{"truncate at once", "truncated on its first step"},
		{"nan reward", "reward NaN"},
		{"obs not last frame", "last frame"},
		{"step after close", "after Close"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			g := newGame(t, envtest.FakeConfig{FramesPerAction: 2}, env.Config{})
			b := &broken{Env: g, rule: tc.rule, rng: rand.New(rand.NewPCG(1, 2))}
			err := envtest.Check(t.Context(), b, envtest.CheckOptions{Steps: 40})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.ErrorIs(t, g.Close(), nil)
		})
	}
}

func TestCheckNondeterministicOption(t *testing.T) {
	g := newGame(t, envtest.FakeConfig{}, env.Config{})
	b := &broken{Env: g, rule: "nondeterministic", rng: rand.New(rand.NewPCG(1, 2))}
	assert.NoError(t, envtest.Check(t.Context(), b, envtest.CheckOptions{Nondeterministic: true}))
}

func ExampleCheck() {
	g, err := env.New(envtest.NewFake(envtest.FakeConfig{FramesPerAction: 2}), env.Config{})
	if err != nil {
		panic(err)
	}
	err = envtest.Check(context.Background(), g, envtest.CheckOptions{Seed: 1})
	fmt.Println("conforms:", err == nil)
	// Output: conforms: true
}
