package remote

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/env/envtest"
	"github.com/arcgym/arcgym/wire"
)

// loggedRequest is one request seen by a test server.
type loggedRequest struct {
	Method, Path string
	Body         string
	Header       http.Header
}

// requestLog records requests; it is safe for concurrent use.
type requestLog struct {
	mu   sync.Mutex
	reqs []loggedRequest
}

func (l *requestLog) add(r *http.Request, body []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reqs = append(l.reqs, loggedRequest{Method: r.Method, Path: r.URL.Path, Body: string(body), Header: r.Header.Clone()})
}

func (l *requestLog) all() []loggedRequest {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]loggedRequest(nil), l.reqs...)
}

// commands returns the logged command requests decoded.
func (l *requestLog) commands(t testing.TB) []wire.CommandRequest {
	t.Helper()
	var out []wire.CommandRequest
	for _, r := range l.all() {
		if !strings.HasPrefix(r.Path, "/api/cmd/") {
			continue
		}
		var c wire.CommandRequest
		if err := json.Unmarshal([]byte(r.Body), &c); err != nil {
			t.Fatalf("command body %q: %v", r.Body, err)
		}
		out = append(out, c)
	}
	return out
}

// arcServer is an in-memory ARC REST service for tests. Game sessions are
// env.Backends (envtest.Fake by default) and responses are encoded with
// wire.AppendFrame. Hooks (SetBefore, SetAfter) inject faults before or after a command is
// applied; Applied counts the commands that changed a game.
type arcServer struct {
	*httptest.Server
	log requestLog

	// NewBackend starts a game session; nil means envtest.NewFake.
	NewBackend func(info arc.GameInfo) env.Backend
	hookMu     sync.Mutex
	// before runs before a request is handled, with its 1-based number;
	// returning true means it answered (or dropped) the request itself.
	before func(w http.ResponseWriter, r *http.Request, n int) bool
	// after runs after a command was applied, with the response it would
	// send; returning true means it answered (or dropped) itself.
	after func(w http.ResponseWriter, r *http.Request, body []byte) bool

	games    []arc.GameInfo
	mu       sync.Mutex
	cards    map[string]int // open card id -> commands applied
	sessions map[string]*serverSession
	ids      int
	requests atomic.Int64
	applied  atomic.Int64
	conns    atomic.Int64 // connections accepted
}

// SetBefore installs the before hook.
func (s *arcServer) SetBefore(f func(w http.ResponseWriter, r *http.Request, n int) bool) {
	s.hookMu.Lock()
	defer s.hookMu.Unlock()
	s.before = f
}

// SetAfter installs the after hook.
func (s *arcServer) SetAfter(f func(w http.ResponseWriter, r *http.Request, body []byte) bool) {
	s.hookMu.Lock()
	defer s.hookMu.Unlock()
	s.after = f
}

func (s *arcServer) hooks() (func(w http.ResponseWriter, r *http.Request, n int) bool, func(w http.ResponseWriter, r *http.Request, body []byte) bool) {
	s.hookMu.Lock()
	defer s.hookMu.Unlock()
	return s.before, s.after
}

type serverSession struct {
	gameID string
	card   string
	b      env.Backend
	fd     arc.FrameData
}

func newARCServer(t testing.TB, games ...arc.GameInfo) *arcServer {
	s := startARCServer(games...)
	t.Cleanup(s.Close)
	return s
}

// startARCServer starts an arcServer the caller must Close.
func startARCServer(games ...arc.GameInfo) *arcServer {
	if len(games) == 0 {
		games = []arc.GameInfo{envtest.NewFake(envtest.FakeConfig{}).Info()}
	}
	s := &arcServer{games: games, cards: map[string]int{}, sessions: map[string]*serverSession{}}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.conns.Add(1)
		}
	}
	s.Start()
	return s
}

func (s *arcServer) writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func (s *arcServer) writeError(w http.ResponseWriter, status int, code, msg string) {
	s.writeJSON(w, status, wire.ErrorBody{Error: code, Message: msg})
}

func (s *arcServer) newID(kind string) string {
	s.ids++
	return fmt.Sprintf("%08x-0000-4000-8000-%012x", s.ids, len(kind))
}

func (s *arcServer) findGame(id string) (arc.GameInfo, bool) {
	for _, g := range s.games {
		if arc.MatchGameID(g.ID, id) {
			return g, true
		}
	}
	return arc.GameInfo{}, false
}

func wireGame(g arc.GameInfo) wire.GameInfo {
	return wire.GameInfo{GameID: g.ID, Title: g.Title, Tags: g.Tags, DefaultFPS: g.DefaultFPS, ClassName: g.ClassName, BaselineActions: g.BaselineActions}
}

func (s *arcServer) serve(w http.ResponseWriter, r *http.Request) {
	n := int(s.requests.Add(1))
	body, _ := io.ReadAll(r.Body)
	s.log.add(r, body)
	before, _ := s.hooks()
	if before != nil && before(w, r, n) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch p := r.URL.Path; {
	case p == "/api/healthcheck":
		_, _ = io.WriteString(w, "okay")
	case p == "/api/games" && r.Method == http.MethodGet:
		list := make([]wire.GameInfo, 0, len(s.games))
		for _, g := range s.games {
			wg := wireGame(g)
			wg.BaselineActions = nil
			list = append(list, wg)
		}
		s.writeJSON(w, 200, list)
	case strings.HasPrefix(p, "/api/games/") && r.Method == http.MethodGet:
		id := strings.TrimPrefix(p, "/api/games/")
		g, ok := s.findGame(id)
		if !ok {
			s.writeError(w, 404, wire.CodeServer, "game "+id+" not found")
			return
		}
		s.writeJSON(w, 200, wireGame(g))
	case p == "/api/scorecard/open" && r.Method == http.MethodPost:
		var req wire.OpenScorecardRequest
		if err := json.Unmarshal(body, &req); err != nil {
			s.writeJSON(w, 400, wire.ErrorBody{Error: "request body must be a JSON object"})
			return
		}
		id := s.newID("card")
		s.cards[id] = 0
		s.writeJSON(w, 200, wire.OpenScorecardResponse{CardID: id})
	case p == "/api/scorecard/close" && r.Method == http.MethodPost:
		var req wire.CloseScorecardRequest
		_ = json.Unmarshal(body, &req)
		actions, ok := s.cards[req.CardID]
		if !ok {
			s.writeError(w, 404, wire.CodeValidation, "scorecard "+req.CardID+" not found")
			return
		}
		delete(s.cards, req.CardID)
		s.writeJSON(w, 200, wire.Scorecard{CardID: req.CardID, TotalActions: actions, Environments: []wire.EnvironmentScore{}})
	case strings.HasPrefix(p, "/api/scorecard/") && r.Method == http.MethodGet:
		id, _, _ := strings.Cut(strings.TrimPrefix(p, "/api/scorecard/"), "/")
		actions, ok := s.cards[id]
		if !ok {
			s.writeError(w, 404, wire.CodeServer, "card_id `"+id+"` not found")
			return
		}
		s.writeJSON(w, 200, wire.Scorecard{CardID: id, TotalActions: actions, Environments: []wire.EnvironmentScore{}})
	case strings.HasPrefix(p, "/api/cmd/") && r.Method == http.MethodPost:
		s.command(w, r, strings.TrimPrefix(p, "/api/cmd/"), body)
	default:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(404)
		_, _ = io.WriteString(w, "<!doctype html>\n<title>404 Not Found</title>\n")
	}
}

func (s *arcServer) command(w http.ResponseWriter, r *http.Request, name string, body []byte) {
	id, err := arc.ParseActionID(name)
	if err != nil {
		s.writeError(w, 404, wire.CodeServer, "unknown command "+name)
		return
	}
	var req wire.CommandRequest
	if err := json.Unmarshal(body, &req); err != nil || req.GameID == "" {
		s.writeError(w, 400, wire.CodeValidation, "missing `game_id` in action data")
		return
	}
	a := arc.Action{ID: id, Reasoning: req.Reasoning}
	if id == arc.Action6 {
		if req.X == nil || req.Y == nil || *req.X < 0 || *req.X > 63 || *req.Y < 0 || *req.Y > 63 {
			s.writeError(w, 400, wire.CodeValidation, "{e}}")
			return
		}
		a.X, a.Y = uint8(*req.X), uint8(*req.Y)
	}
	sess, known := s.sessions[req.GUID]
	newSession := false
	switch {
	case known && sess.gameID != req.GameID:
		s.writeError(w, 400, wire.CodeServer, "game "+req.GameID+" not found")
		return
	case !known && id == arc.Reset:
		g, ok := s.findGame(req.GameID)
		if _, open := s.cards[req.CardID]; !ok || !open {
			s.writeError(w, 400, wire.CodeServer, "game "+req.GameID+" not found")
			return
		}
		var b env.Backend
		if s.NewBackend != nil {
			b = s.NewBackend(g)
		} else {
			b = envtest.NewFake(envtest.FakeConfig{ID: g.ID, Levels: g.Levels, Available: g.Available})
		}
		sess = &serverSession{gameID: g.ID, card: req.CardID, b: b}
		req.GUID = s.newID("guid")
		s.sessions[req.GUID] = sess
		newSession = true
	case !known:
		s.writeError(w, 400, wire.CodeServer, "game "+req.GameID+" not found")
		return
	}
	if err := sess.b.Do(r.Context(), a, &sess.fd); err != nil {
		if errors.Is(err, arc.ErrNotStarted) {
			s.writeError(w, 400, wire.CodeGameNotStarted, "game "+sess.gameID+" is available but has not been started, send RESET to begin playing")
			return
		}
		s.writeError(w, 500, wire.CodeServer, err.Error())
		return
	}
	s.applied.Add(1)
	if _, open := s.cards[sess.card]; open && !(id == arc.Reset && sess.fd.FullReset) {
		s.cards[sess.card]++
	}
	sess.fd.GUID = req.GUID
	sess.fd.GameID = req.GameID
	sess.fd.FullReset = false // as the reference REST server
	resp := wire.AppendFrame(nil, &sess.fd, wire.FrameOptions{EmptyData: newSession})
	if _, after := s.hooks(); after != nil && after(w, r, resp) {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(resp)
}

// dropConnection closes the client connection without a response.
func dropConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

// replayServer answers the ls20 routes with the recorded sample files, and
// checks the session ids the client sends.
type replayServer struct {
	*httptest.Server
	log     requestLog
	applied atomic.Int64
	mu      sync.Mutex
	resets  int
	actions int
	closed  bool
}

func sampleBody(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const (
	sampleGame = "ls20-9607627b"
	sampleCard = "852e9ca3-5f38-4363-890e-50c9b0e40c90"
	sampleGUID = "e2f1d294-3070-4ae9-adcd-60c582a298e9"
)

func newReplayServer(t testing.TB) *replayServer {
	s := &replayServer{}
	files := map[string][]byte{}
	for _, name := range []string{"01_games.json", "02_game_info_ls20.json", "03_scorecard_open.json",
		"10_ls20_reset_new.json", "11_ls20_action1.json", "12_ls20_action2.json", "13_ls20_action3_reasoning.json",
		"14_ls20_action4.json", "17_ls20_reset_level.json", "18_ls20_reset_again_full.json", "31_short_id_action1.json",
		"40_err_game_info_unknown.json", "56_err_unknown_route.txt", "70_scorecard_get.json",
		"71_scorecard_get_game_ls20.json", "73_scorecard_close.json", "75_err_close_twice.json"} {
		files[name] = sampleBody(t, name)
	}
	write := func(w http.ResponseWriter, status int, name string) {
		ct := "application/json"
		if strings.HasSuffix(name, ".txt") {
			ct = "text/html; charset=utf-8"
		}
		w.Header().Set("Content-Type", ct)
		w.WriteHeader(status)
		_, _ = w.Write(files[name])
	}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.log.add(r, body)
		s.mu.Lock()
		defer s.mu.Unlock()
		var cmd wire.CommandRequest
		_ = json.Unmarshal(body, &cmd)
		switch p := r.URL.Path; {
		case p == "/api/healthcheck":
			w.Header().Set("Content-Type", "text/plain")
			_, _ = io.WriteString(w, "okay")
		case p == "/api/games":
			write(w, 200, "01_games.json")
		case p == "/api/games/ls20" || p == "/api/games/"+sampleGame:
			write(w, 200, "02_game_info_ls20.json")
		case strings.HasPrefix(p, "/api/games/"):
			write(w, 404, "40_err_game_info_unknown.json")
		case p == "/api/scorecard/open":
			write(w, 200, "03_scorecard_open.json")
		case p == "/api/scorecard/close":
			if s.closed {
				write(w, 404, "75_err_close_twice.json")
				return
			}
			s.closed = true
			write(w, 200, "73_scorecard_close.json")
		case p == "/api/scorecard/"+sampleCard:
			write(w, 200, "70_scorecard_get.json")
		case p == "/api/scorecard/"+sampleCard+"/"+sampleGame:
			write(w, 200, "71_scorecard_get_game_ls20.json")
		case p == "/api/cmd/RESET":
			switch {
			case cmd.GUID == "" && cmd.CardID == sampleCard:
				s.resets++
				s.applied.Add(1)
				write(w, 200, "10_ls20_reset_new.json")
			case cmd.GUID == sampleGUID && cmd.GameID == sampleGame:
				s.resets++
				s.applied.Add(1)
				write(w, 200, []string{"17_ls20_reset_level.json", "18_ls20_reset_again_full.json"}[s.resets%2])
			default:
				write(w, 400, "31_short_id_action1.json")
			}
		case strings.HasPrefix(p, "/api/cmd/ACTION"):
			if cmd.GUID != sampleGUID || cmd.GameID != sampleGame {
				write(w, 400, "31_short_id_action1.json")
				return
			}
			name := map[string]string{"1": "11_ls20_action1.json", "2": "12_ls20_action2.json",
				"3": "13_ls20_action3_reasoning.json", "4": "14_ls20_action4.json"}[strings.TrimPrefix(p, "/api/cmd/ACTION")]
			if name == "" {
				write(w, 404, "56_err_unknown_route.txt")
				return
			}
			s.actions++
			s.applied.Add(1)
			write(w, 200, name)
		default:
			write(w, 404, "56_err_unknown_route.txt")
		}
	}))
	t.Cleanup(s.Close)
	return s
}
