package server

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/games"
	"github.com/arcgym/arcgym/wire"
)

// detCatalog is the test catalog declared deterministic, as Builtin is.
type detCatalog struct{ *testCatalog }

func (detCatalog) Deterministic(string) bool { return true }

// plainCatalog serves the test games without claiming they replay.
type plainCatalog struct{ c *testCatalog }

func (p plainCatalog) List() []arc.GameInfo                  { return p.c.List() }
func (p plainCatalog) New(id string) (games.Instance, error) { return p.c.New(id) }

// skewCatalog claims determinism but its games draw one cell differently.
type skewCatalog struct{ detCatalog }

func (s skewCatalog) New(id string) (games.Instance, error) {
	play, err := s.detCatalog.New(id)
	return skewInstance{play}, err
}

type skewInstance struct{ games.Instance }

func (s skewInstance) Do(ctx context.Context, a arc.Action, out *arc.FrameData) error {
	err := s.Instance.Do(ctx, a, out)
	if len(out.Frames) > 0 {
		out.Frames[len(out.Frames)-1] ^= 1
	}
	return err
}

// startStateServer serves cfg on a loopback server; the server is not
// closed at the end of the test, so that dropping it stands for a crash.
func startStateServer(t *testing.T, cfg Config) (*Server, *httptest.Server) {
	t.Helper()
	cfg.IdleTimeout, cfg.SessionIdleTimeout = -1, -1
	srv, err := New(cfg)
	require.NoError(t, err)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return srv, ts
}

// crash drops srv as kill -9 would: its files are closed, nothing is
// flushed, no card is closed.
func crash(t *testing.T, srv *Server, ts *httptest.Server) {
	t.Helper()
	ts.Close()
	st := srv.store
	st.mu.Lock()
	st.shut = true
	require.NoError(t, st.f.Close())
	st.f = nil
	st.mu.Unlock()
	st.wg.Wait()
	require.NoError(t, st.closedF.Close())
	require.NoError(t, st.lock.Close())
}

// twin plays the same commands on a server that restarts and on a
// reference server that never stops, and checks they answer alike.
type twin struct {
	t        *testing.T
	a, ref   *apiClient
	game     string
	card     string
	refCard  string
	guid     string
	refGUID  string
	lastSeen *arc.FrameData
}

func (w *twin) do(cmd string, extra map[string]any) *arc.FrameData {
	w.t.Helper()
	req := map[string]any{"game_id": w.game, "guid": w.guid, "card_id": w.card}
	refReq := map[string]any{"game_id": w.game, "guid": w.refGUID, "card_id": w.refCard}
	for k, v := range extra {
		req[k], refReq[k] = v, v
	}
	got := w.a.frame(cmd, req)
	want := w.ref.frame(cmd, refReq)
	assert.Equal(w.t, w.guid, got.GUID)
	want.GUID = got.GUID
	require.Equal(w.t, want, got, "%s: the same answer as a server that never stopped", cmd)
	w.lastSeen = got
	return got
}

func TestRestartRestoresCardsAndSessions(t *testing.T) {
	dir := t.TempDir()
	var closes sync.Map
	count := func(sum wire.Scorecard) {
		n, _ := closes.LoadOrStore(sum.CardID, new(int))
		*n.(*int)++
	}
	cfg := Config{Games: detCatalog{newTestCatalog()}, StateDir: dir, OnCardClose: count}
	srvA, tsA := startStateServer(t, cfg)
	_, tsRef := newTestServer(t, Config{Games: newTestCatalog(), IdleTimeout: -1})
	a, ref := newClient(t, tsA, "k1"), newClient(t, tsRef, "k1")

	open := a.open(map[string]any{"tags": []string{"x"}, "opaque": map[string]any{"n": 1}})
	refOpen := ref.open(map[string]any{"tags": []string{"x"}, "opaque": map[string]any{"n": 1}})
	start := func(game string) *twin {
		w := &twin{t: t, a: a, ref: ref, game: game, card: open, refCard: refOpen}
		got := a.frame("RESET", map[string]any{"game_id": game, "card_id": open})
		want := ref.frame("RESET", map[string]any{"game_id": game, "card_id": refOpen})
		w.guid, w.refGUID = got.GUID, want.GUID
		want.GUID = got.GUID
		require.Equal(t, want, got)
		return w
	}
	tt := start(ttInfo.ID)
	for range 5 { // completes level 1 (4 ACTION1s), one into level 2
		tt.do("ACTION1", nil)
	}
	tt.do("ACTION6", map[string]any{"x": 5, "y": 9})
	tt.do("RESET", nil) // a level reset
	tt.do("ACTION1", nil)
	uu := start(uuInfo.ID)
	uu.do("ACTION1", nil)
	uu.do("ACTION2", nil) // GAME_OVER
	fresh := start(ttInfo.ID)

	// A second card, closed before the crash.
	gone := a.open(nil)
	p := a.start(uuInfo.ID, gone)
	p.do("ACTION1", 2)
	goneSum := a.close(gone)
	// A third card with a session, left open.
	other := newClient(t, tsA, "k2")
	third := other.open(nil)
	third3 := other.start(ttInfo.ID, third)
	third3.do("ACTION3", 2)

	before := a.summary(open)
	beforeThird := other.summary(third)
	crash(t, srvA, tsA)

	srvB, tsB := startStateServer(t, cfg)
	t.Cleanup(func() { require.NoError(t, srvB.Close()) })
	rs := srvB.Restored()
	assert.Equal(t, 2, rs.Cards)
	assert.Equal(t, 1, rs.Closed)
	assert.Equal(t, 4, rs.Sessions)
	assert.Zero(t, rs.Lost)
	assert.Equal(t, 9+3+1+3, rs.Actions)
	a.url, other.url = tsB.URL, tsB.URL

	assert.Equal(t, before, a.summary(open), "an open card keeps its totals")
	assert.Equal(t, beforeThird, other.summary(third))
	r := a.get("/api/scorecard/" + gone)
	require.Equal(t, http.StatusOK, r.status, "a closed card's final summary is kept: %s", r.body)
	sum, err := wire.DecodeScorecard(r.body)
	require.NoError(t, err)
	assert.Equal(t, goneSum, *sum)
	assert.Equal(t, http.StatusNotFound, other.get("/api/scorecard/"+gone).status, "a closed card stays visible to its key only")
	assert.Equal(t, http.StatusNotFound, a.post("/api/scorecard/close", map[string]any{"card_id": gone}).status, "a closed card is not closed twice")

	// The sessions go on under their guids, answering as a server that
	// never stopped.
	for range 4 {
		tt.do("ACTION1", nil)
	}
	tt.do("RESET", nil)
	tt.do("RESET", nil) // back to level one
	tt.do("ACTION1", nil)
	status, e := a.fail("ACTION1", map[string]any{"game_id": uuInfo.ID, "guid": uu.guid})
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, wire.CodeGameNotStarted, e.Error, "a restored session keeps its state")
	uu.do("RESET", nil)
	uu.do("ACTION1", nil)
	fresh.do("ACTION6", map[string]any{"x": 1, "y": 2})
	third3.do("ACTION3", 1)

	refSum := ref.summary(refOpen)
	got := a.summary(open)
	assert.Equal(t, refSum.TotalActions, got.TotalActions)
	assert.Equal(t, refSum.TotalLevelsCompleted, got.TotalLevelsCompleted)
	assert.Equal(t, refSum.Score, got.Score)
	require.Len(t, got.Environments, len(refSum.Environments))
	for i := range got.Environments {
		assert.Equal(t, len(refSum.Environments[i].Runs), len(got.Environments[i].Runs))
	}

	a.close(open)
	_, called := closes.Load(gone)
	assert.True(t, called)
	n, _ := closes.Load(open)
	require.NotNil(t, n)
	assert.Equal(t, 1, *n.(*int))
	n, _ = closes.Load(gone)
	assert.Equal(t, 1, *n.(*int), "OnCardClose is not called again for a card closed before the restart")
}

func TestRestartLostSession(t *testing.T) {
	for _, tc := range []struct {
		name   string
		before Catalog
		after  Catalog
	}{
		{"not deterministic", plainCatalog{newTestCatalog()}, plainCatalog{newTestCatalog()}},
		{"replay diverges", detCatalog{newTestCatalog()}, skewCatalog{detCatalog{newTestCatalog()}}},
		{"game no longer served", detCatalog{newTestCatalog()}, detCatalog{&testCatalog{infos: []arc.GameInfo{uuInfo}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			srvA, tsA := startStateServer(t, Config{Games: tc.before, StateDir: dir})
			c := newClient(t, tsA, "")
			card := c.open(nil)
			p := c.start(ttInfo.ID, card)
			p.do("ACTION1", 5)
			before := c.summary(card)
			crash(t, srvA, tsA)

			srvB, tsB := startStateServer(t, Config{Games: tc.after, StateDir: dir})
			t.Cleanup(func() { require.NoError(t, srvB.Close()) })
			assert.Equal(t, RestoreStats{Cards: 1, Lost: 1, Elapsed: srvB.Restored().Elapsed}, srvB.Restored())
			c.url = tsB.URL
			assert.Equal(t, before.TotalActions, c.summary(card).TotalActions, "the lost session's runs stay on its card")
			assert.Equal(t, before.TotalLevelsCompleted, c.summary(card).TotalLevelsCompleted)

			r := c.post("/api/cmd/ACTION1", map[string]any{"game_id": ttInfo.ID, "guid": p.guid})
			status, e := errorOf(t, r)
			assert.Equal(t, http.StatusGone, status)
			assert.Equal(t, wire.CodeSessionLost, e.Error)
			assert.Contains(t, e.Message, p.guid)
			assert.Equal(t, "1", r.header.Get(wire.HeaderNotApplied))

			// An unknown guid is not a lost one.
			status, e = c.fail("ACTION1", map[string]any{"game_id": ttInfo.ID, "guid": arc.NewGUID()})
			assert.Equal(t, http.StatusBadRequest, status)
			assert.Equal(t, wire.CodeServer, e.Error)
			// Nor is it lost for another key.
			status, e = newClient(t, tsB, "other").fail("ACTION1", map[string]any{"game_id": ttInfo.ID, "guid": p.guid})
			assert.Equal(t, http.StatusBadRequest, status)
			assert.Equal(t, wire.CodeServer, e.Error)

			if tc.name != "game no longer served" {
				// A RESET with the card starts over under a new guid.
				fd := c.frame("RESET", map[string]any{"game_id": ttInfo.ID, "guid": p.guid, "card_id": card})
				assert.NotEqual(t, p.guid, fd.GUID)
			}
			c.close(card)
			status, e = c.fail("ACTION1", map[string]any{"game_id": ttInfo.ID, "guid": p.guid})
			assert.Equal(t, http.StatusBadRequest, status, "once its card is closed, a lost session is gone like any other")
			assert.Equal(t, wire.CodeServer, e.Error)
		})
	}
}

func TestCloseKeepsCardsInStateDir(t *testing.T) {
	dir := t.TempDir()
	closed := 0
	cfg := Config{Games: detCatalog{newTestCatalog()}, StateDir: dir, OnCardClose: func(wire.Scorecard) { closed++ }}
	srvA, tsA := startStateServer(t, cfg)
	c := newClient(t, tsA, "")
	card := c.open(nil)
	p := c.start(ttInfo.ID, card)
	p.do("ACTION1", 3)
	tsA.Close()
	require.NoError(t, srvA.Close())
	assert.Zero(t, closed, "a graceful stop keeps open cards for the next server")

	srvB, tsB := startStateServer(t, cfg)
	c.url = tsB.URL
	assert.Equal(t, 1, srvB.Restored().Sessions)
	assert.Equal(t, 3, c.summary(card).TotalActions)
	p.do("ACTION1", 1)
	assert.Equal(t, 1, p.last.LevelsCompleted)
	c.close(card)
	assert.Equal(t, 1, closed)
	require.NoError(t, srvB.Close())
}

func TestStateDirInUse(t *testing.T) {
	dir := t.TempDir()
	srv, _ := startStateServer(t, Config{Games: newTestCatalog(), StateDir: dir})
	t.Cleanup(func() { require.NoError(t, srv.Close()) })
	_, err := New(Config{Games: newTestCatalog(), StateDir: dir})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "in use")
	_, err = New(Config{Games: newTestCatalog(), StateDir: dir, StateCompactBytes: -1})
	assert.ErrorContains(t, err, "StateCompactBytes -1 is negative")
}

// BenchmarkCommandState measures one ACTION served in-process, without a
// state directory (the baseline), with one, and with one fsync'd after
// every command: the state adds one write(2) and no allocation.
func BenchmarkCommandState(b *testing.B) {
	for _, bc := range []struct {
		name  string
		state bool
		sync  bool
	}{{"memory", false, false}, {"state", true, false}, {"state-sync", true, true}} {
		b.Run(bc.name, func(b *testing.B) {
			cfg := Config{Games: detCatalog{newTestCatalog()}, IdleTimeout: -1, SessionIdleTimeout: -1, StateSync: bc.sync}
			if bc.state {
				cfg.StateDir = b.TempDir()
			}
			srv, err := New(cfg)
			require.NoError(b, err)
			defer func() { require.NoError(b, srv.Close()) }()
			serve := func(path, body string) []byte {
				req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				w := httptest.NewRecorder()
				srv.ServeHTTP(w, req)
				require.Equal(b, http.StatusOK, w.Code, w.Body.String())
				return w.Body.Bytes()
			}
			card, err := wire.DecodeOpenScorecard(serve("/api/scorecard/open", `{}`))
			require.NoError(b, err)
			var fd arc.FrameData
			require.NoError(b, wire.DecodeFrame(serve("/api/cmd/RESET", fmt.Sprintf(`{"game_id":%q,"card_id":%q}`, ttInfo.ID, card)), &fd))
			body := fmt.Sprintf(`{"game_id":%q,"guid":%q}`, ttInfo.ID, fd.GUID)
			req := httptest.NewRequest(http.MethodPost, "/api/cmd/ACTION3", nil)
			req.Header.Set("Content-Type", "application/json")
			w := &discardWriter{h: http.Header{}}
			rd := strings.NewReader(body)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				rd.Reset(body)
				req.Body = io.NopCloser(rd)
				req.ContentLength = int64(len(body))
				clear(w.h)
				w.code = 0
				srv.ServeHTTP(w, req)
				if w.code != http.StatusOK {
					b.Fatalf("status %d", w.code)
				}
			}
		})
	}
}

// discardWriter is a reusable http.ResponseWriter that keeps the status.
type discardWriter struct {
	h    http.Header
	code int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) WriteHeader(code int)        { w.code = code }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
