package vector

import (
	"testing"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/env/envtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Steps of several frames keep their frames in the rows' infos, equal to
// those of the same game stepped by hand, for as long as the batch is
// valid: in every autoreset mode, through Step and through Recv, whether
// the batch shares them with the sub-environments or copies them, and
// whether the games write their frames into the batch rows (in place) or
// not.
func TestMultiFrameInfos(t *testing.T) {
	const n, steps = 3, 40
	for _, tc := range []struct {
		name string
		cfg  envtest.FakeConfig
	}{
		{"copied", envtest.FakeConfig{FramesPerAction: 3, Levels: 2}},
		{"in-place", envtest.FakeConfig{FramesPerAction: 3, Levels: 2, InPlace: true}},
		{"in-place-one-frame", envtest.FakeConfig{Levels: 2, InPlace: true}},
	} {
		for _, mode := range []AutoresetMode{NextStep, SameStep} {
			for _, k := range kinds {
				t.Run(tc.name+"/"+mode.String()+"/"+k.name, func(t *testing.T) {
					testMultiFrameInfos(t, k, tc.cfg, mode, n, steps)
				})
			}
		}
	}
}

func testMultiFrameInfos(t *testing.T, k kind, cfg envtest.FakeConfig, mode AutoresetMode, n, steps int) {
	v := newVec(t, k, n, sameFakes(cfg), Config{Autoreset: mode})
	refs := make([]*reference, n)
	for i := range refs {
		refs[i] = newReference(t, cfg, 7+int64(i))
	}
	_, err := v.Reset(t.Context(), env.WithSeed(7))
	require.NoError(t, err)
	pending := make([]bool, n)
	ends := 0
	for s := range steps {
		acts := make([]arc.Action, n)
		for i := range acts {
			acts[i] = arc.Click((s+i)%64, s%64)
			if (s+i)%9 == 8 {
				acts[i] = arc.Simple(arc.Action1) // wins a level
			}
		}
		b, err := v.Step(t.Context(), acts)
		require.NoError(t, err)
		require.NoError(t, b.Err())
		for i, r := range refs {
			if pending[i] {
				r.reset(t)
				pending[i] = false
				require.True(t, b.First[i])
				continue
			}
			st := r.step(t, acts[i])
			frames := st.Info.Frames
			if st.Done() {
				ends++
			}
			if mode == SameStep && st.Done() {
				require.True(t, b.HasFinal[i])
				assert.Equal(t, frames.Shape, b.FinalInfos[i].Frames.Shape, "step %d env %d", s, i)
				assert.Equal(t, frames.Data, b.FinalInfos[i].Frames.Data, "step %d env %d", s, i)
				assert.Equal(t, st.Obs.Grid.Data, row(b.FinalObs, i), "step %d env %d", s, i)
				r.reset(t)
				assert.Equal(t, r.g.Last().Frames, b.Infos[i].Frames.Data, "step %d env %d", s, i)
				assert.Equal(t, r.g.Last().Last(), row(b.Obs, i), "step %d env %d", s, i)
				continue
			}
			assert.Equal(t, frames.Shape, b.Infos[i].Frames.Shape, "step %d env %d", s, i)
			assert.Equal(t, frames.Data, b.Infos[i].Frames.Data, "step %d env %d", s, i)
			assert.Equal(t, st.Obs.Grid.Data, row(b.Obs, i), "step %d env %d", s, i)
			pending[i] = st.Done() && mode == NextStep
		}
	}
	assert.Positive(t, ends, "episodes ended and were reset")
}

// Over games that write their results in place, the batch rows are where
// the games write their frames: no copy between them. A replacement takes
// over the row and the replaced game lets go of it.
func TestRowsAreTheGamesFrames(t *testing.T) {
	cfg := envtest.FakeConfig{InPlace: true}
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			v := newVec(t, k, 3, sameFakes(cfg), Config{})
			b, err := v.Reset(t.Context(), env.ResetOptions{})
			require.NoError(t, err)
			b, err = v.Step(t.Context(), repeat(arc.Click(2, 3), 3))
			require.NoError(t, err)
			require.NoError(t, b.Err())
			subs := v.(interface{ Sub(int) env.Env })
			for i := range 3 {
				last := subs.Sub(i).(*env.Game).Last().Last()
				assert.Same(t, &row(b.Obs, i)[0], &last[0], "env %d", i)
			}
			old := subs.Sub(1).(*env.Game)
			fresh, err := sameFakes(cfg)(t.Context(), 1)
			require.NoError(t, err)
			require.NoError(t, v.(interface{ Replace(int, env.Env) error }).Replace(1, fresh))
			b, err = v.Step(t.Context(), repeat(arc.Click(4, 5), 3))
			require.NoError(t, err)
			require.NoError(t, b.Err())
			assert.True(t, b.First[1], "the replacement was reset in place of a step")
			last := fresh.(*env.Game).Last().Last()
			assert.Same(t, &row(b.Obs, 1)[0], &last[0])
			_, err = old.Step(t.Context(), arc.Click(1, 1))
			assert.ErrorIs(t, err, env.ErrClosed, "the replaced game is closed and writes no row")
		})
	}
}
