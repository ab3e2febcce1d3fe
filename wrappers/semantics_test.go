package wrappers_test

import (
	"math"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/env/envtest"
	"github.com/arcgym/arcgym/scorecard"
	"github.com/arcgym/arcgym/spaces"
	"github.com/arcgym/arcgym/tensor"
	"github.com/arcgym/arcgym/wrappers"
)

func TestFrameStack(t *testing.T) {
	zero := make([]uint8, arc.FrameCells)
	for _, tc := range []struct {
		name   string
		cfg    wrappers.FrameStackConfig
		frames int
		// want lists, oldest first, which remembered frame each slot holds
		// after the reset and two steps: "r" reset frame, "0" zeros, "aK"
		// frame K of step 1, "bK" frame K of step 2.
		afterReset, afterSteps []string
	}{
		{"last repeat", wrappers.FrameStackConfig{Depth: 3}, 2, []string{"r", "r", "r"}, []string{"r", "a1", "b1"}},
		{"last zeros", wrappers.FrameStackConfig{Depth: 3, Padding: wrappers.PadZeros}, 1, []string{"0", "0", "r"}, []string{"r", "a0", "b0"}},
		{"all repeat", wrappers.FrameStackConfig{Depth: 3, Policy: wrappers.StackAll}, 2, []string{"r", "r", "r"}, []string{"a1", "b0", "b1"}},
		{"all zeros single", wrappers.FrameStackConfig{Depth: 3, Policy: wrappers.StackAll, Padding: wrappers.PadZeros}, 1, []string{"0", "0", "r"}, []string{"r", "a0", "b0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := newGame(t, envtest.FakeConfig{FramesPerAction: tc.frames})
			fs := must(wrappers.NewFrameStack(g, tc.cfg))
			assert.Equal(t, []int{3, 64, 64}, fs.ObservationSpace().Shape())
			seen := map[string][]uint8{"0": zero}
			obs, info, err := fs.Reset(t.Context(), env.ResetOptions{})
			require.NoError(t, err)
			seen["r"] = lastFrame(info)
			check := func(want []string, grid tensor.U8) {
				t.Helper()
				require.Equal(t, []int{3, 64, 64}, grid.Shape)
				for i, k := range want {
					assert.Equal(t, seen[k], grid.Index(i).Data, "slot %d should hold %s", i, k)
				}
			}
			check(tc.afterReset, obs.Grid)
			for _, p := range []string{"a", "b"} {
				st, err := fs.Step(t.Context(), arc.Simple(arc.Action3))
				require.NoError(t, err)
				for k := range st.Info.Frames.Shape[0] {
					seen[p+string(rune('0'+k))] = slices.Clone(st.Info.Frames.Index(k).Data)
				}
				obs = st.Obs
			}
			check(tc.afterSteps, obs.Grid)
		})
	}
}

func TestFrameStackRejectsBadConfig(t *testing.T) {
	g := newGame(t, envtest.FakeConfig{})
	_, err := wrappers.NewFrameStack(g, wrappers.FrameStackConfig{Depth: 0})
	assert.ErrorContains(t, err, "0 frames")
	_, err = wrappers.NewFrameStack(g, wrappers.FrameStackConfig{Depth: 2, Policy: 9})
	assert.ErrorContains(t, err, "policy")
	inner := must(wrappers.NewFrameStack(g, wrappers.FrameStackConfig{Depth: 2}))
	_, err = wrappers.NewFrameStack(inner, wrappers.FrameStackConfig{Depth: 2, Policy: wrappers.StackAll})
	assert.ErrorContains(t, err, "(64,64)")
	outer := must(wrappers.NewFrameStack(inner, wrappers.FrameStackConfig{Depth: 5}))
	assert.Equal(t, []int{5, 2, 64, 64}, outer.ObservationSpace().Shape())
}

func TestFramePolicies(t *testing.T) {
	g := newGame(t, envtest.FakeConfig{FramesPerAction: 4})
	last := must(wrappers.NewFrames(g, wrappers.FramesConfig{Policy: wrappers.LastFrame}))
	assert.Same(t, g, last)
	all := must(wrappers.NewFrames(g, wrappers.FramesConfig{Policy: wrappers.AllFrames, N: 4}))
	assert.Equal(t, []int{4, 64, 64}, all.ObservationSpace().Shape())
	_, err := wrappers.NewFrames(g, wrappers.FramesConfig{Policy: 7, N: 4})
	assert.Error(t, err)

	mp := must(wrappers.NewFrames(newGame(t, envtest.FakeConfig{FramesPerAction: 4}), wrappers.FramesConfig{Policy: wrappers.MaxPoolFrames}))
	_, _, err = mp.Reset(t.Context(), env.ResetOptions{})
	require.NoError(t, err)
	st, err := mp.Step(t.Context(), arc.Simple(arc.Action4))
	require.NoError(t, err)
	require.Equal(t, 4, st.Info.Frames.Shape[0])
	want := make([]uint8, arc.FrameCells)
	for k := range 4 {
		for i, c := range st.Info.Frames.Index(k).Data {
			want[i] = max(want[i], c)
		}
	}
	assert.Equal(t, want, st.Obs.Grid.Data)
	assert.NotEqual(t, lastFrame(st.Info), st.Obs.Grid.Data, "the animation frames must leave a trace")
	assert.Equal(t, "maxpool", wrappers.MaxPoolFrames.String())
}

func TestActionMaskFlatAndStructured(t *testing.T) {
	avail := arc.ActionSetOf(arc.Action1, arc.Action3, arc.Action6)
	g := newGame(t, envtest.FakeConfig{Available: avail})
	m := must(wrappers.NewActionMask(g, wrappers.ActionMaskConfig{}))
	_, info, err := m.Reset(t.Context(), env.ResetOptions{})
	require.NoError(t, err)
	require.Len(t, info.Mask, spaces.FlatSize)
	for i, allowed := range info.Mask {
		a, _ := spaces.Unflatten(i)
		assert.Equal(t, avail.Has(a.ID), allowed, "flat %d (%s)", i, a)
	}
	sm := m.Mask()
	assert.Equal(t, avail, sm.IDs)
	assert.Len(t, sm.Cells, arc.FrameCells)
	assert.True(t, sm.Allows(arc.Click(63, 63)))
	assert.False(t, sm.Allows(arc.Simple(arc.Action2)))
}

func TestActionMaskReject(t *testing.T) {
	fake := envtest.NewFake(envtest.FakeConfig{Available: arc.ActionSetOf(arc.Action1, arc.Action6)})
	g := must(env.New(fake, env.Config{Unavailable: env.SendUnavailable}))
	m := must(wrappers.NewActionMask(g, wrappers.ActionMaskConfig{Cells: wrappers.NonBackground}))
	_, _, err := m.Reset(t.Context(), env.ResetOptions{})
	require.NoError(t, err)
	before := fake.Actions()
	for _, a := range []arc.Action{arc.Simple(arc.Action2), arc.Click(40, 40)} {
		_, err = m.Step(t.Context(), a)
		require.ErrorIs(t, err, arc.ErrActionNotAvailable)
		assert.ErrorContains(t, err, a.String())
	}
	assert.Equal(t, before, fake.Actions(), "a masked action must not reach the game")
	st, err := m.Step(t.Context(), arc.Click(0, 0))
	require.NoError(t, err, "(0,0) shows the level marker, an object")
	assert.Equal(t, arc.Click(0, 0).String(), st.Info.Action.String())
}

func TestActionMaskNonBackgroundAndRemap(t *testing.T) {
	g := newGame(t, envtest.FakeConfig{Available: arc.ActionSetOf(arc.Action1, arc.Action3, arc.Action6)})
	m := must(wrappers.NewActionMask(g, wrappers.ActionMaskConfig{Cells: wrappers.NonBackground, Policy: wrappers.MaskRemap, Seed: 1}))
	_, info, err := m.Reset(t.Context(), env.ResetOptions{})
	require.NoError(t, err)
	frame := lastFrame(info)
	for i, ok := range m.Mask().Cells {
		assert.Equal(t, frame[i] != frame[arc.FrameCells-1], ok, "cell %d", i)
	}
	// Level 0 shows a single marker cell at (0,0): every click goes there.
	st, err := m.Step(t.Context(), arc.Click(30, 20))
	require.NoError(t, err)
	assert.Equal(t, arc.Click(0, 0).String(), st.Info.Action.String())
	// Complete a level: the marker grows to (0,0),(1,0); (5,0) is nearest to (1,0).
	_, err = m.Step(t.Context(), arc.Simple(arc.Action1))
	require.NoError(t, err)
	st, err = m.Step(t.Context(), arc.Click(5, 0))
	require.NoError(t, err)
	assert.Equal(t, arc.Click(1, 0).String(), st.Info.Action.String())
	// An id that is not offered becomes a random allowed action.
	counts := map[arc.ActionID]int{}
	for range 40 {
		st, err = m.Step(t.Context(), arc.Simple(arc.Action5))
		require.NoError(t, err)
		counts[st.Info.Action.ID]++
		assert.True(t, m.Mask().IDs.Has(st.Info.Action.ID) || st.Done())
		if st.Done() {
			_, _, err = m.Reset(t.Context(), env.ResetOptions{})
			require.NoError(t, err)
		}
	}
	assert.Zero(t, counts[arc.Action5])
	assert.Greater(t, counts[arc.Action3], 0)
	assert.Greater(t, counts[arc.Action6], 0)
}

func TestActionMaskCustomCellsAndFallback(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cells wrappers.CellMask
		want  int
	}{
		{"left column", func(_ []uint8, ok []bool) {
			for i := range ok {
				ok[i] = i%arc.GridSize == 0
			}
		}, arc.GridSize},
		{"nothing means everything", func(_ []uint8, ok []bool) { clear(ok) }, arc.FrameCells},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := must(wrappers.NewActionMask(newGame(t, envtest.FakeConfig{}), wrappers.ActionMaskConfig{Cells: tc.cells}))
			_, info, err := m.Reset(t.Context(), env.ResetOptions{})
			require.NoError(t, err)
			n := 0
			for _, ok := range info.Mask[spaces.FlatAction6:] {
				if ok {
					n++
				}
			}
			assert.Equal(t, tc.want, n)
		})
	}
}

func TestActionMaskDropsClicksWhenNotOffered(t *testing.T) {
	m := must(wrappers.NewActionMask(newGame(t, envtest.FakeConfig{Available: arc.ActionSetOf(arc.Action1)}), wrappers.ActionMaskConfig{Cells: wrappers.NonBackground}))
	_, info, err := m.Reset(t.Context(), env.ResetOptions{})
	require.NoError(t, err)
	assert.False(t, slices.Contains(info.Mask[spaces.FlatAction6:], true))
	assert.Equal(t, arc.ActionSetOf(arc.Action1), m.Mask().IDs)
}

func TestTimeLimit(t *testing.T) {
	tl := must(wrappers.NewTimeLimit(newGame(t, envtest.FakeConfig{}), wrappers.TimeLimitConfig{Max: 3}))
	for range 2 {
		_, _, err := tl.Reset(t.Context(), env.ResetOptions{})
		require.NoError(t, err)
		for i := range 3 {
			st, err := tl.Step(t.Context(), arc.Simple(arc.Action3))
			require.NoError(t, err)
			assert.Equal(t, i == 2, st.Truncated, "step %d", i)
			assert.False(t, st.Terminated)
			assert.Equal(t, i+1, tl.Elapsed())
		}
		_, err = tl.Step(t.Context(), arc.Simple(arc.Action3))
		require.ErrorIs(t, err, env.ErrNeedsReset)
	}
	// Termination on the last allowed step is not a truncation.
	_, _, err := tl.Reset(t.Context(), env.ResetOptions{})
	require.NoError(t, err)
	tl.Step(t.Context(), arc.Simple(arc.Action3))
	tl.Step(t.Context(), arc.Simple(arc.Action3))
	st, err := tl.Step(t.Context(), arc.Simple(arc.Action2))
	require.NoError(t, err)
	assert.True(t, st.Terminated)
	assert.False(t, st.Truncated)
	_, err = wrappers.NewTimeLimit(newGame(t, envtest.FakeConfig{}), wrappers.TimeLimitConfig{Max: 0})
	assert.Error(t, err)
}

// With BothFlags, the limit step that also terminates is truncated too, as
// Gymnasium's TimeLimit does: gymnasium.wrappers.TimeLimit.step sets
// truncated once the elapsed steps reach max_episode_steps, whatever
// terminated says. A step before the limit that terminates stays
// terminated only.
func TestTimeLimitBothFlags(t *testing.T) {
	tl := must(wrappers.NewTimeLimit(newGame(t, envtest.FakeConfig{}), wrappers.TimeLimitConfig{Max: 3, BothFlags: true}))
	_, _, err := tl.Reset(t.Context(), env.ResetOptions{})
	require.NoError(t, err)
	tl.Step(t.Context(), arc.Simple(arc.Action3))
	tl.Step(t.Context(), arc.Simple(arc.Action3))
	st, err := tl.Step(t.Context(), arc.Simple(arc.Action2))
	require.NoError(t, err)
	assert.True(t, st.Terminated)
	assert.True(t, st.Truncated, "Gymnasium's flags at the limit")

	_, _, err = tl.Reset(t.Context(), env.ResetOptions{})
	require.NoError(t, err)
	st, err = tl.Step(t.Context(), arc.Simple(arc.Action2))
	require.NoError(t, err)
	assert.True(t, st.Terminated)
	assert.False(t, st.Truncated, "before the limit")
}

// Counting score actions charges level resets: the same episode truncates
// a step earlier than counting steps.
func TestTimeLimitScoreActions(t *testing.T) {
	for _, tc := range []struct {
		cfg       wrappers.TimeLimitConfig
		truncates int
	}{
		{wrappers.TimeLimitConfig{Max: 3}, 3},
		{wrappers.TimeLimitConfig{Max: 3, ScoreActions: true}, 1},
	} {
		tl := must(wrappers.NewTimeLimit(newGame(t, envtest.FakeConfig{}), tc.cfg))
		_, _, err := tl.Reset(t.Context(), env.ResetOptions{})
		require.NoError(t, err)
		_, err = tl.Step(t.Context(), arc.Simple(arc.Action3))
		require.NoError(t, err)
		_, info, err := tl.Reset(t.Context(), env.ResetOptions{Mode: env.ResetLevel})
		require.NoError(t, err)
		require.Equal(t, 2, info.ScoreActions)
		for i := 1; ; i++ {
			st, err := tl.Step(t.Context(), arc.Simple(arc.Action3))
			require.NoError(t, err)
			if st.Truncated {
				assert.Equal(t, tc.truncates, i, "%+v", tc.cfg)
				break
			}
		}
	}
}

func TestEpisodeStats(t *testing.T) {
	baselines := []int{2, 2, 2}
	e := must(wrappers.NewEpisodeStats(newGame(t, envtest.FakeConfig{Levels: 3, Baselines: baselines}), wrappers.EpisodeStatsConfig{Window: 2}))
	play := func(ids ...arc.ActionID) env.Step {
		t.Helper()
		_, info, err := e.Reset(t.Context(), env.ResetOptions{})
		require.NoError(t, err)
		require.Nil(t, info.Episode)
		var st env.Step
		for i, id := range ids {
			st, err = e.Step(t.Context(), arc.Simple(id))
			require.NoError(t, err)
			if i < len(ids)-1 {
				require.Nil(t, st.Info.Episode, "step %d", i)
			}
		}
		require.NotNil(t, st.Info.Episode)
		return st
	}
	// Level 1 in 2 actions, level 2 in 4, level 3 in 1.
	st := play(arc.Action3, arc.Action1, arc.Action3, arc.Action3, arc.Action3, arc.Action1, arc.Action1)
	ep := *st.Info.Episode
	wantScore, _ := scorecard.RunScore(baselines, []int{2, 4, 1}, 3)
	assert.InDelta(t, (1*100+2*25+3*115)/6.0, wantScore, 1e-9)
	assert.InDelta(t, wantScore, ep.Score, 1e-9)
	assert.Equal(t, 7, ep.Length)
	assert.Equal(t, 3.0, ep.Return)
	assert.Equal(t, 3, ep.Levels)
	assert.True(t, ep.Won)
	assert.Equal(t, 7, ep.ScoreActions)
	assert.GreaterOrEqual(t, ep.Seconds, 0.0)

	st = play(arc.Action1, arc.Action2)
	ep = *st.Info.Episode
	assert.False(t, ep.Won)
	assert.Equal(t, 1, ep.Levels)
	wantLost, _ := scorecard.RunScore(baselines, []int{1}, 1)
	assert.InDelta(t, wantLost, ep.Score, 1e-9)

	agg := e.Aggregate()
	assert.Equal(t, 2, agg.Episodes)
	assert.InDelta(t, 2.0, agg.MeanReturn, 1e-9)
	assert.InDelta(t, 4.5, agg.MeanLength, 1e-9)
	assert.InDelta(t, 0.5, agg.WinRate, 1e-9)
	assert.InDelta(t, (wantScore+wantLost)/2, agg.MeanScore, 1e-9)

	// The window drops the oldest episode.
	play(arc.Action2)
	agg = e.Aggregate()
	assert.Equal(t, 3, agg.Episodes)
	assert.Equal(t, 2, agg.Window)
	assert.InDelta(t, 0.5, agg.MeanReturn, 1e-9)
	assert.Zero(t, agg.WinRate)
	last, ok := e.Last()
	require.True(t, ok)
	assert.Equal(t, 1, last.Length)
}

// Truncation by a TimeLimit inside ends the episode for EpisodeStats.
func TestEpisodeStatsSeesTruncation(t *testing.T) {
	tl := must(wrappers.NewTimeLimit(newGame(t, envtest.FakeConfig{}), wrappers.TimeLimitConfig{Max: 2}))
	e := must(wrappers.NewEpisodeStats(tl, wrappers.EpisodeStatsConfig{Baselines: []int{1, 1, 1}}))
	_, _, err := e.Reset(t.Context(), env.ResetOptions{})
	require.NoError(t, err)
	e.Step(t.Context(), arc.Simple(arc.Action3))
	st, err := e.Step(t.Context(), arc.Simple(arc.Action3))
	require.NoError(t, err)
	require.True(t, st.Truncated)
	require.NotNil(t, st.Info.Episode)
	assert.Equal(t, 2, st.Info.Episode.Length)
	assert.Zero(t, st.Info.Episode.Score)
}

func TestRewardTransforms(t *testing.T) {
	shaped := env.Config{Reward: env.ShapedReward(10, 0, -7)}
	for _, tc := range []struct {
		name   string
		cfg    wrappers.TransformRewardConfig
		level  float64
		loss   float64
		reject string // part of the error NewTransformReward must fail with
	}{
		{"clip", wrappers.ClipReward(-1, 1), 1, -1, ""},
		{"scale", wrappers.ScaleReward(0.5), 5, -3.5, ""},
		{"sign", wrappers.TransformRewardConfig{Func: func(r float64) float64 { return r * r }}, 100, 49, ""},
		{"empty clip", wrappers.ClipReward(1, -1), 0, 0, "clip range [1, -1] is empty"},
		{"NaN clip", wrappers.ClipReward(math.NaN(), 1), 0, 0, "clip range [NaN, 1] is empty"},
		{"infinite scale", wrappers.ScaleReward(math.Inf(1)), 0, 0, "reward scale +Inf is not finite"},
		{"no function", wrappers.TransformRewardConfig{}, 0, 0, "needs an env and a function"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, err := wrappers.NewTransformReward(newGameWith(t, envtest.FakeConfig{}, shaped), tc.cfg)
			if tc.reject != "" {
				require.ErrorContains(t, err, tc.reject)
				assert.Nil(t, w)
				return
			}
			require.NoError(t, err)
			_, _, err = w.Reset(t.Context(), env.ResetOptions{})
			require.NoError(t, err)
			st, err := w.Step(t.Context(), arc.Simple(arc.Action1))
			require.NoError(t, err)
			assert.Equal(t, tc.level, st.Reward)
			st, err = w.Step(t.Context(), arc.Simple(arc.Action2))
			require.NoError(t, err)
			assert.Equal(t, tc.loss, st.Reward)
		})
	}
}

func TestStickyActions(t *testing.T) {
	applied := func(p float64, seed uint64, resetSeed bool) []arc.ActionID {
		s := must(wrappers.NewStickyActions(newGame(t, envtest.FakeConfig{}), wrappers.StickyActionsConfig{P: p, Seed: seed}))
		opts := env.ResetOptions{}
		if resetSeed {
			opts = env.WithSeed(42)
		}
		_, _, err := s.Reset(t.Context(), opts)
		require.NoError(t, err)
		var out []arc.ActionID
		for i := range 200 {
			id := arc.Action3 + arc.ActionID(i%3)
			st, err := s.Step(t.Context(), arc.Simple(id))
			require.NoError(t, err)
			out = append(out, st.Info.Action.ID)
		}
		return out
	}
	asked := func(i int) arc.ActionID { return arc.Action3 + arc.ActionID(i%3) }
	never := applied(0, 1, false)
	for i, id := range never {
		assert.Equal(t, asked(i), id)
	}
	always := applied(1, 1, false)
	for _, id := range always {
		assert.Equal(t, arc.Action3, id, "p=1 repeats the first action forever")
	}
	half := applied(0.5, 1, false)
	sticky := 0
	for i, id := range half {
		if id != asked(i) {
			sticky++
		}
	}
	// A sticky step repeats the previous applied action, which differs from
	// the asked one unless the previous step was sticky and asked the same.
	assert.InDelta(t, 0.5*200*0.8, float64(sticky), 40)
	assert.Equal(t, half, applied(0.5, 1, false), "same seed, same draws")
	assert.NotEqual(t, half, applied(0.5, 2, false))
	assert.Equal(t, applied(0.5, 1, true), applied(0.5, 2, true), "a seeded reset reseeds")
	_, err := wrappers.NewStickyActions(newGame(t, envtest.FakeConfig{}), wrappers.StickyActionsConfig{P: 1.5, Seed: 0})
	assert.Error(t, err)
}

// Over a wrapper that remaps actions, the sticky action is the one applied,
// not the one asked for (which the wrapper could remap differently).
func TestStickyActionsRepeatApplied(t *testing.T) {
	avail := arc.ActionSetOf(arc.Action3, arc.Action4, arc.Action5)
	m := must(wrappers.NewActionMask(newGame(t, envtest.FakeConfig{Available: avail}),
		wrappers.ActionMaskConfig{Policy: wrappers.MaskRemap, Seed: 3}))
	s := must(wrappers.NewStickyActions(m, wrappers.StickyActionsConfig{P: 1, Seed: 1}))
	_, _, err := s.Reset(t.Context(), env.ResetOptions{})
	require.NoError(t, err)
	st, err := s.Step(t.Context(), arc.Simple(arc.Action1))
	require.NoError(t, err)
	first := st.Info.Action
	require.True(t, avail.Has(first.ID), "ACTION1 is remapped to an offered action")
	for i := range 20 {
		st, err := s.Step(t.Context(), arc.Simple(arc.ActionID(1+i%7)))
		require.NoError(t, err)
		require.Equal(t, first, st.Info.Action, "step %d repeats the applied action", i)
	}
}

func TestEncode(t *testing.T) {
	g := newGame(t, envtest.FakeConfig{})
	fs := must(wrappers.NewFrameStack(g, wrappers.FrameStackConfig{Depth: 2}))
	enc := must(wrappers.NewEncode(fs, wrappers.EncodeConfig{Encoder: scaled{}}))
	assert.Equal(t, []int{2, 64, 64}, enc.FloatShape())
	obs, _, err := enc.Reset(t.Context(), env.ResetOptions{})
	require.NoError(t, err)
	st, err := enc.Step(t.Context(), arc.Simple(arc.Action3))
	require.NoError(t, err)
	for _, o := range []env.Obs{obs, st.Obs} {
		require.Equal(t, o.Grid.Shape, o.Float.Shape)
	}
	for i, c := range st.Obs.Grid.Data {
		require.InDelta(t, float64(c)/15, float64(st.Obs.Float.Data[i]), 1e-6)
	}
	_, err = wrappers.NewEncode(g, wrappers.EncodeConfig{Encoder: rejecting{}})
	assert.ErrorContains(t, err, "does not accept")
	_, err = wrappers.NewEncode(g, wrappers.EncodeConfig{})
	assert.Error(t, err)
}

type rejecting struct{}

func (rejecting) OutShape([]int) []int               { return nil }
func (rejecting) Encode(tensor.F32, tensor.U8) error { return nil }

func TestFrameStackLongRunsMatchTheLastFrames(t *testing.T) {
	// Hundreds of steps, resets between them, several frames per action:
	// the stack is always the last n frames seen (the reset's first frame
	// repeated before n were seen), however the buffer moves them.
	for _, policy := range []wrappers.StackPolicy{wrappers.StackLast, wrappers.StackAll} {
		for _, n := range []int{1, 2, 3, 5} {
			g := newGame(t, envtest.FakeConfig{FramesPerAction: 2})
			fs := must(wrappers.NewFrameStack(g, wrappers.FrameStackConfig{Depth: n, Policy: policy}))
			var seen [][]uint8
			check := func(obs env.Obs, step int) {
				require.Equal(t, n*arc.FrameCells, len(obs.Grid.Data))
				for k := range n {
					want := seen[max(0, len(seen)-n+k)]
					require.Equal(t, want, obs.Grid.Data[k*arc.FrameCells:(k+1)*arc.FrameCells], "policy %d, n %d, step %d, slot %d", policy, n, step, k)
				}
			}
			pushed := func(info env.Info) {
				k := info.Frames.Len() / arc.FrameCells
				if policy == wrappers.StackLast {
					seen = append(seen, slices.Clone(info.Frames.Data[(k-1)*arc.FrameCells:]))
					return
				}
				for i := range k {
					seen = append(seen, slices.Clone(info.Frames.Data[i*arc.FrameCells:(i+1)*arc.FrameCells]))
				}
			}
			for episode := range 3 {
				obs, info, err := fs.Reset(t.Context(), env.ResetOptions{})
				require.NoError(t, err)
				seen = seen[:0]
				pushed(info)
				check(obs, -episode)
				for step := range 40 * n {
					a := []arc.Action{arc.Click(step%64, (step*7)%64), arc.Simple(arc.Action3), arc.Simple(arc.Action4)}[step%3]
					st, err := fs.Step(t.Context(), a)
					require.NoError(t, err)
					require.False(t, st.Done())
					pushed(st.Info)
					check(st.Obs, step)
				}
			}
		}
	}
}
