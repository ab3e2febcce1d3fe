package games_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/games"
)

// TestEnvMake runs every built-in game through env.Make, the path training
// code takes.
func TestEnvMake(t *testing.T) {
	for _, info := range games.List() {
		g, err := env.Make(t.Context(), info.ID, env.Config{Seed: 2, HasSeed: true})
		require.NoError(t, err, info.ID)
		obs, _, err := g.Reset(t.Context(), env.ResetOptions{})
		require.NoError(t, err)
		require.NoError(t, arc.ValidateFrame(obs.Grid.Data))
		ids := info.Available.IDs(nil)
		for i := range 50 {
			a := arc.Simple(ids[i%len(ids)])
			if a.ID == arc.Action6 {
				a = arc.Click(i, 63-i)
			}
			st, err := g.Step(t.Context(), a)
			require.NoError(t, err, "%s %s", info.ID, a)
			assert.Equal(t, info.ID, st.Info.GameID)
			if st.Done() {
				_, _, err = g.Reset(t.Context(), env.ResetOptions{})
				require.NoError(t, err)
			}
		}
		require.NoError(t, g.Close())
	}
}
