package vector

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/env/envtest"
	"github.com/arcgym/arcgym/tensor"
)

// history is the naive model of frame stacking: every episode's
// observations, the stack being the last k, padded with the first.
type history [][]uint8

func (h history) stack(k int) []uint8 {
	var out []uint8
	for j := range k {
		idx := max(0, len(h)-k+j)
		out = append(out, h[idx]...)
	}
	return out
}

func TestFrameStack(t *testing.T) {
	const k, n = 3, 3
	for _, mode := range []AutoresetMode{NextStep, SameStep} {
		t.Run(mode.String(), func(t *testing.T) {
			v := newVec(t, kinds[1], n, sameFakes(envtest.FakeConfig{Levels: 2, Budget: 4}), Config{Autoreset: mode})
			fs, err := newStacker(n, k, v.Metadata().ObsShape)
			require.NoError(t, err)
			hist := make([]history, n)
			check := func(b *Batch) {
				t.Helper()
				obs, final, err := fs.update(b)
				require.NoError(t, err)
				require.Equal(t, []int{n, k, 64, 64}, obs.Shape)
				for r, i := range b.EnvIDs {
					if b.HasFinal != nil && b.HasFinal[r] {
						hist[i] = append(hist[i], slices.Clone(row(b.FinalObs, r)))
						require.Equal(t, hist[i].stack(k), final.Index(r).Data, "final stack of env %d", i)
					}
					if b.First[r] {
						hist[i] = nil
					}
					hist[i] = append(hist[i], slices.Clone(row(b.Obs, r)))
					require.Equal(t, hist[i].stack(k), obs.Index(r).Data, "stack of env %d", i)
				}
			}
			b, err := v.Reset(t.Context(), env.WithSeed(7))
			require.NoError(t, err)
			check(b)
			obs, _, _ := fs.update(b)
			first := obs.Index(0)
			assert.Equal(t, first.Index(0).Data, first.Index(k-1).Data, "a reset pads with the first frame")
			check(b)
			acts := make([]arc.Action, n)
			ends := 0
			for s := range 14 {
				for i := range acts {
					acts[i] = arc.Click((s*7+i)%64, (s*3+i*5)%64)
					if (s+i)%5 == 4 {
						acts[i] = arc.Simple(arc.Action1)
					}
				}
				b, err := v.Step(t.Context(), acts)
				require.NoError(t, err)
				require.NoError(t, b.Err())
				for r := range b.Len() {
					if b.Done(r) {
						ends++
					}
				}
				check(b)
			}
			assert.Positive(t, ends, "episodes ended along the way")
		})
	}
}

func TestFrameStackRecvRows(t *testing.T) {
	const k = 2
	a := newAsync(t, 4, sameFakes(envtest.FakeConfig{}), Config{BatchSize: 2})
	fs, err := newStacker(4, k, []int{64, 64})
	require.NoError(t, err)
	require.NoError(t, a.SendReset(t.Context(), nil, env.WithSeed(1)))
	last := make(map[int][]uint8)
	for s := range 10 {
		b, err := a.Recv(t.Context())
		require.NoError(t, err)
		obs, _, err := fs.update(b)
		require.NoError(t, err)
		require.Equal(t, []int{2, k, 64, 64}, obs.Shape)
		for r, i := range b.EnvIDs {
			cur := row(b.Obs, r)
			prev, ok := last[i]
			if !ok {
				prev = cur
			}
			assert.Equal(t, prev, obs.Index(r).Index(0).Data, "older frame of env %d", i)
			assert.Equal(t, cur, obs.Index(r).Index(1).Data, "newer frame of env %d", i)
			last[i] = slices.Clone(cur)
		}
		require.NoError(t, a.Send(t.Context(), b.EnvIDs, repeat(arc.Click(s, s), 2)))
	}
}

func TestFrameStackErrors(t *testing.T) {
	_, err := newStacker(0, 2, []int{64, 64})
	assert.Error(t, err)
	_, err = newStacker(2, 0, []int{64, 64})
	assert.Error(t, err)
	_, err = newStacker(2, 2, nil)
	assert.Error(t, err)
	fs, err := newStacker(2, 2, []int{4})
	require.NoError(t, err)
	b := &Batch{EnvIDs: []int{0}, Obs: tensor.New[uint8](1, 5), First: []bool{true}, Errs: []error{nil}}
	_, _, err = fs.update(b)
	assert.ErrorIs(t, err, ErrShape)
	b = &Batch{EnvIDs: []int{2}, Obs: tensor.New[uint8](1, 4), First: []bool{true}, Errs: []error{nil}}
	_, _, err = fs.update(b)
	assert.Error(t, err)
}

func TestFrameStackAllocs(t *testing.T) {
	v := newVec(t, kinds[0], 4, sameFakes(envtest.FakeConfig{}), Config{})
	fs, err := newStacker(4, 4, []int{arc.GridSize, arc.GridSize})
	require.NoError(t, err)
	b, err := v.Reset(t.Context(), env.ResetOptions{})
	require.NoError(t, err)
	assert.Zero(t, testing.AllocsPerRun(20, func() { _, _, _ = fs.update(b) }))
}

// Rows that ResetMask leaves out are idle: their stacks must not grow by a
// repeat of their last observation.
func TestFrameStackSkipsIdleRows(t *testing.T) {
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			const depth = 3
			v := newVec(t, k, 2, sameFakes(envtest.FakeConfig{}), Config{Autoreset: Disabled})
			fs, err := newStacker(2, depth, v.Metadata().ObsShape)
			require.NoError(t, err)
			b, err := v.Reset(t.Context(), env.WithSeed(1))
			require.NoError(t, err)
			assert.Equal(t, []bool{false, false}, b.Idle)
			_, _, err = fs.update(b)
			require.NoError(t, err)
			b, err = v.Step(t.Context(), []arc.Action{arc.Click(1, 1), arc.Click(2, 2)})
			require.NoError(t, err)
			obs, _, err := fs.update(b)
			require.NoError(t, err)
			before := slices.Clone(obs.Index(1).Data)

			b, err = v.ResetMask(t.Context(), []bool{true, false}, env.ResetOptions{})
			require.NoError(t, err)
			require.NoError(t, b.Err())
			assert.Equal(t, []bool{false, true}, b.Idle)
			obs, _, err = fs.update(b)
			require.NoError(t, err)
			assert.True(t, slices.Equal(before, obs.Index(1).Data), "the idle row's stack is unchanged")
			first := obs.Index(0)
			assert.True(t, slices.Equal(first.Index(0).Data, first.Index(depth-1).Data), "the reset row is padded")

			b, err = v.Step(t.Context(), []arc.Action{arc.Click(3, 3), arc.Click(4, 4)})
			require.NoError(t, err)
			assert.Equal(t, []bool{false, false}, b.Idle, "a step runs every row")
		})
	}
}

// Recv rows are never idle, even after a ResetMask left some out.
func TestRecvRowsAreNotIdle(t *testing.T) {
	a := newAsync(t, 2, sameFakes(envtest.FakeConfig{}), Config{})
	_, err := a.Reset(t.Context(), env.ResetOptions{})
	require.NoError(t, err)
	b, err := a.ResetMask(t.Context(), []bool{false, true}, env.ResetOptions{})
	require.NoError(t, err)
	require.Equal(t, []bool{true, false}, b.Idle)
	require.NoError(t, a.Send(t.Context(), nil, repeat(arc.Click(1, 1), 2)))
	b, err = a.Recv(t.Context())
	require.NoError(t, err)
	assert.Equal(t, []bool{false, false}, b.Idle)
}
