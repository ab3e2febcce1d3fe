package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
)

func TestRandomAgentMasksUnavailableActions(t *testing.T) {
	tests := []arc.ActionSet{
		arc.ActionSetOf(arc.Action1, arc.Action2, arc.Action3, arc.Action4),
		arc.ActionSetOf(arc.Action6),
		arc.ActionSetOf(arc.Reset, arc.Action5, arc.Action7),
	}
	frame := make([]uint8, arc.FrameCells)
	for _, avail := range tests {
		t.Run(avail.String(), func(t *testing.T) {
			ag, err := newAgent("random")
			require.NoError(t, err)
			ag.begin(arc.GameInfo{}, 3)
			info := env.Info{Available: avail}
			seen := arc.ActionSet(0)
			for range 200 {
				a, ok := ag.act(frame, &info)
				require.True(t, ok)
				require.NoError(t, a.Validate())
				require.True(t, avail.Has(a.ID), "%v not in %v", a, avail)
				require.NotEqual(t, arc.Reset, a.ID)
				seen = seen.With(a.ID)
			}
			assert.Equal(t, avail&^arc.ActionSetOf(arc.Reset), seen, "every available action is drawn")
		})
	}
	ag, _ := newAgent("random")
	_, ok := ag.act(frame, &env.Info{Available: arc.ActionSetOf(arc.Reset)})
	assert.False(t, ok, "nothing to do without actions")
}

func TestExploreAgentPrefersUntriedActions(t *testing.T) {
	e := newExploreAgent()
	e.begin(arc.GameInfo{}, 1)
	frame := make([]uint8, arc.FrameCells)
	info := env.Info{Available: arc.ActionSetOf(arc.Action1, arc.Action2, arc.Action3, arc.Action4)}
	// A state where nothing changes: the four actions are tried once each
	// (the rare random choice aside) before any repeats.
	tried := map[arc.ActionID]int{}
	for range 4 {
		a, ok := e.act(frame, &info)
		require.True(t, ok)
		tried[a.ID]++
		e.observe(frame, &info)
	}
	assert.GreaterOrEqual(t, len(tried), 3)
}

func TestExploreAgentClicksOnObjects(t *testing.T) {
	e := newExploreAgent()
	e.begin(arc.GameInfo{}, 2)
	frame := make([]uint8, arc.FrameCells)
	for i := range frame {
		frame[i] = 5
	}
	objects := map[[2]int]bool{{10, 20}: true, {40, 41}: true}
	for c := range objects {
		frame[c[1]*arc.GridSize+c[0]] = 9
	}
	info := env.Info{Available: arc.ActionSetOf(arc.Action6)}
	for range 20 {
		a, ok := e.act(frame, &info)
		require.True(t, ok)
		require.Equal(t, arc.Action6, a.ID)
		assert.True(t, objects[[2]int{int(a.X), int(a.Y)}], "click %v is on the background", a)
	}
}

func TestExploreAgentDeterministic(t *testing.T) {
	play := func() []arc.Action {
		g, err := env.Make(t.Context(), "kw01", env.Config{})
		require.NoError(t, err)
		defer g.Close()
		obs, info, err := g.Reset(t.Context(), env.ResetOptions{})
		require.NoError(t, err)
		e := newExploreAgent()
		e.begin(g.GameInfo(), 42)
		var out []arc.Action
		for range 25 {
			a, ok := e.act(obs.Grid.Data, &info)
			require.True(t, ok)
			out = append(out, a)
			st, err := g.Step(t.Context(), a)
			require.NoError(t, err)
			if st.Done() {
				break
			}
			obs, info = st.Obs, st.Info
			e.observe(obs.Grid.Data, &info)
		}
		return out
	}
	assert.Equal(t, play(), play())
}
