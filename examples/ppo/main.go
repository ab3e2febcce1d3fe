//go:build gotch

// Command ppo trains a small convolutional actor-critic with PPO, through
// libtorch (gotch), on the procedurally generated levels of a built-in
// keyboard game (Glacier by default), and evaluates it on held-out seeds
// next to a random policy.
//
// The observation pipeline is arcgym's: a vector env of local games with
// action masks, frames stacked batch-wise, the pooled one-hot input written
// from the frames straight into a libtorch tensor (encoding.Shares); actions
// are sampled under the mask by the encoding/torch bridge.
//
//	. "$(scripts/setup-gotch.sh | sed -n 's/^  \. //p')"   # or source the env file it prints
//	go run -tags gotch ./examples/ppo [-updates 200] [-seed 1] [-plot ppo.png] [-checkpoint ppo.ckpt [-resume]]
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
	flag.StringVar(&cfg.Game, "game", cfg.Game, "built-in keyboard game with procedural levels")
	flag.IntVar(&cfg.Envs, "envs", cfg.Envs, "parallel environments")
	flag.IntVar(&cfg.Rollout, "rollout", cfg.Rollout, "steps per environment per update")
	flag.IntVar(&cfg.Updates, "updates", cfg.Updates, "PPO updates")
	flag.IntVar(&cfg.Epochs, "epochs", cfg.Epochs, "passes over each rollout")
	flag.IntVar(&cfg.Minibatches, "minibatches", cfg.Minibatches, "minibatches per pass")
	flag.Float64Var(&cfg.LR, "lr", cfg.LR, "initial Adam learning rate (falls linearly to zero)")
	flag.IntVar(&cfg.Threads, "threads", cfg.Threads, "libtorch threads")
	flag.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "seed of the weights, training levels and sampling")
	flag.IntVar(&cfg.EvalEvery, "eval-every", cfg.EvalEvery, "updates between evaluations")
	flag.IntVar(&cfg.EvalEpisodes, "eval-episodes", cfg.EvalEpisodes, "held-out games per evaluation")
	flag.StringVar(&cfg.Checkpoint, "checkpoint", "", "checkpoint file, written periodically and at the end")
	flag.IntVar(&cfg.CheckpointEvery, "checkpoint-every", cfg.CheckpointEvery, "updates between checkpoints")
	flag.BoolVar(&cfg.Resume, "resume", false, "continue from -checkpoint")
	flag.StringVar(&cfg.Plot, "plot", "ppo.png", "learning-curve PNG to write (empty: none)")
	quiet := flag.Bool("quiet", false, "no progress bar")
	flag.Parse()
	if !*quiet {
		cfg.Progress = os.Stderr
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res, err := Train(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ppo:", err)
		os.Exit(1)
	}
	fmt.Printf("trained %d updates, %d steps in %.0fs\n", res.Updates, res.Steps, res.Elapsed.Seconds())
	fmt.Printf("held-out seeds %d..%d:\n", cfg.EvalFirstSeed, cfg.EvalFirstSeed+int64(cfg.EvalEpisodes)-1)
	if len(res.Initial.Episodes) > 0 {
		fmt.Printf("  untrained  %v\n", res.Initial)
	}
	fmt.Printf("  PPO        %v\n", res.Learner)
	fmt.Printf("  random     %v\n", res.Random)
	if cfg.Plot != "" {
		fmt.Printf("learning curve: %s\n", cfg.Plot)
	}
}
