package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"slices"
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
gracefully: requests in flight finish and open scorecards are closed.

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
	fs.DurationVar(&cfg.IdleTimeout, "idle-timeout", server.DefaultIdleTimeout, "close a scorecard after this long without activity (negative: never)")
	verbose := fs.Bool("v", false, "log server-side failures and closed scorecards to stderr")
	gf := addGameFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return errUsage
	}
	if cfg.IdleTimeout == 0 {
		fmt.Fprintln(io.err, "arcgym serve: -idle-timeout 0: give a duration, or a negative one for never")
		return errUsage
	}
	cfg.APIKeys = keys
	if *verbose {
		log := slog.New(slog.NewTextHandler(io.err, nil))
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
func (c realCatalog) New(id string) (games.Session, error) {
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
