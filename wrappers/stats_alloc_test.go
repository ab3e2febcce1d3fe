package wrappers_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/env/envtest"
	"github.com/arcgym/arcgym/wrappers"
)

// Episode ends, where EpisodeStats scores the run, allocate nothing either.
func TestEpisodeStatsEndOfEpisodeAllocatesNothing(t *testing.T) {
	e, err := wrappers.NewEpisodeStats(newGame(t, envtest.FakeConfig{Levels: 2}), wrappers.EpisodeStatsConfig{})
	require.NoError(t, err)
	ctx := t.Context()
	_, _, err = e.Reset(ctx, env.ResetOptions{})
	require.NoError(t, err)
	ends := 0
	allocs := testing.AllocsPerRun(200, func() {
		st, err := e.Step(ctx, arc.Simple(arc.Action1))
		if err != nil {
			t.Fatal(err)
		}
		if st.Done() {
			if st.Info.Episode == nil || st.Info.Episode.Score <= 0 {
				t.Fatalf("episode end without a score: %+v", st.Info.Episode)
			}
			ends++
			if _, _, err := e.Reset(ctx, env.ResetOptions{}); err != nil {
				t.Fatal(err)
			}
		}
	})
	assert.Zero(t, allocs)
	assert.Greater(t, ends, 50)
}
