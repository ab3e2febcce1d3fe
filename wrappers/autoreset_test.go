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

// Gymnasium's Autoreset (gymnasium.wrappers.Autoreset, 1.0 and later): the
// step that ends an episode returns as it is; the next step ignores its
// action, resets the env and returns the first observation with reward 0,
// terminated and truncated false.
func TestAutoreset(t *testing.T) {
	ar := must(wrappers.NewAutoreset(newGame(t, envtest.FakeConfig{Levels: 2}), wrappers.AutoresetConfig{}))
	ctx := t.Context()
	obs0, _, err := ar.Reset(ctx, env.ResetOptions{})
	require.NoError(t, err)
	first := append([]uint8(nil), obs0.Grid.Data...)

	for episode := range 2 {
		st, err := ar.Step(ctx, arc.Simple(arc.Action1))
		require.NoError(t, err)
		assert.False(t, st.Done())
		assert.Equal(t, 1.0, st.Reward)
		st, err = ar.Step(ctx, arc.Simple(arc.Action1))
		require.NoError(t, err)
		assert.True(t, st.Terminated, "episode %d: the winning step", episode)
		assert.Equal(t, 1.0, st.Reward)
		assert.Equal(t, arc.Win, st.Info.State)
		assert.True(t, ar.Pending())

		// The action of the resetting step is ignored: ACTION2 would lose.
		st, err = ar.Step(ctx, arc.Simple(arc.Action2))
		require.NoError(t, err)
		assert.Zero(t, st.Reward)
		assert.False(t, st.Terminated)
		assert.False(t, st.Truncated)
		assert.Equal(t, arc.NotFinished, st.Info.State)
		assert.Zero(t, st.Info.LevelsCompleted)
		assert.Equal(t, first, st.Obs.Grid.Data, "the new episode's first observation")
		assert.False(t, ar.Pending())
	}

	// Reset drops a reset that is due.
	_, err = ar.Step(ctx, arc.Simple(arc.Action2))
	require.NoError(t, err)
	require.True(t, ar.Pending())
	_, _, err = ar.Reset(ctx, env.ResetOptions{})
	require.NoError(t, err)
	assert.False(t, ar.Pending())
	st, err := ar.Step(ctx, arc.Simple(arc.Action1))
	require.NoError(t, err)
	assert.Equal(t, 1.0, st.Reward, "a real step, not a second reset")

	require.NoError(t, ar.Close())
	_, err = ar.Step(ctx, arc.Simple(arc.Action1))
	assert.ErrorIs(t, err, env.ErrClosed)
	_, err = wrappers.NewAutoreset(nil, wrappers.AutoresetConfig{})
	assert.Error(t, err)
}

// The frame skip of Gymnasium's MaxAndSkipObservation: rewards of the
// repeated steps add up, and the repeat stops at the end of the episode.
func TestRepeatAction(t *testing.T) {
	ctx := t.Context()
	ra := must(wrappers.NewRepeatAction(newGame(t, envtest.FakeConfig{Levels: 5}), wrappers.RepeatActionConfig{N: 3}))
	assert.Equal(t, 3, ra.Repeat())
	_, _, err := ra.Reset(ctx, env.ResetOptions{})
	require.NoError(t, err)
	st, err := ra.Step(ctx, arc.Simple(arc.Action1))
	require.NoError(t, err)
	assert.Equal(t, 3.0, st.Reward, "three levels, one reward each")
	assert.Equal(t, 3, st.Info.LevelsCompleted)
	assert.Equal(t, 3, st.Info.EpisodeSteps, "three steps of the wrapped env")
	assert.False(t, st.Done())

	// Two levels left: the repeat stops at the win.
	st, err = ra.Step(ctx, arc.Simple(arc.Action1))
	require.NoError(t, err)
	assert.Equal(t, 2.0, st.Reward)
	assert.True(t, st.Terminated)
	assert.Equal(t, 5, st.Info.EpisodeSteps)
	_, err = ra.Step(ctx, arc.Simple(arc.Action1))
	assert.ErrorIs(t, err, env.ErrNeedsReset)

	// One repeat is the plain env.
	one := must(wrappers.NewRepeatAction(newGame(t, envtest.FakeConfig{}), wrappers.RepeatActionConfig{N: 1}))
	_, _, err = one.Reset(ctx, env.ResetOptions{})
	require.NoError(t, err)
	st, err = one.Step(ctx, arc.Simple(arc.Action1))
	require.NoError(t, err)
	assert.Equal(t, 1.0, st.Reward)
	assert.Equal(t, 1, st.Info.EpisodeSteps)

	_, err = wrappers.NewRepeatAction(newGame(t, envtest.FakeConfig{}), wrappers.RepeatActionConfig{N: 0})
	assert.Error(t, err)
	envtest.CheckT(t, must(wrappers.NewRepeatAction(newGame(t, envtest.FakeConfig{Levels: 4}), wrappers.RepeatActionConfig{N: 2})), envtest.CheckOptions{Seed: 5})
}
