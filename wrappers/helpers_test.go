package wrappers_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/env/envtest"
	"github.com/arcgym/arcgym/tensor"
)

// newGame returns a Game over a fake configured by cfg.
func newGame(t testing.TB, cfg envtest.FakeConfig) *env.Game {
	t.Helper()
	return newGameWith(t, cfg, env.Config{})
}

// newGameWith returns a Game configured by game over a fake configured by cfg.
func newGameWith(t testing.TB, cfg envtest.FakeConfig, game env.Config) *env.Game {
	t.Helper()
	g, err := env.New(envtest.NewFake(cfg), game)
	require.NoError(t, err)
	return g
}

// must returns v and panics on a setup error, which fails the test that
// called it.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// scaled is a minimal Encoder: colour/15 per cell, any shape.
type scaled struct{}

func (scaled) OutShape(in []int) []int { return slices.Clone(in) }

func (scaled) Encode(dst tensor.F32, src tensor.U8) error {
	if len(dst.Data) != len(src.Data) {
		return fmt.Errorf("scaled: %d into %d", len(src.Data), len(dst.Data))
	}
	out := dst.Data[:len(src.Data)]
	for i, c := range src.Data {
		out[i] = float32(c) * (1.0 / 15)
	}
	return nil
}

// frameOf returns a copy of the last frame of info.
func lastFrame(info env.Info) []uint8 {
	d := info.Frames.Data
	return slices.Clone(d[len(d)-arc.FrameCells:])
}
