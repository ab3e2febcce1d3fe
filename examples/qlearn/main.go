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

	"github.com/arcgym/arcgym/examples/internal/train"
)

func main() {
	cfg := DefaultConfig()
	fs := flag.CommandLine
	fs.StringVar(&cfg.Game, "game", cfg.Game, "built-in maze game to learn")
	fs.IntVar(&cfg.Steps, "steps", cfg.Steps, "environment steps to train for")
	fs.Float64Var(&cfg.Alpha, "alpha", cfg.Alpha, "learning rate")
	fs.Float64Var(&cfg.Gamma, "gamma", cfg.Gamma, "discount")
	fs.IntVar(&cfg.BaselineEpisodes, "baseline-episodes", cfg.BaselineEpisodes, "held-out games the random baselines play")
	cfg.Register(fs, "training steps", "the training levels, exploration and tie breaks", "qlearn.png")
	_ = cfg.Parse(fs, os.Args[1:]) // exits on a bad flag
	train.Main("qlearn", func(ctx context.Context) error {
		res, err := Train(ctx, cfg)
		if err != nil {
			return err
		}
		fmt.Printf("trained %d steps (%d games) in %.1fs\n", res.Steps, res.Episodes, res.Elapsed.Seconds())
		fmt.Printf("held-out seeds from %d:\n", cfg.EvalFirstSeed)
		fmt.Printf("  Q-learning  %v\n", res.Learner)
		fmt.Printf("  random      %v\n", res.Random)
		fmt.Printf("  open moves  %v\n", res.Wanderer)
		printOutputs(cfg.Plot, cfg.Checkpoint)
		return nil
	})
}

// printOutputs names the files the run wrote.
func printOutputs(plot, checkpoint string) {
	if plot != "" {
		fmt.Printf("learning curve: %s\n", plot)
	}
	if checkpoint != "" {
		fmt.Printf("checkpoint: %s\n", checkpoint)
	}
}
