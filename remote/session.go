package remote

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/wire"
)

// Session is one game session on a REST service: the env.Backend that
// plays a remote game. It is not safe for concurrent use (one env.Game
// drives it).
//
// NewSession resolves the game id, opens a scorecard unless one is given,
// and sends the first RESET, which creates the session: the REST metadata
// does not list the available actions, and Info must. The first Do(RESET)
// then returns that result without sending anything; later RESETs carry the
// session guid, and every command carries the full versioned game id.
type Session struct {
	c         *Client
	ownClient bool
	info      arc.GameInfo
	cardID    string
	ownsCard  bool
	guid      string

	// pending is the result of the RESET sent by NewSession until the
	// first Do consumes it.
	pending *arc.FrameData

	closeTimeout time.Duration
	summary      *wire.Scorecard
	closed       bool
}

var _ env.Backend = (*Session)(nil)

// NewSession starts a session of gameID (versioned or base id) through c.
// cfg.CardID plays on an open scorecard; without one the session opens a
// scorecard with cfg.Scorecard's options and closes it in Close.
func NewSession(ctx context.Context, c *Client, gameID string, cfg SessionConfig) (*Session, error) {
	if c == nil {
		return nil, errors.New("remote: nil client")
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return newSession(ctx, c, gameID, &cfg)
}

// newSession starts a session for a validated cfg.
func newSession(ctx context.Context, c *Client, gameID string, cfg *SessionConfig) (*Session, error) {
	gi, err := c.resolveGame(ctx, gameID)
	if err != nil {
		return nil, err
	}
	s := &Session{c: c, info: gi.Arc(), cardID: cfg.CardID, closeTimeout: cfg.CloseTimeout}
	if s.cardID == "" {
		if s.cardID, err = c.OpenScorecard(ctx, cfg.Scorecard); err != nil {
			return nil, err
		}
		s.ownsCard = true
	}
	first := new(arc.FrameData)
	if err := c.Reset(ctx, s.info.ID, s.cardID, "", first); err != nil {
		// Closing the session's own card also ends a session that a RESET
		// with an unknown outcome may have started.
		return nil, errors.Join(err, s.closeCard())
	}
	if first.GUID == "" {
		return nil, errors.Join(fmt.Errorf("remote: RESET of %s returned no guid", s.info.ID), s.closeCard())
	}
	s.guid = first.GUID
	s.pending = first
	s.info.Available = first.Available
	s.info.Levels = first.WinLevels
	return s, nil
}

// resolveGame fetches a game's metadata; a base id the service does not
// resolve itself is looked up in the game list.
func (c *Client) resolveGame(ctx context.Context, gameID string) (wire.GameInfo, error) {
	gi, err := c.Game(ctx, gameID)
	if err == nil || !errors.Is(err, ErrNotFound) {
		return gi, err
	}
	if _, version := arc.SplitGameID(gameID); version != "" {
		return gi, err
	}
	games, lerr := c.Games(ctx)
	if lerr != nil {
		return gi, err
	}
	for _, g := range games {
		if arc.MatchGameID(g.GameID, gameID) {
			return g, nil
		}
	}
	return gi, err
}

// Info returns the game's metadata: ID is the full versioned id, Available
// and Levels come from the first RESET.
func (s *Session) Info() arc.GameInfo { return s.info }

// Blocking reports that a command waits on the server: vector envs run
// such sub-environments without spinning for them.
func (s *Session) Blocking() bool { return true }

// CardID returns the scorecard the session plays on.
func (s *Session) CardID() string { return s.cardID }

// GUID returns the session id.
func (s *Session) GUID() string { return s.guid }

// Client returns the Client the session uses.
func (s *Session) Client() *Client { return s.c }

// Scorecard returns the final summary received when Close closed the
// session's own scorecard, nil before that or when the card was given.
func (s *Session) Scorecard() *wire.Scorecard { return s.summary }

// Do sends one command and writes the result into out, reusing its
// buffers. It never sends a command again on its own: after an error
// matching ErrOutcomeUnknown the game may or may not have moved (a lost
// level RESET that was applied makes the next RESET a full one), and the
// next answer, which carries the state, levels and FullReset, tells the
// truth.
func (s *Session) Do(ctx context.Context, a arc.Action, out *arc.FrameData) error {
	if s.closed {
		return env.ErrClosed
	}
	if p := s.pending; p != nil {
		s.pending = nil
		if a.ID == arc.Reset {
			out.CopyFrom(p)
			return nil
		}
	}
	if a.ID == arc.Reset {
		return s.c.Reset(ctx, s.info.ID, s.cardID, s.guid, out)
	}
	return s.c.Action(ctx, s.info.ID, s.guid, a, out)
}

// Close closes the scorecard if the session opened it, keeping the final
// summary (see Scorecard), within the close timeout. It is safe to call
// more than once.
func (s *Session) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), s.closeTimeout)
	defer cancel()
	return s.CloseContext(ctx)
}

// CloseContext is Close under ctx.
func (s *Session) CloseContext(ctx context.Context) error {
	if s.closed {
		return nil
	}
	s.closed = true
	s.pending = nil
	var err error
	if s.ownsCard {
		s.summary, err = s.c.CloseScorecard(ctx, s.cardID)
		s.ownsCard = false
	}
	if s.ownClient {
		err = errors.Join(err, s.c.Close())
	}
	return err
}

// closeCard closes the session's own scorecard after a failed start.
func (s *Session) closeCard() error {
	if !s.ownsCard {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.closeTimeout)
	defer cancel()
	_, err := s.c.CloseScorecard(ctx, s.cardID)
	s.ownsCard = false
	return err
}

// Make returns an env.Game playing gameID on a REST service: it builds a
// Client of cfg.BaseURL with cfg.Client, starts a Session with
// cfg.Session and wraps it in an env.Game configured by cfg.Env. Closing
// the Game closes the session's scorecard (unless cfg.Session.CardID was
// given) and the Client. Use NewGame to play through an existing Client.
func Make(ctx context.Context, gameID string, cfg MakeConfig) (*env.Game, error) {
	if err := cfg.Client.validate(); err != nil {
		return nil, err
	}
	if err := cfg.Session.validate(); err != nil {
		return nil, err
	}
	c, err := newClient(cfg.BaseURL, &cfg.Client)
	if err != nil {
		return nil, err
	}
	g, err := newGame(ctx, c, gameID, &cfg.Session, cfg.Env, true)
	if err != nil {
		_ = c.Close()
		return nil, err
	}
	return g, nil
}

// NewGame returns an env.Game playing gameID through c: it starts a
// Session with cfg.Session and wraps it in an env.Game configured by
// cfg.Env. Closing the Game closes the session's scorecard (unless
// cfg.Session.CardID was given); c stays open.
func NewGame(ctx context.Context, c *Client, gameID string, cfg GameConfig) (*env.Game, error) {
	if c == nil {
		return nil, errors.New("remote: nil client")
	}
	if err := cfg.Session.validate(); err != nil {
		return nil, err
	}
	return newGame(ctx, c, gameID, &cfg.Session, cfg.Env, false)
}

// newGame starts a session for a validated cfg and wraps it; the session
// closes c with it when it owns c.
func newGame(ctx context.Context, c *Client, gameID string, cfg *SessionConfig, envCfg env.Config, ownClient bool) (*env.Game, error) {
	s, err := newSession(ctx, c, gameID, cfg)
	if err != nil {
		return nil, err
	}
	g, err := env.New(s, envCfg)
	if err != nil {
		// Closing the session must not close a client the caller still
		// holds; a client Make built is closed by Make.
		return nil, errors.Join(err, s.Close())
	}
	s.ownClient = ownClient
	return g, nil
}
