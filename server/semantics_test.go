package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/wire"
)

func TestResetSemantics(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	c := newClient(t, ts, "")
	card := c.open(nil)
	p := c.start(ttInfo.ID, card)
	require.True(t, p.last.FullReset, "the RESET that opens a session is a full reset")

	p.do("ACTION1", 4) // level 1 done
	require.Equal(t, 1, p.last.LevelsCompleted)
	p.do("ACTION1", 3)
	fd := p.reset()
	assert.False(t, fd.FullReset, "actions in the level: a level reset")
	assert.Equal(t, 1, fd.LevelsCompleted, "progress is kept")
	assert.Equal(t, uint8(1), fd.Last()[0], "still on level 2")

	fd = p.reset()
	assert.True(t, fd.FullReset, "a second RESET in a row goes back to level one")
	assert.Zero(t, fd.LevelsCompleted)
	assert.Equal(t, p.guid, fd.GUID, "same session")

	// After GAME_OVER: refused actions, then a level reset that keeps the
	// levels already completed.
	p.do("ACTION1", 4)
	p.do("ACTION3", 1)
	fd = p.do("ACTION2", 1)
	require.Equal(t, arc.GameOver, fd.State)
	for _, cmd := range []string{"ACTION1", "ACTION2"} {
		status, e := c.fail(cmd, map[string]any{"game_id": ttInfo.ID, "guid": p.guid})
		assert.Equal(t, http.StatusBadRequest, status)
		assert.Equal(t, wire.CodeGameNotStarted, e.Error)
		assert.Contains(t, e.Message, "GAME_OVER")
	}
	fd = p.reset()
	assert.False(t, fd.FullReset)
	assert.Equal(t, 1, fd.LevelsCompleted)
	assert.Equal(t, arc.NotFinished, fd.State)
	p.do("ACTION3", 1)

	// Run to WIN, then refused actions, then RESET is always full.
	fd = p.reset() // level reset of level 2
	for _, b := range ttInfo.BaselineActions[1:] {
		fd = p.do("ACTION1", b)
	}
	require.Equal(t, arc.Win, fd.State)
	assert.Equal(t, 5, fd.LevelsCompleted)
	assert.Equal(t, 2, fd.NumFrames(), "the winning action shows its frames")
	status, e := c.fail("ACTION1", map[string]any{"game_id": ttInfo.ID, "guid": p.guid})
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, wire.CodeGameNotStarted, e.Error)
	fd = p.reset()
	assert.True(t, fd.FullReset, "RESET after WIN")
	assert.Zero(t, fd.LevelsCompleted)

	// The scorecard saw: run 1 (level reset, then full reset), run 2 (game
	// over, level resets, win), run 3 (fresh); refused commands not counted.
	s := c.summary(card)
	require.Len(t, s.Environments, 1)
	runs := s.Environments[0].Runs
	require.Len(t, runs, 3)
	assert.Equal(t, 8, runs[0].Actions)
	assert.Equal(t, 1, runs[0].Resets)
	assert.Equal(t, []int{4, 4, 0, 0, 0}, runs[0].LevelActions)
	assert.Equal(t, "WIN", runs[1].State)
	assert.Equal(t, 2, runs[1].Resets)
	assert.Equal(t, 4+1+1+1+1+1+8+16+20+24, runs[1].Actions)
	assert.Equal(t, []int{4, 13, 16, 20, 24}, runs[1].LevelActions)
	assert.Equal(t, 0, runs[2].Actions)
	assert.Equal(t, "NOT_FINISHED", runs[2].State)
}

// TestScoringWorkedExample plays the scoring example of the contract on the
// test game (baselines 4, 8, 16, 20, 24): a perfect clear scores 100; a run
// that completes level 1 in 8 actions scores 25 there and 25/15 overall.
func TestScoringWorkedExample(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	c := newClient(t, ts, "")
	card := c.open(nil)
	p := c.start(ttInfo.ID, card)
	for _, b := range ttInfo.BaselineActions {
		p.do("ACTION1", b)
	}
	require.Equal(t, arc.Win, p.last.State)

	p2 := c.start(ttInfo.ID, card)
	p2.do("ACTION3", 2) // wasted moves
	p2.reset()          // a level reset costs an action
	p2.do("ACTION3", 1)
	p2.do("ACTION1", 4) // 4 + 2 wasted + 1 reset + 1 wasted = 8 actions on level 1
	require.Equal(t, 1, p2.last.LevelsCompleted)

	s := c.close(card)
	require.Len(t, s.Environments, 1)
	env := s.Environments[0]
	require.Len(t, env.Runs, 2)
	assert.InDelta(t, 100, env.Runs[0].Score, 1e-9)
	assert.Equal(t, []float64{100, 100, 100, 100, 100}, env.Runs[0].LevelScores)
	assert.Equal(t, []int{8, 0, 0, 0, 0}, env.Runs[1].LevelActions)
	assert.Equal(t, []float64{25, 0, 0, 0, 0}, env.Runs[1].LevelScores)
	assert.InDelta(t, 25.0/15, env.Runs[1].Score, 1e-9)
	assert.InDelta(t, 100, env.Score, 1e-9)
	assert.InDelta(t, 100, s.Score, 1e-9)
	assert.Equal(t, 1, s.TotalEnvironmentsCompleted)
	require.Len(t, s.TagsScores, 2)
	assert.Equal(t, wire.TagScore{Actions: 72, ID: "tag1", LevelsCompleted: 5, NumberOfEnvironments: 1, NumberOfLevels: 5, Score: 100}, s.TagsScores[0])
}

func TestCompetitionServer(t *testing.T) {
	var closed []wire.Scorecard
	var mu sync.Mutex
	_, ts := newTestServer(t, Config{Competition: true, OnCardClose: func(s wire.Scorecard) {
		mu.Lock()
		defer mu.Unlock()
		closed = append(closed, s)
	}})
	c := newClient(t, ts, "")
	card := c.open(nil)
	status, e := errorOf(t, c.post("/api/scorecard/open", map[string]any{}))
	assert.Equal(t, http.StatusConflict, status)
	assert.Equal(t, wire.CodeServer, e.Error)

	p := c.start(ttInfo.ID, card)
	// RESET with no action in the level repeats the previous answer.
	again := p.reset()
	assert.Equal(t, p.guid, again.GUID)
	assert.True(t, again.FullReset, "the repeated answer is the opening RESET's")
	lvl := p.do("ACTION1", 4)
	require.Equal(t, 1, lvl.LevelsCompleted)
	for range 2 {
		fd := p.reset()
		assert.Equal(t, lvl.Frames, fd.Frames, "no full reset in competition mode")
		assert.Equal(t, 1, fd.LevelsCompleted)
		assert.Equal(t, arc.Action1, fd.Action.ID, "the previous action_input is repeated")
	}
	p.do("ACTION3", 1)
	fd := p.reset()
	assert.False(t, fd.FullReset, "a level reset is still allowed")
	assert.Equal(t, 1, fd.LevelsCompleted)

	status, e = c.fail("RESET", map[string]any{"game_id": ttInfo.ID, "card_id": card})
	assert.Equal(t, http.StatusBadRequest, status, "each game once per card")
	assert.Contains(t, e.Message, "already started")

	status, e = errorOf(t, c.get("/api/scorecard/"+card))
	assert.Equal(t, http.StatusForbidden, status)
	assert.Equal(t, "cannot get scorecard that is in competition mode", e.Message)
	status, _ = errorOf(t, c.get("/api/scorecard/"+card+"/"+ttInfo.ID))
	assert.Equal(t, http.StatusForbidden, status)

	s := c.close(card)
	assert.True(t, s.CompetitionMode)
	require.Len(t, s.Environments, 2, "the game never started counts")
	tt := s.Environments[0]
	// 1 (the opening RESET repeated: charged as a level reset) + 4, then 2
	// repeats of ACTION1 + 1 + 1 level reset on level 2.
	assert.Equal(t, 9, tt.Actions)
	assert.Equal(t, 2, tt.Resets)
	assert.Equal(t, []int{5, 4, 0, 0, 0}, tt.Runs[0].LevelActions)
	uu := s.Environments[1]
	assert.Equal(t, uuInfo.ID, uu.ID)
	assert.Zero(t, uu.Actions)
	assert.Zero(t, uu.Score)
	assert.InDelta(t, (tt.Score+0)/2, s.Score, 1e-9)
	assert.InDelta(t, 100*(4.0/5)*(4.0/5)/15, tt.Score, 1e-9)

	mu.Lock()
	require.Len(t, closed, 1)
	assert.Equal(t, s.Score, closed[0].Score)
	mu.Unlock()

	status, _ = errorOf(t, c.post("/api/scorecard/open", map[string]any{}))
	assert.Equal(t, http.StatusConflict, status, "one scorecard per competition server")
}

func TestCompetitionCard(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	c := newClient(t, ts, "")
	comp := c.open(map[string]any{"competition_mode": true})
	normal := c.open(map[string]any{"competition_mode": false})
	p := c.start(ttInfo.ID, comp)
	p.do("ACTION1", 4)
	assert.Equal(t, 1, p.reset().LevelsCompleted)
	status, _ := errorOf(t, c.get("/api/scorecard/"+comp))
	assert.Equal(t, http.StatusForbidden, status)

	q := c.start(ttInfo.ID, normal)
	q.do("ACTION1", 4)
	assert.True(t, q.reset().FullReset, "competition_mode false is a normal card")
	c.start(ttInfo.ID, normal) // and may start a game twice
	assert.False(t, c.summary(normal).CompetitionMode)
	c.open(nil) // the server is not in competition mode: more cards are fine
}

func TestKeyIsolation(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	anon := newClient(t, ts, "")
	k1234 := newClient(t, ts, DefaultAPIKey)
	other := newClient(t, ts, "other")

	card := anon.open(nil)
	assert.Equal(t, card, k1234.summary(card).CardID, "no key means key 1234")
	status, _ := errorOf(t, other.get("/api/scorecard/"+card))
	assert.Equal(t, http.StatusNotFound, status)

	p := anon.start(ttInfo.ID, card)
	k1234.frame("ACTION1", map[string]any{"game_id": ttInfo.ID, "guid": p.guid})
	status, e := other.fail("ACTION1", map[string]any{"game_id": ttInfo.ID, "guid": p.guid})
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, wire.CodeValidation, e.Error)
	status, _ = other.fail("RESET", map[string]any{"game_id": ttInfo.ID, "card_id": card, "guid": p.guid})
	assert.Equal(t, http.StatusBadRequest, status)
	status, _ = other.fail("RESET", map[string]any{"game_id": ttInfo.ID, "card_id": card})
	assert.Equal(t, http.StatusBadRequest, status)
	status, _ = errorOf(t, other.post("/api/scorecard/close", map[string]any{"card_id": card}))
	assert.Equal(t, http.StatusNotFound, status)
	assert.Equal(t, 1, anon.summary(card).TotalActions)
}

func TestRequiredKeys(t *testing.T) {
	_, ts := newTestServer(t, Config{APIKeys: []string{"k1", "k2"}})
	tests := []struct {
		name   string
		key    string
		status int
		msg    string
	}{
		{"missing", "", http.StatusUnauthorized, "missing X-API-Key"},
		{"invalid", "nope", http.StatusUnauthorized, "invalid API key"},
		{"valid", "k1", http.StatusOK, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClient(t, ts, tt.key)
			assert.Equal(t, http.StatusOK, c.get("/api/healthcheck").status, "the healthcheck is open")
			for _, r := range []reply{
				c.get("/api/games"),
				c.post("/api/scorecard/open", map[string]any{}),
				c.post("/api/cmd/RESET", map[string]any{"game_id": ttInfo.ID, "card_id": "x"}),
			} {
				if tt.status == http.StatusOK {
					assert.NotEqual(t, http.StatusUnauthorized, r.status)
					continue
				}
				status, e := errorOf(t, r)
				assert.Equal(t, tt.status, status)
				assert.Contains(t, e.Message, tt.msg)
			}
		})
	}
	k1, k2 := newClient(t, ts, "k1"), newClient(t, ts, "k2")
	card := k1.open(nil)
	status, _ := errorOf(t, k2.get("/api/scorecard/"+card))
	assert.Equal(t, http.StatusNotFound, status)
}

func TestBodyLimit(t *testing.T) {
	_, ts := newTestServer(t, Config{MaxBodyBytes: 4096})
	c := newClient(t, ts, "")
	big := `{"game_id":"tt01","reasoning":"` + strings.Repeat("a", 5000) + `"}`
	for _, path := range []string{"/api/cmd/ACTION1", "/api/scorecard/open", "/api/scorecard/close"} {
		status, e := errorOf(t, c.raw(http.MethodPost, path, "application/json", big))
		assert.Equal(t, http.StatusRequestEntityTooLarge, status, path)
		assert.Contains(t, e.Message, "exceeds 4096 bytes")
	}
	// Without a declared length (chunked upload) the limit holds too.
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, ts.URL+"/api/cmd/ACTION1", struct{ *strings.Reader }{strings.NewReader(big)})
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
}

// TestIdleTimeout keeps one scorecard busy while another idles, on the
// fake clock of a synctest bubble: the idle card closes at its timeout with
// its actions counted, its sessions go with it, and the busy card stays
// open.
func TestIdleTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		closed := make(chan wire.Scorecard, 4)
		srv, err := New(Config{Games: newTestCatalog(), IdleTimeout: time.Minute, OnCardClose: func(s wire.Scorecard) { closed <- s }})
		require.NoError(t, err)
		defer srv.Close()
		open := func() string {
			r := do(t, srv, "/api/scorecard/open", `{}`)
			require.Equal(t, http.StatusOK, r.status)
			card, err := wire.DecodeOpenScorecard(r.body)
			require.NoError(t, err)
			return card
		}
		start := func(card string) string {
			r := do(t, srv, "/api/cmd/RESET", `{"game_id":"`+ttInfo.ID+`","card_id":"`+card+`"}`)
			require.Equal(t, http.StatusOK, r.status, string(r.body))
			var fd struct{ GUID string }
			require.NoError(t, json.Unmarshal(r.body, &fd))
			return fd.GUID
		}
		act := func(cmd, guid string) reply {
			return do(t, srv, "/api/cmd/"+cmd, `{"game_id":"`+ttInfo.ID+`","guid":"`+guid+`"}`)
		}
		idle, busy := open(), open()
		p := start(idle)
		for range 2 {
			require.Equal(t, http.StatusOK, act("ACTION1", p).status)
		}
		q := start(busy)
		var got wire.Scorecard
		for k := 0; got.CardID == ""; k++ {
			require.Less(t, k, 10, "the idle scorecard never closed")
			time.Sleep(20 * time.Second)
			require.Equal(t, http.StatusOK, act("ACTION3", q).status, "the busy card is kept alive")
			synctest.Wait()
			select {
			case got = <-closed:
			default:
			}
		}
		assert.Equal(t, idle, got.CardID)
		assert.Equal(t, 2, got.TotalActions)
		r := act("ACTION1", p)
		assert.Equal(t, http.StatusBadRequest, r.status, "the idle card's session went with it: %s", r.body)
		r = do(t, srv, "/api/scorecard/close", `{"card_id":"`+busy+`"}`)
		assert.Equal(t, http.StatusOK, r.status, "an active card stays open: %s", r.body)
	})
}

func TestRecordings(t *testing.T) {
	tests := []struct {
		name       string
		withFrames bool
	}{
		{"with frames", true},
		{"without frames", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			_, ts := newTestServer(t, Config{RecordDir: dir, RecordWithoutFrames: !tt.withFrames})
			c := newClient(t, ts, "")
			card := c.open(nil)
			p := c.start("uu02", card)
			p.c.frame("ACTION6", map[string]any{"game_id": "uu02", "guid": p.guid, "x": 3, "y": 4, "reasoning": map[string]any{"multi": "line\nvalue"}})
			p.do("ACTION1", 2)
			p.reset()
			c.close(card)

			path := wire.RecordPath(dir, card, uuInfo.ID, p.guid)
			raw, err := os.ReadFile(path)
			require.NoError(t, err, "recording at <dir>/<card>/<game>-<guid>.jsonl")
			assert.Equal(t, filepath.Join(dir, card, uuInfo.ID+"-"+p.guid+".jsonl"), path)
			rr := wire.NewRecordReader(bytes.NewReader(raw))
			var ids []arc.ActionID
			var rec wire.Record
			for rr.Next(&rec) == nil {
				ids = append(ids, rec.Data.Action.ID)
				assert.Equal(t, uuInfo.ID, rec.Data.GameID, "recordings use the versioned id")
				assert.Equal(t, p.guid, rec.Data.GUID)
				assert.Equal(t, tt.withFrames, rec.Data.NumFrames() > 0)
				if rec.Data.Action.ID == arc.Action6 {
					assert.Equal(t, uint8(3), rec.Data.Action.X)
					assert.JSONEq(t, `{"multi":"line\nvalue"}`, string(rec.Data.Action.Reasoning))
				}
			}
			assert.Equal(t, []arc.ActionID{arc.Reset, arc.Action6, arc.Action1, arc.Action1, arc.Reset}, ids)
			assert.Equal(t, 5, bytes.Count(raw, []byte("\n")), "one line per command")
		})
	}
}

func TestConcurrentSessions(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	c := newClient(t, ts, "")
	card := c.open(nil)
	const clients, steps = 8, 30
	var wg sync.WaitGroup
	for i := range clients {
		wg.Go(func() {
			p := c.start(ttInfo.ID, card)
			for j := range steps {
				if j > 0 && (i+j)%7 == 6 {
					p.reset()
				} else {
					p.do("ACTION3", 1)
				}
				if j%10 == 0 {
					c.summary(card)
				}
			}
		})
	}
	wg.Wait()
	s := c.summary(card)
	assert.Equal(t, clients, len(s.Environments[0].Runs))
	assert.Equal(t, clients*steps, s.TotalActions, "every ACTION and level RESET is charged")
}

// TestConcurrentCommandsOneSession sends commands to one session from many
// clients at once: each is applied exactly once, in some order, and every
// answer is a consistent frame object.
func TestConcurrentCommandsOneSession(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	c := newClient(t, ts, "")
	card := c.open(nil)
	p := c.start(ttInfo.ID, card)
	const clients, steps = 8, 20
	var wg sync.WaitGroup
	for i := range clients {
		wg.Go(func() {
			for j := range steps {
				req := map[string]any{"game_id": ttInfo.ID, "guid": p.guid}
				want := arc.Simple(arc.Action3)
				if (i+j)%3 == 0 {
					req["x"], req["y"] = i, j
					want = arc.Click(i, j)
				}
				r := c.post("/api/cmd/"+want.ID.String(), req)
				if !assert.Equal(t, http.StatusOK, r.status, "%s", r.body) {
					return
				}
				var fd arc.FrameData
				if assert.NoError(t, wire.DecodeFrame(r.body, &fd)) {
					assert.Equal(t, want, fd.Action)
					assert.Equal(t, p.guid, fd.GUID)
				}
			}
		})
	}
	wg.Wait()
	s := c.summary(card)
	require.Len(t, s.Environments, 1)
	assert.Equal(t, clients*steps, s.TotalActions)
	assert.Len(t, s.Environments[0].Runs, 1)
}

// TestRecordingsClosedWithCard checks that closing a card, by a client, by
// the idle timeout or by Close, closes the recordings of its sessions.
func TestRecordingsClosedWithCard(t *testing.T) {
	tests := []struct {
		name  string
		close func(srv *Server, c *apiClient, card string)
	}{
		{"by the client", func(_ *Server, c *apiClient, card string) { c.close(card) }},
		{"by the idle timeout", func(srv *Server, _ *apiClient, card string) {
			require.Eventually(t, func() bool { return srv.findCard(card, DefaultAPIKey) == nil }, 5*time.Second, 5*time.Millisecond)
		}},
		{"by Close", func(srv *Server, _ *apiClient, _ string) { require.NoError(t, srv.Close()) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			srv, ts := newTestServer(t, Config{RecordDir: dir, IdleTimeout: 300 * time.Millisecond})
			c := newClient(t, ts, "")
			card := c.open(nil)
			p := c.start(ttInfo.ID, card)
			p.do("ACTION1", 3)
			sess := srv.sessions.get([]byte(p.guid))
			require.NotNil(t, sess)
			sess.mu.Lock()
			f := sess.rec.f
			sess.mu.Unlock()
			tt.close(srv, c, card)
			sess.mu.Lock()
			assert.True(t, sess.closed)
			assert.Nil(t, sess.rec)
			sess.mu.Unlock()
			assert.ErrorIs(t, f.Close(), os.ErrClosed, "the file was closed")
			raw, err := os.ReadFile(wire.RecordPath(dir, card, ttInfo.ID, p.guid))
			require.NoError(t, err)
			assert.Equal(t, 4, bytes.Count(raw, []byte("\n")))
		})
	}
}
