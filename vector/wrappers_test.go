package vector

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/env/envtest"
	"github.com/arcgym/arcgym/spaces"
	"github.com/arcgym/arcgym/wrappers"
)

// Wrapped sub-environments batch like plain ones: a frame-stacking wrapper
// in every sub-environment gives the same observations as a FrameStack
// vector wrapper over plain ones, and an action-masking wrapper's masks come
// out of the Masks vector wrapper.
func TestWrappedSubEnvs(t *testing.T) {
	const n, k = 3, 4
	cfg := envtest.FakeConfig{Levels: 2, Budget: 6}
	wrapped := func(context.Context, int) (env.Env, error) {
		g, err := env.New(envtest.NewFake(cfg), env.Config{})
		if err != nil {
			return nil, err
		}
		m, err := wrappers.NewActionMask(g, wrappers.ActionMaskConfig{Cells: wrappers.NonBackground})
		if err != nil {
			return nil, err
		}
		return wrappers.NewFrameStack(m, wrappers.FrameStackConfig{Depth: k})
	}
	for _, mode := range []AutoresetMode{NextStep, SameStep} {
		for _, kd := range kinds[:2] {
			t.Run(mode.String()+"/"+kd.name, func(t *testing.T) {
				testWrappedSubEnvs(t, kd, mode, n, k, cfg, wrapped)
			})
		}
	}
}

func testWrappedSubEnvs(t *testing.T, kd kind, mode AutoresetMode, n, k int, cfg envtest.FakeConfig, wrapped Factory) {
	wv, err := Wrap(newVec(t, kd, n, wrapped, Config{Autoreset: mode}), MasksConfig{Layout: spaces.Full})
	require.NoError(t, err)
	pv, err := Wrap(newVec(t, kd, n, sameFakes(cfg), Config{Autoreset: mode}), FrameStackConfig{Depth: k})
	require.NoError(t, err)
	assert.Equal(t, []int{k, 64, 64}, wv.Metadata().ObsShape)
	assert.Equal(t, []int{k, 64, 64}, pv.Metadata().ObsShape)
	assert.Equal(t, []int{k, 64, 64}, pv.SingleObservationSpace().Shape())
	var masks []bool
	ends := 0
	compare := func(wb, pb *Batch) {
		t.Helper()
		require.NoError(t, wb.Err())
		require.NoError(t, pb.Err())
		require.Equal(t, []int{n, k, 64, 64}, wb.Obs.Shape)
		require.Equal(t, []int{n, k, 64, 64}, pb.Obs.Shape)
		require.Equal(t, pb.Obs.Data, wb.Obs.Data)
		require.Equal(t, pb.First, wb.First)
		require.Equal(t, pb.HasFinal, wb.HasFinal)
		for r := range n {
			if wb.HasFinal != nil && wb.HasFinal[r] {
				ends++
				require.Equal(t, pb.FinalObs.Index(r).Data, wb.FinalObs.Index(r).Data, "final stack of row %d", r)
				require.Len(t, wb.FinalInfos[r].Mask, spaces.FlatSize)
			}
		}
		masks = wb.Mask
		require.Same(t, spaces.Full, wb.Layout)
		for r := range n {
			require.Len(t, wb.Infos[r].Mask, spaces.FlatSize)
			require.Equal(t, wb.Infos[r].Mask, masks[r*spaces.FlatSize:(r+1)*spaces.FlatSize])
		}
	}
	wb, err := wv.Reset(t.Context(), env.WithSeed(4))
	require.NoError(t, err)
	pb, err := pv.Reset(t.Context(), env.WithSeed(4))
	require.NoError(t, err)
	compare(wb, pb)
	acts := make([]arc.Action, n)
	for s := range 15 {
		// Click an allowed cell, picked from the batched masks.
		for i := range acts {
			var allowed []int
			for f, ok := range masks[i*spaces.FlatSize+spaces.FlatAction6 : (i+1)*spaces.FlatSize] {
				if ok {
					allowed = append(allowed, spaces.FlatAction6+f)
				}
			}
			acts[i] = arc.Simple(arc.Action3)
			if len(allowed) > 0 {
				acts[i], _ = spaces.Unflatten(allowed[(s*37+i)%len(allowed)])
			}
			if (s+i)%7 == 6 {
				acts[i] = arc.Simple(arc.Action1)
			}
		}
		wb, err := wv.Step(t.Context(), acts)
		require.NoError(t, err)
		pb, err := pv.Step(t.Context(), acts)
		require.NoError(t, err)
		compare(wb, pb)
	}
	if mode == SameStep {
		assert.Positive(t, ends, "episodes ended along the way")
	}
}
