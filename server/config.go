package server

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/games"
	"github.com/arcgym/arcgym/wire"
)

// Catalog is the set of games a server offers. List is read once, when the
// server is built; New starts a session of a game by its versioned id.
type Catalog interface {
	List() []arc.GameInfo
	New(id string) (games.Session, error)
}

// Builtin is the catalog of arcgym's built-in games (package games).
type Builtin struct{}

// List returns every registered game.
func (Builtin) List() []arc.GameInfo { return games.List() }

// New starts a session of a registered game.
func (Builtin) New(id string) (games.Session, error) { return games.New(id) }

// DefaultAPIKey is the key a request without X-API-Key acts under when keys
// are not required, as on the reference server.
const DefaultAPIKey = "1234"

// Defaults applied by New to zero fields of Config.
const (
	DefaultIdleTimeout  = 15 * time.Minute
	DefaultMaxBodyBytes = 256 << 10
)

// Config configures a Server. The zero value serves the built-in games with
// the reference server's rules, no required keys, no recordings and
// scorecards closed after DefaultIdleTimeout without a command.
type Config struct {
	// Games is the catalog served; nil means Builtin.
	Games Catalog
	// Competition puts the whole server in competition mode: every
	// scorecard is a competition scorecard and only one may ever be opened.
	// A client can also ask for one competition scorecard with
	// competition_mode: true when opening it.
	Competition bool
	// APIKeys, when not empty, are the only keys accepted: a request
	// without X-API-Key or with another key gets 401. When empty, keys are
	// not checked and a missing key means DefaultAPIKey; keys still
	// partition scorecards and sessions.
	APIKeys []string
	// RecordDir, when set, is where every session is recorded in the
	// toolkit's JSONL format, one file per session:
	// <RecordDir>/<card_id>/<game_id>-<guid>.jsonl.
	RecordDir string
	// RecordWithoutFrames leaves the frame lists out of recordings.
	RecordWithoutFrames bool
	// IdleTimeout closes a scorecard after this long without a command or
	// scorecard request; 0 means DefaultIdleTimeout, a negative value never.
	IdleTimeout time.Duration
	// MaxBodyBytes bounds request bodies (413 beyond it); 0 means
	// DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// OnCardClose, when set, receives the final summary of every scorecard
	// closed by a client, by the idle timeout or by Close. It runs on the
	// goroutine closing the card and must not call back into the server.
	OnCardClose func(wire.Scorecard)
	// Logger receives server-side failures; nil discards them.
	Logger *slog.Logger
}

// validate checks cfg and fills in defaults.
func (cfg *Config) validate() error {
	if cfg.Games == nil {
		cfg.Games = Builtin{}
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	switch {
	case cfg.MaxBodyBytes == 0:
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	case cfg.MaxBodyBytes < 1024:
		return fmt.Errorf("server: MaxBodyBytes %d is below the 1024-byte minimum", cfg.MaxBodyBytes)
	}
	for i, k := range cfg.APIKeys {
		if k == "" {
			return fmt.Errorf("server: APIKeys[%d] is empty", i)
		}
	}
	cfg.APIKeys = slices.Clone(cfg.APIKeys)
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}

// errNoGames is returned by New for a catalog without games.
var errNoGames = errors.New("server: the catalog has no games")

// Join returns a catalog of every game of cats: List concatenates their
// lists (an id must appear in one catalog only) and New asks the catalog
// that listed the id. The REST server uses it to serve the built-in games
// and the real ARC-AGI-3 games (arcengine.Catalog) side by side.
func Join(cats ...Catalog) Catalog { return joined(slices.Clone(cats)) }

type joined []Catalog

func (j joined) List() []arc.GameInfo {
	var out []arc.GameInfo
	for _, c := range j {
		out = append(out, c.List()...)
	}
	return out
}

func (j joined) New(id string) (games.Session, error) {
	for _, c := range j {
		for _, info := range c.List() {
			if info.ID == id {
				return c.New(id)
			}
		}
	}
	return nil, fmt.Errorf("%w: %q", arc.ErrUnknownGame, id)
}
