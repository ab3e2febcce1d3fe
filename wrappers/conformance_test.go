package wrappers_test

import (
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/env/envtest"
	"github.com/arcgym/arcgym/games"
	"github.com/arcgym/arcgym/wrappers"
)

type builder func(t testing.TB, e env.Env) env.Env

var builders = map[string]builder{
	"framestack": func(t testing.TB, e env.Env) env.Env {
		return must(wrappers.NewFrameStack(e, wrappers.FrameStackConfig{Depth: 4}))
	},
	"framestack-all-zeros": func(t testing.TB, e env.Env) env.Env {
		return must(wrappers.NewFrameStack(e, wrappers.FrameStackConfig{Depth: 3, Policy: wrappers.StackAll, Padding: wrappers.PadZeros}))
	},
	"maxpool": func(t testing.TB, e env.Env) env.Env { return must(wrappers.NewMaxPool(e, wrappers.MaxPoolConfig{})) },
	"mask": func(t testing.TB, e env.Env) env.Env {
		return must(wrappers.NewActionMask(e, wrappers.ActionMaskConfig{}))
	},
	"mask-nonbackground-remap": func(t testing.TB, e env.Env) env.Env {
		return must(wrappers.NewActionMask(e, wrappers.ActionMaskConfig{Cells: wrappers.NonBackground, Policy: wrappers.MaskRemap, Seed: 9}))
	},
	"timelimit": func(t testing.TB, e env.Env) env.Env {
		return must(wrappers.NewTimeLimit(e, wrappers.TimeLimitConfig{Max: 7}))
	},
	"timelimit-score-actions": func(t testing.TB, e env.Env) env.Env {
		return must(wrappers.NewTimeLimit(e, wrappers.TimeLimitConfig{Max: 9, ScoreActions: true}))
	},
	"stats": func(t testing.TB, e env.Env) env.Env {
		return must(wrappers.NewEpisodeStats(e, wrappers.EpisodeStatsConfig{Window: 5}))
	},
	"encode": func(t testing.TB, e env.Env) env.Env {
		return must(wrappers.NewEncode(e, wrappers.EncodeConfig{Encoder: scaled{}}))
	},
	"clip": func(t testing.TB, e env.Env) env.Env {
		return must(wrappers.NewTransformReward(e, wrappers.ClipReward(-0.5, 0.5)))
	},
	"sticky": func(t testing.TB, e env.Env) env.Env {
		return must(wrappers.NewStickyActions(e, wrappers.StickyActionsConfig{P: 0.3, Seed: 5}))
	},
	"recorder": func(t testing.TB, e env.Env) env.Env {
		return must(wrappers.NewRecorder(e, wrappers.RecorderConfig{Dir: t.TempDir(), Frames: true}))
	},
	"render": func(t testing.TB, e env.Env) env.Env {
		return must(wrappers.NewRender(e, wrappers.RenderConfig{Out: io.Discard, AllFrames: true}))
	},
	"video": func(t testing.TB, e env.Env) env.Env {
		return must(wrappers.NewVideo(e, wrappers.VideoConfig{Dir: t.TempDir(), Scale: 1, Every: 3}))
	},
}

func chain(names ...string) builder {
	return func(t testing.TB, e env.Env) env.Env {
		for _, n := range names {
			e = builders[n](t, e)
		}
		return e
	}
}

// Every wrapper, alone and in stacks of several orders, passes the env
// checker over games with one and with several frames per action.
func TestWrappersConform(t *testing.T) {
	cases := map[string]builder{}
	for name, b := range builders {
		cases[name] = b
	}
	stacks := [][]string{
		{"mask", "framestack", "encode", "timelimit", "stats"},
		{"stats", "timelimit", "encode", "framestack", "mask"},
		{"sticky", "mask-nonbackground-remap", "clip", "recorder", "timelimit-score-actions", "stats"},
		{"framestack-all-zeros", "stats", "sticky", "timelimit", "mask", "encode"},
		{"maxpool", "framestack", "video", "render", "timelimit"},
	}
	for _, s := range stacks {
		name := ""
		for _, n := range s {
			name += n + "+"
		}
		cases[name[:len(name)-1]] = chain(s...)
	}
	for name, b := range cases {
		for _, cfg := range []envtest.FakeConfig{
			{FramesPerAction: 1},
			{FramesPerAction: 3, Levels: 4, Budget: 6},
		} {
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				opts := envtest.CheckOptions{
					Seed: 11, Steps: 120,
					New:       func() (env.Env, error) { return b(t, newGame(t, cfg)), nil },
					CustomObs: name == "maxpool" || name[:min(len(name), 8)] == "maxpool+",
				}
				envtest.CheckT(t, b(t, newGame(t, cfg)), opts)
			})
		}
	}
}

// Wrappers find what is under them by unwrapping.
func TestFindAndGameInfo(t *testing.T) {
	g := newGame(t, envtest.FakeConfig{Levels: 4})
	e := chain("mask", "framestack", "timelimit", "stats")(t, g)
	fs, ok := wrappers.Find[*wrappers.FrameStack](e)
	require.True(t, ok)
	assert.Equal(t, []int{4, 64, 64}, fs.ObservationSpace().Shape())
	got, ok := wrappers.Find[*env.Game](e)
	require.True(t, ok)
	assert.Same(t, g, got)
	_, ok = wrappers.Find[*wrappers.Video](e)
	assert.False(t, ok)
	info, ok := wrappers.GameInfo(e)
	require.True(t, ok)
	assert.Equal(t, 4, info.Levels)
	assert.Equal(t, e.(wrappers.Unwrapper).Unwrap().(*wrappers.TimeLimit).Max(), 7)
}

// Every built-in local game runs under the typical stack and passes the
// checker.
func TestBuiltinGamesUnderStack(t *testing.T) {
	list := games.List()
	require.NotEmpty(t, list)
	for _, info := range list {
		t.Run(info.ID, func(t *testing.T) {
			t.Parallel()
			mk := func() (env.Env, error) {
				g, err := env.Make(t.Context(), info.ID, env.Config{})
				if err != nil {
					return nil, err
				}
				return chain("mask-nonbackground-remap", "framestack", "encode", "timelimit", "stats")(t, g), nil
			}
			envtest.CheckT(t, must(mk()), envtest.CheckOptions{Seed: 2, Steps: 60, New: mk})
		})
	}
}

func TestStepAfterEndAndClose(t *testing.T) {
	for name, b := range builders {
		t.Run(name, func(t *testing.T) {
			e := b(t, newGame(t, envtest.FakeConfig{}))
			_, err := e.Step(t.Context(), arc.Simple(arc.Action3))
			require.ErrorIs(t, err, env.ErrNeedsReset)
			_, _, err = e.Reset(t.Context(), env.ResetOptions{})
			require.NoError(t, err)
			st, err := e.Step(t.Context(), arc.Simple(arc.Action2))
			require.NoError(t, err)
			require.True(t, st.Terminated)
			_, err = e.Step(t.Context(), arc.Simple(arc.Action3))
			require.ErrorIs(t, err, env.ErrNeedsReset)
			require.NoError(t, e.Close())
			_, err = e.Step(t.Context(), arc.Simple(arc.Action3))
			require.ErrorIs(t, err, env.ErrClosed)
			_, _, err = e.Reset(t.Context(), env.ResetOptions{})
			require.ErrorIs(t, err, env.ErrClosed)
		})
	}
}
