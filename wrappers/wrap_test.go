package wrappers_test

import (
	"io"
	"math"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/env/envtest"
	"github.com/arcgym/arcgym/wrappers"
)

// wrapCase is a configuration next to its constructor: Wrap must build
// what the constructor builds.
type wrapCase struct {
	name string
	cfg  env.Wrapper
	// newX calls the constructor with cfg.
	newX func(env.Env) (env.Env, error)
	// want is the type that both must build.
	want reflect.Type
	// encoded wraps the game in an Encode first, for a wrapper that needs
	// Obs.Float.
	encoded bool
}

// wrapEntry pairs cfg with newX. Its type parameters hold newX to the
// pattern NewX(e env.Env, cfg XConfig) (*X, error) with XConfig the type of
// cfg.
func wrapEntry[C env.Wrapper, W env.Env](name string, cfg C, newX func(env.Env, C) (W, error)) wrapCase {
	return wrapCase{
		name: name,
		cfg:  cfg,
		newX: func(e env.Env) (env.Env, error) {
			w, err := newX(e, cfg)
			if err != nil {
				return nil, err
			}
			return w, nil
		},
		want: reflect.TypeFor[W](),
	}
}

// framesEntry is a wrapEntry for NewFrames, which returns an env.Env:
// want is the type that the policy picks.
func framesEntry[W env.Env](name string, cfg wrappers.FramesConfig) wrapCase {
	return wrapCase{
		name: name,
		cfg:  cfg,
		newX: func(e env.Env) (env.Env, error) { return wrappers.NewFrames(e, cfg) },
		want: reflect.TypeFor[W](),
	}
}

// encodedEntry marks c as one that needs Obs.Float.
func encodedEntry(c wrapCase) wrapCase {
	c.encoded = true
	return c
}

// base returns the Env that tc wraps: a game over a fake, encoded when tc
// needs it.
func (tc wrapCase) base(t *testing.T) env.Env {
	t.Helper()
	g := newGame(t, envtest.FakeConfig{})
	if !tc.encoded {
		return g
	}
	return must(wrappers.NewEncode(g, wrappers.EncodeConfig{Encoder: scaled{}}))
}

func wrapCases(t *testing.T) []wrapCase {
	return []wrapCase{
		wrapEntry("ActionMask", wrappers.ActionMaskConfig{Cells: wrappers.NonBackground}, wrappers.NewActionMask),
		wrapEntry("Autoreset", wrappers.AutoresetConfig{}, wrappers.NewAutoreset),
		wrapEntry("Encode", wrappers.EncodeConfig{Encoder: scaled{}}, wrappers.NewEncode),
		wrapEntry("EpisodeStats", wrappers.EpisodeStatsConfig{Window: 5}, wrappers.NewEpisodeStats),
		wrapEntry("FrameStack", wrappers.FrameStackConfig{Depth: 3, Policy: wrappers.StackAll}, wrappers.NewFrameStack),
		framesEntry[*wrappers.FrameStack]("Frames all", wrappers.FramesConfig{Policy: wrappers.AllFrames, N: 2}),
		framesEntry[*wrappers.MaxPool]("Frames maxpool", wrappers.FramesConfig{Policy: wrappers.MaxPoolFrames}),
		wrapEntry("MaxPool", wrappers.MaxPoolConfig{}, wrappers.NewMaxPool),
		encodedEntry(wrapEntry("NormalizeObservation", wrappers.NormalizeObservationConfig{}, wrappers.NewNormalizeObservation)),
		wrapEntry("NormalizeReward", wrappers.NormalizeRewardConfig{Gamma: 0.9}, wrappers.NewNormalizeReward),
		wrapEntry("Recorder", wrappers.RecorderConfig{Dir: t.TempDir()}, wrappers.NewRecorder),
		wrapEntry("Render", wrappers.RenderConfig{Out: io.Discard}, wrappers.NewRender),
		wrapEntry("RepeatAction", wrappers.RepeatActionConfig{N: 2}, wrappers.NewRepeatAction),
		wrapEntry("Reseed", wrappers.ReseedConfig{First: 3, Stride: 2}, wrappers.NewReseed),
		wrapEntry("StickyActions", wrappers.StickyActionsConfig{P: 0.5, Seed: 1}, wrappers.NewStickyActions),
		wrapEntry("TimeLimit", wrappers.TimeLimitConfig{Max: 4}, wrappers.NewTimeLimit),
		wrapEntry("TransformAction", wrappers.TransformActionConfig{
			Func: func(a arc.Action) (arc.Action, error) { return a, nil },
		}, wrappers.NewTransformAction),
		wrapEntry("TransformObservation", wrappers.TransformObservationConfig{
			Func: func(o env.Obs) (env.Obs, error) { return o, nil },
		}, wrappers.NewTransformObservation),
		wrapEntry("TransformReward", wrappers.TransformRewardConfig{Func: math.Abs}, wrappers.NewTransformReward),
		wrapEntry("ClipReward", wrappers.ClipReward(-1, 1), wrappers.NewTransformReward),
		wrapEntry("ScaleReward", wrappers.ScaleReward(2), wrappers.NewTransformReward),
		wrapEntry("Video", wrappers.VideoConfig{Dir: t.TempDir()}, wrappers.NewVideo),
	}
}

// Every configuration's Wrap builds the wrapper its constructor builds,
// around the Env it was given.
func TestConfigWrapBuildsTheConstructorsWrapper(t *testing.T) {
	for _, tc := range wrapCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			inner := tc.base(t)
			got, err := tc.cfg.Wrap(inner)
			require.NoError(t, err)
			t.Cleanup(func() { got.Close() })
			require.NotNil(t, got)
			assert.Equal(t, tc.want, reflect.TypeOf(got), "Wrap built a %T", got)

			direct, err := tc.newX(tc.base(t))
			require.NoError(t, err)
			t.Cleanup(func() { direct.Close() })
			assert.Equal(t, reflect.TypeOf(direct), reflect.TypeOf(got))

			u, ok := got.(wrappers.Unwrapper)
			require.True(t, ok, "%T has no Unwrap", got)
			assert.True(t, u.Unwrap() == inner, "Unwrap returned %T %p, want the wrapped %T %p", u.Unwrap(), u.Unwrap(), inner, inner)

			// The wrapper works: Reset goes through to the game.
			_, _, err = got.Reset(t.Context(), env.ResetOptions{})
			require.NoError(t, err)
		})
	}
}

// The concrete types, checked by type assertion rather than by reflection.
func TestConfigWrapTypes(t *testing.T) {
	g := newGame(t, envtest.FakeConfig{})
	wrap := func(w env.Wrapper) env.Env {
		t.Helper()
		e, err := w.Wrap(g)
		require.NoError(t, err)
		return e
	}
	_, ok := wrap(wrappers.TimeLimitConfig{Max: 1}).(*wrappers.TimeLimit)
	assert.True(t, ok)
	_, ok = wrap(wrappers.FrameStackConfig{Depth: 2}).(*wrappers.FrameStack)
	assert.True(t, ok)
	_, ok = wrap(wrappers.ClipReward(0, 1)).(*wrappers.TransformReward)
	assert.True(t, ok)
	_, ok = wrap(wrappers.ReseedConfig{}).(*wrappers.Reseed)
	assert.True(t, ok)
	_, ok = wrap(wrappers.AutoresetConfig{}).(*wrappers.Autoreset)
	assert.True(t, ok)
	_, ok = wrap(wrappers.EncodeConfig{Encoder: scaled{}}).(*wrappers.Encode)
	assert.True(t, ok)
	_, ok = wrap(wrappers.FramesConfig{Policy: wrappers.MaxPoolFrames}).(*wrappers.MaxPool)
	assert.True(t, ok)
	// The last-frame policy adds no wrapper.
	assert.True(t, wrap(wrappers.FramesConfig{}) == env.Env(g))
}

// On a nil Env every Wrap fails with a nil env.Env, not an interface that
// holds a nil pointer.
func TestConfigWrapNilEnv(t *testing.T) {
	for _, tc := range append(wrapCases(t), framesEntry[env.Env]("Frames last", wrappers.FramesConfig{})) {
		got, err := tc.cfg.Wrap(nil)
		assert.Error(t, err, tc.name)
		assert.True(t, got == nil, "%s: Wrap returned %T, want a nil env.Env", tc.name, got)
	}
}

// A Wrap that fails returns a nil env.Env and leaves the Env it was given
// open: the caller (env.Wrap, say) still owns it.
func TestConfigWrapFailsWithoutClosing(t *testing.T) {
	g := newGame(t, envtest.FakeConfig{})
	stack := must(wrappers.NewFrameStack(g, wrappers.FrameStackConfig{Depth: 2}))
	for _, tc := range []struct {
		name string
		cfg  env.Wrapper
		e    env.Env
		want string
	}{
		{"TimeLimit without Max", wrappers.TimeLimitConfig{}, g, "time limit of 0 steps"},
		{"FrameStack without Depth", wrappers.FrameStackConfig{}, g, "frame stack of 0 frames"},
		{"FrameStack bad padding", wrappers.FrameStackConfig{Depth: 2, Padding: 9}, g, "padding"},
		{"Frames unknown policy", wrappers.FramesConfig{Policy: 9}, g, "unknown frame policy"},
		{"Frames all without N", wrappers.FramesConfig{Policy: wrappers.AllFrames}, g, "frame stack of 0 frames"},
		{"MaxPool over a stack", wrappers.MaxPoolConfig{}, stack, "(64,64)"},
		{"RepeatAction without N", wrappers.RepeatActionConfig{}, g, "action repeat of 0"},
		{"StickyActions P above 1", wrappers.StickyActionsConfig{P: 1.5}, g, "outside 0..1"},
		{"Encode without encoder", wrappers.EncodeConfig{}, g, "an encoder"},
		{"Render without writer", wrappers.RenderConfig{}, g, "a writer"},
		{"Video without directory", wrappers.VideoConfig{}, g, "a directory"},
		{"Video bad scale", wrappers.VideoConfig{Dir: t.TempDir(), Scale: -1}, g, "bad video config"},
		{"Recorder without directory", wrappers.RecorderConfig{}, g, "a directory"},
		{"ActionMask bad policy", wrappers.ActionMaskConfig{Policy: 9}, g, "mask policy"},
		{"EpisodeStats negative window", wrappers.EpisodeStatsConfig{Window: -1}, g, "window"},
		{"NormalizeReward gamma above 1", wrappers.NormalizeRewardConfig{Gamma: 2}, g, "gamma 2"},
		{"NormalizeObservation negative epsilon", wrappers.NormalizeObservationConfig{Epsilon: -1}, g, "epsilon -1"},
		{"TransformObservation without Func", wrappers.TransformObservationConfig{}, g, "a function"},
		{"TransformAction without Func", wrappers.TransformActionConfig{}, g, "a function"},
		{"TransformReward without Func", wrappers.TransformRewardConfig{}, g, "a function"},
		{"ClipReward empty range", wrappers.ClipReward(1, -1), g, "clip range [1, -1] is empty"},
		{"ScaleReward NaN", wrappers.ScaleReward(math.NaN()), g, "reward scale NaN is not finite"},
	} {
		got, err := tc.cfg.Wrap(tc.e)
		assert.ErrorContains(t, err, tc.want, tc.name)
		assert.True(t, got == nil, "%s: Wrap returned %T, want a nil env.Env", tc.name, got)
	}
	// Neither the game nor the stack was closed.
	_, _, err := stack.Reset(t.Context(), env.ResetOptions{})
	require.NoError(t, err)
	_, err = stack.Step(t.Context(), arc.Simple(arc.Action3))
	require.NoError(t, err)
}

// env.Wrap with the configurations: a chain built innermost first, and on
// a failure the parts built so far closed with the Env.
func TestEnvWrapWithConfigs(t *testing.T) {
	g := newGame(t, envtest.FakeConfig{})
	e, err := env.Wrap(g,
		wrappers.ActionMaskConfig{},
		wrappers.FrameStackConfig{Depth: 4},
		wrappers.TimeLimitConfig{Max: 2},
		wrappers.EpisodeStatsConfig{},
	)
	require.NoError(t, err)
	defer e.Close()
	_, ok := e.(*wrappers.EpisodeStats)
	require.True(t, ok, "outermost is %T, want the last configuration's", e)
	tl, ok := wrappers.Find[*wrappers.TimeLimit](e)
	require.True(t, ok)
	assert.Equal(t, 2, tl.Max())
	obs, info, err := e.Reset(t.Context(), env.ResetOptions{})
	require.NoError(t, err)
	assert.Equal(t, []int{4, 64, 64}, obs.Grid.Shape)
	assert.NotNil(t, info.Mask)
	_, err = e.Step(t.Context(), arc.Simple(arc.Action3))
	require.NoError(t, err)
	st, err := e.Step(t.Context(), arc.Simple(arc.Action3))
	require.NoError(t, err)
	assert.True(t, st.Truncated)
	require.NotNil(t, st.Info.Episode, "EpisodeStats outside TimeLimit sees the truncation")
	assert.Equal(t, 2, st.Info.Episode.Length)

	// A bad configuration in the middle: the game and the mask around it
	// are closed, and nothing is returned.
	g2 := newGame(t, envtest.FakeConfig{})
	bad, err := env.Wrap(g2,
		wrappers.ActionMaskConfig{},
		wrappers.TimeLimitConfig{}, // no Max
		wrappers.EpisodeStatsConfig{},
	)
	require.ErrorContains(t, err, "wrapper 1 (wrappers.TimeLimitConfig)")
	require.ErrorContains(t, err, "time limit of 0 steps")
	assert.True(t, bad == nil, "env.Wrap returned %T", bad)
	_, _, err = g2.Reset(t.Context(), env.ResetOptions{})
	assert.ErrorIs(t, err, env.ErrClosed)
}
