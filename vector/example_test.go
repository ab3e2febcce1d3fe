package vector_test

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/env/envtest"
	"github.com/arcgym/arcgym/spaces"
	"github.com/arcgym/arcgym/vector"
	"github.com/arcgym/arcgym/wrappers"
)

// fakeGames makes sub-environments over the scripted test game: ACTION1
// completes a level (of two), anything else paints.
func fakeGames(latency func(i int) time.Duration) vector.Factory {
	return func(_ context.Context, i int) (env.Env, error) {
		return env.New(envtest.NewFake(envtest.FakeConfig{Levels: 2, Latency: latency(i)}), env.Config{})
	}
}

func noLatency(int) time.Duration { return 0 }

// Stepping three games together in SameStep mode: the game that wins is
// reset within the step, its last observation kept aside.
func ExampleNewSync() {
	ctx := context.Background()
	v, err := vector.NewSync(ctx, 3, fakeGames(noLatency), vector.Config{Autoreset: vector.SameStep})
	if err != nil {
		panic(err)
	}
	defer v.Close()

	b, _ := v.Reset(ctx, env.WithSeed(1))
	fmt.Println("obs", b.Obs.Shape, "first", b.First)
	paint := arc.Click(3, 4)
	level := arc.Simple(arc.Action1)
	for _, actions := range [][]arc.Action{
		{level, paint, paint},
		{level, paint, level},
	} {
		b, err = v.Step(ctx, actions)
		if err != nil || b.Failed() {
			panic(fmt.Sprint(err, b.Err()))
		}
		fmt.Println("reward", b.Rewards, "terminated", b.Terminated, "final", b.HasFinal)
	}
	fmt.Println("final state", b.FinalInfos[0].State, "row state", b.Infos[0].State)
	// Output:
	// obs [3 64 64] first [true true true]
	// reward [1 0 0] terminated [false false false] final [false false false]
	// reward [1 0 1] terminated [true false false] final [true false false]
	// final state WIN row state NOT_FINISHED
}

// EnvPool-style stepping: Recv returns the first sub-environments to
// finish, so a slow one does not hold up the batch.
func ExampleAsync_Recv() {
	ctx := context.Background()
	// Sub-environment 0 takes an hour to answer (until Close cancels it);
	// 1 and 2 answer at once.
	slowFirst := func(i int) time.Duration {
		return [...]time.Duration{time.Hour, 0, 0}[i]
	}
	a, err := vector.NewAsync(ctx, 3, fakeGames(slowFirst), vector.Config{BatchSize: 2})
	if err != nil {
		panic(err)
	}
	defer a.Close()

	if err := a.SendReset(ctx, nil, env.ResetOptions{}); err != nil {
		panic(err)
	}
	for range 3 {
		b, err := a.Recv(ctx)
		if err != nil {
			panic(err)
		}
		// Rows come in the order their envs finished; sorted to print.
		fmt.Println("envs", slices.Sorted(slices.Values(b.EnvIDs)), "first", b.First)
		actions := []arc.Action{arc.Click(1, 1), arc.Click(2, 2)}
		if err := a.Send(ctx, b.EnvIDs, actions); err != nil {
			panic(err)
		}
	}
	// Output:
	// envs [1 2] first [true true]
	// envs [1 2] first [false false]
	// envs [1 2] first [false false]
}

// A policy over a game's own actions has one logit per action in its
// compact layout; the batch gives the masks in that layout and the layout
// turns the chosen indices into actions.
func ExampleBatch_Masks() {
	ctx := context.Background()
	v, err := vector.NewSync(ctx, 2, fakeGames(noLatency), vector.Config{})
	if err != nil {
		panic(err)
	}
	defer v.Close()
	b, _ := v.Reset(ctx, env.ResetOptions{})
	layout := spaces.Compact(b.Infos[0].Available)
	masks := b.Masks(nil, layout)
	fmt.Println(layout, "masks", len(masks), "=", b.Len(), "x", layout.N())

	actions := make([]arc.Action, b.Len())
	err = layout.Actions(actions, []int{0, layout.Simple() + 20*64 + 10})
	fmt.Println(actions, err)
	// Output:
	// Layout([1 2 3 4 5 6 7], 4102 indices) masks 8204 = 2 x 4102
	// [ACTION1 ACTION6(10,20)] <nil>
}

// Async steps local games on the calling goroutine and a second worker:
// the batch is the same as Sync's, only faster on two cores.
func ExampleNewAsync() {
	ctx := context.Background()
	a, err := vector.NewAsync(ctx, 4, fakeGames(noLatency), vector.Config{Workers: 2})
	if err != nil {
		panic(err)
	}
	defer a.Close()

	b, _ := a.Reset(ctx, env.WithSeed(7))
	fmt.Println("obs", b.Obs.Shape, "workers", a.Metadata().Workers)
	level, paint := arc.Simple(arc.Action1), arc.Click(0, 0)
	b, err = a.Step(ctx, []arc.Action{level, paint, level, paint})
	if err != nil || b.Failed() {
		panic(fmt.Sprint(err, b.Err()))
	}
	fmt.Println("reward", b.Rewards, "levels", b.Infos[0].LevelsCompleted, b.Infos[1].LevelsCompleted)
	// Output:
	// obs [4 64 64] workers 2
	// reward [1 0 1 0] levels 1 0
}

// A wrapped vector env in one expression, Gymnasium's make_vec: each
// sub-environment under a time limit, the batch stacked, masked in the
// game's compact layout and counting episodes. A row that starts an
// episode has its stack padded with its first observation.
func ExampleNew() {
	ctx := context.Background()
	v, err := vector.New(ctx, vector.Spec{
		NumEnvs:  2,
		Make:     fakeGames(noLatency),
		Wrappers: []env.Wrapper{wrappers.TimeLimitConfig{Max: 100}},
		Config:   vector.Config{Autoreset: vector.SameStep},
		Vector: []vector.Wrapper{
			vector.FrameStackConfig{Depth: 4},
			vector.MasksConfig{},
			vector.EpisodeStatsConfig{},
		},
	})
	if err != nil {
		panic(err)
	}
	defer v.Close()

	b, _ := v.Reset(ctx, env.WithSeed(1))
	row := b.Obs.Index(0)
	fmt.Println("stacks", b.Obs.Shape, "padded", slices.Equal(row.Index(0).Data, row.Index(3).Data))
	fmt.Println("masks", len(b.Mask), "=", b.Len(), "x", b.Layout.N())
	actions := make([]arc.Action, 2)
	for range 3 {
		// A policy's indices in the layout become actions.
		_ = b.Layout.Actions(actions, []int{b.Layout.Index(arc.Click(1, 1)), b.Layout.Index(arc.Click(2, 2))})
		b, _ = v.Step(ctx, actions)
	}
	row = b.Obs.Index(0)
	fmt.Println("newest is the frame", slices.Equal(row.Index(3).Data, b.Infos[0].Frames.Data))
	fmt.Println("episodes ended", b.Episodes.Count())
	// Output:
	// stacks [2 4 64 64] padded true
	// masks 8204 = 2 x 4102
	// newest is the frame true
	// episodes ended 0
}

// Keeping a batch across steps: the Batch a call returns is overwritten by
// the next call, a clone is not.
func ExampleBatch_Clone() {
	ctx := context.Background()
	v, err := vector.NewSync(ctx, 2, fakeGames(noLatency), vector.Config{})
	if err != nil {
		panic(err)
	}
	defer v.Close()

	b, _ := v.Reset(ctx, env.ResetOptions{})
	first := b.Clone()
	level := arc.Simple(arc.Action1)
	b, _ = v.Step(ctx, []arc.Action{level, level})
	fmt.Println("clone first", first.First, "levels", first.Infos[0].LevelsCompleted)
	fmt.Println("batch first", b.First, "levels", b.Infos[0].LevelsCompleted)

	// Reusing a copy's storage: no allocation once it is large enough.
	kept := b.CopyInto(first)
	fmt.Println("same storage", kept == first, "levels", kept.Infos[1].LevelsCompleted)
	// Output:
	// clone first [true true] levels 0
	// batch first [false false] levels 1
	// same storage true levels 1
}
