package remote_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/internal/liveserver"
	"github.com/arcgym/arcgym/remote"
	"github.com/arcgym/arcgym/server"
	"github.com/arcgym/arcgym/vector"
)

// The factories are of the type the vector envs take.
var (
	_ vector.Factory = remote.Factory("kw01", nil, remote.FleetConfig{})
	_ vector.Factory = (*remote.Fleet)(nil).Factory("kw01")
)

// fleetClient keeps the retries of refused connections short.
var fleetClient = remote.ClientConfig{BackoffBase: time.Millisecond, BackoffMax: 4 * time.Millisecond, NoAPIKey: true}

// vecKind names a vector env implementation for table-driven tests.
type vecKind struct {
	name string
	make func(n int, f vector.Factory) (vector.Env, error)
}

var vecKinds = []vecKind{
	{"sync", func(n int, f vector.Factory) (vector.Env, error) {
		return vector.NewSync(context.Background(), n, f, vector.Config{})
	}},
	{"async", func(n int, f vector.Factory) (vector.Env, error) {
		return vector.NewAsync(context.Background(), n, f, vector.Config{})
	}},
	{"async-1worker", func(n int, f vector.Factory) (vector.Env, error) {
		return vector.NewAsync(context.Background(), n, f, vector.Config{Workers: 1})
	}},
}

// newVec makes a vector env of kind k closed with the test.
func newVec(t *testing.T, k vecKind, n int, f vector.Factory) vector.Env {
	t.Helper()
	v, err := k.make(n, f)
	require.NoError(t, err)
	t.Cleanup(func() { _ = v.Close() })
	return v
}

// repeat returns n copies of a.
func repeat(a arc.Action, n int) []arc.Action { return slices.Repeat([]arc.Action{a}, n) }

// assigned returns the envs per server of f, in the order of its URLs.
func assigned(f *remote.Fleet) []int {
	var out []int
	for _, s := range f.Stats() {
		out = append(out, s.Assigned)
	}
	return out
}

// countingServer serves the built-in games and counts the requests it gets.
func countingServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	s, err := server.New(server.Config{IdleTimeout: -1})
	require.NoError(t, err)
	var n atomic.Int64
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		s.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		hs.Close()
		_ = s.Close()
	})
	return hs, &n
}

// Remote and local games in one vector env: two servers share four remote
// sub-environments, two more run in process.
func TestFactoryMixedWithLocal(t *testing.T) {
	const game = "kw01"
	s1, n1 := countingServer(t)
	s2, n2 := countingServer(t)
	f, n := vector.Mix(
		vector.Part{N: 2, New: vector.Make(game, env.Config{})},
		vector.Part{N: 4, New: remote.Factory(game, []string{s1.URL, s2.URL}, remote.FleetConfig{})},
	)
	v, err := vector.NewAsync(t.Context(), n, f, vector.Config{})
	require.NoError(t, err)
	defer func() { require.NoError(t, v.Close()) }()
	b, err := v.Reset(t.Context(), env.ResetOptions{})
	require.NoError(t, err)
	require.NoError(t, b.Err())
	for range 5 {
		b, err = v.Step(t.Context(), repeat(arc.Simple(arc.Action3), n))
		require.NoError(t, err)
		require.NoError(t, b.Err())
	}
	for r := range n {
		assert.Equal(t, "kw01-5e3a91c4", b.Infos[r].GameID)
		assert.Equal(t, 5, b.Infos[r].EpisodeSteps)
	}
	assert.Equal(t, b.Obs.Index(0).Data, b.Obs.Index(2).Data, "local and remote sub-environments play the same game")
	before1, before2 := n1.Load(), n2.Load()
	assert.Positive(t, before1)
	assert.Equal(t, before1, before2, "the servers share the remote envs evenly")
	_, err = v.Step(t.Context(), repeat(arc.Simple(arc.Action3), n))
	require.NoError(t, err)
	assert.Equal(t, before1+2, n1.Load(), "one command per remote env and step")
	assert.Equal(t, before2+2, n2.Load())
}

func TestFactoryUnreachable(t *testing.T) {
	f := remote.Factory("kw01", []string{"http://127.0.0.1:1"}, remote.FleetConfig{Client: remote.ClientConfig{MaxAttempts: 1}})
	_, err := vector.NewSync(t.Context(), 1, f, vector.Config{})
	require.Error(t, err)
	var none *vector.EnvError
	assert.False(t, errors.As(err, &none), "a construction failure is not a row failure")
}

// An invalid config fails every call of the factory, before any request.
func TestFactoryConfigErrors(t *testing.T) {
	hs, n := countingServer(t)
	f := remote.Factory("kw01", []string{hs.URL}, remote.FleetConfig{ProbeTimeout: -1})
	for i := range 2 {
		e, err := f(t.Context(), i)
		assert.Nil(t, e)
		assert.ErrorContains(t, err, "probe timeout")
	}
	f = remote.Factory("kw01", nil, remote.FleetConfig{})
	_, err := f(t.Context(), 0)
	assert.ErrorContains(t, err, "without a server URL")
	assert.Zero(t, n.Load(), "nothing may be sent")

	e, err := (*remote.Fleet)(nil).Factory("kw01")(t.Context(), 3)
	assert.Nil(t, e)
	assert.ErrorContains(t, err, "nil fleet for env 3")
}

// Twelve sub-environments over three servers; one server dies between two
// steps. Its rows report the lost session, reset at their next step on the
// two other servers, and play on; no sub-environment is lost, the load
// stays even, and the server, once back, gets its share again through full
// resets.
func TestFleetFactorySurvivesAServerDying(t *testing.T) {
	for _, k := range vecKinds {
		t.Run(k.name, func(t *testing.T) {
			ks := []*liveserver.Server{liveserver.Start(t), liveserver.Start(t), liveserver.Start(t)}
			// Latency is left out of the placement: loopback latencies
			// under the race detector are noise, and the test checks an
			// even spread.
			fl, err := remote.NewFleet([]string{ks[0].URL, ks[1].URL, ks[2].URL},
				remote.FleetConfig{Client: fleetClient, ProbeInterval: -1, LatencyFloor: time.Hour})
			require.NoError(t, err)
			defer func() { assert.NoError(t, fl.Close(context.Background())) }()
			const n = 12
			envs := make([]*remote.FleetEnv, n)
			mk := fl.Factory("kw01")
			v := newVec(t, k, n, func(ctx context.Context, i int) (env.Env, error) {
				e, err := mk(ctx, i)
				if err == nil {
					envs[i] = e.(*remote.FleetEnv)
				}
				return e, err
			})
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
					var ee *vector.EnvError
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

// Factory's own fleet: rows of a dead server recover the same way, and the
// fleet closes with the vector env.
func TestFactoryMovesRowsOffADeadServer(t *testing.T) {
	ks := []*liveserver.Server{liveserver.Start(t), liveserver.Start(t), liveserver.Start(t)}
	f := remote.Factory("kw01", []string{ks[0].URL, ks[1].URL, ks[2].URL}, remote.FleetConfig{Client: fleetClient})
	v, err := vector.NewAsync(t.Context(), 6, f, vector.Config{})
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
