package wrappers_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/env/envtest"
	"github.com/arcgym/arcgym/wrappers"
)

// firstFrame returns a copy of the observation after a reset of e.
func firstFrame(t *testing.T, e env.Env, opts env.ResetOptions) []uint8 {
	t.Helper()
	obs, _, err := e.Reset(t.Context(), opts)
	require.NoError(t, err)
	return slices.Clone(obs.Grid.Data)
}

// Unseeded full resets play the sequence: each one shows the same level as
// a fresh game reset under the seed of the sequence.
func TestReseedSequence(t *testing.T) {
	cases := []struct {
		name          string
		first, stride int64
		want          []int64
	}{
		{"stride 1", 5, 1, []int64{5, 6, 7, 8}},
		{"vector layout", 3, 8, []int64{3, 11, 19, 27}},
		{"negative stride", 2, -1, []int64{2, 1, 0, -1}},
		{"pinned seed", 9, 0, []int64{9, 9, 9, 9}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := envtest.FakeConfig{FramesPerAction: 2}
			w := must(wrappers.NewReseed(newGame(t, cfg), wrappers.ReseedConfig{First: tc.first, Stride: tc.stride}))
			defer w.Close()
			assert.Equal(t, tc.stride, w.Stride())
			ref := newGame(t, cfg)
			defer ref.Close()
			for i, seed := range tc.want {
				require.Equal(t, seed, w.Next())
				got := firstFrame(t, w, env.ResetOptions{})
				assert.Equal(t, firstFrame(t, ref, env.WithSeed(seed)), got, "episode %d plays seed %d", i, seed)
			}
		})
	}
}

// A seeded reset restarts the sequence after its seed; level resets and
// failed resets leave it where it is.
func TestReseedPosition(t *testing.T) {
	g := newGame(t, envtest.FakeConfig{Levels: 2})
	w := must(wrappers.NewReseed(g, wrappers.ReseedConfig{First: 100, Stride: 3}))
	assert.Same(t, env.Env(g), w.Unwrap())
	ref := newGame(t, envtest.FakeConfig{Levels: 2})
	defer ref.Close()
	ctx := t.Context()

	firstFrame(t, w, env.ResetOptions{})
	assert.Equal(t, int64(103), w.Next())

	assert.Equal(t, firstFrame(t, ref, env.WithSeed(40)), firstFrame(t, w, env.WithSeed(40)))
	assert.Equal(t, int64(43), w.Next(), "a seeded reset restarts the sequence after its seed")
	assert.Equal(t, firstFrame(t, ref, env.WithSeed(43)), firstFrame(t, w, env.ResetOptions{}))

	_, err := w.Step(ctx, arc.Simple(arc.Action3))
	require.NoError(t, err)
	for _, mode := range []env.ResetMode{env.ResetLevel, env.ResetAuto} {
		_, _, err = w.Reset(ctx, env.ResetOptions{Mode: mode})
		require.NoError(t, err, mode)
		assert.Equal(t, int64(46), w.Next(), "a %s reset keeps the levels", mode)
	}

	w.SetNext(115)
	assert.Equal(t, firstFrame(t, ref, env.WithSeed(115)), firstFrame(t, w, env.ResetOptions{}))
	assert.Equal(t, int64(118), w.Next())

	require.NoError(t, w.Close())
	_, _, err = w.Reset(ctx, env.ResetOptions{})
	assert.ErrorIs(t, err, env.ErrClosed)
	assert.Equal(t, int64(118), w.Next(), "a failed reset does not use up a seed")

	_, err = wrappers.NewReseed(nil, wrappers.ReseedConfig{Stride: 1})
	assert.Error(t, err)
}

func TestReseedConforms(t *testing.T) {
	for _, cfg := range []envtest.FakeConfig{{FramesPerAction: 1}, {FramesPerAction: 3, Levels: 4, Budget: 6}} {
		build := func() env.Env {
			e := must(wrappers.NewActionMask(newGame(t, cfg), wrappers.ActionMaskConfig{}))
			return must(wrappers.NewReseed(e, wrappers.ReseedConfig{First: 7, Stride: 2}))
		}
		envtest.CheckT(t, build(), envtest.CheckOptions{
			Seed: 11, Steps: 120,
			New: func() (env.Env, error) { return build(), nil },
		})
	}
}

func TestReseedAllocatesNothing(t *testing.T) {
	ctx := t.Context()
	w := must(wrappers.NewReseed(newGame(t, envtest.FakeConfig{}), wrappers.ReseedConfig{First: 1, Stride: 1}))
	defer w.Close()
	s := &stepper{e: w}
	_, _, err := w.Reset(ctx, env.ResetOptions{})
	require.NoError(t, err)
	s.step(t)
	assert.Zero(t, testing.AllocsPerRun(200, func() { s.step(t) }), "step")

	// A reset under a new seed costs what the Game spends on reseeding
	// itself, and the wrapper adds nothing to it.
	raw := newGame(t, envtest.FakeConfig{})
	defer raw.Close()
	seed := int64(0)
	game := testing.AllocsPerRun(50, func() {
		seed++
		if _, _, err := raw.Reset(ctx, env.WithSeed(seed)); err != nil {
			t.Fatal(err)
		}
	})
	wrapped := testing.AllocsPerRun(50, func() {
		s.step(t)
		if _, _, err := w.Reset(ctx, env.ResetOptions{}); err != nil {
			t.Fatal(err)
		}
	})
	assert.Equal(t, game, wrapped, "reset")
}

// BenchmarkReseedReset measures a full reset under a new seed, by hand on
// the raw Game and by the wrapper's sequence.
func BenchmarkReseedReset(b *testing.B) {
	b.Run("game-seeded", func(b *testing.B) {
		g := newGame(b, envtest.FakeConfig{})
		defer g.Close()
		b.SetBytes(arc.FrameCells)
		b.ReportAllocs()
		seed := int64(0)
		for b.Loop() {
			seed++
			if _, _, err := g.Reset(b.Context(), env.WithSeed(seed)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("reseed", func(b *testing.B) {
		w := must(wrappers.NewReseed(newGame(b, envtest.FakeConfig{}), wrappers.ReseedConfig{First: 1, Stride: 1}))
		defer w.Close()
		b.SetBytes(arc.FrameCells)
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := w.Reset(b.Context(), env.ResetOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// Every episode of a reseeded game plays a new procedural level set, here
// the built-in game Glacier under seeds 10, 13 and 16: the same levels as a
// reset under each seed.
func ExampleNewReseed() {
	ctx := context.Background()
	g, _ := env.Make(ctx, "gl02", env.Config{})
	e, _ := wrappers.NewReseed(g, wrappers.ReseedConfig{First: 10, Stride: 3})
	defer e.Close()
	ref, _ := env.Make(ctx, "gl02", env.Config{})
	defer ref.Close()
	for range 3 {
		seed := e.Next()
		obs, _, _ := e.Reset(ctx, env.ResetOptions{}) // as a vector env's autoreset does
		want, _, _ := ref.Reset(ctx, env.WithSeed(seed))
		fmt.Println("seed", seed, "same levels:", slices.Equal(obs.Grid.Data, want.Grid.Data))
	}
	// Output:
	// seed 10 same levels: true
	// seed 13 same levels: true
	// seed 16 same levels: true
}
