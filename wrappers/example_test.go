package wrappers_test

import (
	"bytes"
	"context"
	"fmt"
	"os"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/env/envtest"
	"github.com/arcgym/arcgym/wrappers"
)

// A typical stack: masked actions, four stacked frames, a time limit and
// episode statistics with the official score.
func Example() {
	ctx := context.Background()
	g, _ := env.New(envtest.NewFake(envtest.FakeConfig{Levels: 2, Baselines: []int{2, 2}}), env.Config{})
	var e env.Env = g
	e, _ = wrappers.NewActionMask(e, wrappers.ActionMaskConfig{})
	e, _ = wrappers.NewFrameStack(e, wrappers.FrameStackConfig{Depth: 4})
	e, _ = wrappers.NewTimeLimit(e, wrappers.TimeLimitConfig{Max: 100})
	e, _ = wrappers.NewEpisodeStats(e, wrappers.EpisodeStatsConfig{})
	defer e.Close()

	obs, info, _ := e.Reset(ctx, env.ResetOptions{})
	fmt.Println("observation", obs.Grid.Shape, "mask entries", len(info.Mask))
	for _, a := range []arc.Action{arc.Simple(arc.Action3), arc.Simple(arc.Action1), arc.Simple(arc.Action1)} {
		st, err := e.Step(ctx, a)
		if err != nil {
			fmt.Println(err)
			return
		}
		if ep := st.Info.Episode; ep != nil {
			fmt.Printf("won=%v length=%d return=%g score=%.1f\n", ep.Won, ep.Length, ep.Return, ep.Score)
		}
	}
	// Output:
	// observation [4 64 64] mask entries 4102
	// won=true length=3 return=2 score=100.0
}

// env.Wrap builds a stack from configurations, innermost first: every
// configuration of this package is an env.Wrapper. When one of them fails,
// what was built is closed, the game included, and the caller has nothing
// to clean up.
func Example_envWrap() {
	ctx := context.Background()
	g, _ := env.New(envtest.NewFake(envtest.FakeConfig{}), env.Config{})
	e, err := env.Wrap(g,
		wrappers.ActionMaskConfig{},
		wrappers.FrameStackConfig{Depth: 2},
		wrappers.ClipReward(-1, 1),
		wrappers.TimeLimitConfig{Max: 10},
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer e.Close()
	for u := e; u != nil; {
		fmt.Printf("%T\n", u)
		w, ok := u.(wrappers.Unwrapper)
		if !ok {
			break
		}
		u = w.Unwrap()
	}
	obs, _, _ := e.Reset(ctx, env.ResetOptions{})
	fmt.Println("observation", obs.Grid.Shape)

	g2, _ := env.New(envtest.NewFake(envtest.FakeConfig{}), env.Config{})
	_, err = env.Wrap(g2, wrappers.ActionMaskConfig{}, wrappers.RepeatActionConfig{})
	fmt.Println(err)
	_, _, err = g2.Reset(ctx, env.ResetOptions{})
	fmt.Println("game:", err)
	// Output:
	// *wrappers.TimeLimit
	// *wrappers.TransformReward
	// *wrappers.FrameStack
	// *wrappers.ActionMask
	// *env.Game
	// observation [2 64 64]
	// env: wrapper 1 (wrappers.RepeatActionConfig): wrappers: action repeat of 0, need at least 1
	// game: env: closed
}

func ExampleReplay() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "rec")
	defer os.RemoveAll(dir)
	g, _ := env.New(envtest.NewFake(envtest.FakeConfig{}), env.Config{})
	rec, _ := wrappers.NewRecorder(g, wrappers.RecorderConfig{Dir: dir, Frames: true})
	rec.Reset(ctx, env.ResetOptions{})
	rec.Step(ctx, arc.Click(5, 5))
	rec.Step(ctx, arc.Simple(arc.Action1))
	rec.Close()

	f, _ := os.Open(rec.Path())
	defer f.Close()
	fresh, _ := env.New(envtest.NewFake(envtest.FakeConfig{}), env.Config{})
	res, err := wrappers.Replay(ctx, fresh, f)
	fmt.Println(res.Resets, res.Steps, err)
	// Output: 1 2 <nil>
}

// The action mask in both forms: flat, for a policy over spaces.FlatSize
// logits, and structured; clicks on the background are remapped to the
// nearest object.
func ExampleNewActionMask() {
	ctx := context.Background()
	g, _ := env.New(envtest.NewFake(envtest.FakeConfig{Available: arc.ActionSetOf(arc.Action1, arc.Action6)}), env.Config{})
	m, _ := wrappers.NewActionMask(g, wrappers.ActionMaskConfig{Cells: wrappers.NonBackground, Policy: wrappers.MaskRemap})
	defer m.Close()

	_, info, _ := m.Reset(ctx, env.ResetOptions{})
	allowed := 0
	for _, ok := range info.Mask {
		if ok {
			allowed++
		}
	}
	// The fake's level 1 shows one marked cell, at (0,0).
	fmt.Println("allowed", allowed, "of", len(info.Mask), "ids", m.Mask().IDs)
	st, _ := m.Step(ctx, arc.Click(30, 40))
	fmt.Println("applied", st.Info.Action)
	// Output:
	// allowed 2 of 4102 ids [1 6]
	// applied ACTION6(0,0)
}

// Four stacked frames, the oldest first; after Reset the stack repeats the
// first frame.
func ExampleNewFrameStack() {
	ctx := context.Background()
	g, _ := env.New(envtest.NewFake(envtest.FakeConfig{}), env.Config{})
	fs, _ := wrappers.NewFrameStack(g, wrappers.FrameStackConfig{Depth: 4})
	defer fs.Close()

	obs, _, _ := fs.Reset(ctx, env.ResetOptions{})
	fmt.Println(fs.ObservationSpace().Shape(), "padded", bytes.Equal(obs.Grid.Index(0).Data, obs.Grid.Index(3).Data))
	// The observation is a view that the next call overwrites: keep a copy
	// of what is needed.
	first := bytes.Clone(obs.Grid.Index(3).Data)
	st, _ := fs.Step(ctx, arc.Click(9, 9))
	frames := st.Info.Frames
	last := frames.Index(frames.Shape[0] - 1).Data
	fmt.Println("newest", bytes.Equal(st.Obs.Grid.Index(3).Data, last), "then", bytes.Equal(st.Obs.Grid.Index(2).Data, first))
	// Output:
	// [4 64 64] padded true
	// newest true then true
}
