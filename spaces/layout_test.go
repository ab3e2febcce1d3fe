package spaces_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/spaces"
)

func TestFullLayoutIsFlatten(t *testing.T) {
	require.Equal(t, spaces.FlatSize, spaces.Full.N())
	for i := range spaces.FlatSize {
		a, ok := spaces.Full.Action(i)
		require.True(t, ok, i)
		want, _ := spaces.Unflatten(i)
		require.Equal(t, want, a, i)
		require.Equal(t, i, spaces.Full.Index(a))
	}
	_, ok := spaces.Full.Action(spaces.FlatSize)
	assert.False(t, ok)
	_, ok = spaces.Full.Action(-1)
	assert.False(t, ok)
}

func TestCompactLayout(t *testing.T) {
	keys := spaces.Compact(arc.ActionSetOf(arc.Reset, arc.Action4, arc.Action1, arc.Action2, arc.Action7))
	assert.Equal(t, 4, keys.N(), "RESET is never an index")
	assert.False(t, keys.Click())
	for i, id := range []arc.ActionID{arc.Action1, arc.Action2, arc.Action4, arc.Action7} {
		a, ok := keys.Action(i)
		require.True(t, ok)
		assert.Equal(t, arc.Action{ID: id}, a)
		assert.Equal(t, i, keys.Index(a))
	}
	assert.Equal(t, -1, keys.Index(arc.Action{ID: arc.Action3}))
	assert.Equal(t, -1, keys.Index(arc.Click(1, 1)))
	assert.Equal(t, -1, keys.Index(arc.Action{ID: arc.Reset}))

	clicks := spaces.Compact(arc.ActionSetOf(arc.Action6))
	require.Equal(t, arc.FrameCells, clicks.N())
	a, ok := clicks.Action(5*64 + 3)
	require.True(t, ok)
	assert.Equal(t, arc.Click(3, 5), a)
	assert.Equal(t, 5*64+3, clicks.Index(arc.Click(3, 5)))
	assert.Equal(t, -1, clicks.Index(arc.Action{ID: arc.Action6, X: 64}))

	both := spaces.Compact(arc.ActionSetOf(arc.Action5, arc.Action6))
	require.Equal(t, 1+arc.FrameCells, both.N())
	for i := range both.N() {
		a, ok := both.Action(i)
		require.True(t, ok)
		require.Equal(t, i, both.Index(a))
	}
}

func TestLayoutConversions(t *testing.T) {
	l := spaces.Compact(arc.ActionSetOf(arc.Action2, arc.Action3, arc.Action6))
	acts := make([]arc.Action, 3)
	require.NoError(t, l.Actions(acts, []int{1, 0, 2 + 64 + 2}))
	assert.Equal(t, []arc.Action{{ID: arc.Action3}, {ID: arc.Action2}, arc.Click(2, 1)}, acts)
	idx := make([]int, 3)
	require.NoError(t, l.Indices(idx, acts))
	assert.Equal(t, []int{1, 0, 68}, idx)

	assert.ErrorIs(t, l.Actions(acts, []int{0, l.N(), 0}), arc.ErrInvalidAction)
	assert.ErrorIs(t, l.Indices(idx, []arc.Action{{ID: arc.Action1}, {ID: arc.Action2}, {ID: arc.Action2}}), arc.ErrInvalidAction)
	assert.Error(t, l.Actions(acts[:2], idx), "fixed length")
	assert.Error(t, l.Indices(idx, acts[:1]), "fixed length")
	assert.Zero(t, testing.AllocsPerRun(20, func() {
		_ = l.Actions(acts, idx)
		_ = l.Indices(idx, acts)
	}))
}

func TestLayoutMasks(t *testing.T) {
	for _, set := range []arc.ActionSet{
		arc.ActionSetOf(arc.Action1, arc.Action2, arc.Action3, arc.Action4),
		arc.ActionSetOf(arc.Action6),
		arc.ActionSetOf(arc.Action1, arc.Action6, arc.Action7),
	} {
		l := spaces.Compact(set)
		for _, avail := range []arc.ActionSet{set, arc.ActionSetOf(arc.Action1), arc.ActionSetOf(arc.Action6, arc.Action3)} {
			flat := make([]bool, spaces.FlatSize)
			spaces.AvailableMask(flat, avail)
			got := make([]bool, l.N())
			require.NoError(t, l.Mask(got, avail))
			fromFlat := make([]bool, l.N())
			require.NoError(t, l.FromFlat(fromFlat, flat))
			assert.Equal(t, got, fromFlat, "%v over %v", l, avail)
			back := make([]bool, spaces.FlatSize)
			require.NoError(t, l.ToFlat(back, got))
			for i, m := range back {
				a, _ := spaces.Unflatten(i)
				require.Equal(t, l.Index(a) >= 0 && avail.Has(a.ID), m, "%v flat %d", l, i)
			}
			for i, m := range got {
				a, _ := l.Action(i)
				require.Equal(t, avail.Has(a.ID), m, "%v index %d", l, i)
			}
		}
		assert.ErrorIs(t, l.Mask(make([]bool, l.N()+1), set), spaces.ErrInvalidMask)
		assert.ErrorIs(t, l.FromFlat(make([]bool, l.N()), make([]bool, 5)), spaces.ErrInvalidMask)
		assert.ErrorIs(t, l.ToFlat(make([]bool, spaces.FlatSize), make([]bool, l.N()+1)), spaces.ErrInvalidMask)
	}
	// A wrapper's flat mask that rules out single cells carries over.
	l := spaces.Compact(arc.ActionSetOf(arc.Action6))
	flat := make([]bool, spaces.FlatSize)
	flat[spaces.Flatten(arc.Click(7, 9))] = true
	got := make([]bool, l.N())
	require.NoError(t, l.FromFlat(got, flat))
	for i, m := range got {
		assert.Equal(t, i == 9*64+7, m)
	}
}
