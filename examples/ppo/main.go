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

	"github.com/arcgym/arcgym/examples/internal/train"
)

func main() {
	cfg := DefaultConfig()
	fs := flag.CommandLine
	fs.StringVar(&cfg.Game, "game", cfg.Game, "built-in keyboard game with procedural levels")
	fs.IntVar(&cfg.Envs, "envs", cfg.Envs, "parallel environments")
	fs.IntVar(&cfg.Rollout, "rollout", cfg.Rollout, "steps per environment per update")
	fs.IntVar(&cfg.Updates, "updates", cfg.Updates, "PPO updates")
	fs.IntVar(&cfg.Epochs, "epochs", cfg.Epochs, "passes over each rollout")
	fs.IntVar(&cfg.Minibatches, "minibatches", cfg.Minibatches, "minibatches per pass")
	fs.Float64Var(&cfg.LR, "lr", cfg.LR, "initial Adam learning rate (falls linearly to zero)")
	fs.IntVar(&cfg.Threads, "threads", cfg.Threads, "libtorch threads")
	cfg.Register(fs, "updates", "the weights, training levels and sampling", "ppo.png")
	_ = cfg.Parse(fs, os.Args[1:]) // exits on a bad flag
	train.Main("ppo", func(ctx context.Context) error {
		res, err := Train(ctx, cfg)
		if err != nil {
			return err
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
		return nil
	})
}
