package vector

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/encoding"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/env/envtest"
	"github.com/arcgym/arcgym/spaces"
	"github.com/arcgym/arcgym/tensor"
	"github.com/arcgym/arcgym/wrappers"
)

// counted counts the closes of the envs it wraps.
type counted struct {
	env.Env
	closes *atomic.Int32
}

func (c counted) Close() error { c.closes.Add(1); return c.Env.Close() }

func countedFakes(cfg envtest.FakeConfig, made, closes *atomic.Int32) Factory {
	return func(_ context.Context, i int) (env.Env, error) {
		e, err := env.New(envtest.NewFake(cfg), env.Config{})
		if err != nil {
			return nil, err
		}
		made.Add(1)
		return counted{e, closes}, nil
	}
}

type failEnv struct{}

func (failEnv) Wrap(env.Env) (env.Env, error) { return nil, errors.New("env wrapper fails") }

type failVec struct{}

func (failVec) Wrap(Env) (Env, error) { return nil, errors.New("vector wrapper fails") }

// New closes everything it made when any part fails: a sub-environment
// wrapper, a vector wrapper, a cancelled context.
func TestNewClosesOnError(t *testing.T) {
	cfg := envtest.FakeConfig{}
	for _, tc := range []struct {
		name string
		spec func(f Factory) Spec
		ctx  func() context.Context
		want string
	}{
		{"env wrapper", func(f Factory) Spec {
			return Spec{NumEnvs: 3, Make: f, Wrappers: []env.Wrapper{wrappers.TimeLimitConfig{Max: 5}, failEnv{}}}
		}, t.Context, "env wrapper fails"},
		{"vector wrapper", func(f Factory) Spec {
			return Spec{NumEnvs: 3, Make: f, Mode: ModeAsync, Vector: []Wrapper{FrameStackConfig{Depth: 2}, failVec{}}}
		}, t.Context, "vector wrapper fails"},
		{"bad vector wrapper config", func(f Factory) Spec {
			return Spec{NumEnvs: 3, Make: f, Vector: []Wrapper{FrameStackConfig{}}}
		}, t.Context, "frame stack of depth 0"},
		{"cancelled", func(f Factory) Spec { return Spec{NumEnvs: 3, Make: f} }, func() context.Context {
			ctx, cancel := context.WithCancel(t.Context())
			cancel()
			return ctx
		}, "context canceled"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var made, closes atomic.Int32
			v, err := New(tc.ctx(), tc.spec(countedFakes(cfg, &made, &closes)))
			require.ErrorContains(t, err, tc.want)
			assert.Nil(t, v)
			assert.Equal(t, made.Load(), closes.Load(), "every env made is closed")
		})
	}
	_, err := New(t.Context(), Spec{NumEnvs: 1})
	assert.ErrorContains(t, err, "factory")
	_, err = New(t.Context(), Spec{NumEnvs: 1, Make: sameFakes(cfg), Mode: 9})
	assert.ErrorContains(t, err, "mode")
	_, err = Wrap(nil)
	assert.Error(t, err)
}

// The whole stack of vector wrappers over local games: spaces and metadata
// describe what the batches hold, Each reaches the sub-environments through
// the wrappers, and a step allocates nothing.
func TestWrapperStack(t *testing.T) {
	keys := arc.ActionSetOf(arc.Action1, arc.Action2, arc.Action3)
	for _, mode := range []Mode{ModeSync, ModeAsync} {
		v, err := New(t.Context(), Spec{
			NumEnvs: 4, Mode: mode,
			Make:     sameFakes(envtest.FakeConfig{Available: keys, Levels: 2, Budget: 5}),
			Wrappers: []env.Wrapper{wrappers.TimeLimitConfig{Max: 3}},
			Config:   Config{Autoreset: SameStep},
			Vector: []Wrapper{
				FrameStackConfig{Depth: 2}, EncodeConfig{Encoder: encoding.OneHot{}}, NormalizeObservationConfig{},
				MasksConfig{}, EpisodeStatsConfig{}, NormalizeRewardConfig{},
			},
		})
		require.NoError(t, err)
		t.Cleanup(func() { _ = v.Close() })
		assert.Equal(t, []int{2, 64, 64}, v.Metadata().ObsShape)
		assert.Equal(t, []int{32, 64, 64}, v.SingleObservationSpace().Shape(), "one-hot of a 2-stack")
		b, err := v.Reset(t.Context(), env.WithSeed(1))
		require.NoError(t, err)
		require.Equal(t, []int{4, 2, 64, 64}, b.Obs.Shape)
		require.Equal(t, []int{4, 32, 64, 64}, b.Float.Shape)
		require.Equal(t, 3, b.Layout.N(), "the game's three keys")
		assert.Equal(t, []bool{true, true, true}, b.Mask[:3])

		acts := make([]arc.Action, 4)
		idx := []int{0, 1, 2, 0}
		require.NoError(t, b.Layout.Actions(acts, idx))
		truncated := 0
		for range 6 {
			b, err = v.Step(t.Context(), acts)
			require.NoError(t, err)
			require.NoError(t, b.Err())
			for r := range b.Len() {
				if b.Truncated[r] {
					truncated++
					require.True(t, b.HasFinal[r])
					assert.Equal(t, b.Done(r), b.Episodes.Ended[r])
					assert.Equal(t, 3, b.Episodes.Lengths[r])
				}
			}
		}
		assert.Positive(t, truncated)
		assert.Zero(t, testing.AllocsPerRun(20, func() { _, _ = v.Step(t.Context(), acts) }))

		var limits []int
		require.NoError(t, Each(v, func(i int, e env.Env) error {
			tl, ok := wrappers.Find[*wrappers.TimeLimit](e)
			require.True(t, ok)
			limits = append(limits, i)
			_ = tl
			return nil
		}))
		assert.Equal(t, []int{0, 1, 2, 3}, limits)
		stop := errors.New("stop")
		assert.ErrorIs(t, Each(v, func(int, env.Env) error { return stop }), stop)
	}
}

// Encode writes each row's encoding, and in SameStep mode each final row's.
func TestEncodeRows(t *testing.T) {
	inner := newVec(t, kinds[0], 3, sameFakes(envtest.FakeConfig{Levels: 1}), Config{Autoreset: SameStep})
	v, err := Wrap(inner, EncodeConfig{Encoder: encoding.OneHot{}})
	require.NoError(t, err)
	b, err := v.Reset(t.Context(), env.ResetOptions{})
	require.NoError(t, err)
	check := func(float tensor.F32, obs tensor.U8, rows []bool) {
		t.Helper()
		for r := range 3 {
			if rows != nil && !rows[r] {
				continue
			}
			want := tensor.New[float32](16, 64, 64)
			require.NoError(t, encoding.OneHot{}.Encode(want, obs.Index(r)))
			require.Equal(t, want.Data, float.Index(r).Data, "row %d", r)
		}
	}
	check(b.Float, b.Obs, nil)
	b, err = v.Step(t.Context(), repeat(arc.Simple(arc.Action1), 3))
	require.NoError(t, err)
	require.Equal(t, []bool{true, true, true}, b.HasFinal, "one level: every game won")
	check(b.Float, b.Obs, nil)
	check(b.FinalFloat, b.FinalObs, b.HasFinal)

	_, err = NewEncode(inner, EncodeConfig{})
	assert.Error(t, err)
	_, err = NewEncode(inner, EncodeConfig{Encoder: badEncoder{}})
	assert.ErrorContains(t, err, "does not encode")
}

type badEncoder struct{}

func (badEncoder) OutShape([]int) []int               { return nil }
func (badEncoder) Encode(tensor.F32, tensor.U8) error { return nil }

// Masks default to the compact layout of the game's actions; a layout that
// holds nothing is refused.
func TestMasksLayout(t *testing.T) {
	keys := arc.ActionSetOf(arc.Action2, arc.Action4)
	inner := newVec(t, kinds[0], 2, sameFakes(envtest.FakeConfig{Available: keys}), Config{})
	m, err := NewMasks(inner, MasksConfig{})
	require.NoError(t, err)
	assert.Equal(t, 2, m.Layout().N())
	b, err := m.Reset(t.Context(), env.ResetOptions{})
	require.NoError(t, err)
	assert.Equal(t, []bool{true, true, true, true}, b.Mask)
	acts := make([]arc.Action, 2)
	require.NoError(t, m.Actions(acts, []int{1, 0}))
	assert.Equal(t, []arc.Action{{ID: arc.Action4}, {ID: arc.Action2}}, acts)
	_, err = NewMasks(inner, MasksConfig{Layout: spaces.Compact(0)})
	assert.Error(t, err)
}
