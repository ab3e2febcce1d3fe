package env_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/env/envtest"
	"github.com/arcgym/arcgym/games"
)

func TestMakeUnknownGame(t *testing.T) {
	_, err := env.Make(t.Context(), "zz99", env.Config{})
	require.ErrorIs(t, err, arc.ErrUnknownGame)
	assert.Contains(t, err.Error(), "zz99")
}

func TestMakeEveryGamePassesTheChecker(t *testing.T) {
	for _, info := range games.List() {
		t.Run(info.ID, func(t *testing.T) {
			g, err := env.Make(t.Context(), info.ID, env.Config{})
			require.NoError(t, err)
			assert.Equal(t, info.ID, g.GameInfo().ID)
			for _, seed := range []int64{0, 3} {
				e, err := env.Make(t.Context(), info.ID, env.Config{})
				require.NoError(t, err)
				envtest.CheckT(t, e, envtest.CheckOptions{
					Seed: seed, Steps: 300,
					New: func() (env.Env, error) { return env.Make(t.Context(), info.ID, env.Config{}) },
				})
			}
			require.NoError(t, g.Close())
		})
	}
}

func TestSeededResetRefreshesBaselines(t *testing.T) {
	g, err := env.Make(t.Context(), "kw01", env.Config{})
	require.NoError(t, err)
	defer g.Close()
	handMade := g.GameInfo().BaselineActions
	bl, ok := g.Backend().(env.Baseliner)
	require.True(t, ok, "local sessions report per-level-set baselines")

	_, _, err = g.Reset(t.Context(), env.WithSeed(12345))
	require.NoError(t, err)
	assert.Equal(t, bl.Baselines(), g.GameInfo().BaselineActions)
	assert.NotEqual(t, handMade, g.GameInfo().BaselineActions, "generated levels have their own baselines")

	_, _, err = g.Reset(t.Context(), env.WithSeed(0))
	require.NoError(t, err)
	assert.Equal(t, handMade, g.GameInfo().BaselineActions)
}
