package server

import (
	"cmp"
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
	New(id string) (games.Instance, error)
}

// Builtin is the catalog of arcgym's built-in games (package games).
type Builtin struct{}

// List returns every registered game.
func (Builtin) List() []arc.GameInfo { return games.List() }

// New starts a session of a registered game.
func (Builtin) New(id string) (games.Instance, error) { return games.New(id) }

// DefaultAPIKey is the key a request without X-API-Key acts under when keys
// are not required, as on the reference server.
const DefaultAPIKey = "1234"

// Defaults applied by New to zero fields of Config. The limits keep a
// machine of 24 GiB safe from any one client: at most DefaultMaxSessions
// sessions of DefaultSessionBytes each fit in a third of
// DefaultMemoryBudget, and the budget itself is a sixth of such a machine.
const (
	DefaultIdleTimeout        = 15 * time.Minute
	DefaultSessionIdleTimeout = 10 * time.Minute
	DefaultMaxBodyBytes       = 256 << 10
	DefaultMaxSessions        = 20000
	DefaultMaxSessionsPerKey  = 1000
	DefaultMaxCards           = 10000
	DefaultMaxCardsPerKey     = 256
	DefaultMemoryBudget       = 4 << 30
	DefaultSessionBytes       = 64 << 10
	DefaultMaxRecordingBytes  = 1 << 30
)

// Config configures a Server. The zero value serves the built-in games with
// the reference server's rules, no required keys, no recordings,
// scorecards closed after DefaultIdleTimeout without a command, sessions
// after DefaultSessionIdleTimeout, and the Default limits.
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
	// SessionIdleTimeout closes a session after this long without a
	// command on it, even while other sessions keep its scorecard open; 0
	// means DefaultSessionIdleTimeout, a negative value never.
	SessionIdleTimeout time.Duration
	// MaxBodyBytes bounds request bodies (413 beyond it); 0 means
	// DefaultMaxBodyBytes.
	MaxBodyBytes int64

	// MaxSessions and MaxSessionsPerKey bound the open sessions, in all
	// and per API key; MaxCards and MaxCardsPerKey bound the open
	// scorecards likewise. A RESET or scorecard open past one is refused
	// with 429 LIMIT_ERROR before anything is started. 0 means the
	// Default value; negative values are invalid.
	MaxSessions, MaxSessionsPerKey int
	MaxCards, MaxCardsPerKey       int
	// MemoryBudget bounds the memory the server lets sessions and
	// scorecards take, in bytes: a new session is refused (429
	// LIMIT_ERROR) when the Go heap (runtime/metrics
	// /memory/classes/heap/objects:bytes) or the open sessions times
	// SessionBytes, plus SessionBytes, would pass it; a new scorecard when
	// the heap already does. 0 means DefaultMemoryBudget.
	MemoryBudget int64
	// SessionBytes is the memory a session is reckoned to take in the
	// server; 0 means DefaultSessionBytes. Sessions of real games run in
	// worker processes that this does not count.
	SessionBytes int64
	// MaxConns bounds the connections Serve keeps open. 0, or a value
	// past the process's descriptor limit less a reserve (a tenth of the
	// limit, at least 256), means that bound. At the bound the connection
	// idle the longest is closed to make room for a new one; when none is
	// idle, the new one is answered 503 LIMIT_ERROR and closed.
	MaxConns int
	// MaxRecordingBytes bounds each recording file: the entry that would
	// take it past the bound is not written and the session records no
	// more, with a warning in the log, so the file holds whole entries
	// only. 0 means DefaultMaxRecordingBytes.
	MaxRecordingBytes int64

	// ReadHeaderTimeout, ReadTimeout, WriteTimeout and KeepAliveTimeout
	// are Serve's connection timeouts (see the constants of the same
	// names; KeepAliveTimeout is IdleTimeout there); 0 means that
	// constant.
	ReadHeaderTimeout, ReadTimeout, WriteTimeout, KeepAliveTimeout time.Duration
	// OnCardClose, when set, receives the final summary of every scorecard
	// closed by a client, by the idle timeout or by Close. It runs on the
	// goroutine closing the card and must not call back into the server.
	// With StateDir, Close keeps open cards for the next server instead,
	// and each card is reported once, whatever the restarts.
	OnCardClose func(wire.Scorecard)
	// Pprof serves net/http/pprof's profiles under PprofPath, to anyone
	// who can reach the server: enable it on trusted networks only.
	Pprof bool
	// StateDir, when set, is where the server keeps its scorecards and
	// sessions so that they survive a crash or restart: New restores the
	// open scorecards with their totals, the final summaries of closed
	// ones (GET /api/scorecard/{card_id} answers them), and the sessions
	// of deterministic games (see Deterministic) by replaying their
	// commands, under the same guids. A command on a session that could
	// not be restored is answered 410 SESSION_LOST_ERROR. Every change is
	// written to the directory before it is answered, with one write(2):
	// it survives the death of the process; see StateSync for the loss
	// of the machine. Empty keeps everything in memory.
	StateDir string
	// StateSync fsyncs the state after every change, so that an answered
	// change survives a power cut or kernel crash too; it costs a disk
	// flush per command.
	StateSync bool
	// StateCompactBytes is the size past which the state log is compacted
	// while the server runs (it is also compacted at every start); 0
	// means DefaultStateCompactBytes.
	StateCompactBytes int64
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
	if cfg.SessionIdleTimeout == 0 {
		cfg.SessionIdleTimeout = DefaultSessionIdleTimeout
	}
	switch {
	case cfg.MaxBodyBytes == 0:
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	case cfg.MaxBodyBytes < 1024:
		return fmt.Errorf("server: MaxBodyBytes %d is below the 1024-byte minimum", cfg.MaxBodyBytes)
	}
	if err := cmp.Or(
		orDefault("MaxSessions", &cfg.MaxSessions, DefaultMaxSessions),
		orDefault("MaxSessionsPerKey", &cfg.MaxSessionsPerKey, DefaultMaxSessionsPerKey),
		orDefault("MaxCards", &cfg.MaxCards, DefaultMaxCards),
		orDefault("MaxCardsPerKey", &cfg.MaxCardsPerKey, DefaultMaxCardsPerKey),
		orDefault("MaxConns", &cfg.MaxConns, 0),
		orDefault("MemoryBudget", &cfg.MemoryBudget, DefaultMemoryBudget),
		orDefault("SessionBytes", &cfg.SessionBytes, DefaultSessionBytes),
		orDefault("MaxRecordingBytes", &cfg.MaxRecordingBytes, DefaultMaxRecordingBytes),
		orDefault("ReadHeaderTimeout", &cfg.ReadHeaderTimeout, ReadHeaderTimeout),
		orDefault("ReadTimeout", &cfg.ReadTimeout, ReadTimeout),
		orDefault("WriteTimeout", &cfg.WriteTimeout, WriteTimeout),
		orDefault("KeepAliveTimeout", &cfg.KeepAliveTimeout, IdleTimeout),
		orDefault("StateCompactBytes", &cfg.StateCompactBytes, DefaultStateCompactBytes),
	); err != nil {
		return err
	}
	if cfg.MemoryBudget < cfg.SessionBytes {
		return fmt.Errorf("server: MemoryBudget %d is below SessionBytes %d: no session would fit", cfg.MemoryBudget, cfg.SessionBytes)
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

func (j joined) New(id string) (games.Instance, error) {
	for _, c := range j {
		for _, info := range c.List() {
			if info.ID == id {
				return c.New(id)
			}
		}
	}
	return nil, fmt.Errorf("%w: %q", arc.ErrUnknownGame, id)
}

// orDefault sets *v to def when it is 0, and refuses a negative *v.
func orDefault[T ~int | ~int64](name string, v *T, def T) error {
	switch {
	case *v < 0:
		return fmt.Errorf("server: %s %v is negative", name, *v)
	case *v == 0:
		*v = def
	}
	return nil
}
