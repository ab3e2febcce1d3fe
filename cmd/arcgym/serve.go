package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/arcengine"
	"github.com/arcgym/arcgym/games"
	"github.com/arcgym/arcgym/server"
	"github.com/arcgym/arcgym/wire"
)

const serveSummary = `Serve serves the games over the ARC-AGI-3 REST API (the routes of the
official toolkit's local server, /api/healthcheck, /api/games,
/api/scorecard/..., /api/cmd/...) until interrupted, then shuts down
gracefully: requests in flight finish and open scorecards are closed
(with -state, they are kept for the next start instead).

It serves the built-in games and, beside them, the real ARC-AGI-3 games of
the games directory (-games, $ARCGYM_GAMES_DIR or $ENVIRONMENTS_DIR), each
session of a real game in a Python worker process. Before it listens it
starts every real game once, to learn its levels and actions; a game that
fails to load is left out with a warning on standard error. It prints the
address, then the games it serves.`

// keyList is a flag that collects API keys, repeated or comma-separated.
type keyList []string

func (k *keyList) String() string { return strings.Join(*k, ",") }

func (k *keyList) Set(v string) error {
	for key := range strings.SplitSeq(v, ",") {
		if key = strings.TrimSpace(key); key != "" {
			*k = append(*k, key)
		}
	}
	return nil
}

// byteSize is a flag of a size in bytes: an integer, or one with a unit
// (KiB, MiB, GiB; KB, MB, GB as the same powers of two; k, M, G).
type byteSize int64

func (b *byteSize) String() string { return strconv.FormatInt(int64(*b), 10) }

func (b *byteSize) Set(v string) error {
	num := strings.TrimRight(v, "KMGiBbk")
	unit := strings.ToUpper(strings.TrimSuffix(strings.TrimSuffix(v[len(num):], "B"), "b"))
	shift := map[string]uint{"": 0, "K": 10, "KI": 10, "M": 20, "MI": 20, "G": 30, "GI": 30}
	sh, ok := shift[unit]
	n, err := strconv.ParseInt(strings.TrimSpace(num), 10, 64)
	if !ok || err != nil || n < 0 || n > math.MaxInt64>>sh {
		return fmt.Errorf("size %q: want a number of bytes, optionally with KiB, MiB or GiB", v)
	}
	*b = byteSize(n << sh)
	return nil
}

// runServe is the serve command.
func runServe(ctx context.Context, args []string, io stdio) error {
	var (
		cfg  server.Config
		keys keyList
	)
	fs := newFlagSet("serve", "", serveSummary, io)
	addr := fs.String("addr", "127.0.0.1:8001", "address to listen on (host:port; port 0 picks a free one)")
	fs.Var(&keys, "api-key", "accepted X-API-Key value, repeated or comma-separated (default: accept any key)")
	fs.BoolVar(&cfg.Competition, "competition", false, "competition mode: one scorecard, each game started once, no full resets")
	fs.StringVar(&cfg.RecordDir, "recordings", "", "directory for JSONL recordings of every session (default: none)")
	fs.BoolVar(&cfg.RecordWithoutFrames, "recordings-no-frames", false, "leave frames out of recordings")
	fs.StringVar(&cfg.StateDir, "state", "", "directory that keeps scorecards and built-in game sessions across restarts and crashes; open scorecards then stay open at shutdown (default: in memory)")
	fs.BoolVar(&cfg.StateSync, "state-sync", false, "fsync the -state directory after every change, to survive a machine crash too")
	fs.DurationVar(&cfg.IdleTimeout, "idle-timeout", server.DefaultIdleTimeout, "close a scorecard after this long without activity (negative: never)")
	fs.DurationVar(&cfg.SessionIdleTimeout, "session-idle-timeout", server.DefaultSessionIdleTimeout, "close a session after this long without a command on it (negative: never)")
	fs.IntVar(&cfg.MaxSessions, "max-sessions", server.DefaultMaxSessions, "most open sessions in all")
	fs.IntVar(&cfg.MaxSessionsPerKey, "max-sessions-per-key", server.DefaultMaxSessionsPerKey, "most open sessions per API key")
	fs.IntVar(&cfg.MaxCards, "max-cards", server.DefaultMaxCards, "most open scorecards in all")
	fs.IntVar(&cfg.MaxCardsPerKey, "max-cards-per-key", server.DefaultMaxCardsPerKey, "most open scorecards per API key")
	cfg.MemoryBudget, cfg.SessionBytes, cfg.MaxRecordingBytes = server.DefaultMemoryBudget, server.DefaultSessionBytes, server.DefaultMaxRecordingBytes
	fs.Var((*byteSize)(&cfg.MemoryBudget), "memory-budget", "memory the server lets sessions and scorecards take (bytes, or with KiB, MiB, GiB); new ones are refused past it")
	fs.Var((*byteSize)(&cfg.SessionBytes), "session-bytes", "memory a session is reckoned to take in the server")
	fs.Var((*byteSize)(&cfg.MaxRecordingBytes), "max-recording-bytes", "largest recording file; the session records no more past it")
	fs.IntVar(&cfg.MaxConns, "max-conns", 0, "most open connections (default: the descriptor limit less a reserve)")
	fs.DurationVar(&cfg.ReadHeaderTimeout, "read-header-timeout", server.ReadHeaderTimeout, "time a client has to send a request's headers")
	fs.DurationVar(&cfg.ReadTimeout, "read-timeout", server.ReadTimeout, "time a client has to send a whole request")
	fs.DurationVar(&cfg.WriteTimeout, "write-timeout", server.WriteTimeout, "time a client has to read a response")
	fs.DurationVar(&cfg.KeepAliveTimeout, "keepalive-timeout", server.IdleTimeout, "close a kept-alive connection after this long without a request")
	verbose := fs.Bool("v", false, "log server-side failures and closed scorecards to stderr (-log-level info)")
	logLevel := fs.String("log-level", "", "log to stderr at this level and above: debug (every request too), info, warn, error (default: no log, or info with -v)")
	logFormat := fs.String("log-format", "text", "log format: text or json (one JSON object per line)")
	fs.BoolVar(&cfg.Pprof, "pprof", false, "serve net/http/pprof's profiles under "+server.PprofPath+" (to anyone who can reach the address)")
	gf := addGameFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return errUsage
	}
	if cfg.IdleTimeout == 0 || cfg.SessionIdleTimeout == 0 {
		fmt.Fprintln(io.err, "arcgym serve: -idle-timeout 0 or -session-idle-timeout 0: give a duration, or a negative one for never")
		return errUsage
	}
	// The collector works harder as the heap nears the budget, so that
	// garbage does not take the process past it; GOMEMLIMIT, when set,
	// rules instead.
	if _, set := os.LookupEnv("GOMEMLIMIT"); !set && cfg.MemoryBudget > 0 {
		debug.SetMemoryLimit(cfg.MemoryBudget + cfg.MemoryBudget/4)
	}
	cfg.APIKeys = keys
	if *verbose && *logLevel == "" {
		*logLevel = "info"
	}
	log, err := newLogger(io.err, *logLevel, *logFormat)
	if err != nil {
		fmt.Fprintf(io.err, "arcgym serve: %v\n", err)
		return errUsage
	}
	if log != nil {
		cfg.Logger = log
		cfg.OnCardClose = func(s wire.Scorecard) {
			log.Info("scorecard closed", "card_id", s.CardID, "score", s.Score,
				"environments", s.TotalEnvironments, "levels_completed", s.TotalLevelsCompleted, "actions", s.TotalActions)
		}
	}
	cat, err := gf.open()
	if err != nil {
		return err
	}
	defer cat.Close()
	served, err := serveCatalog(ctx, cat, io)
	if err != nil {
		return err
	}
	if cat.hasReal() {
		cfg.Games = server.Join(server.Builtin{}, served)
	}
	srv, err := server.New(cfg)
	if err != nil {
		return err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", *addr)
	if err != nil {
		_ = srv.Close()
		return err
	}
	auth := "any API key"
	if len(keys) > 0 {
		auth = fmt.Sprintf("%d API keys", len(keys))
	}
	builtin, real := server.Builtin{}.List(), served.List()
	fmt.Fprintf(io.out, "arcgym serving %d games on http://%s (%s); stop with Ctrl-C\n", len(builtin)+len(real), ln.Addr(), auth)
	fmt.Fprintf(io.out, "  %d built-in: %s\n", len(builtin), gameIDs(builtin))
	if cat.hasReal() {
		fmt.Fprintf(io.out, "  %d real from %s: %s\n", len(real), cat.gamesDir(), gameIDs(real))
	}
	start := time.Now()
	err = srv.Serve(ctx, ln)
	if cerr := srv.Close(); err == nil {
		err = cerr
	}
	fmt.Fprintf(io.out, "arcgym stopped after %s\n", time.Since(start).Round(time.Second))
	return err
}

// newLogger returns the server's logger for the -log-level and -log-format
// flags, or nil when level is empty (no log).
func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	if level == "" {
		return nil, nil
	}
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("-log-level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("-log-format %q: want text or json", format)
}

// realCatalog serves the real games of a pool that loaded: the pool's
// arcengine.Catalog without the games left out.
type realCatalog struct {
	games arcengine.Catalog
	skip  map[string]bool
}

// List returns the real games served, with their levels and actions.
func (c realCatalog) List() []arc.GameInfo {
	if c.games.Pool == nil {
		return nil
	}
	return slices.DeleteFunc(c.games.List(), func(g arc.GameInfo) bool { return c.skip[g.ID] })
}

// New starts a session of real game id in a worker process.
func (c realCatalog) New(id string) (games.Instance, error) {
	if c.skip[id] {
		return nil, fmt.Errorf("%w: %q", arc.ErrUnknownGame, id)
	}
	return c.games.New(id)
}

// serveCatalog probes the real games of cat and returns the catalog of
// those to serve: not the games that failed to load, warned about on
// io.err, nor those a built-in game shadows. It fails when no real game
// can run (no usable Python).
func serveCatalog(ctx context.Context, cat *catalog, io stdio) (realCatalog, error) {
	if !cat.hasReal() {
		return realCatalog{}, nil
	}
	c := realCatalog{games: arcengine.Catalog{Pool: cat.pool}, skip: map[string]bool{}}
	for _, err := range cat.pool.ScanErrors() {
		fmt.Fprintf(io.err, "arcgym serve: warning: skipped %s\n", summarize(err))
	}
	for _, id := range cat.shadowed() {
		fmt.Fprintf(io.err, "arcgym serve: warning: real game %s is left out: a built-in game has the same id\n", id)
		c.skip[id] = true
	}
	failed, err := cat.probe(ctx)
	if err != nil {
		return realCatalog{}, err
	}
	for _, g := range cat.realGames() {
		if err := failed[g.Info.ID]; err != nil {
			fmt.Fprintf(io.err, "arcgym serve: warning: %s is left out: %s\n", g.Info.ID, summarize(err))
			c.skip[g.Info.ID] = true
		}
	}
	return c, nil
}

// gameIDs lists the ids of games, comma-separated.
func gameIDs(list []arc.GameInfo) string {
	ids := make([]string, len(list))
	for i, g := range list {
		ids[i] = g.ID
	}
	if len(ids) == 0 {
		return "none"
	}
	return strings.Join(ids, ", ")
}
