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
// the batch shares them with the sub-environments or copies them.
func TestMultiFrameInfos(t *testing.T) {
	const n, steps = 3, 40
	cfg := envtest.FakeConfig{FramesPerAction: 3, Levels: 2}
	for _, mode := range []AutoresetMode{NextStep, SameStep} {
		for _, k := range kinds {
			t.Run(mode.String()+"/"+k.name, func(t *testing.T) {
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
							r.reset(t)
							assert.Equal(t, r.g.Last().Frames, b.Infos[i].Frames.Data, "step %d env %d", s, i)
							continue
						}
						assert.Equal(t, frames.Shape, b.Infos[i].Frames.Shape, "step %d env %d", s, i)
						assert.Equal(t, frames.Data, b.Infos[i].Frames.Data, "step %d env %d", s, i)
						pending[i] = st.Done() && mode == NextStep
					}
				}
				assert.Positive(t, ends, "episodes ended and were reset")
			})
		}
	}
}
