package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/games"
	"github.com/arcgym/arcgym/wire"
)

// countingCatalog counts the sessions started, to show that a refused
// RESET starts none.
type countingCatalog struct {
	*testCatalog
	news atomic.Int32
}

func (c *countingCatalog) New(id string) (games.Instance, error) {
	c.news.Add(1)
	return c.testCatalog.New(id)
}

// assertLimit checks a refusal for a limit: 429 LIMIT_ERROR, not applied,
// with Retry-After.
func assertLimit(t *testing.T, r reply, msg string) {
	t.Helper()
	status, e := errorOf(t, r)
	assert.Equal(t, http.StatusTooManyRequests, status, string(r.body))
	assert.Equal(t, wire.CodeLimit, e.Error)
	assert.Contains(t, e.Message, msg)
	assert.Equal(t, "1", r.header.Get(wire.HeaderNotApplied))
	assert.NotEmpty(t, r.header.Get("Retry-After"))
}

// TestSessionLimits fills each session limit: the RESET past it is
// refused before a game is started, other keys (or, for the per-key
// limit, other keys only) are still served, and closing a scorecard gives
// its sessions' places back.
func TestSessionLimits(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		// keys of the RESETs that succeed, in order, then the refused key
		// and the key still served (empty: none).
		ok             []string
		refused, other string
		msg            string
	}{
		{"per key", Config{MaxSessionsPerKey: 3}, []string{"a", "a", "a"}, "a", "b", "this API key has 3 open sessions, limit 3"},
		{"in total", Config{MaxSessions: 3}, []string{"a", "b", "a"}, "b", "", "the server has 3 open sessions, limit 3"},
		{"memory", Config{MemoryBudget: 1 << 30, SessionBytes: 300 << 20}, []string{"a", "b", "a"}, "c", "", "memory budget of 1073741824 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cat := &countingCatalog{testCatalog: newTestCatalog()}
			tt.cfg.Games = cat
			_, ts := newTestServer(t, tt.cfg)
			clients := map[string]*apiClient{}
			cards := map[string]string{}
			client := func(key string) (*apiClient, string) {
				if clients[key] == nil {
					clients[key] = newClient(t, ts, key)
					cards[key] = clients[key].open(nil)
				}
				return clients[key], cards[key]
			}
			for _, key := range tt.ok {
				c, card := client(key)
				c.start(ttInfo.ID, card)
			}
			c, card := client(tt.refused)
			assertLimit(t, c.post("/api/cmd/RESET", map[string]any{"game_id": ttInfo.ID, "card_id": card}), tt.msg)
			assert.Equal(t, int32(len(tt.ok)), cat.news.Load(), "a refused RESET starts no game")
			if tt.other != "" {
				o, ocard := client(tt.other)
				o.start(ttInfo.ID, ocard)
			}
			// Closing the first key's card frees its sessions.
			first, fcard := client(tt.ok[0])
			first.close(fcard)
			cards[tt.ok[0]] = first.open(nil)
			c, card = client(tt.refused)
			c.start(ttInfo.ID, card)
		})
	}
}

// TestCardLimits fills the scorecard limits, then checks that a server
// whose heap is already past its memory budget opens nothing.
func TestCardLimits(t *testing.T) {
	t.Run("per key", func(t *testing.T) {
		_, ts := newTestServer(t, Config{MaxCardsPerKey: 2})
		a := newClient(t, ts, "a")
		first := a.open(nil)
		a.open(nil)
		assertLimit(t, a.post("/api/scorecard/open", map[string]any{}), "this API key has 2 open scorecards, limit 2")
		newClient(t, ts, "b").open(nil)
		a.close(first)
		a.open(nil)
	})
	t.Run("in total", func(t *testing.T) {
		_, ts := newTestServer(t, Config{MaxCards: 2})
		newClient(t, ts, "a").open(nil)
		newClient(t, ts, "b").open(nil)
		assertLimit(t, newClient(t, ts, "c").post("/api/scorecard/open", map[string]any{}), "the server has 2 open scorecards, limit 2")
	})
	t.Run("heap past the budget", func(t *testing.T) {
		// Any test binary holds more than 64 KiB of heap.
		_, ts := newTestServer(t, Config{MemoryBudget: 64 << 10, SessionBytes: 1 << 10})
		assertLimit(t, newClient(t, ts, "a").post("/api/scorecard/open", map[string]any{}), "past its memory budget")
	})
}

// TestLimitConfig checks that bad limits are refused when the server is
// built.
func TestLimitConfig(t *testing.T) {
	for _, cfg := range []Config{
		{MaxSessions: -1},
		{MaxSessionsPerKey: -1},
		{MaxCards: -1},
		{MaxCardsPerKey: -1},
		{MaxConns: -1},
		{MemoryBudget: -1},
		{MemoryBudget: 1 << 10, SessionBytes: 1 << 20},
		{MaxRecordingBytes: -5},
		{ReadTimeout: -time.Second},
	} {
		cfg.Games = newTestCatalog()
		_, err := New(cfg)
		assert.Error(t, err, "%+v", cfg)
	}
}

// do serves one request on srv without a network, for synctest bubbles.
func do(t *testing.T, srv *Server, path, body string) reply {
	t.Helper()
	req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	return reply{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}

// TestSessionIdleExpiry keeps one session of a card busy while another
// idles: the idle one is closed at its timeout although its card is
// active, its place is given back, and the card stays open with both
// sessions' runs.
func TestSessionIdleExpiry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv, err := New(Config{Games: newTestCatalog(), IdleTimeout: time.Hour, SessionIdleTimeout: time.Minute, MaxSessionsPerKey: 2})
		require.NoError(t, err)
		defer srv.Close()
		r := do(t, srv, "/api/scorecard/open", `{}`)
		require.Equal(t, http.StatusOK, r.status)
		card, err := wire.DecodeOpenScorecard(r.body)
		require.NoError(t, err)
		start := func() string {
			r := do(t, srv, "/api/cmd/RESET", `{"game_id":"`+ttInfo.ID+`","card_id":"`+card+`"}`)
			require.Equal(t, http.StatusOK, r.status, string(r.body))
			var fd struct{ GUID string }
			require.NoError(t, json.Unmarshal(r.body, &fd))
			return fd.GUID
		}
		act := func(guid string) reply {
			return do(t, srv, "/api/cmd/ACTION1", `{"game_id":"`+ttInfo.ID+`","guid":"`+guid+`"}`)
		}
		busy, idle := start(), start()
		for range 5 {
			time.Sleep(25 * time.Second)
			require.Equal(t, http.StatusOK, act(busy).status)
		}
		synctest.Wait()
		r = act(idle)
		assert.Equal(t, http.StatusBadRequest, r.status, "the idle session is closed: %s", r.body)
		assert.Contains(t, string(r.body), "expired")
		assert.Equal(t, http.StatusOK, act(busy).status, "the busy session plays on")
		start() // the expired session's place is free again

		r = do(t, srv, "/api/scorecard/close", `{"card_id":"`+card+`"}`)
		require.Equal(t, http.StatusOK, r.status, "the card stayed open: %s", r.body)
		sum, err := wire.DecodeScorecard(r.body)
		require.NoError(t, err)
		require.Len(t, sum.Environments, 1)
		assert.Len(t, sum.Environments[0].Runs, 3, "every session's run is kept")
	})
}

// TestInvalidUTF8 sends reasoning and opaque values with bytes that are
// not UTF-8: every answer and the recording are valid UTF-8 and valid
// JSON, with U+FFFD in place of each bad byte.
func TestInvalidUTF8(t *testing.T) {
	dir := t.TempDir()
	_, ts := newTestServer(t, Config{RecordDir: dir})
	c := newClient(t, ts, "")
	r := c.post("/api/scorecard/open", "{\"opaque\":{\"note\":\"a\xffb\"}}")
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	card, err := wire.DecodeOpenScorecard(r.body)
	require.NoError(t, err)
	r = c.post("/api/cmd/RESET", "{\"game_id\":\""+ttInfo.ID+"\",\"card_id\":\""+card+"\",\"reasoning\":{\"why\":\"\xc3(\xfe\"}}")
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	assert.True(t, utf8.Valid(r.body), "the frame is UTF-8")
	var fd struct {
		GUID        string
		ActionInput struct {
			Reasoning map[string]string `json:"reasoning"`
		} `json:"action_input"`
	}
	require.NoError(t, json.Unmarshal(r.body, &fd))
	assert.Equal(t, "\uFFFD(\uFFFD", fd.ActionInput.Reasoning["why"])
	r = c.post("/api/cmd/ACTION1", "{\"game_id\":\""+ttInfo.ID+"\",\"guid\":\""+fd.GUID+"\",\"reasoning\":\"\xff\"}")
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	assert.True(t, utf8.Valid(r.body), "the frame is UTF-8")

	sum := c.close(card)
	raw, err := json.Marshal(sum)
	require.NoError(t, err)
	assert.Contains(t, string(raw), "a\uFFFDb", "opaque is kept, made valid")

	files, err := filepath.Glob(filepath.Join(dir, card, "*.jsonl"))
	require.NoError(t, err)
	require.Len(t, files, 1)
	data, err := os.ReadFile(files[0])
	require.NoError(t, err)
	lines := bytes.Split(bytes.TrimSpace(data), []byte("\n"))
	require.Len(t, lines, 2)
	for _, line := range lines {
		assert.True(t, utf8.Valid(line), "the recording is UTF-8")
		assert.True(t, json.Valid(line))
	}
}

// TestRecordingLimit plays past the recording size limit: the recording
// stops at the last whole entry within the limit, reads back cleanly, and
// the session plays on.
func TestRecordingLimit(t *testing.T) {
	dir := t.TempDir()
	const limit = 2000
	_, ts := newTestServer(t, Config{RecordDir: dir, RecordWithoutFrames: true, MaxRecordingBytes: limit})
	c := newClient(t, ts, "")
	card := c.open(nil)
	p := c.start(ttInfo.ID, card)
	p.do("ACTION1", 30)

	files, err := filepath.Glob(filepath.Join(dir, card, "*.jsonl"))
	require.NoError(t, err)
	require.Len(t, files, 1)
	fi, err := os.Stat(files[0])
	require.NoError(t, err)
	assert.LessOrEqual(t, fi.Size(), int64(limit))
	f, err := os.Open(files[0])
	require.NoError(t, err)
	defer f.Close()
	rr := wire.NewRecordReader(f)
	var rec wire.Record
	n := 0
	for rr.Next(&rec) == nil {
		n++
	}
	assert.Greater(t, n, 1)
	assert.Less(t, n, 31, "the recording stopped")
	assert.Greater(t, fi.Size()+fi.Size()/int64(n), int64(limit), "it stopped at the limit, not before")
}
