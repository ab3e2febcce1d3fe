package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/internal/memnet"
	"github.com/arcgym/arcgym/wire"
)

// waitGoroutines waits until at most n goroutines run, and fails with a
// dump if they do not wind down.
func waitGoroutines(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > n {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			buf = buf[:runtime.Stack(buf, true)]
			t.Fatalf("%d goroutines left, want at most %d:\n%s", runtime.NumGoroutine(), n, buf)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func postJSON(t *testing.T, hc *http.Client, url, body string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, url, bytes.NewBufferString(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// TestGracefulShutdown cancels Serve while a command is in flight: the
// command completes, Serve returns nil, and nothing is left running.
func TestGracefulShutdown(t *testing.T) {
	before := runtime.NumGoroutine()
	cat := newTestCatalog()
	cat.gate = make(chan struct{})
	cat.entered = make(chan struct{}, 1)
	closed := make(chan wire.Scorecard, 1)
	srv, err := New(Config{Games: cat, OnCardClose: func(s wire.Scorecard) { closed <- s }})
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(t.Context())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()

	tr := &http.Transport{}
	hc := &http.Client{Transport: tr}
	base := "http://" + ln.Addr().String()
	status, body, err := postJSON(t, hc, base+"/api/scorecard/open", `{}`)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, status)
	card, err := wire.DecodeOpenScorecard(body)
	require.NoError(t, err)
	status, body, err = postJSON(t, hc, base+"/api/cmd/RESET", fmt.Sprintf(`{"game_id":%q,"card_id":%q}`, ttInfo.ID, card))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, status, string(body))
	var fd struct{ GUID string }
	require.NoError(t, json.Unmarshal(body, &fd))
	guid := fd.GUID

	type result struct {
		status int
		err    error
	}
	inflight := make(chan result, 1)
	go func() {
		status, _, err := postJSON(t, hc, base+"/api/cmd/ACTION5", fmt.Sprintf(`{"game_id":%q,"guid":%q}`, ttInfo.ID, guid))
		inflight <- result{status, err}
	}()
	<-cat.entered
	cancel()
	// The listener closes; Serve keeps waiting for the request in flight.
	require.Eventually(t, func() bool {
		c, err := net.DialTimeout("tcp", ln.Addr().String(), 100*time.Millisecond)
		if err == nil {
			c.Close()
		}
		return err != nil
	}, 5*time.Second, 10*time.Millisecond)
	select {
	case err := <-served:
		t.Fatalf("Serve returned before draining: %v", err)
	default:
	}
	close(cat.gate)
	r := <-inflight
	require.NoError(t, r.err)
	assert.Equal(t, http.StatusOK, r.status, "the request in flight completes")
	require.NoError(t, <-served)

	require.NoError(t, srv.Close())
	s := <-closed
	assert.Equal(t, card, s.CardID, "Close closes the open cards")
	assert.Equal(t, 1, s.TotalActions)
	tr.CloseIdleConnections()
	waitGoroutines(t, before)
}

func TestCloseRefusesRequests(t *testing.T) {
	srv, ts := newTestServer(t, Config{})
	c := newClient(t, ts, "")
	card := c.open(nil)
	p := c.start(ttInfo.ID, card)
	require.NoError(t, srv.Close())
	for _, r := range []reply{
		c.post("/api/scorecard/open", map[string]any{}),
		c.post("/api/cmd/ACTION1", map[string]any{"game_id": ttInfo.ID, "guid": p.guid}),
		c.get("/api/scorecard/" + card),
	} {
		status, _ := errorOf(t, r)
		assert.Equal(t, http.StatusServiceUnavailable, status)
	}
}

func TestListenAndServe(t *testing.T) {
	before := runtime.NumGoroutine()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- ListenAndServe(ctx, addr, Config{Games: newTestCatalog(), IdleTimeout: time.Minute}) }()
	tr := &http.Transport{}
	hc := &http.Client{Transport: tr}
	require.Eventually(t, func() bool {
		resp, err := hc.Get("http://" + addr + "/api/healthcheck")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 5*time.Second, 10*time.Millisecond)
	cancel()
	require.NoError(t, <-done)
	tr.CloseIdleConnections()
	waitGoroutines(t, before)

	err = ListenAndServe(t.Context(), "256.0.0.1:bad", Config{Games: newTestCatalog()})
	assert.ErrorContains(t, err, "listen")
	err = ListenAndServe(t.Context(), addr, Config{Games: newTestCatalog(), MaxBodyBytes: 1})
	assert.ErrorContains(t, err, "MaxBodyBytes")
}

// sessionCount returns the number of sessions in the server's table.
func (s *Server) sessionCount() int {
	n := 0
	for i := range s.sessions.shards {
		sh := &s.sessions.shards[i]
		sh.mu.RLock()
		n += len(sh.m)
		sh.mu.RUnlock()
	}
	return n
}

// TestCloseRacesNewSession closes scorecards while RESETs start sessions
// on them: whichever wins, no session of a closed card may stay reachable.
func TestCloseRacesNewSession(t *testing.T) {
	srv, ts := newTestServer(t, Config{RecordDir: t.TempDir()})
	c := newClient(t, ts, "")
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	defer hc.CloseIdleConnections()
	for range 200 {
		card := c.open(nil)
		done := make(chan struct{})
		go func() {
			defer close(done)
			_, _, _ = postJSON(t, hc, ts.URL+"/api/cmd/RESET", fmt.Sprintf(`{"game_id":%q,"card_id":%q}`, ttInfo.ID, card))
		}()
		_, _, err := postJSON(t, hc, ts.URL+"/api/scorecard/close", fmt.Sprintf(`{"card_id":%q}`, card))
		require.NoError(t, err)
		<-done
		require.Zero(t, srv.sessionCount(), "a session of closed card %s is still in the table", card)
	}
}

// TestSlowClients serves with short connection limits and checks that a
// client sending its headers or body too slowly, or idling on a kept-alive
// connection, loses the connection at the limit that applies instead of
// holding it forever. Each case runs in a synctest bubble, on an in-memory
// connection: the bubble's clock is fake and moves only while every
// goroutine waits, so that the time the server takes to cut the connection
// is exact, whatever the machine's load.
func TestSlowClients(t *testing.T) {
	limits := Config{ReadHeaderTimeout: 150 * time.Millisecond, ReadTimeout: 250 * time.Millisecond, WriteTimeout: time.Second, KeepAliveTimeout: 350 * time.Millisecond}
	tests := []struct {
		name  string
		send  string
		limit time.Duration
	}{
		{"headers never end", "POST /api/cmd/ACTION1 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n", limits.ReadHeaderTimeout},
		{"body never ends", "POST /api/cmd/ACTION1 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"game_id\":", limits.ReadTimeout},
		{"idle after a request", "GET /api/healthcheck HTTP/1.1\r\nHost: x\r\n\r\n", limits.KeepAliveTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				cfg := limits
				cfg.Games = newTestCatalog()
				srv, err := New(cfg)
				require.NoError(t, err)
				ln := memnet.Listen()
				defer serveOn(t, srv, ln)()

				conn, err := ln.Dial(t.Context())
				require.NoError(t, err)
				defer conn.Close()
				start := time.Now()
				_, err = io.WriteString(conn, tt.send)
				require.NoError(t, err)
				require.NoError(t, conn.SetReadDeadline(time.Now().Add(5*time.Second)))
				_, err = io.Copy(io.Discard, conn)
				require.NoError(t, err, "the server closes the connection (a read deadline error means it did not)")
				assert.Equal(t, tt.limit, time.Since(start), "the server closes the connection at its limit")
			})
		})
	}
}

// TestShutdownTimeoutCutsConnections lets a request outlast the shutdown
// timeout: Serve reports it, and the request's connection is cut rather
// than left open behind a stopped server.
func TestShutdownTimeoutCutsConnections(t *testing.T) {
	cat := newTestCatalog()
	cat.gate = make(chan struct{})
	cat.entered = make(chan struct{}, 1)
	srv, err := New(Config{Games: cat})
	require.NoError(t, err)
	srv.shutdownTimeout = 100 * time.Millisecond
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(t.Context())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()

	hc := &http.Client{Transport: &http.Transport{}}
	defer hc.CloseIdleConnections()
	base := "http://" + ln.Addr().String()
	_, body, err := postJSON(t, hc, base+"/api/scorecard/open", `{}`)
	require.NoError(t, err)
	card, err := wire.DecodeOpenScorecard(body)
	require.NoError(t, err)
	_, body, err = postJSON(t, hc, base+"/api/cmd/RESET", fmt.Sprintf(`{"game_id":%q,"card_id":%q}`, ttInfo.ID, card))
	require.NoError(t, err)
	var fd struct{ GUID string }
	require.NoError(t, json.Unmarshal(body, &fd))

	inflight := make(chan error, 1)
	go func() {
		_, _, err := postJSON(t, hc, base+"/api/cmd/ACTION5", fmt.Sprintf(`{"game_id":%q,"guid":%q}`, ttInfo.ID, fd.GUID))
		inflight <- err
	}()
	<-cat.entered
	cancel()
	select {
	case err := <-served:
		require.ErrorIs(t, err, context.DeadlineExceeded)
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not give up after the shutdown timeout")
	}
	select {
	case err := <-inflight:
		assert.Error(t, err, "the connection of the request in flight is cut")
	case <-time.After(2 * time.Second):
		t.Error("the request in flight still holds its connection")
	}
	close(cat.gate)
	require.NoError(t, srv.Close())
}

func TestHeaderLimit(t *testing.T) {
	srv, err := New(Config{Games: newTestCatalog()})
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer serveOn(t, srv, ln)()
	hc := &http.Client{Transport: &http.Transport{}}
	defer hc.CloseIdleConnections()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, "http://"+ln.Addr().String()+"/api/games", nil)
	require.NoError(t, err)
	req.Header.Set("X-Padding", strings.Repeat("p", 2*MaxHeaderBytes))
	resp, err := hc.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusRequestHeaderFieldsTooLarge, resp.StatusCode)
}

// serveOn serves srv on ln until the returned function is called, which
// stops serving, checks that Serve returned cleanly and closes srv.
func serveOn(t *testing.T, srv *Server, ln net.Listener) func() {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()
	return func() {
		cancel()
		require.NoError(t, <-served)
		require.NoError(t, srv.Close())
	}
}
