package reliability

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/wire"
)

// rsClient speaks plain HTTP to one server.
type rsClient struct {
	hc  *http.Client
	url string
}

func newRSClient(url string) *rsClient {
	return &rsClient{url: url, hc: &http.Client{
		Transport: &http.Transport{MaxIdleConnsPerHost: 32, DisableCompression: true},
		Timeout:   time.Minute,
	}}
}

// do sends a request and returns the status and body.
func (c *rsClient) do(method, path, key string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.url+path, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-API-Key", key)
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// ok sends a request that must answer 200.
func (c *rsClient) ok(method, path, key string, body any) ([]byte, error) {
	status, b, err := c.do(method, path, key, body)
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK {
		return nil, fmt.Errorf("%s %s: %d %s", method, path, status, b)
	}
	return b, nil
}

// command sends a command and decodes its frame, with the guid cleared
// so that two servers' answers compare.
func (c *rsClient) command(key, cmd string, req map[string]any) (arc.FrameData, string, error) {
	var fd arc.FrameData
	b, err := c.ok(http.MethodPost, "/api/cmd/"+cmd, key, req)
	if err != nil {
		return fd, "", err
	}
	if err := wire.DecodeFrame(b, &fd); err != nil {
		return fd, "", err
	}
	guid := fd.GUID
	fd.GUID = ""
	return fd, guid, nil
}

// rsSession is one session played in lockstep on the server under test
// and on a reference server that never stops.
type rsSession struct {
	key, game     string
	card, refCard string
	guid, refGUID string
	rng           *rand.Rand
	last          arc.FrameData
	actions       int
}

// next picks the session's next command from its own random stream and
// the last answer, so that both servers get the same script.
func (s *rsSession) next() (string, map[string]any) {
	req := map[string]any{"game_id": s.game}
	if s.last.State.Terminal() || s.rng.IntN(40) == 0 {
		return "RESET", req
	}
	n := 1 + s.rng.IntN(6)
	if n == 6 {
		req["x"], req["y"] = s.rng.IntN(arc.GridSize), s.rng.IntN(arc.GridSize)
	}
	return fmt.Sprintf("ACTION%d", n), req
}

// play sends n commands to both servers and requires the same answers.
func (s *rsSession) play(sut, ref *rsClient, n int) error {
	for range n {
		cmd, req := s.next()
		refReq := map[string]any{"guid": s.refGUID, "card_id": s.refCard}
		for k, v := range req {
			refReq[k] = v
		}
		req["guid"], req["card_id"] = s.guid, s.card
		got, guid, err := sut.command(s.key, cmd, req)
		if err != nil {
			return fmt.Errorf("session %s after %d commands: %w", s.guid, s.actions, err)
		}
		want, _, err := ref.command(s.key, cmd, refReq)
		if err != nil {
			return fmt.Errorf("reference of %s: %w", s.guid, err)
		}
		if guid != s.guid {
			return fmt.Errorf("session %s answered under guid %s", s.guid, guid)
		}
		got.GameID, want.GameID = s.game, s.game
		if !frameEqual(&got, &want) {
			return fmt.Errorf("session %s, command %d (%s): the answer differs from the uninterrupted run", s.guid, s.actions+1, cmd)
		}
		s.last = got
		s.actions++
	}
	return nil
}

func frameEqual(a, b *arc.FrameData) bool {
	return a.GameID == b.GameID && a.State == b.State && a.LevelsCompleted == b.LevelsCompleted &&
		a.WinLevels == b.WinLevels && a.Action.ID == b.Action.ID && a.Action.X == b.Action.X && a.Action.Y == b.Action.Y &&
		a.Available == b.Available && a.FullReset == b.FullReset && bytes.Equal(a.Frames, b.Frames)
}

// parallel runs fn on every session with a few workers.
func parallel(sessions []*rsSession, fn func(*rsSession) error) error {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	work := make(chan *rsSession)
	for range 6 {
		wg.Go(func() {
			for s := range work {
				if err := fn(s); err != nil {
					mu.Lock()
					first = cmpErr(first, err)
					mu.Unlock()
				}
			}
		})
	}
	for _, s := range sessions {
		work <- s
	}
	close(work)
	wg.Wait()
	return first
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// restoredLine is the log line of a server that restored its state.
var restoredLine = regexp.MustCompile(`state restored.*cards=(\d+) closed=(\d+) sessions=(\d+) lost=(\d+) actions=(\d+) elapsed=(\S+)`)

// TestRestartAfterKill9 plays built-in games on `arcgym serve -state`,
// closes some scorecards, kills the server with SIGKILL and restarts it on
// the same address and directory: no closed scorecard is lost, open ones
// keep their totals, and every session goes on under its guid answering
// exactly as a reference server that never stopped.
func TestRestartAfterKill9(t *testing.T) {
	cards, perCard, before, after := 6, 5, 40, 15
	if *full {
		cards, perCard, before, after = 60, 20, 300, 50
	}
	dir := t.TempDir()
	sutProc := startServer(t, "-state", dir, "-v", "-idle-timeout", "-1s")
	refProc := startServer(t, "-idle-timeout", "-1s")
	sut, ref := newRSClient(sutProc.URL), newRSClient(refProc.URL)

	b, err := sut.ok(http.MethodGet, "/api/games", "k", nil)
	require.NoError(t, err)
	list, err := wire.DecodeGames(b)
	require.NoError(t, err)
	require.NotEmpty(t, list)

	// Every card under its own key, as separate clients would be.
	type cardRun struct {
		key, id, refID string
		sessions       []*rsSession
	}
	runs := make([]*cardRun, cards)
	var sessions []*rsSession
	for i := range runs {
		key := fmt.Sprintf("restart-key-%d", i)
		open := map[string]any{"tags": []string{"restart"}, "opaque": map[string]any{"card": i}}
		b, err := sut.ok(http.MethodPost, "/api/scorecard/open", key, open)
		require.NoError(t, err)
		id, err := wire.DecodeOpenScorecard(b)
		require.NoError(t, err)
		b, err = ref.ok(http.MethodPost, "/api/scorecard/open", key, open)
		require.NoError(t, err)
		refID, err := wire.DecodeOpenScorecard(b)
		require.NoError(t, err)
		cr := &cardRun{key: key, id: id, refID: refID}
		for j := range perCard {
			game := list[(i+j)%len(list)].GameID
			s := &rsSession{key: key, game: game, card: id, refCard: refID, rng: rand.New(rand.NewPCG(uint64(i), uint64(j)))}
			req := map[string]any{"game_id": game, "card_id": id}
			fd, guid, err := sut.command(key, "RESET", req)
			require.NoError(t, err)
			req["card_id"] = refID
			_, refGUID, err := ref.command(key, "RESET", req)
			require.NoError(t, err)
			s.guid, s.refGUID, s.last = guid, refGUID, fd
			cr.sessions = append(cr.sessions, s)
			sessions = append(sessions, s)
		}
		runs[i] = cr
	}
	start := time.Now()
	require.NoError(t, parallel(sessions, func(s *rsSession) error { return s.play(sut, ref, before) }))
	played := time.Since(start)

	// Close every other card; keep the summaries of all.
	closedSums := map[string][]byte{}
	openSums := map[string]wire.Scorecard{}
	for i, cr := range runs {
		if i%2 == 1 {
			b, err := sut.ok(http.MethodPost, "/api/scorecard/close", cr.key, map[string]any{"card_id": cr.id})
			require.NoError(t, err)
			closedSums[cr.id] = b
			_, err = ref.ok(http.MethodPost, "/api/scorecard/close", cr.key, map[string]any{"card_id": cr.refID})
			require.NoError(t, err)
			continue
		}
		b, err := sut.ok(http.MethodGet, "/api/scorecard/"+cr.id, cr.key, nil)
		require.NoError(t, err)
		sum, err := wire.DecodeScorecard(b)
		require.NoError(t, err)
		openSums[cr.id] = *sum
	}

	sutProc.Kill9(t)
	restart := time.Now()
	sutProc = startServer(t, "-state", dir, "-v", "-idle-timeout", "-1s", "-addr", sutProc.Addr)
	restartTime := time.Since(restart)

	m := restoredLine.FindStringSubmatch(sutProc.Stderr())
	require.NotNil(t, m, "the restarted server logs what it restored:\n%s", sutProc.Stderr())
	openCards := (cards + 1) / 2
	assert.Equal(t, fmt.Sprint(openCards), m[1], "open cards restored")
	assert.Equal(t, fmt.Sprint(cards/2), m[2], "closed cards kept")
	assert.Equal(t, fmt.Sprint(openCards*perCard), m[3], "sessions restored")
	assert.Equal(t, "0", m[4], "sessions lost")
	t.Logf("%d cards (%d closed), %d sessions, %d commands before the kill, played in %s; restart: %s to listen again, restore %s (%s cards, %s closed, %s sessions, %s commands replayed)",
		cards, cards/2, len(sessions), len(sessions)*(before+1), played.Round(time.Millisecond), restartTime.Round(time.Millisecond), m[6], m[1], m[2], m[3], m[5])

	// No closed card is lost: its final summary is still served, as it was.
	for _, cr := range runs {
		if want, ok := closedSums[cr.id]; ok {
			got, err := sut.ok(http.MethodGet, "/api/scorecard/"+cr.id, cr.key, nil)
			require.NoError(t, err)
			assert.JSONEq(t, string(want), string(got), "closed card %s", cr.id)
			status, _, err := sut.do(http.MethodPost, "/api/scorecard/close", cr.key, map[string]any{"card_id": cr.id})
			require.NoError(t, err)
			assert.Equal(t, http.StatusNotFound, status, "a closed card stays closed")
			continue
		}
		b, err := sut.ok(http.MethodGet, "/api/scorecard/"+cr.id, cr.key, nil)
		require.NoError(t, err)
		sum, err := wire.DecodeScorecard(b)
		require.NoError(t, err)
		assert.Equal(t, openSums[cr.id], *sum, "open card %s keeps its totals", cr.id)
	}

	// The sessions of open cards go on under their guids.
	var live []*rsSession
	for i, cr := range runs {
		if i%2 == 0 {
			live = append(live, cr.sessions...)
		}
	}
	require.NoError(t, parallel(live, func(s *rsSession) error { return s.play(sut, ref, after) }))

	// And the cards end with the reference's totals.
	for i, cr := range runs {
		if i%2 == 1 {
			continue
		}
		b, err := sut.ok(http.MethodPost, "/api/scorecard/close", cr.key, map[string]any{"card_id": cr.id})
		require.NoError(t, err)
		got, err := wire.DecodeScorecard(b)
		require.NoError(t, err)
		b, err = ref.ok(http.MethodPost, "/api/scorecard/close", cr.key, map[string]any{"card_id": cr.refID})
		require.NoError(t, err)
		want, err := wire.DecodeScorecard(b)
		require.NoError(t, err)
		assert.Equal(t, want.TotalActions, got.TotalActions, "card %s", cr.id)
		assert.Equal(t, want.TotalLevelsCompleted, got.TotalLevelsCompleted, "card %s", cr.id)
		assert.Equal(t, want.Score, got.Score, "card %s", cr.id)
	}
	assert.NotContains(t, strings.ToLower(sutProc.Stderr()), "level=error", "the restarted server logged an error")
}
