package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/games"
	"github.com/arcgym/arcgym/wire"
)

// cmdState is the per-request scratch space of a command, pooled.
type cmdState struct {
	body []byte
	out  []byte
	cmd  command
}

var cmdPool = sync.Pool{New: func() any {
	return &cmdState{body: make([]byte, 0, 1024), out: make([]byte, 0, 16<<10)}
}}

// session is one running game under a scorecard.
type session struct {
	guid string
	key  string
	game *gameEntry
	card *card

	mu     sync.Mutex
	closed bool
	play   games.Instance
	// cur is the last result answered, next the buffer the coming command
	// writes into; they swap when a command succeeds.
	cur, next slot
	// levelActions counts actions since the current level began: a RESET
	// with none is a full reset (or, on a competition card, a repeat).
	levelActions int
	rec          *recorder
	// lastActive is the UnixNano time of the last command, read by the
	// idle sweeper.
	lastActive atomic.Int64
}

// touch marks a command on sess, and on its card, at one reading of the
// clock.
func (sess *session) touch() {
	now := time.Now().UnixNano()
	sess.lastActive.Store(now)
	sess.card.lastActive.Store(now)
}

// countAction counts a command with result levels in levelActions: a RESET
// or a change of level starts the count again.
func (sess *session) countAction(a arc.ActionID, levels int) {
	if a == arc.Reset || levels != sess.cur.fd.LevelsCompleted {
		sess.levelActions = 0
	} else {
		sess.levelActions++
	}
}

// slot holds one result and the reasoning bytes it refers to.
type slot struct {
	fd        arc.FrameData
	reasoning bytes.Buffer
	// emptyData is set on the result of the RESET that created the
	// session, whose action_input.data is {}.
	emptyData bool
}

// appendFrame writes the frame object of a result, with the newline that
// ends the reference server's bodies.
func appendFrame(dst []byte, sl *slot) []byte {
	return append(wire.AppendFrame(dst, &sl.fd, wire.FrameOptions{EmptyData: sl.emptyData}), '\n')
}

func (sess *session) close() error {
	sess.mu.Lock()
	defer sess.mu.Unlock()
	if sess.closed {
		return nil
	}
	sess.closed = true
	err := sess.play.Close()
	if sess.rec != nil {
		err = errors.Join(err, sess.rec.close())
		sess.rec = nil
	}
	return err
}

// command serves POST /api/cmd/{RESET,ACTION1..ACTION7}.
func (s *Server) command(w http.ResponseWriter, r *http.Request, id arc.ActionID) {
	st := cmdPool.Get().(*cmdState)
	defer s.putCmd(st)
	if aerr := s.commandInto(r, id, st); aerr != nil {
		writeError(w, aerr)
		return
	}
	writeBody(w, http.StatusOK, hdrJSON, st.out)
}

func (s *Server) putCmd(st *cmdState) {
	if cap(st.out) > maxPooledBuf || cap(st.body) > maxPooledBuf {
		return
	}
	cmdPool.Put(st)
}

// commandInto runs the command and leaves the response body in st.out.
func (s *Server) commandInto(r *http.Request, id arc.ActionID, st *cmdState) *apiError {
	if s.down.Load() {
		return errShuttingDown
	}
	key, aerr := s.apiKey(r)
	if aerr != nil {
		return aerr
	}
	body, aerr := s.readBody(r, &st.body)
	if aerr != nil {
		return aerr
	}
	cmd := &st.cmd
	if aerr := parseCommand(body, cmd); aerr != nil {
		return aerr
	}
	if len(cmd.gameID) == 0 {
		return validationf("missing `game_id` in action data")
	}
	a := arc.Action{ID: id}
	if id == arc.Action6 {
		x, aerr := coordinate("x", cmd.x)
		if aerr != nil {
			return aerr
		}
		y, aerr := coordinate("y", cmd.y)
		if aerr != nil {
			return aerr
		}
		a.X, a.Y = x, y
	}
	if string(cmd.reasoning) == "null" {
		cmd.reasoning = nil
	}
	if len(cmd.reasoning) > arc.MaxReasoningBytes {
		var compact bytes.Buffer
		if err := json.Compact(&compact, cmd.reasoning); err != nil || compact.Len() > arc.MaxReasoningBytes {
			return validationf("reasoning is %d bytes, limit %d", compact.Len(), arc.MaxReasoningBytes)
		}
	}
	if id == arc.Reset {
		return s.reset(r.Context(), key, cmd, st)
	}
	return s.act(r.Context(), key, a, cmd, st)
}

// coordinate validates x or y of ACTION6: an integer in 0..63.
func coordinate(name string, raw []byte) (uint8, *apiError) {
	if len(raw) == 0 {
		return 0, validationf("ACTION6 needs %s (an integer in 0..%d)", name, arc.GridSize-1)
	}
	if v, ok := smallInt(raw); ok && v < arc.GridSize {
		return uint8(v), nil
	}
	text := string(raw)
	if raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9' {
		// JSON numbers such as 5.0 or 5e0 are integers too.
		if f, err := strconv.ParseFloat(text, 64); err == nil && f >= 0 && f < arc.GridSize && f == float64(int(f)) {
			return uint8(f), nil
		}
	}
	return 0, validationf("%s must be an integer in 0..%d, got %s", name, arc.GridSize-1, text)
}

// smallInt parses a short run of decimal digits.
func smallInt(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 4 {
		return 0, false
	}
	v := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

// sessionFor returns the session guid of key playing gameID.
func (s *Server) sessionFor(key string, cmd *command) (*session, *apiError) {
	sess := s.sessions.get(cmd.guid)
	if sess == nil {
		if aerr := s.errLost(key, cmd.guid); aerr != nil {
			return nil, aerr
		}
		return nil, errSessionNotFound(string(cmd.gameID), string(cmd.guid))
	}
	if sess.key != key {
		return nil, validationf("session %s of game %s does not belong to this API key", cmd.guid, cmd.gameID)
	}
	if sess.game.info.ID != string(cmd.gameID) && s.lookupGame(string(cmd.gameID)) != sess.game {
		return nil, errorf(http.StatusBadRequest, wire.CodeServer, "session %s plays %s, not %s", cmd.guid, sess.game.info.ID, cmd.gameID)
	}
	return sess, nil
}

func (s *Server) act(ctx context.Context, key string, a arc.Action, cmd *command, st *cmdState) *apiError {
	if len(cmd.guid) == 0 {
		return validationf("missing `guid` for any action other than RESET")
	}
	sess, aerr := s.sessionFor(key, cmd)
	if aerr != nil {
		return aerr
	}
	sess.mu.Lock()
	defer sess.mu.Unlock()
	if sess.closed {
		return errSessionNotFound(string(cmd.gameID), string(cmd.guid))
	}
	sess.touch()
	if state := sess.cur.fd.State; state.Terminal() {
		return errorf(http.StatusBadRequest, wire.CodeGameNotStarted, "game %s (session %s) ended in %s; send RESET to play again", cmd.gameID, cmd.guid, state)
	}
	if aerr := s.step(ctx, sess, a, cmd); aerr != nil {
		return aerr
	}
	st.out = appendFrame(st.out[:0], &sess.cur)
	return nil
}

func (s *Server) reset(ctx context.Context, key string, cmd *command, st *cmdState) *apiError {
	a := arc.Action{ID: arc.Reset}
	if len(cmd.guid) > 0 {
		if s.sessions.get(cmd.guid) != nil || len(cmd.cardID) == 0 {
			sess, aerr := s.sessionFor(key, cmd)
			if aerr != nil {
				return aerr
			}
			return s.resetSession(ctx, sess, a, cmd, st)
		}
		// An unknown guid with a scorecard opens a new session, which
		// gets a guid of the server's own.
	}
	if len(cmd.cardID) == 0 {
		return validationf("missing `card_id`: a RESET without guid opens a new session and needs a scorecard")
	}
	gameID, cardID := string(cmd.gameID), string(cmd.cardID)
	g := s.lookupGame(gameID)
	if g == nil {
		return errGameNotFound(gameID)
	}
	c := s.findCard(cardID, key)
	if c == nil {
		return errorf(http.StatusBadRequest, wire.CodeServer, "scorecard %s not found", cardID)
	}
	if aerr := s.reserveSession(key); aerr != nil {
		return aerr
	}
	play, err := s.cfg.Games.New(g.info.ID)
	if err != nil {
		s.releaseSession(key)
		s.cfg.Logger.Error("starting game", "game", g.info.ID, "err", err)
		return errorf(http.StatusInternalServerError, wire.CodeServer, "starting game %s: %v", g.info.ID, err)
	}
	sess := &session{guid: arc.NewGUID(), key: key, game: g, card: c, play: play}
	sess.touch()
	// The session is locked before anyone can see it, so a concurrent close
	// of the card waits for this first RESET.
	sess.mu.Lock()
	defer sess.mu.Unlock()
	c.mu.Lock()
	switch {
	case c.closed:
		c.mu.Unlock()
		_ = play.Close()
		s.releaseSession(key)
		return errorf(http.StatusBadRequest, wire.CodeServer, "scorecard %s not found", cardID)
	case c.sc.Competition() && c.started[g.info.ID]:
		c.mu.Unlock()
		_ = play.Close()
		s.releaseSession(key)
		return errorf(http.StatusBadRequest, wire.CodeServer, "game %s was already started on competition scorecard %s", g.info.ID, cardID)
	}
	c.started[g.info.ID] = true
	c.sessions = append(c.sessions, sess)
	// Published while the card is locked: a close that comes later finds
	// the session both in the card and in the table, and removes it from
	// both.
	s.sessions.put(sess)
	c.mu.Unlock()
	s.store.startSession(sess)
	if s.cfg.RecordDir != "" {
		rec, err := newRecorder(s.cfg.RecordDir, c.sc.ID(), g.info.ID, sess.guid, !s.cfg.RecordWithoutFrames, s.cfg.MaxRecordingBytes)
		if err != nil {
			s.cfg.Logger.Error("opening recording", "guid", sess.guid, "err", err)
		}
		sess.rec = rec
	}
	if aerr := s.step(ctx, sess, a, cmd); aerr != nil {
		return aerr
	}
	sess.cur.emptyData = true
	st.out = appendFrame(st.out[:0], &sess.cur)
	return nil
}

// resetSession sends RESET to an existing session. On a competition card a
// RESET that would go back to level one does nothing: the previous answer
// is repeated and charged again as the command that produced it.
func (s *Server) resetSession(ctx context.Context, sess *session, a arc.Action, cmd *command, st *cmdState) *apiError {
	sess.mu.Lock()
	defer sess.mu.Unlock()
	if sess.closed {
		return errSessionNotFound(string(cmd.gameID), string(cmd.guid))
	}
	sess.touch()
	cur := &sess.cur
	if sess.card.sc.Competition() && (sess.levelActions == 0 || cur.fd.State == arc.Win) {
		again := cur.fd
		again.FullReset = false
		sess.card.sc.Record(&sess.game.info, sess.guid, &again)
		s.store.repeat(sess.guid)
	} else if aerr := s.step(ctx, sess, a, cmd); aerr != nil {
		return aerr
	}
	st.out = appendFrame(st.out[:0], &sess.cur)
	return nil
}

// step runs one command on a locked session, records it and makes its
// result current.
func (s *Server) step(ctx context.Context, sess *session, a arc.Action, cmd *command) *apiError {
	n := &sess.next
	n.reasoning.Reset()
	if len(cmd.reasoning) > 0 {
		// Compact so that recordings keep one entry per line; the value
		// was checked to be well-formed JSON, so this cannot fail.
		_ = json.Compact(&n.reasoning, cmd.reasoning)
		a.Reasoning = n.reasoning.Bytes()
	}
	if err := sess.play.Do(ctx, a, &n.fd); err != nil {
		if errors.Is(err, arc.ErrNotStarted) {
			return errorf(http.StatusBadRequest, wire.CodeGameNotStarted, "game %s (session %s) is not running; send RESET to play", cmd.gameID, sess.guid)
		}
		if errors.Is(err, arc.ErrInvalidAction) {
			return validationf("%v", err)
		}
		s.cfg.Logger.Error("game command failed", "game", sess.game.info.ID, "guid", sess.guid, "action", a.String(), "err", err)
		return errorf(http.StatusInternalServerError, wire.CodeServer, "game %s failed on %s: %v", sess.game.info.ID, a, err)
	}
	n.fd.GUID = sess.guid
	n.emptyData = false
	sess.countAction(a.ID, n.fd.LevelsCompleted)
	sess.card.sc.Record(&sess.game.info, sess.guid, &n.fd)
	s.store.step(sess.guid, a, &n.fd)
	if sess.rec != nil {
		// Recordings name the game by its versioned id.
		n.fd.GameID = sess.game.info.ID
		if err := sess.rec.write(&n.fd); err != nil {
			if errors.Is(err, errRecordingFull) {
				s.cfg.Logger.Warn("recording reached its size limit; recording stops", "guid", sess.guid, "limit", s.cfg.MaxRecordingBytes)
			} else {
				s.cfg.Logger.Error("writing recording; recording stops", "guid", sess.guid, "err", err)
			}
			_ = sess.rec.close()
			sess.rec = nil
		}
	}
	// The answer echoes the game id as the client sent it, reusing a string
	// already held when it matches.
	switch {
	case string(cmd.gameID) == sess.game.info.ID:
		n.fd.GameID = sess.game.info.ID
	case string(cmd.gameID) == sess.cur.fd.GameID:
		n.fd.GameID = sess.cur.fd.GameID
	default:
		n.fd.GameID = string(cmd.gameID)
	}
	sess.cur, sess.next = sess.next, sess.cur
	return nil
}
