package vector

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/internal/liveserver"
	"github.com/arcgym/arcgym/remote"
)

// fleetOpts keep the retries of refused connections short.
var fleetOpts = []remote.Option{remote.WithBackoff(time.Millisecond, 4*time.Millisecond), remote.WithAPIKey("")}

// assigned returns the envs per server of f, in the order of its URLs.
func assigned(f *remote.Fleet) []int {
	var out []int
	for _, s := range f.Stats() {
		out = append(out, s.Assigned)
	}
	return out
}

// Twelve sub-environments over three servers; one server dies between two
// steps. Its rows report the lost session, reset at their next step on the
// two other servers, and play on; no sub-environment is lost, the load
// stays even, and the server, once back, gets its share again through full
// resets.
func TestRemoteFleetSurvivesAServerDying(t *testing.T) {
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			ks := []*liveserver.Server{liveserver.Start(t), liveserver.Start(t), liveserver.Start(t)}
			// Latency is left out of the placement: loopback latencies
			// under the race detector are noise, and the test checks an
			// even spread.
			fl, err := remote.NewFleet([]string{ks[0].URL, ks[1].URL, ks[2].URL}, remote.FleetConfig{ProbeInterval: -1, LatencyFloor: time.Hour}, fleetOpts...)
			require.NoError(t, err)
			defer func() { assert.NoError(t, fl.Close(context.Background())) }()
			const n = 12
			envs := make([]*remote.FleetEnv, n)
			mk := RemoteFleet(fl, "kw01")
			v := newVec(t, k, n, func(ctx context.Context, i int) (env.Env, error) {
				e, err := mk(ctx, i)
				if err == nil {
					envs[i] = e.(*remote.FleetEnv)
				}
				return e, err
			}, Config{})
			assert.Equal(t, []int{4, 4, 4}, assigned(fl))

			b, err := v.Reset(t.Context(), env.ResetOptions{})
			require.NoError(t, err)
			require.NoError(t, b.Err())
			act := repeat(arc.Simple(arc.Action3), n)
			for range 3 {
				b, err = v.Step(t.Context(), act)
				require.NoError(t, err)
				require.NoError(t, b.Err())
			}
			onDead := map[int]bool{}
			for i, e := range envs {
				if e.Server() == ks[1].URL {
					onDead[i] = true
				}
			}
			require.Len(t, onDead, 4)

			ks[1].Kill()
			b, err = v.Step(t.Context(), act)
			require.NoError(t, err, "a dead server fails rows, not the call")
			for r := range n {
				if onDead[r] {
					var ee *EnvError
					require.ErrorAs(t, b.Errs[r], &ee, "row %d on the dead server", r)
					assert.Equal(t, "step", ee.Op)
					assert.ErrorIs(t, b.Errs[r], remote.ErrSessionLost)
				} else {
					assert.NoError(t, b.Errs[r], "row %d on a live server", r)
					assert.Equal(t, 4, b.Infos[r].EpisodeSteps)
				}
			}
			assert.Equal(t, []int{4, 0, 4}, assigned(fl), "the lost sessions are released")

			b, err = v.Step(t.Context(), act)
			require.NoError(t, err)
			require.NoError(t, b.Err(), "the lost rows reset on the live servers")
			for r := range n {
				assert.Equal(t, onDead[r], b.First[r], "row %d starts a new episode only if it moved", r)
			}
			st := assigned(fl)
			assert.Zero(t, st[1])
			assert.Equal(t, n, st[0]+st[2], "no sub-environment is lost")
			assert.InDelta(t, st[0], st[2], 1, "the moved rows spread evenly")
			for i := range onDead {
				assert.NotEqual(t, ks[1].URL, envs[i].Server())
				assert.Equal(t, 1, envs[i].Moves())
			}
			for range 3 {
				b, err = v.Step(t.Context(), act)
				require.NoError(t, err)
				require.NoError(t, b.Err())
			}
			for r := range n {
				want := 8
				if onDead[r] {
					want = 3
				}
				assert.Equal(t, want, b.Infos[r].EpisodeSteps, "row %d", r)
			}

			ks[1].Revive()
			require.NoError(t, fl.Probe(t.Context()))
			b, err = v.Reset(t.Context(), env.ResetOptions{})
			require.NoError(t, err)
			require.NoError(t, b.Err())
			assert.Equal(t, []int{4, 4, 4}, assigned(fl), "full resets move rows back to the revived server")
			b, err = v.Step(t.Context(), act)
			require.NoError(t, err)
			require.NoError(t, b.Err())
		})
	}
}

// Remote's own fleet: rows of a dead server recover the same way, and the
// fleet closes with the vector env.
func TestRemoteMovesRowsOffADeadServer(t *testing.T) {
	ks := []*liveserver.Server{liveserver.Start(t), liveserver.Start(t), liveserver.Start(t)}
	v, err := NewAsync(t.Context(), 6, Remote("kw01", []string{ks[0].URL, ks[1].URL, ks[2].URL}, fleetOpts...), Config{})
	require.NoError(t, err)
	act := repeat(arc.Simple(arc.Action3), 6)
	b, err := v.Reset(t.Context(), env.ResetOptions{})
	require.NoError(t, err)
	require.NoError(t, b.Err())
	ks[2].Kill()
	b, err = v.Step(t.Context(), act)
	require.NoError(t, err)
	failed := 0
	for r := range 6 {
		if b.Errs[r] != nil {
			assert.ErrorIs(t, b.Errs[r], remote.ErrSessionLost)
			failed++
		}
	}
	assert.Equal(t, 2, failed, "the fleet placed two rows on each server")
	for range 2 {
		b, err = v.Step(t.Context(), act)
		require.NoError(t, err)
		require.NoError(t, b.Err())
	}
	require.NoError(t, v.Close())
}
