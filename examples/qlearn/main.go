// Command qlearn trains a tabular Q-learning agent, in pure Go, to walk the
// procedurally generated mazes of the built-in game Keyway, and shows that
// it learns: every few thousand steps the greedy policy plays games whose
// seeds it never trained on, next to a random policy on the same seeds.
//
// Usage:
//
//	go run ./examples/qlearn [-steps 500000] [-seed 1] [-plot curve.png] [-checkpoint q.ckpt [-resume]]
//
// The learner sees only the 64x64 frame: it finds its own cell, the nearest
// key or the exit, and which neighbouring cells are open, and it remembers
// which cells it has stood on in the level. That state indexes a table of
// action values learned with one-step Q-learning.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
)

func main() {
	cfg := DefaultConfig()
	flag.StringVar(&cfg.Game, "game", cfg.Game, "built-in maze game to learn")
	flag.IntVar(&cfg.Steps, "steps", cfg.Steps, "environment steps to train for")
	flag.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "seed of the training levels, exploration and tie breaks")
	flag.Float64Var(&cfg.Alpha, "alpha", cfg.Alpha, "learning rate")
	flag.Float64Var(&cfg.Gamma, "gamma", cfg.Gamma, "discount")
	flag.IntVar(&cfg.EvalEvery, "eval-every", cfg.EvalEvery, "training steps between evaluations")
	flag.IntVar(&cfg.EvalEpisodes, "eval-episodes", cfg.EvalEpisodes, "held-out games per evaluation")
	flag.IntVar(&cfg.BaselineEpisodes, "baseline-episodes", cfg.BaselineEpisodes, "held-out games the random baselines play")
	flag.StringVar(&cfg.Checkpoint, "checkpoint", "", "checkpoint file, written periodically and at the end")
	flag.IntVar(&cfg.CheckpointEvery, "checkpoint-every", cfg.CheckpointEvery, "training steps between checkpoints")
	flag.BoolVar(&cfg.Resume, "resume", false, "continue from -checkpoint")
	flag.StringVar(&cfg.Plot, "plot", "qlearn.png", "learning-curve PNG to write (empty: none)")
	quiet := flag.Bool("quiet", false, "no progress bar")
	flag.Parse()
	if !*quiet {
		cfg.Progress = os.Stderr
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res, err := Train(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "qlearn:", err)
		os.Exit(1)
	}
	fmt.Printf("trained %d steps (%d games) in %.1fs\n", res.Steps, res.Episodes, res.Elapsed.Seconds())
	fmt.Printf("held-out seeds from %d:\n", cfg.EvalFirstSeed)
	fmt.Printf("  Q-learning  %v\n", res.Learner)
	fmt.Printf("  random      %v\n", res.Random)
	fmt.Printf("  open moves  %v\n", res.Wanderer)
	if cfg.Plot != "" {
		fmt.Printf("learning curve: %s\n", cfg.Plot)
	}
	if cfg.Checkpoint != "" {
		fmt.Printf("checkpoint: %s\n", cfg.Checkpoint)
	}
}
