package server

import (
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"net/http"
	"time"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/games"
	"github.com/arcgym/arcgym/scorecard"
	"github.com/arcgym/arcgym/wire"
)

// Deterministic is implemented by catalogs whose games can be restored by
// replay: a new session of game id given the same commands as an old one
// gives the same results, frame for frame. A server with a state directory
// restores the sessions of such games after a restart; sessions of other
// games are lost (SESSION_LOST_ERROR).
type Deterministic interface {
	Deterministic(id string) bool
}

// Deterministic reports whether id is a built-in game: they are all
// deterministic under the level set the server plays (seed 0).
func (Builtin) Deterministic(id string) bool {
	_, err := games.Lookup(id)
	return err == nil
}

// Deterministic asks the catalog that lists id.
func (j joined) Deterministic(id string) bool {
	for _, c := range j {
		for _, info := range c.List() {
			if info.ID == id {
				d, ok := c.(Deterministic)
				return ok && d.Deterministic(id)
			}
		}
	}
	return false
}

// RestoreStats counts what a server restored from its state directory.
type RestoreStats struct {
	// Cards is the number of open scorecards restored, Closed the number
	// of closed ones whose summaries the store holds.
	Cards, Closed int
	// Sessions were restored by replaying Actions commands; Lost sessions
	// could not be.
	Sessions, Lost, Actions int
	// Elapsed is the time the restore took, compaction included.
	Elapsed time.Duration
}

// Restored returns what New restored from Config.StateDir (zero without
// one).
func (s *Server) Restored() RestoreStats { return s.restored }

// logState is the content of a state log.
type logState struct {
	cards    []*cardLog
	byCard   map[string]*cardLog
	sessions []*sessionLog
	byGUID   map[string]*sessionLog
	// events are the commands in log order: scorecards are rebuilt in
	// that order, which is the order their runs were started in.
	events []event
}

type cardLog struct {
	meta scorecard.Meta
	key  string
}

type sessionLog struct {
	guid, card, game string
	steps            []stepLog
	// ended is set for a session that expired: its runs stay on its
	// card, but it is not restored.
	ended bool
}

// stepLog is one command of a session and the result it had.
type stepLog struct {
	a      arc.Action
	repeat bool
	full   bool
	state  arc.GameState
	levels int
	frames uint32
}

type event struct {
	sess *sessionLog
	step int
}

// parseLog decodes the records of a state log.
func parseLog(data []byte) (*logState, error) {
	ls := &logState{byCard: map[string]*cardLog{}, byGUID: map[string]*sessionLog{}}
	var bad error
	_, _ = scanRecords(data, func(p []byte) {
		if bad != nil {
			return
		}
		f := fields{b: p}
		kind := f.byte()
		switch kind {
		case recCard:
			c := &cardLog{}
			c.meta.ID = f.string()
			c.key = f.string()
			c.meta.SourceURL = f.string()
			if o := f.bytes(); len(o) > 0 {
				c.meta.Opaque = o
			}
			c.meta.Competition = f.byte() == 1
			n := f.uvarint()
			for i := uint64(0); i < n && f.err == nil; i++ {
				c.meta.Tags = append(c.meta.Tags, f.string())
			}
			if f.err == nil {
				ls.cards = append(ls.cards, c)
				ls.byCard[c.meta.ID] = c
			}
		case recSession:
			sl := &sessionLog{guid: f.string(), card: f.string(), game: f.string()}
			if f.err == nil {
				ls.sessions = append(ls.sessions, sl)
				ls.byGUID[sl.guid] = sl
			}
		case recEnd:
			if sl := ls.byGUID[f.string()]; sl != nil {
				sl.ended = true
			}
		case recStep, recRepeat:
			sl := ls.byGUID[f.string()]
			var st stepLog
			if kind == recRepeat {
				st.repeat = true
			} else {
				st.a.ID = arc.ActionID(f.byte())
				st.a.X, st.a.Y = f.byte(), f.byte()
				st.full = f.byte() == 1
				st.state = arc.GameState(f.byte())
				st.levels = int(f.uvarint())
				st.frames = f.uint32()
			}
			if f.err == nil && sl != nil {
				sl.steps = append(sl.steps, st)
				ls.events = append(ls.events, event{sess: sl, step: len(sl.steps) - 1})
			}
		default:
			f.err = fmt.Errorf("unknown record kind %d", kind)
		}
		if f.err != nil {
			bad = fmt.Errorf("server: state log: %w", f.err)
		}
	})
	return ls, bad
}

// openState opens Config.StateDir and restores the cards and sessions it
// holds, then compacts the log.
func (s *Server) openState() error {
	start := time.Now()
	st, data, err := openStore(s.cfg.StateDir, s.cfg.StateSync, s.cfg.StateCompactBytes, s.cfg.Logger)
	if err != nil {
		return err
	}
	ls, err := parseLog(data)
	if err != nil {
		// A record that passes its checksum but does not decode was
		// written by another version: refuse rather than drop state.
		_ = st.close()
		return err
	}
	s.store = st
	s.restore(ls)
	if err := st.compact(data, false); err != nil {
		_ = st.close()
		s.store = nil
		return err
	}
	s.restored.Closed = st.numClosed()
	s.restored.Elapsed = time.Since(start)
	s.cfg.Logger.Info("state restored", "dir", s.cfg.StateDir, "cards", s.restored.Cards, "closed", s.restored.Closed,
		"sessions", s.restored.Sessions, "lost", s.restored.Lost, "actions", s.restored.Actions, "elapsed", s.restored.Elapsed)
	return nil
}

// restore rebuilds the open cards of ls, their scorecards and their
// sessions.
func (s *Server) restore(ls *logState) {
	st := s.store
	cards := make(map[string]*card, len(ls.cards))
	for _, cl := range ls.cards {
		if st.isClosed(cl.meta.ID) {
			continue
		}
		c := &card{sc: scorecard.New(cl.meta), key: cl.key, started: make(map[string]bool)}
		c.touch()
		cards[cl.meta.ID] = c
		s.cards[cl.meta.ID] = c
		// Restored cards and sessions count against the limits but are
		// never refused by them: they were admitted before.
		s.usage.cards++
		s.usage.key(cl.key).cards++
	}
	s.restored.Cards = len(cards)
	if s.cfg.Competition && (len(ls.cards) > 0 || st.numClosed() > 0) {
		s.competitionOpened = true
	}
	var res arc.FrameData
	for _, ev := range ls.events {
		sl := ev.sess
		c := cards[sl.card]
		if c == nil {
			continue
		}
		// A repeat is charged as the command that produced the answer it
		// repeats, never as a new run.
		i := ev.step
		for i > 0 && sl.steps[i].repeat {
			i--
		}
		step := &sl.steps[i]
		if step.repeat {
			continue
		}
		res = arc.FrameData{Action: step.a, FullReset: step.full && i == ev.step, State: step.state, LevelsCompleted: step.levels}
		info := s.restoredInfo(sl.game)
		c.sc.Record(&info, sl.guid, &res)
	}
	for _, sl := range ls.sessions {
		c := cards[sl.card]
		if c == nil {
			continue
		}
		c.started[sl.game] = true
		if sl.ended {
			continue
		}
		sess, err := s.replay(sl, c)
		if err != nil {
			s.restored.Lost++
			st.markLost(sl.guid, lostSession{key: c.key, card: sl.card, game: sl.game, why: err.Error()})
			s.cfg.Logger.Warn("session not restored", "guid", sl.guid, "game", sl.game, "card_id", sl.card, "err", err)
			continue
		}
		s.restored.Sessions++
		s.restored.Actions += len(sl.steps)
		c.sessions = append(c.sessions, sess)
		s.sessions.put(sess)
		sess.touch()
		s.usage.sessions++
		s.usage.key(c.key).sessions++
	}
}

// restoredInfo returns the metadata of a game for a restored scorecard;
// a game no longer served is known by its id only.
func (s *Server) restoredInfo(id string) arc.GameInfo {
	if g := s.byID[id]; g != nil {
		return g.info
	}
	return arc.GameInfo{ID: id}
}

// replay starts a new session of sl's game and gives it sl's commands,
// checking that each has the result it had.
func (s *Server) replay(sl *sessionLog, c *card) (*session, error) {
	g := s.byID[sl.game]
	if g == nil {
		return nil, errors.New("the game is no longer served")
	}
	if d, ok := s.cfg.Games.(Deterministic); !ok || !d.Deterministic(g.info.ID) {
		return nil, errors.New("the game cannot be replayed")
	}
	play, err := s.cfg.Games.New(g.info.ID)
	if err != nil {
		return nil, fmt.Errorf("starting the game: %w", err)
	}
	sess := &session{guid: sl.guid, key: c.key, game: g, card: c, play: play}
	ctx := context.Background()
	applied := 0
	for i := range sl.steps {
		st := &sl.steps[i]
		if st.repeat {
			continue
		}
		n := &sess.next
		err := play.Do(ctx, st.a, &n.fd)
		if err == nil && (n.fd.State != st.state || n.fd.LevelsCompleted != st.levels || n.fd.FullReset != st.full ||
			crc32.Checksum(n.fd.Frames, castagnoli) != st.frames) {
			err = errors.New("the result differs from the one answered")
		}
		if err != nil {
			_ = play.Close()
			return nil, fmt.Errorf("replaying command %d (%s): %w", i+1, st.a.ID, err)
		}
		sess.countAction(st.a.ID, n.fd.LevelsCompleted)
		n.fd.GUID, n.fd.GameID, n.emptyData = sl.guid, g.info.ID, false
		sess.cur, sess.next = sess.next, sess.cur
		applied++
	}
	// The answer to the RESET that opened the session has empty data.
	sess.cur.emptyData = applied == 1
	return sess, nil
}

// errLost answers a command for a session a restart could not restore,
// or returns nil when guid is not such a session of key.
func (s *Server) errLost(key string, guid []byte) *apiError {
	ls, ok := s.store.lostSession(guid)
	if !ok || ls.key != key {
		return nil
	}
	return errorf(http.StatusGone, wire.CodeSessionLost,
		"session %s of game %s was lost when the server restarted (%s); its scorecard %s is kept: start a new session with RESET and card_id",
		guid, ls.game, ls.why, ls.card)
}

// writeClosedCard answers GET /api/scorecard/{card_id} for a card closed
// under key, from the store; it reports false when there is none.
func (s *Server) writeClosedCard(w http.ResponseWriter, id, key string) bool {
	b, ok := s.store.closedSummary(id, key)
	if !ok {
		return false
	}
	writeBody(w, http.StatusOK, hdrJSON, append(b, '\n'))
	return true
}
