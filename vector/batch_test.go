package vector

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/env/envtest"
	"github.com/arcgym/arcgym/spaces"
	"github.com/arcgym/arcgym/wrappers"
)

func TestMasks(t *testing.T) {
	keys := arc.ActionSetOf(arc.Action1, arc.Action3)
	clicks := arc.ActionSetOf(arc.Action6, arc.Action7)
	f := fakes(func(i int) envtest.FakeConfig {
		if i == 0 {
			return envtest.FakeConfig{Available: keys}
		}
		return envtest.FakeConfig{Available: clicks}
	})
	v := newVec(t, kinds[0], 3, f, Config{})
	b, err := v.Reset(t.Context(), env.ResetOptions{})
	require.NoError(t, err)
	// Row 2 carries a wrapper's mask allowing one cell only.
	custom := make([]bool, spaces.FlatSize)
	custom[spaces.Flatten(arc.Click(9, 4))] = true
	b.Infos[2].Mask = custom

	masks := b.Masks(nil, nil)
	require.Len(t, masks, 3*spaces.FlatSize)
	for r, tt := range []struct {
		allowed func(arc.Action) bool
	}{
		{func(a arc.Action) bool { return keys.Has(a.ID) }},
		{func(a arc.Action) bool { return clicks.Has(a.ID) }},
		{func(a arc.Action) bool { return a.ID == arc.Action6 && a.X == 9 && a.Y == 4 }},
	} {
		for i := range spaces.FlatSize {
			a, _ := spaces.Unflatten(i)
			require.Equal(t, tt.allowed(a), masks[r*spaces.FlatSize+i], "row %d flat %d (%v)", r, i, a)
		}
	}
	again := b.Masks(masks, spaces.Full)
	assert.Same(t, &masks[0], &again[0], "the buffer is reused")
	assert.Zero(t, testing.AllocsPerRun(10, func() { masks = b.Masks(masks, nil) }))

	// In a compact layout, each row holds that layout's part of the same
	// masks: a policy over the keys and the clicks has 2+4096 logits.
	l := spaces.Compact(keys | clicks)
	compact := b.Masks(nil, l)
	require.Len(t, compact, 3*l.N())
	for r := range 3 {
		for i := range l.N() {
			a, _ := l.Action(i)
			require.Equal(t, masks[r*spaces.FlatSize+spaces.Flatten(a)], compact[r*l.N()+i], "row %d index %d (%v)", r, i, a)
		}
	}
	assert.Zero(t, testing.AllocsPerRun(10, func() { compact = b.Masks(compact, l) }))
}

func TestBatchErr(t *testing.T) {
	b := &Batch{Errs: []error{nil, nil}}
	assert.False(t, b.Failed())
	assert.NoError(t, b.Err())
	boom := errors.New("boom")
	b.Errs[1] = &EnvError{Env: 1, Op: "step", Err: boom}
	assert.True(t, b.Failed())
	assert.ErrorIs(t, b.Err(), boom)
	assert.EqualError(t, b.Errs[1], "vector: env 1 step: boom")
}

func TestConfigValidation(t *testing.T) {
	f := sameFakes(envtest.FakeConfig{})
	tests := []struct {
		name string
		n    int
		f    Factory
		cfg  Config
	}{
		{"no envs", 0, f, Config{}},
		{"nil factory", 2, nil, Config{}},
		{"unknown mode", 2, f, Config{Autoreset: 7}},
		{"negative workers", 2, f, Config{Workers: -1}},
		{"batch too big", 2, f, Config{BatchSize: 3}},
		{"negative timeout", 2, f, Config{Timeout: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewSync(t.Context(), tt.n, tt.f, tt.cfg)
			assert.Error(t, err)
			_, err = NewAsync(t.Context(), tt.n, tt.f, tt.cfg)
			assert.Error(t, err)
		})
	}
}

func TestFactoryFailureClosesMadeEnvs(t *testing.T) {
	checkNoLeak(t)
	var made []*envtest.Fake
	boom := errors.New("no server")
	f := func(_ context.Context, i int) (env.Env, error) {
		if i == 2 {
			return nil, boom
		}
		fk := envtest.NewFake(envtest.FakeConfig{})
		made = append(made, fk)
		return env.New(fk, env.Config{})
	}
	_, err := NewSync(t.Context(), 4, f, Config{})
	require.ErrorIs(t, err, boom)
	assert.ErrorContains(t, err, "env 2")
	require.Len(t, made, 3)
	for _, fk := range made {
		assert.Error(t, fk.Do(t.Context(), arc.Simple(arc.Reset), new(arc.FrameData)), "closed")
	}
	_, err = NewSync(t.Context(), 2, func(context.Context, int) (env.Env, error) { return nil, nil }, Config{})
	assert.Error(t, err)
}

func TestMetadata(t *testing.T) {
	s := newVec(t, kinds[0], 3, sameFakes(envtest.FakeConfig{}), Config{Autoreset: SameStep})
	assert.Equal(t, Metadata{Autoreset: SameStep, NumEnvs: 3, BatchSize: 3, ObsShape: []int{64, 64}}, s.Metadata())
	a := newVec(t, kinds[1], 3, sameFakes(envtest.FakeConfig{}), Config{Workers: 2, BatchSize: 1})
	assert.Equal(t, Metadata{NumEnvs: 3, BatchSize: 1, Workers: 2, ObsShape: []int{64, 64}}, a.Metadata())
	assert.Equal(t, []int{64, 64}, s.(*Sync).SingleObservationSpace().Shape())
	assert.True(t, s.(*Sync).SingleActionSpace().Contains(arc.Click(1, 1)))
	assert.True(t, a.(*Async).SingleActionSpace().Contains(arc.Simple(arc.Action1)))
	assert.Equal(t, []int{64, 64}, a.(*Async).SingleObservationSpace().Shape())
}

func TestWrongLengths(t *testing.T) {
	for _, k := range kinds {
		v := newVec(t, k, 2, sameFakes(envtest.FakeConfig{}), Config{})
		_, err := v.Step(t.Context(), repeat(arc.Simple(arc.Action1), 3))
		assert.Error(t, err, k.name)
		_, err = v.ResetMask(t.Context(), []bool{true}, env.ResetOptions{})
		assert.Error(t, err, k.name)
		require.NoError(t, v.Close())
		_, err = v.Reset(t.Context(), env.ResetOptions{})
		assert.ErrorIs(t, err, env.ErrClosed, k.name)
	}
}

func TestNilContext(t *testing.T) {
	for _, k := range kinds {
		v := newVec(t, k, 2, sameFakes(envtest.FakeConfig{}), Config{})
		_, err := v.Reset(nil, env.ResetOptions{})
		assert.Error(t, err, k.name)
		_, err = v.Step(nil, repeat(arc.Simple(arc.Action3), 2))
		assert.Error(t, err, k.name)
		if a, ok := v.(*Async); ok {
			assert.Error(t, a.Send(nil, nil, repeat(arc.Simple(arc.Action3), 2)))
			assert.Error(t, a.SendReset(nil, nil, env.ResetOptions{}))
			require.NoError(t, a.SendReset(t.Context(), nil, env.ResetOptions{}))
			_, err = a.Recv(nil)
			assert.Error(t, err, "Recv with a nil context fails instead of panicking")
			_, err = a.Recv(t.Context())
			assert.NoError(t, err)
		}
	}
}

// A cloned Batch keeps its rows through later calls, infos included, and
// CopyInto reuses a clone's storage without allocating.
func TestBatchClone(t *testing.T) {
	const n = 3
	cfg := envtest.FakeConfig{Levels: 2, Budget: 3}
	wrapped := func(context.Context, int) (env.Env, error) {
		g, err := env.New(envtest.NewFake(cfg), env.Config{})
		if err != nil {
			return nil, err
		}
		m, err := wrappers.NewActionMask(g, wrappers.ActionMaskConfig{})
		if err != nil {
			return nil, err
		}
		return wrappers.NewEpisodeStats(m, wrappers.EpisodeStatsConfig{})
	}
	for _, kd := range kinds {
		t.Run(kd.name, func(t *testing.T) {
			v := newVec(t, kd, n, wrapped, Config{Autoreset: SameStep})
			b, err := v.Reset(t.Context(), env.ResetOptions{})
			require.NoError(t, err)
			var keep *Batch
			ended := false
			for s := 0; s < 10 && !ended; s++ {
				b, err = v.Step(t.Context(), repeat(arc.Simple(arc.Action1), n))
				require.NoError(t, err)
				require.NoError(t, b.Err())
				ended = b.HasFinal[0]
			}
			require.True(t, ended, "an episode ended within the budget")
			require.NotNil(t, b.FinalInfos[0].Episode)
			require.NotNil(t, b.Infos[0].Mask)

			keep = b.Clone()
			want := snapshot(b)
			assert.Equal(t, want, snapshot(keep), "a clone equals its batch")
			assert.NotSame(t, &b.Obs.Data[0], &keep.Obs.Data[0])
			assert.NotSame(t, &b.Infos[0].Mask[0], &keep.Infos[0].Mask[0])
			assert.NotSame(t, b.FinalInfos[0].Episode, keep.FinalInfos[0].Episode)
			// A single frame per step is the row's observation, in the
			// clone as in the batch.
			assert.Same(t, &keep.Obs.Data[0], &keep.Infos[0].Frames.Data[0])

			// Later calls overwrite the batch, not the clone.
			for range 3 {
				_, err = v.Step(t.Context(), repeat(arc.Simple(arc.Action2), n))
				require.NoError(t, err)
			}
			assert.Equal(t, want, snapshot(keep))

			b, err = v.Step(t.Context(), repeat(arc.Simple(arc.Action1), n))
			require.NoError(t, err)
			again := b.CopyInto(keep)
			assert.Same(t, keep, again, "a clone's storage is reused")
			assert.Equal(t, snapshot(b), snapshot(keep))
			assert.Zero(t, testing.AllocsPerRun(10, func() { b.CopyInto(keep) }))

			// A vector env's own Batch is not written into.
			before := snapshot(b)
			other := keep.CopyInto(b)
			assert.NotSame(t, b, other)
			assert.Equal(t, before, snapshot(b))
		})
	}
}

// snapshot is a deep copy of b's exported contents, for comparisons.
type batchSnapshot struct {
	EnvIDs                       []int
	Obs, FinalObs                []uint8
	ObsShape                     []int
	Rewards                      []float64
	Terminated, Truncated, First []bool
	Idle, HasFinal               []bool
	Errs                         []error
	Infos, FinalInfos            []env.Info
	Frames, FinalFrames          [][]uint8
	Masks                        [][]bool
	Episodes, FinalEpisodes      []env.EpisodeStats
}

func snapshot(b *Batch) batchSnapshot {
	s := batchSnapshot{
		EnvIDs: slices.Clone(b.EnvIDs), Obs: slices.Clone(b.Obs.Data), FinalObs: slices.Clone(b.FinalObs.Data),
		ObsShape: slices.Clone(b.Obs.Shape), Rewards: slices.Clone(b.Rewards),
		Terminated: slices.Clone(b.Terminated), Truncated: slices.Clone(b.Truncated), First: slices.Clone(b.First),
		Idle: slices.Clone(b.Idle), HasFinal: slices.Clone(b.HasFinal), Errs: slices.Clone(b.Errs),
	}
	deep := func(infos []env.Info, frames *[][]uint8, eps *[]env.EpisodeStats, masks *[][]bool) []env.Info {
		out := make([]env.Info, len(infos))
		for r, in := range infos {
			*frames = append(*frames, slices.Clone(in.Frames.Data))
			if masks != nil {
				*masks = append(*masks, slices.Clone(in.Mask))
			}
			var ep env.EpisodeStats
			if in.Episode != nil {
				ep = *in.Episode
			}
			*eps = append(*eps, ep)
			in.Frames.Data, in.Mask, in.Episode = nil, nil, nil
			in.Frames.Shape = slices.Clone(in.Frames.Shape)
			out[r] = in
		}
		return out
	}
	s.Infos = deep(b.Infos, &s.Frames, &s.Episodes, &s.Masks)
	s.FinalInfos = deep(b.FinalInfos, &s.FinalFrames, &s.FinalEpisodes, nil)
	return s
}
