package remote

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/internal/liveserver"
	"github.com/arcgym/arcgym/server"
)

const fleetGame = "kw01"

// evenConfig leaves latency out of the placement: the tests on real
// sockets check that envs spread evenly, and loopback latencies under the
// race detector are noise.
var evenConfig = FleetConfig{Client: fastRetries, ProbeInterval: -1, LatencyFloor: time.Hour}

// fastRetries keeps the retries of refused connections short.
var fastRetries = ClientConfig{BackoffBase: time.Millisecond, BackoffMax: 4 * time.Millisecond, NoAPIKey: true}

func assignedBy(f *Fleet) map[string]int {
	out := map[string]int{}
	for _, s := range f.Stats() {
		out[s.URL] = s.Assigned
	}
	return out
}

// assertEven checks that the healthy servers among urls hold total envs
// within one of each other.
func assertEven(t *testing.T, f *Fleet, total int, urls ...string) {
	t.Helper()
	got := assignedBy(f)
	sum, lo, hi := 0, total, 0
	for _, u := range urls {
		sum += got[u]
		lo, hi = min(lo, got[u]), max(hi, got[u])
	}
	assert.Equal(t, total, sum, "every env is on one of %v: %v", urls, got)
	assert.LessOrEqual(t, hi-lo, 1, "envs spread within one of even: %v", got)
}

func TestFleetConfigErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		urls []string
		cfg  FleetConfig
		want string
	}{
		"no url":        {want: "without a server URL"},
		"empty url":     {urls: []string{"http://a:1", ""}, want: "URL is empty"},
		"bad url":       {urls: []string{"ftp://x"}, want: "want http(s)"},
		"twice":         {urls: []string{"http://a:1", "http://a:1/"}, want: "given twice"},
		"client":        {urls: []string{"http://a:1"}, cfg: FleetConfig{Client: ClientConfig{MaxAttempts: -1}}, want: "max attempts"},
		"probe timeout": {urls: []string{"http://a:1"}, cfg: FleetConfig{ProbeTimeout: -1}, want: "probe timeout"},
		"latency floor": {urls: []string{"http://a:1"}, cfg: FleetConfig{LatencyFloor: -1}, want: "latency floor"},
		"attempts":      {urls: []string{"http://a:1"}, cfg: FleetConfig{MaxStartAttempts: -1}, want: "start attempts"},
		"close timeout": {urls: []string{"http://a:1"}, cfg: FleetConfig{CloseTimeout: -1}, want: "close timeout"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := NewFleet(tc.urls, tc.cfg)
			assert.ErrorContains(t, err, tc.want)
		})
	}
}

// Twelve envs over three servers spread four by four, each server opens
// one scorecard, and Close closes the three.
func TestFleetSpreadsAndClosesCards(t *testing.T) {
	ls := []*liveserver.Server{liveserver.Start(t), liveserver.Start(t), liveserver.Start(t)}
	f, err := NewFleet(liveserver.URLs(ls...), evenConfig)
	require.NoError(t, err)
	envs := make([]*FleetEnv, 12)
	var wg sync.WaitGroup
	errs := make([]error, len(envs))
	for i := range envs {
		wg.Go(func() { envs[i], errs[i] = f.Env(t.Context(), fleetGame) })
	}
	wg.Wait()
	require.NoError(t, errors.Join(errs...))
	assert.Equal(t, map[string]int{ls[0].URL: 4, ls[1].URL: 4, ls[2].URL: 4}, assignedBy(f))
	for _, s := range f.Stats() {
		assert.NotEmpty(t, s.CardID, "one card per server, opened with its first session")
		assert.Equal(t, 4, s.Sessions)
		assert.True(t, s.Healthy)
	}
	for _, e := range envs {
		_, info, err := e.Reset(t.Context(), env.ResetOptions{})
		require.NoError(t, err)
		assert.Equal(t, "kw01-5e3a91c4", info.GameID)
		_, err = e.Step(t.Context(), arc.Simple(arc.Action3))
		require.NoError(t, err)
		assert.NotEmpty(t, e.Server())
		assert.Zero(t, e.Moves())
	}
	for _, e := range envs {
		require.NoError(t, e.Close())
	}
	require.NoError(t, f.Close(t.Context()))
	cards := f.Scorecards()
	require.Len(t, cards, 3, "one card per server")
	total := 0
	for _, c := range cards {
		total += c.Scorecard.TotalActions
	}
	assert.Equal(t, 12, total, "each env's ACTION3 was charged to its server's card")
	_, err = f.Env(t.Context(), fleetGame)
	assert.ErrorIs(t, err, ErrFleetClosed)
	require.NoError(t, f.Close(t.Context()), "closing twice is harmless")
}

// One of three servers dies: its envs fail their next Step with
// ErrSessionLost, move to the two others at their Reset, and the server,
// once back and probed, receives new envs and, through full resets, its
// share of the old ones.
func TestFleetSurvivesAServerDying(t *testing.T) {
	ls := []*liveserver.Server{liveserver.Start(t), liveserver.Start(t), liveserver.Start(t)}
	f, err := NewFleet(liveserver.URLs(ls...), evenConfig)
	require.NoError(t, err)
	defer func() { assert.NoError(t, f.Close(context.Background())) }()
	envs := make([]*FleetEnv, 9)
	for i := range envs {
		envs[i], err = f.Env(t.Context(), fleetGame)
		require.NoError(t, err)
		defer envs[i].Close()
		_, _, err = envs[i].Reset(t.Context(), env.ResetOptions{})
		require.NoError(t, err)
	}
	dead := ls[1]
	onDead := 0
	for _, e := range envs {
		if e.Server() == dead.URL {
			onDead++
		}
	}
	require.Equal(t, 3, onDead)

	dead.Kill()
	lost := map[int]bool{}
	for i, e := range envs {
		was := e.Server()
		_, err := e.Step(t.Context(), arc.Simple(arc.Action3))
		if was != dead.URL {
			assert.NoError(t, err, "env %d on a live server", i)
			continue
		}
		require.Error(t, err, "env %d on the dead server", i)
		assert.ErrorIs(t, err, ErrSessionLost)
		assert.ErrorIs(t, err, env.ErrNeedsReset, "a vector env resets the row")
		assert.Contains(t, err.Error(), dead.URL)
		assert.Empty(t, e.Server())
		_, err = e.Step(t.Context(), arc.Simple(arc.Action3))
		assert.ErrorIs(t, err, env.ErrNeedsReset, "still lost until Reset")
		lost[i] = true
	}
	assert.Len(t, lost, 3)
	st := f.Stats()
	assert.False(t, st[1].Healthy)
	assert.Error(t, st[1].LastError)
	assert.Zero(t, st[1].Assigned)
	assertEven(t, f, 6, ls[0].URL, ls[2].URL)

	for i := range lost {
		_, info, err := envs[i].Reset(t.Context(), env.ResetOptions{Mode: env.ResetLevel})
		require.NoError(t, err)
		assert.True(t, info.FullReset, "a moved env starts a new run")
		assert.NotEqual(t, dead.URL, envs[i].Server())
		assert.Equal(t, 1, envs[i].Moves())
	}
	assertEven(t, f, 9, ls[0].URL, ls[2].URL)
	for _, e := range envs {
		_, err := e.Step(t.Context(), arc.Simple(arc.Action3))
		require.NoError(t, err)
	}

	dead.Revive()
	require.NoError(t, f.Probe(t.Context()))
	assert.True(t, f.Stats()[1].Healthy, "a probe brings the server back")
	extra, err := f.Env(t.Context(), fleetGame)
	require.NoError(t, err)
	defer extra.Close()
	assert.Equal(t, dead.URL, extra.Server(), "the least loaded server gets the new env")
	for _, e := range envs {
		_, _, err := e.Reset(t.Context(), env.ResetOptions{})
		require.NoError(t, err)
	}
	assertEven(t, f, 10, liveserver.URLs(ls...)...)
	total := 0
	for _, s := range f.Stats() {
		total += s.Sessions
	}
	assert.Equal(t, 10+3+2, total, "ten first sessions, three moved off the dead server, two rebalanced onto it")
}

// A Reset on a server that died since the last call moves on to a live
// server within the same call.
func TestFleetResetMovesOnWithinTheCall(t *testing.T) {
	ls := []*liveserver.Server{liveserver.Start(t), liveserver.Start(t)}
	f, err := NewFleet(liveserver.URLs(ls...), evenConfig)
	require.NoError(t, err)
	defer f.Close(context.Background())
	e0, err := f.Env(t.Context(), fleetGame)
	require.NoError(t, err)
	defer e0.Close()
	e1, err := f.Env(t.Context(), fleetGame)
	require.NoError(t, err)
	defer e1.Close()
	on := map[string]*FleetEnv{e0.Server(): e0, e1.Server(): e1}
	require.Len(t, on, 2)
	for _, e := range on {
		// Past the RESET that created the session, so that the next
		// Reset sends one.
		_, _, err = e.Reset(t.Context(), env.ResetOptions{})
		require.NoError(t, err)
		_, err = e.Step(t.Context(), arc.Simple(arc.Action3))
		require.NoError(t, err)
	}
	ls[0].Kill()
	e := on[ls[0].URL]
	_, _, err = e.Reset(t.Context(), env.ResetOptions{Mode: env.ResetLevel})
	require.NoError(t, err)
	assert.Equal(t, ls[1].URL, e.Server())
	assert.False(t, f.Stats()[0].Healthy)

	_, err = e.Step(t.Context(), arc.Simple(arc.Action3))
	require.NoError(t, err)
	ls[1].Kill()
	_, _, err = e.Reset(t.Context(), env.ResetOptions{Mode: env.ResetLevel})
	require.ErrorIs(t, err, ErrNoServer, "no server left")
	_, err = e.Step(t.Context(), arc.Simple(arc.Action3))
	assert.ErrorIs(t, err, ErrSessionLost)
}

// A restarted server forgets sessions and cards: the env's next call
// reports the lost session, the server stays healthy, and the Reset opens a
// new card there.
func TestFleetServerRestarted(t *testing.T) {
	l := liveserver.Start(t)
	f, err := NewFleet([]string{l.URL}, evenConfig)
	require.NoError(t, err)
	defer f.Close(context.Background())
	e, err := f.Env(t.Context(), fleetGame)
	require.NoError(t, err)
	defer e.Close()
	_, _, err = e.Reset(t.Context(), env.ResetOptions{})
	require.NoError(t, err)
	card := f.Stats()[0].CardID
	l.Kill()
	l.Revive()
	_, err = e.Step(t.Context(), arc.Simple(arc.Action3))
	require.ErrorIs(t, err, ErrSessionLost)
	_, _, err = e.Reset(t.Context(), env.ResetOptions{})
	require.NoError(t, err)
	st := f.Stats()[0]
	assert.NotEqual(t, card, st.CardID, "a new card replaces the forgotten one")
	assert.NotEmpty(t, st.CardID)
	_, err = e.Step(t.Context(), arc.Simple(arc.Action3))
	require.NoError(t, err)
}

// memNet routes requests to in-process handlers without sockets, so that
// fleets can run in a synctest bubble. A host that is down refuses
// connections; a slow host takes delay per command.
type memNet struct {
	mu    sync.Mutex
	hosts map[string]http.Handler
	down  map[string]bool
	delay map[string]time.Duration
}

func (m *memNet) RoundTrip(r *http.Request) (*http.Response, error) {
	m.mu.Lock()
	h, down, d := m.hosts[r.URL.Host], m.down[r.URL.Host], m.delay[r.URL.Host]
	m.mu.Unlock()
	if h == nil || down {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	}
	if d > 0 && strings.HasPrefix(r.URL.Path, "/api/cmd/") {
		time.Sleep(d)
	}
	if r.Body == nil {
		r.Body = http.NoBody
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	resp := rec.Result()
	resp.Request = r
	return resp, nil
}

func (m *memNet) set(host string, down bool) {
	m.mu.Lock()
	m.down[host] = down
	m.mu.Unlock()
}

// newMemNet serves n arcgym servers at s0.test, s1.test... and returns
// their URLs.
func newMemNet(t *testing.T, n int) (*memNet, []string) {
	m := &memNet{hosts: map[string]http.Handler{}, down: map[string]bool{}, delay: map[string]time.Duration{}}
	var urls []string
	for i := range n {
		s, err := server.New(server.Config{IdleTimeout: -1, SessionIdleTimeout: -1})
		require.NoError(t, err)
		t.Cleanup(func() { _ = s.Close() })
		host := string(rune('a'+i)) + ".test"
		m.hosts[host] = s
		urls = append(urls, "http://"+host)
	}
	return m, urls
}

// memClient is fastRetries over m.
func memClient(m *memNet) ClientConfig {
	c := fastRetries
	c.HTTPClient = &http.Client{Transport: m}
	return c
}

// The prober checks the unhealthy servers every ProbeInterval: a server
// that refused connections gets no env until a probe finds it back.
func TestFleetProberRevivesAServer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m, urls := newMemNet(t, 2)
		m.set("b.test", true)
		start := time.Now()
		f, err := NewFleet(urls, FleetConfig{Client: memClient(m), ProbeInterval: time.Second})
		require.NoError(t, err)
		var envs []*FleetEnv
		for range 4 {
			e, err := f.Env(t.Context(), fleetGame)
			require.NoError(t, err, "a refused server is skipped within the call")
			envs = append(envs, e)
		}
		st := f.Stats()
		assert.Equal(t, 4, st[0].Assigned)
		assert.False(t, st[1].Healthy)
		assert.Equal(t, 1, st[1].Failures, "marked once, then avoided")

		m.set("b.test", false)
		time.Sleep(time.Until(start.Add(999 * time.Millisecond)))
		synctest.Wait()
		assert.False(t, f.Stats()[1].Healthy, "no probe before the interval")
		time.Sleep(time.Millisecond)
		synctest.Wait()
		assert.True(t, f.Stats()[1].Healthy, "the probe found the server back")

		e, err := f.Env(t.Context(), fleetGame)
		require.NoError(t, err)
		envs = append(envs, e)
		assert.Equal(t, "http://b.test", e.Server())
		for _, e := range envs {
			_, _, err := e.Reset(t.Context(), env.ResetOptions{})
			require.NoError(t, err)
		}
		assert.Equal(t, []int{3, 2}, []int{f.Stats()[0].Assigned, f.Stats()[1].Assigned}, "full resets rebalance")
		for _, e := range envs {
			require.NoError(t, e.Close())
		}
		require.NoError(t, f.Close(t.Context()))
	})
}

// A server whose commands take 300 ms while the others answer at once
// receives fewer new envs.
func TestFleetSlowServerGetsFewerEnvs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m, urls := newMemNet(t, 3)
		m.delay["b.test"] = 300 * time.Millisecond
		f, err := NewFleet(urls, FleetConfig{Client: memClient(m), ProbeInterval: -1})
		require.NoError(t, err)
		var envs []*FleetEnv
		for range 3 {
			e, err := f.Env(t.Context(), fleetGame)
			require.NoError(t, err)
			envs = append(envs, e)
			_, _, err = e.Reset(t.Context(), env.ResetOptions{})
			require.NoError(t, err)
			for range 8 {
				_, err = e.Step(t.Context(), arc.Simple(arc.Action3))
				require.NoError(t, err)
			}
		}
		st := f.Stats()
		require.Equal(t, []int{1, 1, 1}, []int{st[0].Assigned, st[1].Assigned, st[2].Assigned})
		assert.Greater(t, st[1].Latency, 2*DefaultLatencyFloor)
		for range 9 {
			e, err := f.Env(t.Context(), fleetGame)
			require.NoError(t, err)
			envs = append(envs, e)
		}
		st = f.Stats()
		assert.Equal(t, 1, st[1].Assigned, "the slow server got none of the new envs")
		assert.Equal(t, 12, st[0].Assigned+st[1].Assigned+st[2].Assigned)
		assert.LessOrEqual(t, max(st[0].Assigned, st[2].Assigned)-min(st[0].Assigned, st[2].Assigned), 1)
		for _, e := range envs {
			require.NoError(t, e.Close())
		}
		require.NoError(t, f.Close(t.Context()))
	})
}

// With CloseWhenIdle the fleet closes with its last env, and after an Env
// call that failed with no env open, leaving no prober behind.
func TestFleetCloseWhenIdle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m, urls := newMemNet(t, 1)
		f, err := NewFleet(urls, FleetConfig{Client: memClient(m), CloseWhenIdle: true})
		require.NoError(t, err)
		e, err := f.Env(t.Context(), fleetGame)
		require.NoError(t, err)
		assert.False(t, f.Closed())
		require.NoError(t, e.Close())
		assert.True(t, f.Closed())
		assert.Len(t, f.Scorecards(), 1)
		_, _, err = e.Reset(t.Context(), env.ResetOptions{})
		assert.ErrorIs(t, err, env.ErrClosed)

		g, err := NewFleet(urls, FleetConfig{Client: memClient(m), CloseWhenIdle: true})
		require.NoError(t, err)
		_, err = g.Env(t.Context(), "nope")
		require.ErrorIs(t, err, arc.ErrUnknownGame, "an unknown game is no server failure")
		assert.True(t, g.Stats()[0].Healthy)
		assert.True(t, g.Closed())
	})
}

// Envs that decide to move at once, none of them gone yet, move no more
// than balance asks: each move takes its share off the old server at
// once. (A share released only later once let every env of a loaded
// server see it as loaded: after a revival, concurrent full resets ended
// 5/5/2 instead of 4/4/4.)
func TestFleetMovesAreAtomic(t *testing.T) {
	a := &fleetServer{url: "a", healthy: true, assigned: 6}
	b := &fleetServer{url: "b", healthy: true}
	f := &Fleet{servers: []*fleetServer{a, b}, cfg: FleetConfig{LatencyFloor: time.Millisecond}}
	moved := 0
	for range 6 {
		if to := f.moveTarget(a); to != nil {
			require.Same(t, b, to)
			moved++
		}
	}
	assert.Equal(t, 3, moved)
	assert.Equal(t, [2]int{3, 3}, [2]int{a.assigned, b.assigned})

	// From a dead server every env moves, each to the least loaded.
	a.healthy = false
	c := &fleetServer{url: "c", healthy: true}
	f.servers = append(f.servers, c)
	for range 3 {
		require.NotNil(t, f.moveTarget(a))
	}
	assert.Equal(t, []int{0, 3, 3}, []int{a.assigned, b.assigned, c.assigned})
}
