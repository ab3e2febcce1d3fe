package remote

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/wire"
)

// testClient returns a Client for url with fast retries.
func testClient(t testing.TB, url string) *Client {
	t.Helper()
	return testClientWith(t, url, ClientConfig{})
}

// testClientWith returns a Client for url configured by cfg, with the test
// key and fast retries where cfg leaves them unset.
func testClientWith(t testing.TB, url string, cfg ClientConfig) *Client {
	t.Helper()
	if cfg.APIKey == "" && !cfg.NoAPIKey {
		cfg.APIKey = "test-key"
	}
	if cfg.BackoffBase == 0 && cfg.BackoffMax == 0 {
		cfg.BackoffBase, cfg.BackoffMax = time.Millisecond, 4*time.Millisecond
	}
	if cfg.MaxRetryAfter == 0 {
		cfg.MaxRetryAfter = 20 * time.Millisecond
	}
	c, err := NewClient(url, cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// startSession opens a card and a session on s and returns the guid.
func startSession(t *testing.T, c *Client, s *arcServer) (gameID, guid string) {
	t.Helper()
	card, err := c.OpenScorecard(t.Context(), OpenOptions{})
	require.NoError(t, err)
	var fd arc.FrameData
	require.NoError(t, c.Reset(t.Context(), s.games[0].ID, card, "", &fd))
	return fd.GameID, fd.GUID
}

func TestClientRoutesReplay(t *testing.T) {
	s := newReplayServer(t)
	c := testClient(t, s.URL)
	ctx := t.Context()

	require.NoError(t, c.Healthcheck(ctx))
	games, err := c.Games(ctx)
	require.NoError(t, err)
	assert.Len(t, games, 25)

	g, err := c.Game(ctx, "ls20")
	require.NoError(t, err)
	assert.Equal(t, sampleGame, g.GameID)

	_, err = c.Game(ctx, "zz99")
	require.ErrorIs(t, err, ErrNotFound)
	require.ErrorIs(t, err, arc.ErrUnknownGame)
	assert.Contains(t, err.Error(), "game zz99 not found")

	card, err := c.OpenScorecard(ctx, OpenOptions{SourceURL: "https://example.invalid/agent", Tags: []string{"ref-sample"},
		Opaque: json.RawMessage(`{ "note" : "golden sample run" }`)})
	require.NoError(t, err)
	assert.Equal(t, sampleCard, card)

	var fd arc.FrameData
	require.NoError(t, c.Reset(ctx, sampleGame, card, "", &fd))
	assert.Equal(t, sampleGUID, fd.GUID)
	assert.Equal(t, arc.ActionSetOf(1, 2, 3, 4), fd.Available)
	require.NoError(t, c.Action(ctx, sampleGame, fd.GUID, arc.Action{ID: arc.Action3, Reasoning: json.RawMessage(`{"why":"sample"}`)}, &fd))
	assert.JSONEq(t, `{"why":"sample"}`, string(fd.Action.Reasoning))
	require.NoError(t, c.Reset(ctx, sampleGame, card, sampleGUID, &fd))

	sc, err := c.GetScorecard(ctx, card)
	require.NoError(t, err)
	assert.Equal(t, 11, sc.TotalActions)
	sg, err := c.GetScorecardGame(ctx, card, sampleGame)
	require.NoError(t, err)
	assert.Equal(t, 3, sg.Aggregate.Cards[sampleGame].TotalPlays)
	closed, err := c.CloseScorecard(ctx, card)
	require.NoError(t, err)
	assert.Equal(t, card, closed.CardID)
	_, err = c.CloseScorecard(ctx, card)
	require.ErrorIs(t, err, ErrNotFound)
	var ae *APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, wire.CodeValidation, ae.Code)
	assert.Contains(t, ae.Message, "not found")

	reqs := s.log.all()
	open := reqs[4]
	assert.Equal(t, "/api/scorecard/open", open.Path)
	assert.JSONEq(t, `{"source_url":"https://example.invalid/agent","tags":["ref-sample"],"opaque":{"note":"golden sample run"}}`, open.Body)
	for _, r := range reqs {
		assert.Equal(t, "test-key", r.Header.Get("X-API-Key"), r.Path)
		if r.Method == http.MethodPost {
			assert.Equal(t, "application/json", r.Header.Get("Content-Type"), r.Path)
		}
	}
	cmds := s.log.commands(t)
	require.Len(t, cmds, 3)
	assert.Equal(t, wire.CommandRequest{GameID: sampleGame, CardID: sampleCard}, cmds[0])
	assert.Equal(t, sampleGUID, cmds[1].GUID)
	assert.JSONEq(t, `{"why":"sample"}`, string(cmds[1].Reasoning))
	assert.Equal(t, wire.CommandRequest{GameID: sampleGame, CardID: sampleCard, GUID: sampleGUID}, cmds[2])
}

func TestClientCommandBodies(t *testing.T) {
	s := newARCServer(t)
	c := testClient(t, s.URL)
	gameID, guid := startSession(t, c, s)
	var fd arc.FrameData
	require.NoError(t, c.Action(t.Context(), gameID, guid, arc.Click(63, 0), &fd))
	assert.Equal(t, arc.Click(63, 0), fd.Action)
	cmds := s.log.commands(t)
	require.Len(t, cmds, 2)
	require.NotNil(t, cmds[1].X)
	assert.Equal(t, 63, *cmds[1].X)
	assert.Equal(t, 0, *cmds[1].Y)
	assert.Equal(t, `{"game_id":"fake-0000000f","guid":"`+guid+`","x":63,"y":0}`, s.log.all()[2].Body)
}

func TestClientRejectsBadActionsLocally(t *testing.T) {
	s := newARCServer(t)
	c := testClient(t, s.URL)
	var fd arc.FrameData
	big := json.RawMessage(`"` + strings.Repeat("a", arc.MaxReasoningBytes) + `"`)
	tests := []struct {
		name string
		call func() error
		want error
	}{
		{"reasoning too big", func() error {
			return c.Action(t.Context(), "g-1", "u", arc.Action{ID: arc.Action1, Reasoning: big}, &fd)
		}, arc.ErrInvalidAction},
		{"reasoning not JSON", func() error {
			return c.Action(t.Context(), "g-1", "u", arc.Action{ID: arc.Action1, Reasoning: json.RawMessage(`{"a":`)}, &fd)
		}, arc.ErrInvalidAction},
		{"click off grid", func() error { return c.Action(t.Context(), "g-1", "u", arc.Click(64, 1), &fd) }, arc.ErrInvalidAction},
		{"unknown id", func() error { return c.Action(t.Context(), "g-1", "u", arc.Action{ID: 9}, &fd) }, arc.ErrInvalidAction},
		{"reset as action", func() error { return c.Action(t.Context(), "g-1", "u", arc.Action{}, &fd) }, arc.ErrInvalidAction},
		{"action without guid", func() error { return c.Action(t.Context(), "g-1", "", arc.Simple(arc.Action1), &fd) }, arc.ErrInvalidAction},
		{"reset without card or guid", func() error { return c.Reset(t.Context(), "g-1", "", "", &fd) }, arc.ErrInvalidAction},
		{"opaque too big", func() error {
			_, err := c.OpenScorecard(t.Context(), OpenOptions{Opaque: json.RawMessage(`"` + strings.Repeat("b", wire.MaxOpaqueBytes) + `"`)})
			var oe *wire.OpaqueError
			if assert.ErrorAs(t, err, &oe) {
				assert.Equal(t, wire.MaxOpaqueBytes+2, oe.Size)
			}
			return err
		}, nil},
		{"opaque not JSON", func() error {
			_, err := c.OpenScorecard(t.Context(), OpenOptions{Opaque: json.RawMessage(`{"a":`)})
			var oe *wire.OpaqueError
			if assert.ErrorAs(t, err, &oe) {
				assert.Error(t, oe.Err)
			}
			return err
		}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			require.Error(t, err)
			if tc.want != nil {
				assert.ErrorIs(t, err, tc.want)
			}
		})
	}
	assert.Zero(t, s.requests.Load(), "nothing may be sent")
}

func TestClientConfig(t *testing.T) {
	t.Setenv(EnvBaseURL, "http://env.invalid:1")
	t.Setenv(EnvAPIKey, "env-key")
	c, err := NewClient("", ClientConfig{})
	require.NoError(t, err)
	assert.Equal(t, "http://env.invalid:1", c.BaseURL())
	assert.Equal(t, "env-key", c.apiKey)
	assert.Equal(t, retryPolicy{maxAttempts: DefaultMaxAttempts, base: DefaultBackoffBase, max: DefaultBackoffMax, maxRetryAfter: DefaultMaxRetryAfter}, c.retry)
	assert.Equal(t, int64(DefaultMaxResponseBytes), c.maxResponse)
	assert.Equal(t, DefaultUserAgent, c.userAgent)

	c, err = NewClient("http://opt.invalid:2/", ClientConfig{APIKey: "opt-key"})
	require.NoError(t, err)
	assert.Equal(t, "http://opt.invalid:2", c.BaseURL())
	assert.Equal(t, "opt-key", c.apiKey)

	c, err = NewClient("", ClientConfig{NoAPIKey: true})
	require.NoError(t, err)
	assert.Empty(t, c.apiKey, "NoAPIKey wins over ARC_API_KEY")

	t.Setenv(EnvBaseURL, "")
	c, err = NewClient("", ClientConfig{})
	require.NoError(t, err)
	assert.Equal(t, DefaultBaseURL, c.BaseURL())

	for name, bad := range map[string]struct {
		url    string
		envKey string
		cfg    ClientConfig
		want   string
	}{
		"scheme":        {url: "ftp://x", want: "want http(s)"},
		"host":          {url: "http://", want: "want http(s)"},
		"query":         {url: "http://x/?q=1", want: "query or fragment"},
		"attempts":      {cfg: ClientConfig{MaxAttempts: -1}, want: "max attempts -1"},
		"backoff":       {cfg: ClientConfig{BackoffBase: time.Second, BackoffMax: time.Millisecond}, want: "backoff"},
		"retry-after":   {cfg: ClientConfig{MaxRetryAfter: -time.Second}, want: "retry-after cap"},
		"response":      {cfg: ClientConfig{MaxResponseBytes: 10}, want: "too small"},
		"key":           {cfg: ClientConfig{APIKey: "a\nb"}, want: "line break"},
		"key and none":  {cfg: ClientConfig{APIKey: "k", NoAPIKey: true}, want: "both APIKey and NoAPIKey"},
		"env key break": {envKey: "a\rb", want: "line break"},
	} {
		t.Run(name, func(t *testing.T) {
			if bad.envKey != "" {
				t.Setenv(EnvAPIKey, bad.envKey)
			}
			_, err := NewClient(bad.url, bad.cfg)
			assert.ErrorContains(t, err, bad.want)
		})
	}
}

// TestClientAPIKeyOmitted checks that an empty key sends no header (the
// reference server then uses its default key).
func TestClientAPIKeyOmitted(t *testing.T) {
	s := newARCServer(t)
	c := testClientWith(t, s.URL, ClientConfig{NoAPIKey: true})
	require.NoError(t, c.Healthcheck(t.Context()))
	_, present := s.log.all()[0].Header["X-Api-Key"]
	assert.False(t, present)
}

func TestClientCookieRoundTrip(t *testing.T) {
	s := newARCServer(t)
	var missing atomic.Int64
	s.SetBefore(func(w http.ResponseWriter, r *http.Request, n int) bool {
		if n == 1 {
			http.SetCookie(w, &http.Cookie{Name: "AWSALB", Value: "pinned-backend-7", Path: "/"})
			http.SetCookie(w, &http.Cookie{Name: "AWSALBCORS", Value: "pinned-backend-7", Path: "/"})
			return false
		}
		if ck, err := r.Cookie("AWSALB"); err != nil || ck.Value != "pinned-backend-7" {
			missing.Add(1)
		}
		return false
	})
	c := testClient(t, s.URL)
	gameID, guid := startSession(t, c, s)
	var fd arc.FrameData
	for range 3 {
		require.NoError(t, c.Action(t.Context(), gameID, guid, arc.Simple(arc.Action3), &fd))
	}
	assert.Zero(t, missing.Load(), "every request after the first must carry the cookie")
	assert.Equal(t, int64(5), s.requests.Load())

	// A second client has its own jar.
	c2 := testClient(t, s.URL)
	require.NoError(t, c2.Healthcheck(t.Context()))
	assert.Equal(t, int64(1), missing.Load())
}

func TestClientReusesConnections(t *testing.T) {
	s := newARCServer(t)
	c := testClient(t, s.URL)
	gameID, guid := startSession(t, c, s)
	var fd arc.FrameData
	for range 20 {
		require.NoError(t, c.Action(t.Context(), gameID, guid, arc.Simple(arc.Action4), &fd))
	}
	assert.Equal(t, int64(1), s.conns.Load())
}

func TestClientErrorBodies(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		contentType string
		body        string
		is          []error
		code        string
		inMessage   string
	}{
		{"html 500", 500, "text/html", string(sampleBody(t, "49_err_action6_missing_xy.json")), []error{ErrServer}, "", "Internal Server Error"},
		{"html 404", 404, "text/html", string(sampleBody(t, "56_err_unknown_route.txt")), []error{ErrNotFound}, "", "404 Not Found"},
		{"empty 401", 401, "", "", []error{ErrUnauthorized}, "", "401 Unauthorized"},
		{"json 403", 403, "application/json", `{"error":"SERVER_ERROR","message":"cannot get scorecard that is in competition mode"}`, []error{ErrForbidden}, wire.CodeServer, "competition mode"},
		{"not started", 400, "application/json", string(sampleBody(t, "A3_action_after_game_over.json")), []error{ErrBadRequest, arc.ErrNotStarted, ErrNotStarted}, wire.CodeGameNotStarted, "send RESET"},
		{"error only", 400, "application/json", `{"error":"opaque exceeds 8 KB limit"}`, []error{ErrBadRequest}, "opaque exceeds 8 KB limit", "opaque exceeds"},
		{"html 415", 415, "text/html", "<!doctype html><title>415 Unsupported Media Type</title>", nil, "", "Unsupported Media Type"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var hits atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				if tc.contentType != "" {
					w.Header().Set("Content-Type", tc.contentType)
				}
				w.WriteHeader(tc.status)
				_, _ = io.WriteString(w, tc.body)
			}))
			defer srv.Close()
			c := testClient(t, srv.URL)
			var fd arc.FrameData
			err := c.Action(t.Context(), "g-1", "u", arc.Simple(arc.Action1), &fd)
			require.Error(t, err)
			var ae *APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, tc.status, ae.Status)
			assert.Equal(t, tc.code, ae.Code)
			assert.Equal(t, "POST /api/cmd/ACTION1", ae.Route)
			assert.LessOrEqual(t, len(ae.Body), maxSnippet)
			for _, target := range tc.is {
				assert.ErrorIs(t, err, target)
			}
			assert.NotErrorIs(t, err, ErrRateLimited)
			assert.Contains(t, err.Error(), tc.inMessage)
			assert.Equal(t, int64(1), hits.Load(), "no retry")
		})
	}
}

func TestClientRejectsInvalidFrames(t *testing.T) {
	s := newARCServer(t)
	c := testClient(t, s.URL)
	gameID, guid := startSession(t, c, s)
	s.SetAfter(func(w http.ResponseWriter, r *http.Request, body []byte) bool {
		// Turn the colour at frame 0, row 3, column 7 into 16.
		var fr wire.FrameResponse
		if err := json.Unmarshal(body, &fr); err != nil {
			panic(err)
		}
		fr.Frame[0][3][7] = 16
		b, _ := json.Marshal(fr)
		_, _ = w.Write(b)
		return true
	})
	var fd arc.FrameData
	err := c.Action(t.Context(), gameID, guid, arc.Simple(arc.Action3), &fd)
	require.ErrorIs(t, err, arc.ErrInvalidFrame)
	assert.Contains(t, err.Error(), "frame 0 row 3 column 7: value 16 outside 0..15")
	assert.Contains(t, err.Error(), "POST /api/cmd/ACTION3")
	assert.Equal(t, int64(3), s.requests.Load(), "a decoded but invalid answer is not retried")
}

// TestClientRetries drives every fault through an ACTION and a GET and
// checks what was retried and how many commands the server applied.
func TestClientRetries(t *testing.T) {
	type fault struct {
		name string
		// before and after make fresh hooks for each server; nil means none.
		before func() func(w http.ResponseWriter, r *http.Request, n int) bool
		after  func() func(w http.ResponseWriter, r *http.Request, body []byte) bool
		// actionErr is nil when the ACTION must succeed, otherwise a target
		// for errors.Is; actionSent is the number of ACTION requests sent
		// and applied the number the server applied.
		actionErr         error
		maybeApplied      bool
		actionSent        int
		applied           int
		getErr            error
		getSent           int
		cmdOnly           bool
		attemptsInMessage bool
	}
	// failFirst fails the first k requests other than the session set-up.
	failFirst := func(k int, f func(w http.ResponseWriter)) func() func(w http.ResponseWriter, r *http.Request, n int) bool {
		return func() func(w http.ResponseWriter, r *http.Request, n int) bool {
			var seen atomic.Int64
			return func(w http.ResponseWriter, r *http.Request, n int) bool {
				if r.URL.Path == "/api/scorecard/open" || r.URL.Path == "/api/cmd/RESET" {
					return false
				}
				if int(seen.Add(1)) <= k {
					f(w)
					return true
				}
				return false
			}
		}
	}
	// status answers code; refused adds wire.HeaderNotApplied, as arcgym's
	// server does on a refusal.
	status := func(code int, retryAfter string, refused bool) func(w http.ResponseWriter) {
		return func(w http.ResponseWriter) {
			if retryAfter != "" {
				w.Header().Set("Retry-After", retryAfter)
			}
			if refused {
				w.Header().Set(wire.HeaderNotApplied, "1")
			}
			w.WriteHeader(code)
		}
	}
	tests := []fault{
		{name: "refused 429 then ok", before: failFirst(1, status(429, "0", true)), actionSent: 2, applied: 1, getSent: 2},
		{name: "refused 503 with http date then ok", before: failFirst(2, status(503, time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat), true)), actionSent: 3, applied: 1, getSent: 3},
		{name: "refused 503 without retry-after then ok", before: failFirst(1, status(503, "", true)), actionSent: 2, applied: 1, getSent: 2},
		{name: "refused 429 always", before: failFirst(100, status(429, "0", true)), actionErr: ErrRateLimited, actionSent: 4, getErr: ErrRateLimited, getSent: 4, attemptsInMessage: true},
		{name: "429 without not-applied", before: failFirst(1, status(429, "0", false)), actionErr: ErrOutcomeUnknown, actionSent: 1, getSent: 2},
		{name: "503 without not-applied", before: failFirst(1, status(503, "0", false)), actionErr: ErrOutcomeUnknown, actionSent: 1, getSent: 2},
		{name: "500", before: failFirst(1, status(500, "", false)), actionErr: ErrServer, actionSent: 1, getErr: ErrServer, getSent: 1},
		{name: "502", before: failFirst(1, status(502, "", false)), actionErr: ErrServer, actionSent: 1, getSent: 2},
		{name: "drop before applying", before: failFirst(1, dropConnection), actionErr: ErrOutcomeUnknown, maybeApplied: true, actionSent: 1, getSent: 2},
		{name: "drop after applying", after: func() func(w http.ResponseWriter, r *http.Request, body []byte) bool {
			return func(w http.ResponseWriter, r *http.Request, body []byte) bool {
				if r.URL.Path == "/api/cmd/RESET" {
					return false
				}
				dropConnection(w)
				return true
			}
		}, actionErr: ErrOutcomeUnknown, maybeApplied: true, actionSent: 1, applied: 1, cmdOnly: true},
		{name: "truncated body", after: func() func(w http.ResponseWriter, r *http.Request, body []byte) bool {
			return func(w http.ResponseWriter, r *http.Request, body []byte) bool {
				if r.URL.Path == "/api/cmd/RESET" {
					return false
				}
				w.Header().Set("Content-Length", strconv.Itoa(len(body)))
				_, _ = w.Write(body[:len(body)/2])
				panic(http.ErrAbortHandler)
			}
		}, actionErr: io.ErrUnexpectedEOF, maybeApplied: true, actionSent: 1, applied: 1, cmdOnly: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			{
				s := newARCServer(t)
				c := testClient(t, s.URL)
				gameID, guid := startSession(t, c, s)
				if tc.before != nil {
					s.SetBefore(tc.before())
				}
				if tc.after != nil {
					s.SetAfter(tc.after())
				}
				before := s.applied.Load()
				var fd arc.FrameData
				err := c.Action(t.Context(), gameID, guid, arc.Simple(arc.Action3), &fd)
				if tc.actionErr == nil {
					require.NoError(t, err)
					assert.Equal(t, arc.Action3, fd.Action.ID)
				} else {
					require.ErrorIs(t, err, tc.actionErr)
					assert.Contains(t, err.Error(), "POST /api/cmd/ACTION3")
					var te *TransportError
					if errors.As(err, &te) {
						assert.Equal(t, tc.maybeApplied, te.MaybeApplied)
					}
					if tc.attemptsInMessage {
						assert.Contains(t, err.Error(), "after 4 attempts")
					}
				}
				assert.Equal(t, int64(2+tc.actionSent), s.requests.Load(), "ACTION requests sent")
				assert.Equal(t, int64(tc.applied), s.applied.Load()-before, "ACTIONs applied")
			}
			if !tc.cmdOnly {
				s := newARCServer(t)
				if tc.before != nil {
					s.SetBefore(tc.before())
				}
				c := testClient(t, s.URL)
				_, err := c.Games(t.Context())
				if tc.getErr == nil {
					require.NoError(t, err)
				} else {
					require.ErrorIs(t, err, tc.getErr)
				}
				assert.Equal(t, int64(tc.getSent), s.requests.Load(), "GET requests sent")
			}
		})
	}
}

// flakyDial fails the first n dials as a refused connection would.
type flakyDial struct {
	n     atomic.Int64
	fails int64
	rt    http.RoundTripper
}

func (f *flakyDial) RoundTrip(r *http.Request) (*http.Response, error) {
	if f.n.Add(1) <= f.fails {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	}
	return f.rt.RoundTrip(r)
}

func TestClientRetriesRefusedDial(t *testing.T) {
	s := newARCServer(t)
	c := testClient(t, s.URL)
	gameID, guid := startSession(t, c, s)
	before := s.applied.Load()

	fd := &flakyDial{fails: 2, rt: newTransport()}
	c2 := testClientWith(t, s.URL, ClientConfig{HTTPClient: &http.Client{Transport: fd}})
	var out arc.FrameData
	require.NoError(t, c2.Action(t.Context(), gameID, guid, arc.Simple(arc.Action4), &out))
	assert.Equal(t, int64(3), fd.n.Load())
	assert.Equal(t, int64(1), s.applied.Load()-before, "applied exactly once")
}

func TestClientRefusedConnection(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())

	c := testClientWith(t, "http://"+addr, ClientConfig{MaxAttempts: 3})
	var fd arc.FrameData
	err = c.Action(t.Context(), "g-1", "u", arc.Simple(arc.Action1), &fd)
	require.Error(t, err)
	assert.ErrorIs(t, err, syscall.ECONNREFUSED)
	assert.NotErrorIs(t, err, ErrOutcomeUnknown)
	var te *TransportError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, 3, te.Attempts)
	assert.False(t, te.MaybeApplied)
	assert.Contains(t, err.Error(), "POST /api/cmd/ACTION1")
}

// TestClientDeadlines runs in synctest bubbles, on in-memory connections:
// the bubble's clock is fake and moves only while every goroutine waits, so
// that the time a call takes is exact, whatever the machine's load.
func TestClientDeadlines(t *testing.T) {
	t.Run("slow response", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s, hc := newPipeARCServer(t)
			c := testClientWith(t, pipeURL, ClientConfig{HTTPClient: hc})
			gameID, guid := startSession(t, c, s)
			s.SetBefore(func(w http.ResponseWriter, r *http.Request, n int) bool {
				select {
				case <-r.Context().Done():
				case <-time.After(5 * time.Second):
				}
				return true
			})
			const deadline = 50 * time.Millisecond
			ctx, cancel := context.WithTimeout(t.Context(), deadline)
			defer cancel()
			start := time.Now()
			var fd arc.FrameData
			err := c.Action(ctx, gameID, guid, arc.Simple(arc.Action1), &fd)
			require.ErrorIs(t, err, context.DeadlineExceeded)
			assert.ErrorIs(t, err, ErrOutcomeUnknown)
			assert.Equal(t, deadline, time.Since(start), "returns at the deadline, not when the server answers")
			assert.Equal(t, int64(3), s.requests.Load(), "not retried")
		})
	})
	t.Run("retry-after beyond deadline", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s, hc := newPipeARCServer(t)
			s.SetBefore(func(w http.ResponseWriter, r *http.Request, n int) bool {
				w.Header().Set("Retry-After", "30")
				w.WriteHeader(429)
				return true
			})
			c := testClientWith(t, pipeURL, ClientConfig{HTTPClient: hc, MaxRetryAfter: time.Minute})
			ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
			defer cancel()
			start := time.Now()
			_, err := c.Games(ctx)
			require.ErrorIs(t, err, ErrRateLimited)
			var ae *APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, 30*time.Second, ae.RetryAfter)
			assert.Zero(t, time.Since(start), "gives up at once instead of sleeping past the deadline")
			assert.Equal(t, int64(1), s.requests.Load())
		})
	})
	t.Run("cancel during backoff", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s, hc := newPipeARCServer(t)
			s.SetBefore(func(w http.ResponseWriter, r *http.Request, n int) bool {
				w.WriteHeader(503)
				return true
			})
			c := testClientWith(t, pipeURL, ClientConfig{HTTPClient: hc, BackoffBase: 10 * time.Second, BackoffMax: 10 * time.Second})
			ctx, cancel := context.WithCancel(t.Context())
			const after = 50 * time.Millisecond
			time.AfterFunc(after, cancel)
			start := time.Now()
			_, err := c.Games(ctx)
			require.ErrorIs(t, err, context.Canceled)
			assert.Contains(t, err.Error(), "503")
			assert.Equal(t, after, time.Since(start), "returns when cancelled, not after the backoff")
			assert.Equal(t, int64(1), s.requests.Load())
		})
	})
}

func TestClientResponseLimit(t *testing.T) {
	s := newARCServer(t)
	c := testClientWith(t, s.URL, ClientConfig{MaxResponseBytes: 4096})
	card, err := c.OpenScorecard(t.Context(), OpenOptions{})
	require.NoError(t, err)
	var fd arc.FrameData
	err = c.Reset(t.Context(), "fake", card, "", &fd)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "larger than 4096 bytes")
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"3", 3 * time.Second, true},
		{" 0 ", 0, true},
		{"-1", 0, false},
		{"", 0, false},
		{"soon", 0, false},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"99999999999", 24 * time.Hour, true},
	}
	for _, tc := range tests {
		got, ok := parseRetryAfter(tc.in, now)
		assert.Equal(t, tc.ok, ok, "%q", tc.in)
		assert.Equal(t, tc.want, got, "%q", tc.in)
	}
}

func TestBackoff(t *testing.T) {
	p := retryPolicy{base: 100 * time.Millisecond, max: time.Second}
	for n := 1; n <= 10; n++ {
		want := min(100*time.Millisecond<<(n-1), time.Second)
		for range 50 {
			d := p.backoff(n)
			assert.GreaterOrEqual(t, d, want/2, "attempt %d", n)
			assert.LessOrEqual(t, d, want, "attempt %d", n)
		}
	}
}

func TestErrorMessages(t *testing.T) {
	ae := &APIError{Route: "POST /api/cmd/ACTION1", Status: 400, Code: wire.CodeValidation, Message: "missing `game_id` in action data"}
	assert.Equal(t, "remote: POST /api/cmd/ACTION1: 400 Bad Request: VALIDATION_ERROR: missing `game_id` in action data", ae.Error())
	ae = &APIError{Route: "GET /x", Status: 502, Body: "<html>\n  bad   gateway</html>", Attempts: 3}
	assert.Equal(t, `remote: GET /x: 502 Bad Gateway: body "<html> bad gateway</html>" (after 3 attempts)`, ae.Error())
	te := &TransportError{Route: "POST /api/cmd/RESET", Err: io.ErrUnexpectedEOF, MaybeApplied: true}
	assert.Equal(t, "remote: POST /api/cmd/RESET: unexpected EOF; the request may have been applied and was not sent again", te.Error())
	assert.ErrorIs(t, te, ErrOutcomeUnknown)
	assert.Equal(t, strings.Repeat("é", 2), snippet([]byte("éé")))
	long := snippet([]byte(strings.Repeat("é", maxSnippet)))
	assert.LessOrEqual(t, len(long), maxSnippet)
	assert.True(t, strings.HasSuffix(long, "é"))
	// A stray invalid byte is replaced, not a reason to drop the text.
	binary := snippet([]byte("\xff<html>" + strings.Repeat("a", maxSnippet)))
	assert.True(t, strings.HasPrefix(binary, "\uFFFD<html>aaa"), "%q", binary)
	assert.LessOrEqual(t, len(binary), maxSnippet)
	assert.Len(t, snippet([]byte(strings.Repeat("\xff", maxSnippet))), maxSnippet/3*3)
}
