// Command random is the smallest complete arcgym program: it makes an
// environment, resets it, steps it with random actions drawn among the
// actions the game offers, and prints a scorecard of the games it played,
// scored the official way.
//
// By default it plays every built-in game offline:
//
//	go run ./examples/random
//	go run ./examples/random -game kw01 -episodes 20 -seed 7
//
// With -remote it plays the same way on an ARC-AGI-3 REST service (the
// public one, the toolkit's local server, or `arcgym serve`), reading the
// API key from -api-key or ARC_API_KEY:
//
//	go run ./examples/random -remote http://127.0.0.1:8001 -game ls20
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
)

func main() {
	var cfg Config
	flag.StringVar(&cfg.Game, "game", "", "game id (default: every built-in game, or the service's first game)")
	flag.IntVar(&cfg.Episodes, "episodes", 5, "games played per game id")
	flag.IntVar(&cfg.MaxSteps, "max-steps", 1000, "step limit of one episode")
	flag.Uint64Var(&cfg.Seed, "seed", 1, "seed of the random policy")
	flag.StringVar(&cfg.Remote, "remote", "", "base URL of an ARC-AGI-3 REST service (default: play locally)")
	flag.StringVar(&cfg.APIKey, "api-key", "", "API key for -remote (default: $ARC_API_KEY)")
	verbose := flag.Bool("v", false, "print every episode")
	flag.Parse()
	if *verbose {
		cfg.Log = os.Stderr
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := Run(ctx, cfg, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "random:", err)
		os.Exit(1)
	}
}

// Config says what Run plays.
type Config struct {
	// Game is a game id; empty means every built-in game (locally) or the
	// first game the service lists (remotely).
	Game string
	// Episodes is the number of games played per game id (default 5).
	Episodes int
	// MaxSteps ends an episode that neither wins nor loses (default 1000).
	MaxSteps int
	// Seed seeds the random policy.
	Seed uint64
	// Remote is the base URL of a REST service; empty plays locally.
	Remote, APIKey string
	// Log, when set, receives one line per episode.
	Log io.Writer
}
