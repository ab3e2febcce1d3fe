package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/arcgym/arcgym/server"
	"github.com/arcgym/arcgym/wire"
)

const serveSummary = `Serve serves the built-in games over the ARC-AGI-3 REST API (the routes of
the official toolkit's local server, /api/healthcheck, /api/games,
/api/scorecard/..., /api/cmd/...) until interrupted, then shuts down
gracefully: requests in flight finish and open scorecards are closed.`

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
	fmt.Fprintf(io.out, "arcgym serving %d games on http://%s (%s); stop with Ctrl-C\n", len(server.Builtin{}.List()), ln.Addr(), auth)
	start := time.Now()
	err = srv.Serve(ctx, ln)
	if cerr := srv.Close(); err == nil {
		err = cerr
	}
	fmt.Fprintf(io.out, "arcgym stopped after %s\n", time.Since(start).Round(time.Second))
	return err
}
