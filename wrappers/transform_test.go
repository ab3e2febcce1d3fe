package wrappers_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/env/envtest"
	"github.com/arcgym/arcgym/spaces"
	"github.com/arcgym/arcgym/tensor"
	"github.com/arcgym/arcgym/wrappers"
)

// Gymnasium's TransformObservation applies its function to the
// observations of reset and step alike, and reports the space it is given.
func TestTransformObservation(t *testing.T) {
	ctx := t.Context()
	space := spaces.NewBox(0, 1, spaces.Uint8, arc.GridSize, arc.GridSize)
	calls := 0
	buf := make([]uint8, arc.FrameCells)
	// Cells of colour 0 become 1, others 0, in a buffer of the function.
	zero := func(o env.Obs) (env.Obs, error) {
		calls++
		for i, c := range o.Grid.Data {
			buf[i] = 0
			if c == 0 {
				buf[i] = 1
			}
		}
		o.Grid = tensor.U8{Shape: o.Grid.Shape, Data: buf}
		return o, nil
	}
	w := must(wrappers.NewTransformObservation(newGame(t, envtest.FakeConfig{}), wrappers.TransformObservationConfig{Func: zero, Space: space}))
	assert.Same(t, space, w.ObservationSpace())
	obs, _, err := w.Reset(ctx, env.ResetOptions{})
	require.NoError(t, err)
	assert.True(t, space.Contains(obs.Grid))
	st, err := w.Step(ctx, arc.Click(3, 4))
	require.NoError(t, err)
	assert.True(t, space.Contains(st.Obs.Grid))
	assert.Equal(t, 2, calls)
	assert.Zero(t, st.Obs.Grid.Data[4*arc.GridSize+3], "the painted cell is not 0")

	boom := errors.New("boom")
	bad := must(wrappers.NewTransformObservation(newGame(t, envtest.FakeConfig{}), wrappers.TransformObservationConfig{
		Func: func(env.Obs) (env.Obs, error) { return env.Obs{}, boom },
	}))
	_, _, err = bad.Reset(ctx, env.ResetOptions{})
	assert.ErrorIs(t, err, boom)
	_, err = wrappers.NewTransformObservation(nil, wrappers.TransformObservationConfig{Func: zero})
	assert.Error(t, err)
}

// Gymnasium's TransformAction: the function's action is the one applied.
func TestTransformAction(t *testing.T) {
	ctx := t.Context()
	// Clicks land one cell to the right.
	shift := func(a arc.Action) (arc.Action, error) {
		if a.ID != arc.Action6 {
			return a, nil
		}
		if a.X+1 >= arc.GridSize {
			return a, errors.New("off the grid")
		}
		return arc.Click(int(a.X)+1, int(a.Y)), nil
	}
	w := must(wrappers.NewTransformAction(newGame(t, envtest.FakeConfig{}), wrappers.TransformActionConfig{Func: shift}))
	_, _, err := w.Reset(ctx, env.ResetOptions{})
	require.NoError(t, err)
	st, err := w.Step(ctx, arc.Click(3, 4))
	require.NoError(t, err)
	assert.Equal(t, arc.Click(4, 4), st.Info.Action)
	st, err = w.Step(ctx, arc.Simple(arc.Action3))
	require.NoError(t, err)
	assert.Equal(t, arc.Simple(arc.Action3), st.Info.Action)
	_, err = w.Step(ctx, arc.Click(63, 0))
	assert.ErrorContains(t, err, "off the grid")
	assert.NotNil(t, w.ActionSpace())
}

// A TransformAction keeps the ARC action space of the Env it wraps unless
// it is given another space, which env.ActionSpaceOf then reports as not
// an ARC one.
func TestTransformActionSpaceOf(t *testing.T) {
	id := func(a arc.Action) (arc.Action, error) { return a, nil }
	g := newGame(t, envtest.FakeConfig{})
	keep := must(wrappers.NewTransformAction(g, wrappers.TransformActionConfig{Func: id}))
	space, ok := env.ActionSpaceOf(keep)
	require.True(t, ok)
	assert.Same(t, g.ActionSpace(), space)

	clicks := spaces.NewAction(arc.ActionSetOf(arc.Action6))
	narrowed := must(wrappers.NewTransformAction(g, wrappers.TransformActionConfig{Func: id, Space: clicks}))
	space, ok = env.ActionSpaceOf(narrowed)
	require.True(t, ok)
	assert.Same(t, clicks, space)

	other := must(wrappers.NewTransformAction(g, wrappers.TransformActionConfig{Func: id, Space: spaces.NewDiscrete(5, 0)}))
	space, ok = env.ActionSpaceOf(other)
	assert.False(t, ok)
	assert.Nil(t, space)
}
