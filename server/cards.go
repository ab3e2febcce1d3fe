package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/scorecard"
	"github.com/arcgym/arcgym/wire"
)

// card is an open scorecard: its record, its owner and its sessions.
type card struct {
	sc  *scorecard.Card
	key string
	// lastActive is the UnixNano time of the last command or scorecard
	// request, read by the idle sweeper.
	lastActive atomic.Int64

	mu       sync.Mutex
	closed   bool
	sessions []*session
	// started holds the games with a session under this card; a
	// competition card may start each game once.
	started map[string]bool
}

func (c *card) touch() { c.lastActive.Store(time.Now().UnixNano()) }

// findCard returns the open card id owned by key, or nil.
func (s *Server) findCard(id, key string) *card {
	s.mu.Lock()
	c := s.cards[id]
	s.mu.Unlock()
	if c == nil || c.key != key {
		return nil
	}
	return c
}

func (s *Server) openCard(w http.ResponseWriter, r *http.Request, key string) *apiError {
	var req wire.OpenScorecardRequest
	if aerr := s.readObject(r, &req); aerr != nil {
		return aerr
	}
	opaque, err := wire.CompactOpaque(req.Opaque)
	if err != nil {
		return validationf("%v", err)
	}
	if opaque != nil {
		// Strings may hold bytes that are not UTF-8, which a strict
		// reader of the summaries would reject; they are read as
		// encoding/json reads them, as U+FFFD.
		opaque = wire.AppendValidUTF8(nil, opaque)
	}
	competition := s.cfg.Competition
	switch strings.TrimSpace(string(req.CompetitionMode)) {
	case "", "null", "false":
	case "true":
		competition = true
	default:
		return validationf("competition_mode must be a boolean, got %s", req.CompetitionMode)
	}
	tags := slices.Clone(req.Tags)
	if !slices.Contains(tags, "agent") && !slices.Contains(tags, "human") {
		tags = append(tags, "agent")
	}

	id := arc.NewGUID()
	c := &card{
		sc: scorecard.New(scorecard.Meta{
			ID: id, SourceURL: req.SourceURL, Tags: tags, Opaque: opaque, Competition: competition,
		}),
		key:     key,
		started: make(map[string]bool),
	}
	c.touch()
	heap := s.heap.bytes()
	s.mu.Lock()
	switch {
	case s.closed:
		s.mu.Unlock()
		return errShuttingDown
	case s.cfg.Competition && s.competitionOpened:
		s.mu.Unlock()
		return errorf(http.StatusConflict, wire.CodeServer, "cannot open multiple scorecards in competition mode")
	}
	if aerr := s.reserveCardLocked(key, heap); aerr != nil {
		s.mu.Unlock()
		return aerr
	}
	s.competitionOpened = true
	s.cards[id] = c
	s.mu.Unlock()
	s.store.openCard(c)
	return writeJSON(w, wire.OpenScorecardResponse{CardID: id})
}

var errShuttingDown = errorf(http.StatusServiceUnavailable, wire.CodeServer, "server is shutting down")

func (s *Server) closeCardRoute(w http.ResponseWriter, r *http.Request, key string) *apiError {
	var req wire.CloseScorecardRequest
	if aerr := s.readObject(r, &req); aerr != nil {
		return aerr
	}
	if req.CardID == "" {
		return validationf("missing `card_id` in action data")
	}
	// A card closed by another request in the meantime is as unknown as
	// one that never existed.
	c := s.findCard(req.CardID, key)
	var sum wire.Scorecard
	ok := c != nil
	if ok {
		sum, ok = s.closeCard(c)
	}
	if !ok {
		return errorf(http.StatusNotFound, wire.CodeValidation, "scorecard %s not found", req.CardID)
	}
	writeScorecard(w, &sum)
	return nil
}

// closeCard closes c once: it drops the card, ends its sessions (waiting
// for any command in flight on them), adds the never-started games of a
// competition card, and returns the final summary. ok is false when the
// card was closed already.
func (s *Server) closeCard(c *card) (sum wire.Scorecard, ok bool) {
	if !s.dropCard(c) {
		return wire.Scorecard{}, false
	}
	if c.sc.Competition() {
		for _, g := range s.games {
			if !c.sc.Played(g.info.ID) {
				c.sc.StartRun(&g.info, arc.NewGUID())
			}
		}
	}
	sum = c.sc.Summary()
	s.store.closeCard(c.key, &sum)
	if s.cfg.OnCardClose != nil {
		s.cfg.OnCardClose(sum)
	}
	return sum, true
}

// dropCard marks c closed once, removes it from the card table and ends
// its sessions (waiting for any command in flight on them). It returns
// false when c was closed already.
func (s *Server) dropCard(c *card) bool {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return false
	}
	c.closed = true
	sessions := c.sessions
	c.sessions = nil
	c.mu.Unlock()

	s.mu.Lock()
	delete(s.cards, c.sc.ID())
	s.releaseCardLocked(c.key)
	s.mu.Unlock()
	for _, sess := range sessions {
		s.endSession(sess)
	}
	return true
}

// endSession removes sess from the session table, closes it and gives its
// place back to the limits. The caller has taken sess out of its card's
// sessions, so that each session is ended once.
func (s *Server) endSession(sess *session) {
	s.sessions.del(sess.guid)
	if err := sess.close(); err != nil {
		s.cfg.Logger.Error("closing session", "guid", sess.guid, "game", sess.game.info.ID, "err", err)
	}
	s.releaseSession(sess.key)
}

// expireSession ends a session idle past Config.SessionIdleTimeout: its
// scorecard stays open, with the session's runs, and a command on its guid
// is answered like one on an unknown guid. A session its card's close took
// already is left to that close.
func (s *Server) expireSession(sess *session) {
	c := sess.card
	c.mu.Lock()
	i := slices.Index(c.sessions, sess)
	if i < 0 {
		c.mu.Unlock()
		return
	}
	c.sessions = slices.Delete(c.sessions, i, i+1)
	c.mu.Unlock()
	s.cfg.Logger.Info("session expired", "guid", sess.guid, "game", sess.game.info.ID, "card_id", c.sc.ID())
	s.store.endSession(sess.guid)
	s.endSession(sess)
}

func (s *Server) getCard(w http.ResponseWriter, r *http.Request, key string) *apiError {
	rest := strings.TrimPrefix(r.URL.Path, "/api/scorecard/")
	id, gameID, perGame := strings.Cut(rest, "/")
	c := s.findCard(id, key)
	if c == nil {
		if !perGame && s.writeClosedCard(w, id, key) {
			return nil
		}
		return errorf(http.StatusNotFound, wire.CodeServer, "card_id `%s` not found", id)
	}
	if c.sc.Competition() {
		return errorf(http.StatusForbidden, wire.CodeServer, "cannot get scorecard that is in competition mode")
	}
	c.touch()
	if !perGame {
		sum := c.sc.Summary()
		writeScorecard(w, &sum)
		return nil
	}
	// A base id names the same game as everywhere else on this server.
	if e := s.lookupGame(gameID); e != nil {
		gameID = e.info.ID
	}
	return writeJSON(w, c.sc.GameAggregate(gameID))
}

// writeJSON answers 200 with v encoded by encoding/json (the small,
// infrequent bodies), ending in a newline as the reference server's do.
func writeJSON(w http.ResponseWriter, v any) *apiError {
	buf := getBuf()
	defer putBuf(buf)
	b := bytes.NewBuffer((*buf)[:0])
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return errorf(http.StatusInternalServerError, wire.CodeServer, "encoding response: %v", err)
	}
	writeBody(w, http.StatusOK, hdrJSON, b.Bytes())
	*buf = b.Bytes()[:0]
	return nil
}

// writeScorecard answers 200 with a scorecard summary in the reference
// server's form (wire.AppendScorecard: scores as floats).
func writeScorecard(w http.ResponseWriter, sum *wire.Scorecard) {
	buf := getBuf()
	*buf = append(wire.AppendScorecard((*buf)[:0], sum), '\n')
	writeBody(w, http.StatusOK, hdrJSON, *buf)
	putBuf(buf)
}

func errGameNotFound(gameID string) *apiError {
	return errorf(http.StatusBadRequest, wire.CodeServer, "game %s not found", gameID)
}

func errSessionNotFound(gameID, guid string) *apiError {
	return errorf(http.StatusBadRequest, wire.CodeServer, "game %s has no session %s (unknown guid, or the session expired or its scorecard was closed)", gameID, guid)
}
