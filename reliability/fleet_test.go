package reliability

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/remote"
	"github.com/arcgym/arcgym/vector"
)

// TestFleetSurvivesKill9 runs a vector env over three `arcgym serve`
// processes and kills one with SIGKILL while a step is in flight. The run
// must go on: the call never fails, only the rows of the killed server
// report errors, each of them resets on a live server and steps again, no
// row fails after that, and no sub-environment is lost. It reports the
// rows affected, the row steps lost and the time from the kill to the
// first step at which every affected row was playing again. The client
// runs with its default retry policy.
func TestFleetSurvivesKill9(t *testing.T) {
	rows, steps, killAt := 12, 60, 20
	if *full {
		rows, steps, killAt = 96, 2000, 500
	}
	ps := []*serverProc{startServer(t), startServer(t), startServer(t)}
	fl, err := remote.NewFleet([]string{ps[0].URL, ps[1].URL, ps[2].URL}, remote.FleetConfig{})
	require.NoError(t, err)
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		assert.NoError(t, fl.Close(ctx), "the live servers' scorecards close")
	}()
	mk := fl.Factory("kw01")
	envs := make([]*remote.FleetEnv, rows)
	v, err := vector.NewAsync(t.Context(), rows, func(ctx context.Context, i int) (env.Env, error) {
		e, err := mk(ctx, i)
		if err == nil {
			envs[i] = e.(*remote.FleetEnv)
		}
		return e, err
	}, vector.Config{Timeout: time.Minute})
	require.NoError(t, err)
	defer func() { assert.NoError(t, v.Close()) }()

	victim := ps[1]
	act := make([]arc.Action, rows)
	for i := range act {
		act[i] = arc.Simple(arc.Action3)
	}
	b, err := v.Reset(t.Context(), env.ResetOptions{})
	require.NoError(t, err)
	require.NoError(t, b.Err())

	onVictim := map[int]bool{}
	// state of an affected row: 1 failed, 2 reset on a live server, 3
	// stepped again.
	state := map[int]int{}
	lost, recoveredAt := 0, -1
	var killed time.Time
	var recovery time.Duration
	for s := range steps {
		if s == killAt {
			for i, e := range envs {
				if e.Server() == victim.URL {
					onVictim[i] = true
				}
			}
			require.NotEmpty(t, onVictim)
			killed = time.Now()
			// The kill races with the step below: some of the victim's
			// rows lose a command in flight, others an idle connection.
			go func() { _ = syscall.Kill(victim.PID, syscall.SIGKILL) }()
		}
		b, err = v.Step(t.Context(), act)
		require.NoError(t, err, "step %d: a dead server fails rows, never the call", s)
		for r := range rows {
			switch e := b.Errs[r]; {
			case e != nil:
				require.True(t, onVictim[r], "step %d: row %d of a live server failed: %v", s, r, e)
				require.Less(t, recoveredAt, 0, "step %d: row %d failed after the recovery: %v", s, r, e)
				assert.ErrorIs(t, e, remote.ErrSessionLost)
				lost++
				state[r] = 1
			case state[r] == 1:
				require.True(t, b.First[r], "step %d: row %d resumes with a reset", s, r)
				state[r] = 2
			case state[r] == 2:
				require.False(t, b.First[r])
				state[r] = 3
			}
		}
		if s >= killAt && recoveredAt < 0 && len(state) == len(onVictim) {
			done := true
			for _, st := range state {
				done = done && st == 3
			}
			if done {
				recoveredAt, recovery = s, time.Since(killed)
			}
		}
	}
	<-victim.done
	require.GreaterOrEqual(t, recoveredAt, 0, "every affected row plays again before the end of the run")
	assert.Len(t, state, len(onVictim), "only and all of the killed server's rows were affected")
	stats := fl.Stats()
	assert.False(t, stats[1].Healthy)
	assert.Zero(t, stats[1].Assigned)
	assert.Equal(t, rows, stats[0].Assigned+stats[2].Assigned, "no sub-environment is lost")
	moves := 0
	for i, e := range envs {
		if onVictim[i] {
			assert.Positive(t, e.Moves(), "row %d moved off the killed server", i)
		}
		moves += e.Moves()
	}
	t.Logf("fleet of 3 servers, %d rows, %d steps, SIGKILL at step %d: %d rows affected, %d row steps lost, "+
		"recovered at step %d, %v after the kill; %d moves in all (rebalancing at episode ends included); rows per live server %d and %d",
		rows, steps, killAt, len(onVictim), lost, recoveredAt, recovery.Round(time.Millisecond), moves, stats[0].Assigned, stats[2].Assigned)
}
