package vector

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/env/envtest"
	"github.com/arcgym/arcgym/spaces"
)

// A list of seeds seeds each sub-environment with its own, through the
// vector wrappers (Gymnasium's reset(seed=[...])): each row is what a
// single game reset with that seed shows, and a later unseeded reset does
// not reuse the list.
func TestResetSeeds(t *testing.T) {
	cfg := envtest.FakeConfig{Levels: 3}
	for _, kd := range kinds[:2] {
		inner := newVec(t, kd, 3, sameFakes(cfg), Config{})
		v, err := Wrap(inner, EpisodeStatsConfig{})
		require.NoError(t, err)
		seeds := []int64{40, 7, 1234}
		b, err := ResetSeeds(t.Context(), v, seeds)
		require.NoError(t, err)
		for r, s := range seeds {
			ref := newReference(t, cfg, s)
			assert.Equal(t, ref.g.Last().Frames, b.Infos[r].Frames.Data, "row %d seed %d", r, s)
		}
		b, err = v.Reset(t.Context(), env.WithSeed(100))
		require.NoError(t, err)
		ref := newReference(t, cfg, 102)
		assert.Equal(t, ref.g.Last().Frames, b.Infos[2].Frames.Data, "seed 100+2 after the list")
		_, err = ResetSeeds(t.Context(), v, seeds[:2])
		assert.ErrorContains(t, err, "2 seeds for 3")
	}
}

// The batched spaces: one ARC action space per sub-environment, sampled
// under compact masks; the observation space with a leading NumEnvs.
func TestBatchedSpaces(t *testing.T) {
	keys := arc.ActionSetOf(arc.Action1, arc.Action2, arc.Action6)
	v, err := Wrap(newVec(t, kinds[0], 3, sameFakes(envtest.FakeConfig{Available: keys}), Config{}), MasksConfig{}, FrameStackConfig{Depth: 2})
	require.NoError(t, err)
	obs, err := ObservationSpaceOf(v)
	require.NoError(t, err)
	assert.Equal(t, []int{3, 2, 64, 64}, obs.Shape())
	as, err := ActionSpaceOf(v)
	require.NoError(t, err)
	require.Equal(t, 3, as.Len())
	b, err := v.Reset(t.Context(), env.ResetOptions{})
	require.NoError(t, err)
	l := b.Layout
	require.Equal(t, 2+arc.FrameCells, l.N())

	masks := make([]bool, 3*l.N())
	masks[l.Index(arc.Simple(arc.Action2))] = true // row 0: ACTION2 only
	masks[l.N()+l.Index(arc.Click(5, 6))] = true   // row 1: one cell
	copy(masks[2*l.N():], b.Mask[2*l.N():])        // row 2: anything
	acts := make([]arc.Action, 3)
	as.Seed(3)
	seen := map[arc.ActionID]int{}
	for range 300 {
		require.NoError(t, as.Sample(acts, masks, l))
		assert.Equal(t, arc.Simple(arc.Action2), acts[0])
		assert.Equal(t, arc.Click(5, 6), acts[1])
		require.True(t, as.Contains(acts))
		seen[acts[2].ID]++
	}
	assert.Len(t, seen, 3, "row 2 draws every id: %v", seen)
	again := make([]arc.Action, 3)
	as.Seed(3)
	require.NoError(t, as.Sample(again, masks, l))
	as.Seed(3)
	require.NoError(t, as.Sample(acts, masks, l))
	assert.Equal(t, acts, again, "seeded draws repeat")

	require.NoError(t, as.Sample(acts, nil, nil))
	assert.True(t, as.Contains(acts))
	clear(masks[:l.N()])
	assert.ErrorIs(t, as.Sample(acts, masks, l), spaces.ErrInvalidMask)
	assert.ErrorIs(t, as.Sample(acts, masks[:5], l), spaces.ErrInvalidMask)
	assert.False(t, as.Contains(acts[:2]))
}
