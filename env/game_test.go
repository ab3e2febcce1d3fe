package env_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/env/envtest"
	"github.com/arcgym/arcgym/spaces"
)

var (
	up    = arc.Simple(arc.Action1) // completes a level on the fake
	lose  = arc.Simple(arc.Action2)
	paint = arc.Simple(arc.Action3)
	undo  = arc.Simple(arc.Action7)
)

func newGame(t *testing.T, cfg envtest.FakeConfig) (*env.Game, *envtest.Fake) {
	t.Helper()
	return newGameWith(t, cfg, env.Config{})
}

// newGameWith returns a Game configured by game over a fake configured by cfg.
func newGameWith(t *testing.T, cfg envtest.FakeConfig, game env.Config) (*env.Game, *envtest.Fake) {
	t.Helper()
	f := envtest.NewFake(cfg)
	g, err := env.New(f, game)
	require.NoError(t, err)
	t.Cleanup(func() { _ = g.Close() })
	return g, f
}

func TestStepBeforeResetNeedsReset(t *testing.T) {
	g, f := newGame(t, envtest.FakeConfig{})
	_, err := g.Step(t.Context(), paint)
	require.ErrorIs(t, err, env.ErrNeedsReset)
	assert.Zero(t, f.Commands(), "nothing may reach the backend")
}

func TestRewardIsLevelDeltaAndWinTerminates(t *testing.T) {
	g, _ := newGame(t, envtest.FakeConfig{Levels: 3})
	obs, info, err := g.Reset(t.Context(), env.ResetOptions{})
	require.NoError(t, err)
	assert.Equal(t, []int{64, 64}, obs.Grid.Shape)
	assert.True(t, info.FullReset)
	assert.Equal(t, 3, info.WinLevels)

	var total float64
	for i := range 3 {
		st, err := g.Step(t.Context(), paint)
		require.NoError(t, err)
		assert.Zero(t, st.Reward)
		st, err = g.Step(t.Context(), up)
		require.NoError(t, err)
		assert.Equal(t, 1.0, st.Reward, "level %d", i)
		assert.Equal(t, i+1, st.Info.LevelsCompleted)
		total += st.Reward
		assert.Equal(t, i == 2, st.Terminated)
		assert.False(t, st.Truncated)
	}
	assert.Equal(t, 3.0, total)
	_, err = g.Step(t.Context(), paint)
	require.ErrorIs(t, err, env.ErrNeedsReset)
}

func TestGameOverModes(t *testing.T) {
	t.Run("ends", func(t *testing.T) {
		g, _ := newGame(t, envtest.FakeConfig{})
		_, _, err := g.Reset(t.Context(), env.ResetOptions{})
		require.NoError(t, err)
		st, err := g.Step(t.Context(), lose)
		require.NoError(t, err)
		assert.True(t, st.Terminated)
		assert.Equal(t, arc.GameOver, st.Info.State)
	})
	t.Run("restarts level", func(t *testing.T) {
		g, f := newGameWith(t, envtest.FakeConfig{Levels: 3}, env.Config{
			GameOver: env.GameOverRestartsLevel, Reward: env.ShapedReward(1, 0, -0.5)})
		_, _, err := g.Reset(t.Context(), env.ResetOptions{})
		require.NoError(t, err)
		_, err = g.Step(t.Context(), up)
		require.NoError(t, err)
		resetsBefore := f.Resets()
		st, err := g.Step(t.Context(), lose)
		require.NoError(t, err)
		assert.False(t, st.Terminated)
		assert.Equal(t, -0.5, st.Reward)
		assert.Equal(t, arc.NotFinished, st.Info.State)
		assert.Equal(t, 1, st.Info.LevelsCompleted, "progress kept")
		assert.Equal(t, 1, st.Info.GameOvers)
		assert.Equal(t, resetsBefore+1, f.Resets())
		assert.Equal(t, 1, f.Level())
		// 1 level action, 1 losing action, 1 level reset.
		assert.Equal(t, 3, st.Info.ScoreActions)
	})
	t.Run("restart fails", func(t *testing.T) {
		boom := errors.New("boom")
		refuse := false
		g, f := newGameWith(t, envtest.FakeConfig{Fail: func(_ int, a arc.Action) error {
			if refuse && a.ID == arc.Reset {
				return boom
			}
			return nil
		}}, env.Config{GameOver: env.GameOverRestartsLevel})
		_, _, err := g.Reset(t.Context(), env.ResetOptions{})
		require.NoError(t, err)
		refuse = true
		_, err = g.Step(t.Context(), lose)
		require.ErrorIs(t, err, boom)
		refuse = false
		commands := f.Commands()
		_, err = g.Step(t.Context(), paint)
		require.ErrorIs(t, err, env.ErrNeedsReset, "the game is over: no action is sent to it")
		assert.Equal(t, commands, f.Commands())
		_, info, err := g.Reset(t.Context(), env.ResetOptions{})
		require.NoError(t, err)
		assert.Equal(t, arc.NotFinished, info.State)
		_, err = g.Step(t.Context(), paint)
		assert.NoError(t, err, "Reset recovers")
	})
}

func TestResetModes(t *testing.T) {
	ctx := t.Context()
	t.Run("game reset after actions sends two RESETs", func(t *testing.T) {
		g, f := newGame(t, envtest.FakeConfig{Levels: 3})
		_, _, err := g.Reset(ctx, env.ResetOptions{})
		require.NoError(t, err)
		_, err = g.Step(ctx, up)
		require.NoError(t, err)
		_, err = g.Step(ctx, paint)
		require.NoError(t, err)
		_, info, err := g.Reset(ctx, env.ResetOptions{})
		require.NoError(t, err)
		assert.Equal(t, 3, f.Resets())
		assert.Zero(t, info.LevelsCompleted)
		assert.Zero(t, f.Level())
		assert.True(t, info.FullReset)
		assert.Zero(t, info.ScoreActions)
	})
	t.Run("game reset at level start sends one", func(t *testing.T) {
		g, f := newGame(t, envtest.FakeConfig{Levels: 3})
		_, _, err := g.Reset(ctx, env.ResetOptions{})
		require.NoError(t, err)
		_, err = g.Step(ctx, up)
		require.NoError(t, err)
		_, info, err := g.Reset(ctx, env.ResetOptions{})
		require.NoError(t, err)
		assert.Equal(t, 2, f.Resets())
		assert.Zero(t, info.LevelsCompleted)
	})
	t.Run("level reset keeps progress", func(t *testing.T) {
		g, f := newGame(t, envtest.FakeConfig{Levels: 3})
		obs0, _, err := g.Reset(ctx, env.ResetOptions{})
		require.NoError(t, err)
		first := append([]uint8(nil), obs0.Grid.Data...)
		st, err := g.Step(ctx, up)
		require.NoError(t, err)
		level1 := append([]uint8(nil), st.Obs.Grid.Data...)
		assert.NotEqual(t, first, level1)
		st, err = g.Step(ctx, paint)
		require.NoError(t, err)
		assert.NotEqual(t, level1, st.Obs.Grid.Data)
		obs, info, err := g.Reset(ctx, env.ResetOptions{Mode: env.ResetLevel})
		require.NoError(t, err)
		assert.Equal(t, 1, info.LevelsCompleted)
		assert.False(t, info.FullReset)
		assert.Equal(t, level1, obs.Grid.Data, "level rebuilt pristine")
		assert.Equal(t, 2, f.Resets())
		assert.Equal(t, 3, info.ScoreActions, "two actions and one level reset")

		// A second level reset with no action in between sends nothing.
		_, info, err = g.Reset(ctx, env.ResetOptions{Mode: env.ResetLevel})
		require.NoError(t, err)
		assert.Equal(t, 2, f.Resets())
		assert.Equal(t, 1, info.LevelsCompleted)
	})
	t.Run("level reset of a pristine level", func(t *testing.T) {
		// The step into level 2 animates over several frames; a level
		// reset right after it sends nothing, and its frames are the
		// observation only, not the animation of that step.
		g, f := newGame(t, envtest.FakeConfig{Levels: 3, FramesPerAction: 3})
		_, _, err := g.Reset(ctx, env.ResetOptions{})
		require.NoError(t, err)
		st, err := g.Step(ctx, up)
		require.NoError(t, err)
		require.Greater(t, st.Info.Frames.Shape[0], 1)
		obs, info, err := g.Reset(ctx, env.ResetOptions{Mode: env.ResetLevel})
		require.NoError(t, err)
		assert.Equal(t, 1, f.Resets(), "nothing sent")
		assert.Equal(t, []int{1, arc.GridSize, arc.GridSize}, info.Frames.Shape)
		assert.Equal(t, obs.Grid.Data, info.Frames.Data)
		assert.NotEqual(t, arc.Reset, info.Action.ID, "no RESET was applied")
		assert.Equal(t, 1, info.LevelsCompleted)
	})
	t.Run("auto follows ARC", func(t *testing.T) {
		g, f := newGame(t, envtest.FakeConfig{Levels: 3})
		_, _, err := g.Reset(ctx, env.ResetOptions{})
		require.NoError(t, err)
		_, err = g.Step(ctx, up)
		require.NoError(t, err)
		_, err = g.Step(ctx, paint)
		require.NoError(t, err)
		_, info, err := g.Reset(ctx, env.ResetOptions{Mode: env.ResetAuto})
		require.NoError(t, err)
		assert.Equal(t, 1, info.LevelsCompleted, "first RESET restarts the level")
		assert.False(t, info.FullReset)
		_, info, err = g.Reset(ctx, env.ResetOptions{Mode: env.ResetAuto})
		require.NoError(t, err)
		assert.Zero(t, info.LevelsCompleted, "second RESET in a row is a full reset")
		assert.True(t, info.FullReset)
		assert.Equal(t, 3, f.Resets())
	})
	t.Run("after win every reset is full", func(t *testing.T) {
		g, f := newGame(t, envtest.FakeConfig{Levels: 1})
		_, _, err := g.Reset(ctx, env.ResetOptions{})
		require.NoError(t, err)
		st, err := g.Step(ctx, up)
		require.NoError(t, err)
		require.True(t, st.Terminated)
		_, info, err := g.Reset(ctx, env.ResetOptions{Mode: env.ResetLevel})
		require.NoError(t, err)
		assert.True(t, info.FullReset)
		assert.Equal(t, arc.NotFinished, info.State)
		assert.Equal(t, 2, f.Resets())
	})
	t.Run("unknown mode", func(t *testing.T) {
		g, f := newGame(t, envtest.FakeConfig{})
		_, _, err := g.Reset(ctx, env.ResetOptions{Mode: 9})
		require.Error(t, err)
		assert.Zero(t, f.Commands())
	})
}

func TestMultiFrameSteps(t *testing.T) {
	g, _ := newGame(t, envtest.FakeConfig{FramesPerAction: 4, Levels: 2})
	_, info, err := g.Reset(t.Context(), env.ResetOptions{})
	require.NoError(t, err)
	assert.Equal(t, []int{1, 64, 64}, info.Frames.Shape)
	st, err := g.Step(t.Context(), paint)
	require.NoError(t, err)
	assert.Equal(t, []int{4, 64, 64}, st.Info.Frames.Shape)
	require.NoError(t, st.Info.Frames.Validate())
	assert.Equal(t, st.Info.Frames.Index(3).Data, st.Obs.Grid.Data, "observation is the last frame")
	assert.NotEqual(t, st.Info.Frames.Index(0).Data, st.Obs.Grid.Data)
	st, err = g.Step(t.Context(), up)
	require.NoError(t, err)
	assert.Equal(t, 5, st.Info.Frames.Shape[0], "level transition adds a frame")
}

func TestUnavailableActions(t *testing.T) {
	avail := arc.ActionSetOf(arc.Action1, arc.Action2, arc.Action3)
	t.Run("rejected by default", func(t *testing.T) {
		g, f := newGame(t, envtest.FakeConfig{Available: avail})
		_, _, err := g.Reset(t.Context(), env.ResetOptions{})
		require.NoError(t, err)
		before := f.Commands()
		_, err = g.Step(t.Context(), arc.Click(3, 4))
		require.ErrorIs(t, err, arc.ErrActionNotAvailable)
		assert.Contains(t, err.Error(), "ACTION6(3,4)")
		assert.Equal(t, before, f.Commands())
		st, err := g.Step(t.Context(), paint)
		require.NoError(t, err, "a rejected action loses nothing")
		assert.Equal(t, 1, st.Info.EpisodeSteps)
	})
	t.Run("sent on request and charged", func(t *testing.T) {
		g, f := newGameWith(t, envtest.FakeConfig{Available: avail}, env.Config{Unavailable: env.SendUnavailable})
		obs, _, err := g.Reset(t.Context(), env.ResetOptions{})
		require.NoError(t, err)
		before := append([]uint8(nil), obs.Grid.Data...)
		st, err := g.Step(t.Context(), arc.Click(3, 4))
		require.NoError(t, err)
		assert.Equal(t, before, st.Obs.Grid.Data, "no visible change")
		assert.Equal(t, 1, st.Info.ScoreActions)
		assert.Equal(t, 1, f.Actions())
	})
}

func TestInvalidActions(t *testing.T) {
	g, f := newGame(t, envtest.FakeConfig{})
	_, _, err := g.Reset(t.Context(), env.ResetOptions{})
	require.NoError(t, err)
	n := f.Commands()
	for _, a := range []arc.Action{{ID: arc.Reset}, {ID: 9}, {ID: arc.Action6, X: 64}, {ID: arc.Action6, Y: 200}} {
		_, err := g.Step(t.Context(), a)
		require.ErrorIs(t, err, arc.ErrInvalidAction, "%v", a)
	}
	assert.Equal(t, n, f.Commands())
}

func TestBackendErrorLosesNothing(t *testing.T) {
	boom := errors.New("boom")
	failNext := false
	g, _ := newGame(t, envtest.FakeConfig{Fail: func(int, arc.Action) error {
		if failNext {
			return boom
		}
		return nil
	}})
	_, _, err := g.Reset(t.Context(), env.ResetOptions{})
	require.NoError(t, err)
	st, err := g.Step(t.Context(), paint)
	require.NoError(t, err)
	kept := append([]uint8(nil), st.Obs.Grid.Data...)
	failNext = true
	_, err = g.Step(t.Context(), paint)
	require.ErrorIs(t, err, boom)
	assert.Equal(t, kept, g.Last().Last(), "last good frame kept")
	failNext = false
	st, err = g.Step(t.Context(), paint)
	require.NoError(t, err)
	assert.Equal(t, 2, st.Info.EpisodeSteps)
}

func TestContextCancelled(t *testing.T) {
	g, f := newGame(t, envtest.FakeConfig{})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, _, err := g.Reset(ctx, env.ResetOptions{})
	require.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, f.Commands())
}

func TestCloseThenUse(t *testing.T) {
	g, _ := newGame(t, envtest.FakeConfig{})
	require.NoError(t, g.Close())
	require.NoError(t, g.Close())
	_, _, err := g.Reset(t.Context(), env.ResetOptions{})
	require.ErrorIs(t, err, env.ErrClosed)
	_, err = g.Step(t.Context(), paint)
	require.ErrorIs(t, err, env.ErrClosed)
}

func TestSeedsAreReproducible(t *testing.T) {
	run := func(seed int64) []uint8 {
		g, _ := newGame(t, envtest.FakeConfig{})
		obs, _, err := g.Reset(t.Context(), env.WithSeed(seed))
		require.NoError(t, err)
		out := append([]uint8(nil), obs.Grid.Data...)
		space, ok := env.ActionSpaceOf(g)
		require.True(t, ok)
		a, ok := space.Sample(nil)
		require.True(t, ok)
		st, err := g.Step(t.Context(), a)
		require.NoError(t, err)
		return append(out, st.Obs.Grid.Data...)
	}
	assert.Equal(t, run(7), run(7))
	assert.NotEqual(t, run(7), run(8))
}

// A Game made with Config.Seed s plays as one reset under WithSeed(s).
func TestInitialSeedIsASeededReset(t *testing.T) {
	run := func(opts env.ResetOptions, made env.Config) []uint8 {
		g, _ := newGameWith(t, envtest.FakeConfig{}, made)
		obs, _, err := g.Reset(t.Context(), opts)
		require.NoError(t, err)
		out := append([]uint8(nil), obs.Grid.Data...)
		space, ok := env.ActionSpaceOf(g)
		require.True(t, ok)
		a, ok := space.Sample(nil)
		require.True(t, ok)
		st, err := g.Step(t.Context(), a)
		require.NoError(t, err)
		return append(out, st.Obs.Grid.Data...)
	}
	seeded := env.Config{Seed: 7, HasSeed: true}
	assert.Equal(t, run(env.WithSeed(7), env.Config{}), run(env.ResetOptions{}, seeded))
	assert.NotEqual(t, run(env.WithSeed(8), env.Config{}), run(env.ResetOptions{}, seeded))
	assert.Equal(t, run(env.WithSeed(8), env.Config{}), run(env.WithSeed(8), seeded), "a seeded reset overrides it")
}

func TestSpaces(t *testing.T) {
	g, _ := newGame(t, envtest.FakeConfig{Available: arc.ActionSetOf(arc.Action1, arc.Action6)})
	obs, _, err := g.Reset(t.Context(), env.ResetOptions{})
	require.NoError(t, err)
	assert.True(t, g.ObservationSpace().Contains(obs.Grid))
	as := g.ActionSpace()
	assert.True(t, as.Contains(arc.Click(63, 63)))
	assert.True(t, as.Contains(up))
	assert.False(t, as.Contains(paint))
	assert.False(t, as.Contains(arc.Action{ID: arc.Reset}))
}

// otherActions is an Env whose action space is space, in place of the
// wrapped Game's.
type otherActions struct {
	*env.Game
	space spaces.Space
}

func (o otherActions) ActionSpace() spaces.Space { return o.space }

func TestActionSpaceOf(t *testing.T) {
	avail := arc.ActionSetOf(arc.Action1, arc.Action6)
	g, _ := newGame(t, envtest.FakeConfig{Available: avail})

	space, ok := env.ActionSpaceOf(g)
	require.True(t, ok)
	assert.Same(t, g.ActionSpace(), space, "the Game's own space, not a copy")
	assert.Equal(t, avail, space.Available)

	tests := []struct {
		name string
		e    env.Env
	}{
		{"nil env", nil},
		{"another kind of space", otherActions{g, spaces.NewDiscrete(3, 0)}},
		{"nil action space", otherActions{g, (*spaces.Action)(nil)}},
		{"no space", otherActions{g, nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			space, ok := env.ActionSpaceOf(tt.e)
			assert.False(t, ok)
			assert.Nil(t, space)
		})
	}
}

func TestStepAllocatesNothing(t *testing.T) {
	g, _ := newGame(t, envtest.FakeConfig{Levels: 200})
	ctx := t.Context()
	_, _, err := g.Reset(ctx, env.ResetOptions{})
	require.NoError(t, err)
	actions := []arc.Action{paint, arc.Click(5, 9), undo, up}
	i := 0
	allocs := testing.AllocsPerRun(500, func() {
		st, err := g.Step(ctx, actions[i%len(actions)])
		if err != nil || st.Terminated {
			_, _, _ = g.Reset(ctx, env.ResetOptions{})
		}
		i++
	})
	assert.Zero(t, allocs)
}

func TestSeededResetAllocatesNothing(t *testing.T) {
	g, _ := newGame(t, envtest.FakeConfig{})
	ctx := t.Context()
	seed := int64(0)
	allocs := testing.AllocsPerRun(200, func() {
		seed++
		if _, _, err := g.Reset(ctx, env.WithSeed(seed)); err != nil {
			t.Fatal(err)
		}
		if _, err := g.Step(ctx, paint); err != nil {
			t.Fatal(err)
		}
	})
	assert.Zero(t, allocs)
}

// stepOnly hides a Game's StepInto, so that env.StepInto takes Step.
type stepOnly struct{ env.Env }

func TestStepIntoMatchesStep(t *testing.T) {
	ctx := t.Context()
	a, _ := newGame(t, envtest.FakeConfig{FramesPerAction: 2})
	b, _ := newGame(t, envtest.FakeConfig{FramesPerAction: 2})
	assert.Same(t, a, env.Into(a), "a Game steps in place itself")
	for _, g := range []*env.Game{a, b} {
		_, _, err := g.Reset(ctx, env.ResetOptions{})
		require.NoError(t, err)
	}
	var into env.Step
	steps := 0
	for k, act := range []arc.Action{paint, up, paint, undo, paint, up, lose} {
		steps++
		want, werr := a.Step(ctx, act)
		var e env.Env = b
		if k%2 == 1 {
			e = stepOnly{b} // the fallback through Step
		}
		var gerr error
		if k%4 == 3 {
			gerr = env.Into(e).StepInto(ctx, act, &into)
		} else {
			gerr = env.StepInto(ctx, e, act, &into)
		}
		require.Equal(t, werr, gerr, "step %d", k)
		assert.Equal(t, want, into, "step %d: the same result", k)
		if want.Done() {
			break
		}
	}
	assert.Equal(t, 7, steps, "both fallbacks ran, and the episode ended last")
	require.NoError(t, a.Close())
	into.Reward = 7
	require.ErrorIs(t, a.StepInto(ctx, paint, &into), env.ErrClosed)
	assert.Equal(t, env.Step{}, into, "an error leaves the zero Step")
}

// Over a backend that writes in place, WriteFramesTo makes the
// observation of a one-frame command a view of the caller's buffer, for
// Reset and Step alike, with the same contents as without it; other
// backends decline.
func TestWriteFramesTo(t *testing.T) {
	ctx := t.Context()
	g, _ := newGame(t, envtest.FakeConfig{InPlace: true})
	ref, _ := newGame(t, envtest.FakeConfig{})
	buf := make([]uint8, arc.FrameCells)
	require.True(t, g.WriteFramesTo(buf))
	obs, _, err := g.Reset(ctx, env.ResetOptions{})
	require.NoError(t, err)
	want, _, err := ref.Reset(ctx, env.ResetOptions{})
	require.NoError(t, err)
	assert.Same(t, &buf[0], &obs.Grid.Data[0])
	assert.Equal(t, want.Grid.Data, obs.Grid.Data)
	for k := range 20 {
		a := arc.Click(k, 2*k)
		st, err := g.Step(ctx, a)
		require.NoError(t, err)
		wst, err := ref.Step(ctx, a)
		require.NoError(t, err)
		assert.Same(t, &buf[0], &st.Obs.Grid.Data[0], "step %d", k)
		assert.Equal(t, wst.Obs.Grid.Data, st.Obs.Grid.Data, "step %d", k)
	}
	require.True(t, g.WriteFramesTo(nil))
	st, err := g.Step(ctx, arc.Click(1, 1))
	require.NoError(t, err)
	assert.NotSame(t, &buf[0], &st.Obs.Grid.Data[0])

	assert.False(t, ref.WriteFramesTo(buf), "a backend that does not fail clean")
}
