package remote

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/games"
	"github.com/arcgym/arcgym/internal/faultproxy"
	"github.com/arcgym/arcgym/server"
	"github.com/arcgym/arcgym/wire"
)

// countingCatalog serves the built-in games and counts the commands their
// sessions applied: the ground truth a client's error is checked against.
type countingCatalog struct {
	server.Catalog
	applied *atomic.Int64
}

func (c countingCatalog) New(id string) (games.Instance, error) {
	s, err := c.Catalog.New(id)
	if err != nil {
		return nil, err
	}
	return &countingInstance{Instance: s, applied: c.applied}, nil
}

type countingInstance struct {
	games.Instance
	applied *atomic.Int64
}

func (s *countingInstance) Do(ctx context.Context, a arc.Action, out *arc.FrameData) error {
	err := s.Instance.Do(ctx, a, out)
	if err == nil {
		s.applied.Add(1)
	}
	return err
}

// statusRecorder keeps the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// rig is an arcgym server behind a fault proxy. applied counts the
// commands its games applied; ok counts its 2xx answers by route.
type rig struct {
	game    arc.GameInfo
	front   *httptest.Server
	proxy   *faultproxy.Proxy
	applied atomic.Int64

	mu        sync.Mutex
	ok        map[string]int
	onHandled func(route string)
	// handling counts the server's handlers under way, hook included: a
	// client has its answer before its handler returns.
	handling sync.WaitGroup
}

func newRig(t *testing.T) *rig {
	t.Helper()
	rg := &rig{ok: map[string]int{}}
	cat := countingCatalog{Catalog: server.Builtin{}, applied: &rg.applied}
	for _, g := range cat.List() {
		if g.Available.Has(arc.Action1) {
			rg.game = g
			break
		}
	}
	require.NotEmpty(t, rg.game.ID, "a built-in game with ACTION1")
	srv, err := server.New(server.Config{Games: cat, IdleTimeout: -1})
	require.NoError(t, err)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rg.handling.Add(1)
		defer rg.handling.Done()
		rec := &statusRecorder{ResponseWriter: w}
		srv.ServeHTTP(rec, r)
		route := r.Method + " " + r.URL.Path
		rg.mu.Lock()
		if rec.status >= 200 && rec.status < 300 {
			rg.ok[route]++
		}
		hook := rg.onHandled
		rg.mu.Unlock()
		if hook != nil {
			hook(route)
		}
	}))
	rg.proxy, err = faultproxy.New(up.URL)
	require.NoError(t, err)
	rg.front = httptest.NewServer(rg.proxy)
	t.Cleanup(func() {
		_ = rg.proxy.Close()
		rg.front.Close()
		up.Close()
		_ = srv.Close()
	})
	return rg
}

// oks returns the number of 2xx answers the server gave on route.
func (rg *rig) oks(route string) int {
	rg.mu.Lock()
	defer rg.mu.Unlock()
	return rg.ok[route]
}

// setOnHandled sets the hook run after the server handled a request. It
// first waits for the handlers of the requests already answered, so that
// the hook sees only requests sent after it (a set-up's request on the
// route under test would otherwise fire it).
func (rg *rig) setOnHandled(f func(route string)) {
	rg.handling.Wait()
	rg.mu.Lock()
	rg.onHandled = f
	rg.mu.Unlock()
}

// result is what a call ends with.
type result int

const (
	succeeds result = iota
	unknown         // an error matching ErrOutcomeUnknown
	fails           // an error that does not
)

func (r result) String() string { return [...]string{"success", "ErrOutcomeUnknown", "error"}[r] }

// expect is the outcome of one request kind under one fault: the result,
// how many times the request reached the proxy, and how many times the
// server applied it (answered it with a 2xx for GETs and scorecards).
type expect struct {
	res     result
	sent    int
	applied int
}

// TestClientPolicy checks every row of the table in the package doc, for a
// GET, the two commands and the two scorecard requests, through a proxy
// that breaks the first request of the kind under test, in front of
// arcgym's server whose games count the commands they applied.
func TestClientPolicy(t *testing.T) {
	refused := http.Header{wire.HeaderNotApplied: {"1"}, "Retry-After": {"0"}}
	plain := http.Header{"Retry-After": {"0"}}
	type row struct {
		name  string
		fault faultproxy.Fault
		// dialFails fails the first dial instead; timeout gives up once the
		// server has answered, with a deadline error; redirect points a
		// RedirectAfter fault at the same host ("same") or another ("other").
		dialFails bool
		timeout   bool
		redirect  string
		// status, when set, is the status the *APIError must carry.
		status int
		// get is the outcome of a GET; cmd of a command or scorecard request.
		get, cmd expect
	}
	F := func(k faultproxy.Kind, status int, h http.Header) faultproxy.Fault {
		return faultproxy.Fault{Kind: k, Status: status, Header: h}
	}
	rows := []row{
		{name: "dial failure", dialFails: true, get: expect{succeeds, 1, 1}, cmd: expect{succeeds, 1, 1}},
		{name: "cut before forwarding", fault: F(faultproxy.CutBefore, 0, nil), get: expect{succeeds, 2, 1}, cmd: expect{unknown, 1, 0}},
		{name: "cut after forwarding", fault: F(faultproxy.CutAfter, 0, nil), get: expect{succeeds, 2, 2}, cmd: expect{unknown, 1, 1}},
		{name: "timeout", fault: F(faultproxy.StallAfter, 0, nil), timeout: true, get: expect{fails, 1, 1}, cmd: expect{unknown, 1, 1}},
		{name: "2xx decodes", fault: F(faultproxy.Pass, 0, nil), get: expect{succeeds, 1, 1}, cmd: expect{succeeds, 1, 1}},
		{name: "2xx html", fault: F(faultproxy.HTMLAfter, 0, nil), get: expect{fails, 1, 1}, cmd: expect{unknown, 1, 1}},
		{name: "2xx empty", fault: F(faultproxy.EmptyAfter, 0, nil), get: expect{fails, 1, 1}, cmd: expect{unknown, 1, 1}},
		{name: "2xx truncated", fault: F(faultproxy.TruncateAfter, 0, nil), get: expect{succeeds, 2, 2}, cmd: expect{unknown, 1, 1}},
		{name: "307 to the same host", fault: F(faultproxy.RedirectAfter, 307, nil), redirect: "same", status: 307, get: expect{succeeds, 2, 2}, cmd: expect{unknown, 1, 1}},
		{name: "302 to the same host", fault: F(faultproxy.RedirectAfter, 302, nil), redirect: "same", status: 302, get: expect{succeeds, 2, 2}, cmd: expect{unknown, 1, 1}},
		{name: "308 to another host", fault: F(faultproxy.RedirectAfter, 308, nil), redirect: "other", status: 308, get: expect{fails, 1, 1}, cmd: expect{unknown, 1, 1}},
		{name: "429 not applied", fault: F(faultproxy.StatusBefore, 429, refused), get: expect{succeeds, 2, 1}, cmd: expect{succeeds, 2, 1}},
		{name: "503 not applied", fault: F(faultproxy.StatusBefore, 503, refused), get: expect{succeeds, 2, 1}, cmd: expect{succeeds, 2, 1}},
		{name: "429 before forwarding, unmarked", fault: F(faultproxy.StatusBefore, 429, plain), status: 429, get: expect{succeeds, 2, 1}, cmd: expect{unknown, 1, 0}},
		{name: "503 after forwarding, unmarked", fault: F(faultproxy.StatusAfter, 503, plain), status: 503, get: expect{succeeds, 2, 2}, cmd: expect{unknown, 1, 1}},
		{name: "400", fault: F(faultproxy.StatusBefore, 400, nil), status: 400, get: expect{fails, 1, 0}, cmd: expect{fails, 1, 0}},
		{name: "404 not applied", fault: F(faultproxy.StatusBefore, 404, refused), status: 404, get: expect{fails, 1, 0}, cmd: expect{fails, 1, 0}},
		{name: "500 after forwarding", fault: F(faultproxy.StatusAfter, 500, nil), status: 500, get: expect{fails, 1, 1}, cmd: expect{unknown, 1, 1}},
		{name: "500 not applied", fault: F(faultproxy.StatusBefore, 500, refused), status: 500, get: expect{fails, 1, 0}, cmd: expect{fails, 1, 0}},
		{name: "502 after forwarding", fault: F(faultproxy.StatusAfter, 502, nil), status: 502, get: expect{succeeds, 2, 2}, cmd: expect{unknown, 1, 1}},
		{name: "504 after forwarding", fault: F(faultproxy.StatusAfter, 504, nil), status: 504, get: expect{succeeds, 2, 2}, cmd: expect{unknown, 1, 1}},
	}

	// A kind is one request under test: its route, a set-up on a healthy
	// client, the call, and how to count what the server applied.
	type kind struct {
		name, route string
		get         bool
		setup       func(t *testing.T, rg *rig, c *Client) (card, guid string)
		call        func(ctx context.Context, rg *rig, c *Client, card, guid string) error
		commands    bool // count applied commands, not 2xx answers
	}
	session := func(t *testing.T, rg *rig, c *Client) (string, string) {
		card, err := c.OpenScorecard(t.Context(), OpenOptions{})
		require.NoError(t, err)
		var fd arc.FrameData
		require.NoError(t, c.Reset(t.Context(), rg.game.ID, card, "", &fd))
		require.NoError(t, c.Action(t.Context(), rg.game.ID, fd.GUID, arc.Simple(arc.Action1), &fd))
		return card, fd.GUID
	}
	kinds := []kind{
		{name: "GET", route: "GET /api/games", get: true,
			call: func(ctx context.Context, rg *rig, c *Client, _, _ string) error {
				_, err := c.Games(ctx)
				return err
			}},
		{name: "ACTION1", route: "POST /api/cmd/ACTION1", setup: session, commands: true,
			call: func(ctx context.Context, rg *rig, c *Client, _, guid string) error {
				var fd arc.FrameData
				return c.Action(ctx, rg.game.ID, guid, arc.Simple(arc.Action1), &fd)
			}},
		{name: "RESET", route: "POST /api/cmd/RESET", setup: session, commands: true,
			call: func(ctx context.Context, rg *rig, c *Client, card, guid string) error {
				var fd arc.FrameData
				return c.Reset(ctx, rg.game.ID, card, guid, &fd)
			}},
		{name: "open", route: "POST /api/scorecard/open",
			call: func(ctx context.Context, rg *rig, c *Client, _, _ string) error {
				_, err := c.OpenScorecard(ctx, OpenOptions{Tags: []string{"policy"}})
				return err
			}},
		{name: "close", route: "POST /api/scorecard/close",
			setup: func(t *testing.T, rg *rig, c *Client) (string, string) {
				card, err := c.OpenScorecard(t.Context(), OpenOptions{})
				require.NoError(t, err)
				return card, ""
			},
			call: func(ctx context.Context, rg *rig, c *Client, card, _ string) error {
				_, err := c.CloseScorecard(ctx, card)
				return err
			}},
	}

	for _, tc := range rows {
		for _, k := range kinds {
			t.Run(tc.name+"/"+k.name, func(t *testing.T) {
				want := tc.cmd
				if k.get {
					want = tc.get
				}
				rg := newRig(t)
				var card, guid string
				if k.setup != nil {
					card, guid = k.setup(t, rg, testClient(t, rg.front.URL))
				}

				// The client under test holds a cookie of the service, to
				// show that no redirect carries it (or the key) elsewhere.
				jar, err := cookiejar.New(nil)
				require.NoError(t, err)
				fu, err := url.Parse(rg.front.URL)
				require.NoError(t, err)
				jar.SetCookies(fu, []*http.Cookie{{Name: "pin", Value: "backend-1"}})
				var tr http.RoundTripper = newTransport()
				if tc.dialFails {
					tr = &flakyDial{fails: 1, rt: tr}
				}
				c := testClientWith(t, rg.front.URL, ClientConfig{HTTPClient: &http.Client{Transport: tr, Jar: jar}})

				var elsewhere atomic.Int64
				fault := tc.fault
				switch tc.redirect {
				case "same":
					fault.Location = rg.front.URL + k.route[len("GET "):]
					if !k.get {
						fault.Location = rg.front.URL + k.route[len("POST "):]
					}
				case "other":
					// Another port of the same address: a cookie jar would
					// send the service's cookies there.
					other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
						elsewhere.Add(1)
						w.WriteHeader(http.StatusOK)
					}))
					t.Cleanup(other.Close)
					fault.Location = other.URL + "/api/games"
				}
				var armed atomic.Bool
				rg.proxy.SetRule(func(r *http.Request, n int64) faultproxy.Fault {
					if r.Method+" "+r.URL.Path == k.route && armed.CompareAndSwap(false, true) {
						return fault
					}
					return faultproxy.Fault{Kind: faultproxy.Pass}
				})
				ctx := t.Context()
				if tc.timeout {
					// A deadline that passes once the server has answered:
					// the outcome without depending on the clock.
					cctx, cancel := context.WithCancelCause(ctx)
					defer cancel(nil)
					rg.setOnHandled(func(route string) {
						if route == k.route {
							cancel(context.DeadlineExceeded)
						}
					})
					ctx = cctx
				}
				sentBefore := rg.proxy.Requests()
				appliedBefore, oksBefore := rg.applied.Load(), rg.oks(k.route)

				err = k.call(ctx, rg, c, card, guid)

				switch want.res {
				case succeeds:
					require.NoError(t, err)
				case unknown:
					require.ErrorIs(t, err, ErrOutcomeUnknown)
				case fails:
					require.Error(t, err)
					assert.NotErrorIs(t, err, ErrOutcomeUnknown)
				}
				if err != nil {
					assert.Contains(t, err.Error(), k.route, "the error names the route")
				}
				if tc.timeout {
					assert.ErrorIs(t, err, context.DeadlineExceeded)
				}
				if tc.status != 0 && want.res != succeeds {
					var ae *APIError
					require.ErrorAs(t, err, &ae)
					assert.Equal(t, tc.status, ae.Status)
					assert.Equal(t, want.res == unknown, ae.MaybeApplied)
				}
				assert.Equal(t, int64(want.sent), rg.proxy.Requests()-sentBefore, "requests sent")
				applied := rg.oks(k.route) - oksBefore
				if k.commands {
					applied = int(rg.applied.Load() - appliedBefore)
				}
				assert.Equal(t, want.applied, applied, "requests applied")
				assert.Zero(t, elsewhere.Load(), "requests that reached another host")
			})
		}
	}
}

// TestClientUnknownKeepsRetryAfter checks that a 429 to a command without
// Arcgym-Not-Applied is reported with its status and Retry-After, matching
// both ErrOutcomeUnknown and ErrRateLimited, and is not retried even though
// the wait it asks for is within the client's cap.
func TestClientUnknownKeepsRetryAfter(t *testing.T) {
	rg := newRig(t)
	c := testClientWith(t, rg.front.URL, ClientConfig{MaxRetryAfter: time.Hour})
	card, err := c.OpenScorecard(t.Context(), OpenOptions{})
	require.NoError(t, err)
	var fd arc.FrameData
	require.NoError(t, c.Reset(t.Context(), rg.game.ID, card, "", &fd))
	rg.proxy.SetRule(func(r *http.Request, n int64) faultproxy.Fault {
		return faultproxy.Fault{Kind: faultproxy.StatusBefore, Status: 429, Header: http.Header{"Retry-After": {"30"}}}
	})
	before := rg.applied.Load()
	err = c.Action(t.Context(), rg.game.ID, fd.GUID, arc.Simple(arc.Action1), &fd)
	require.ErrorIs(t, err, ErrOutcomeUnknown)
	require.ErrorIs(t, err, ErrRateLimited)
	var ae *APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, http.StatusTooManyRequests, ae.Status)
	assert.Equal(t, 30*time.Second, ae.RetryAfter)
	assert.Equal(t, 1, ae.Attempts)
	assert.False(t, ae.NotApplied)
	assert.Equal(t, rg.applied.Load(), before)
}

// TestSessionResetOutcomeUnknown plays the finding that a resent RESET
// turns a level reset into a full reset: a level RESET whose answer is lost
// fails with ErrOutcomeUnknown and is applied exactly once, the env.Game
// above the session does not resend it either, and the next RESET's answer
// tells the truth (a full reset, since the level was already restarted).
func TestSessionResetOutcomeUnknown(t *testing.T) {
	rg := newRig(t)
	c := testClient(t, rg.front.URL)
	g, err := NewGame(t.Context(), c, rg.game.ID, GameConfig{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = g.Close() })
	_, _, err = g.Reset(t.Context(), env.ResetOptions{})
	require.NoError(t, err)
	_, err = g.Step(t.Context(), arc.Simple(arc.Action1))
	require.NoError(t, err)

	var lost atomic.Int64
	rg.proxy.SetRule(func(r *http.Request, n int64) faultproxy.Fault {
		if r.URL.Path == "/api/cmd/RESET" && lost.Add(1) == 1 {
			return faultproxy.Fault{Kind: faultproxy.CutAfter}
		}
		return faultproxy.Fault{Kind: faultproxy.Pass}
	})
	before := rg.applied.Load()
	_, _, err = g.Reset(t.Context(), env.ResetOptions{Mode: env.ResetLevel})
	require.ErrorIs(t, err, ErrOutcomeUnknown)
	assert.Equal(t, int64(1), rg.applied.Load()-before, "the level reset was applied once")
	assert.Equal(t, int64(1), lost.Load(), "and sent once")

	s := g.Backend().(*Session)
	var fd arc.FrameData
	require.NoError(t, s.Do(t.Context(), arc.Action{ID: arc.Reset}, &fd))
	assert.True(t, fd.FullReset, "a second RESET restarts the game: the first one was applied")
	assert.Equal(t, int64(2), rg.applied.Load()-before)
}
