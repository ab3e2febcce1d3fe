package vector

import (
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
// in every sub-environment gives the same observations as a FrameStack over
// plain ones, and an action-masking wrapper's masks come out of
// Batch.Masks.
func TestWrappedSubEnvs(t *testing.T) {
	const n, k = 3, 4
	cfg := envtest.FakeConfig{Levels: 2, Budget: 6}
	wrapped := func(int) (env.Env, error) {
		g, err := env.New(envtest.NewFake(cfg))
		if err != nil {
			return nil, err
		}
		m, err := wrappers.NewActionMask(g, wrappers.ActionMaskConfig{Cells: wrappers.NonBackground})
		if err != nil {
			return nil, err
		}
		return wrappers.NewFrameStack(m, k, wrappers.FrameStackConfig{})
	}
	for _, kd := range kinds[:2] {
		t.Run(kd.name, func(t *testing.T) {
			wv := newVec(t, kd, n, wrapped, Config{})
			pv := newVec(t, kd, n, sameFakes(cfg), Config{})
			assert.Equal(t, []int{k, 64, 64}, wv.Metadata().ObsShape)
			fs, err := NewFrameStack(n, k, pv.Metadata().ObsShape)
			require.NoError(t, err)
			var masks []bool
			compare := func(wb, pb *Batch) {
				t.Helper()
				require.NoError(t, wb.Err())
				require.NoError(t, pb.Err())
				stacked, _, err := fs.Update(pb)
				require.NoError(t, err)
				require.Equal(t, []int{n, k, 64, 64}, wb.Obs.Shape)
				require.Equal(t, stacked.Data, wb.Obs.Data)
				masks = wb.Masks(masks)
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
		})
	}
}
