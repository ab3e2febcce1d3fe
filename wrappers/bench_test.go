package wrappers_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/env/envtest"
	"github.com/arcgym/arcgym/wrappers"
)

// hotPath lists the wrappers whose Step must not allocate, each over the
// raw Game, plus the typical stack. Long time limits keep episode ends
// (which score the run) out of the measured steps.
var hotPath = []struct {
	name string
	wrap func(env.Env) env.Env
}{
	{"raw", func(e env.Env) env.Env { return e }},
	{"framestack4", func(e env.Env) env.Env { return must(wrappers.NewFrameStack(e, wrappers.FrameStackConfig{Depth: 4})) }},
	{"framestack4-all", func(e env.Env) env.Env {
		return must(wrappers.NewFrameStack(e, wrappers.FrameStackConfig{Depth: 4, Policy: wrappers.StackAll}))
	}},
	{"maxpool", func(e env.Env) env.Env { return must(wrappers.NewMaxPool(e, wrappers.MaxPoolConfig{})) }},
	{"mask", func(e env.Env) env.Env { return must(wrappers.NewActionMask(e, wrappers.ActionMaskConfig{})) }},
	{"mask-nonbackground", func(e env.Env) env.Env {
		return must(wrappers.NewActionMask(e, wrappers.ActionMaskConfig{Cells: wrappers.NonBackground, Policy: wrappers.MaskRemap}))
	}},
	{"timelimit", func(e env.Env) env.Env {
		return must(wrappers.NewTimeLimit(e, wrappers.TimeLimitConfig{Max: 1 << 30}))
	}},
	{"stats", func(e env.Env) env.Env { return must(wrappers.NewEpisodeStats(e, wrappers.EpisodeStatsConfig{})) }},
	{"encode", func(e env.Env) env.Env {
		return must(wrappers.NewEncode(e, wrappers.EncodeConfig{Encoder: scaled{}}))
	}},
	{"clip", func(e env.Env) env.Env { return must(wrappers.NewTransformReward(e, wrappers.ClipReward(-1, 1))) }},
	{"sticky", func(e env.Env) env.Env {
		return must(wrappers.NewStickyActions(e, wrappers.StickyActionsConfig{P: 0.25, Seed: 1}))
	}},
	{"stack", func(e env.Env) env.Env {
		e = must(wrappers.NewActionMask(e, wrappers.ActionMaskConfig{}))
		e = must(wrappers.NewStickyActions(e, wrappers.StickyActionsConfig{P: 0.25, Seed: 1}))
		e = must(wrappers.NewFrameStack(e, wrappers.FrameStackConfig{Depth: 4}))
		e = must(wrappers.NewEncode(e, wrappers.EncodeConfig{Encoder: scaled{}}))
		e = must(wrappers.NewTransformReward(e, wrappers.ClipReward(-1, 1)))
		e = must(wrappers.NewTimeLimit(e, wrappers.TimeLimitConfig{Max: 1 << 30}))
		return must(wrappers.NewEpisodeStats(e, wrappers.EpisodeStatsConfig{}))
	}},
}

// stepper cycles through actions that never end an episode of the fake.
type stepper struct {
	e env.Env
	i int
}

var cycle = [...]arc.Action{arc.Simple(arc.Action3), arc.Click(10, 20), arc.Simple(arc.Action4), arc.Simple(arc.Action7), arc.Simple(arc.Action5)}

func (s *stepper) step(tb testing.TB) {
	st, err := s.e.Step(tb.Context(), cycle[s.i%len(cycle)])
	s.i++
	if err != nil {
		tb.Fatal(err)
	}
	if st.Done() {
		tb.Fatal("episode ended")
	}
}

func newStepper(tb testing.TB, wrap func(env.Env) env.Env, frames int) *stepper {
	e := wrap(newGame(tb, envtest.FakeConfig{FramesPerAction: frames}))
	if _, _, err := e.Reset(tb.Context(), env.ResetOptions{}); err != nil {
		tb.Fatal(err)
	}
	return &stepper{e: e}
}

func TestStepAllocatesNothing(t *testing.T) {
	for _, w := range hotPath {
		for _, frames := range []int{1, 3} {
			s := newStepper(t, w.wrap, frames)
			s.step(t)
			assert.Zero(t, testing.AllocsPerRun(200, func() { s.step(t) }), "%s, %d frames per action", w.name, frames)
		}
	}
}

// TestResetAllocatesNothing covers Reset on the hot path of a training
// loop (episode ends are handled by Reset, not by the wrappers).
func TestResetAllocatesNothing(t *testing.T) {
	for _, w := range hotPath {
		s := newStepper(t, w.wrap, 2)
		allocs := testing.AllocsPerRun(50, func() {
			s.step(t)
			if _, _, err := s.e.Reset(t.Context(), env.ResetOptions{}); err != nil {
				t.Fatal(err)
			}
		})
		assert.Zero(t, allocs, w.name)
	}
}

// BenchmarkStep measures the per-step cost of each wrapper and of the
// typical stack over the raw Game in the same run: subtract "raw" for the
// overhead.
func BenchmarkStep(b *testing.B) {
	for _, w := range hotPath {
		b.Run(w.name, func(b *testing.B) {
			s := newStepper(b, w.wrap, 1)
			b.SetBytes(arc.FrameCells)
			b.ReportAllocs()
			for b.Loop() {
				s.step(b)
			}
		})
	}
}

// BenchmarkStandardStack steps gl02, a built-in game with a HUD, raw and
// under the standard wrappers, with episodes restarting as a training loop
// restarts them: subtract "raw" for what the wrappers cost.
func BenchmarkStandardStack(b *testing.B) {
	for _, tc := range []struct {
		name string
		wrap func(env.Env) env.Env
	}{
		{"raw", func(e env.Env) env.Env { return e }},
		{"four", func(e env.Env) env.Env {
			e = must(wrappers.NewActionMask(e, wrappers.ActionMaskConfig{}))
			e = must(wrappers.NewFrameStack(e, wrappers.FrameStackConfig{Depth: 4}))
			e = must(wrappers.NewTimeLimit(e, wrappers.TimeLimitConfig{Max: 1000}))
			return must(wrappers.NewEpisodeStats(e, wrappers.EpisodeStatsConfig{}))
		}},
		{"mask", func(e env.Env) env.Env { return must(wrappers.NewActionMask(e, wrappers.ActionMaskConfig{})) }},
		{"framestack4", func(e env.Env) env.Env { return must(wrappers.NewFrameStack(e, wrappers.FrameStackConfig{Depth: 4})) }},
		{"timelimit", func(e env.Env) env.Env { return must(wrappers.NewTimeLimit(e, wrappers.TimeLimitConfig{Max: 1000})) }},
		{"stats", func(e env.Env) env.Env { return must(wrappers.NewEpisodeStats(e, wrappers.EpisodeStatsConfig{})) }},
	} {
		b.Run("gl02/"+tc.name, func(b *testing.B) {
			g, err := env.Make(b.Context(), "gl02", env.Config{})
			if err != nil {
				b.Fatal(err)
			}
			e := tc.wrap(g)
			defer e.Close()
			ctx := b.Context()
			if _, _, err := e.Reset(ctx, env.ResetOptions{}); err != nil {
				b.Fatal(err)
			}
			moves := [...]arc.Action{arc.Simple(arc.Action1), arc.Simple(arc.Action4), arc.Simple(arc.Action2), arc.Simple(arc.Action3)}
			b.SetBytes(arc.FrameCells)
			b.ReportAllocs()
			k := 0
			for b.Loop() {
				st, err := e.Step(ctx, moves[k%len(moves)])
				if err != nil {
					b.Fatal(err)
				}
				k++
				if st.Done() {
					if _, _, err := e.Reset(ctx, env.ResetOptions{}); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// BenchmarkNonBackgroundMask steps tl03 and sp04, built-in click games,
// raw and with the NonBackground cell mask, on the same clicks (recorded
// from a run that moved each click to the nearest allowed cell): subtract
// "raw" for what the mask costs.
func BenchmarkNonBackgroundMask(b *testing.B) {
	for _, game := range []string{"tl03", "sp04"} {
		benchNonBackgroundMask(b, game)
	}
}

func benchNonBackgroundMask(b *testing.B, game string) {
	const steps = 4096
	mk := func(tb testing.TB, masked bool) env.Env {
		g, err := env.Make(tb.Context(), game, env.Config{})
		if err != nil {
			tb.Fatal(err)
		}
		if !masked {
			return g
		}
		return must(wrappers.NewActionMask(g, wrappers.ActionMaskConfig{Cells: wrappers.NonBackground, Policy: wrappers.MaskRemap}))
	}
	// play runs step k: the click, and a reset when the episode ended.
	play := func(tb testing.TB, e env.Env, a arc.Action) arc.Action {
		st, err := e.Step(tb.Context(), a)
		if err != nil {
			tb.Fatal(err)
		}
		if st.Done() {
			if _, _, err := e.Reset(tb.Context(), env.ResetOptions{}); err != nil {
				tb.Fatal(err)
			}
		}
		return st.Info.Action
	}
	start := func(tb testing.TB, masked bool) env.Env {
		e := mk(tb, masked)
		if _, _, err := e.Reset(tb.Context(), env.ResetOptions{}); err != nil {
			tb.Fatal(err)
		}
		return e
	}
	rec := start(b, true)
	clicks := make([]arc.Action, steps)
	for k := range clicks {
		clicks[k] = play(b, rec, arc.Click(k*13%64, k*29%64))
	}
	_ = rec.Close()
	for _, masked := range []bool{false, true} {
		name := "raw"
		if masked {
			name = "nonbackground"
		}
		b.Run(game+"/"+name, func(b *testing.B) {
			e := start(b, masked)
			b.SetBytes(arc.FrameCells)
			b.ReportAllocs()
			k := 0
			for b.Loop() {
				if k == steps {
					b.StopTimer()
					_ = e.Close()
					e = start(b, masked)
					k = 0
					b.StartTimer()
				}
				play(b, e, clicks[k])
				k++
			}
			_ = e.Close()
		})
	}
}

// TestStepIntoMatchesStep drives two copies of each hot-path stack, one by
// Step and one by env.StepInto (in place through the layers that have
// it), and checks that they return the same steps.
func TestStepIntoMatchesStep(t *testing.T) {
	for _, w := range hotPath {
		a, b := newStepper(t, w.wrap, 2), newStepper(t, w.wrap, 2)
		var into env.Step
		for k := range 40 {
			act := cycle[k%len(cycle)]
			want, werr := a.e.Step(t.Context(), act)
			require.NoError(t, werr, w.name)
			require.NoError(t, env.StepInto(t.Context(), b.e, act, &into), w.name)
			require.Equal(t, want, into, "%s step %d", w.name, k)
		}
	}
}
