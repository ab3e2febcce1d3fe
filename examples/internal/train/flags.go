package train

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
)

// Common holds the settings every training example has: its configs embed
// it, and Register binds them to flags of the same names in each command.
type Common struct {
	// Seed determines everything random in a run.
	Seed uint64
	// EvalEvery is the number of updates or steps (the example's unit)
	// between evaluations on seeds EvalFirstSeed..EvalFirstSeed+EvalEpisodes-1,
	// held out from training.
	EvalEvery, EvalEpisodes int
	EvalFirstSeed           int64
	// Checkpoint, when set, is written every CheckpointEvery units and at
	// the end; Resume continues from it.
	Checkpoint      string
	CheckpointEvery int
	Resume          bool
	// Plot, when set, is where the learning-curve PNG is written.
	Plot string
	// Progress receives the progress bar; nil is silent.
	Progress io.Writer

	quiet bool
}

// Fill gives the unset counts of c (zero or less) and a zero
// EvalFirstSeed the values of d, and checks the combination. The seed is
// left alone: 0 is a seed like any other.
func (c *Common) Fill(d Common) error {
	for _, f := range []struct {
		v *int
		d int
	}{{&c.EvalEvery, d.EvalEvery}, {&c.EvalEpisodes, d.EvalEpisodes}, {&c.CheckpointEvery, d.CheckpointEvery}} {
		if *f.v <= 0 {
			*f.v = f.d
		}
	}
	if c.EvalFirstSeed == 0 {
		c.EvalFirstSeed = d.EvalFirstSeed
	}
	if c.Resume && c.Checkpoint == "" {
		return errors.New("resume needs a checkpoint path")
	}
	return nil
}

// Register defines the shared flags on fs, their defaults c's current
// values: unit names what -eval-every and -checkpoint-every count
// ("updates", "training steps"), what is what -seed determines, plot the
// default learning-curve file.
func (c *Common) Register(fs *flag.FlagSet, unit, what, plot string) {
	fs.Uint64Var(&c.Seed, "seed", c.Seed, "seed of "+what)
	fs.IntVar(&c.EvalEvery, "eval-every", c.EvalEvery, unit+" between evaluations")
	fs.IntVar(&c.EvalEpisodes, "eval-episodes", c.EvalEpisodes, "held-out games per evaluation")
	fs.StringVar(&c.Checkpoint, "checkpoint", "", "checkpoint file, written periodically and at the end")
	fs.IntVar(&c.CheckpointEvery, "checkpoint-every", c.CheckpointEvery, unit+" between checkpoints")
	fs.BoolVar(&c.Resume, "resume", false, "continue from -checkpoint")
	fs.StringVar(&c.Plot, "plot", plot, "learning-curve PNG to write (empty: none)")
	fs.BoolVar(&c.quiet, "quiet", false, "no progress bar")
}

// Parse parses args into fs and sends the progress bar to the standard
// error unless -quiet is given.
func (c *Common) Parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !c.quiet {
		c.Progress = os.Stderr
	}
	return nil
}

// Main runs an example's run under a context that an interrupt cancels and
// exits with status 1 and the error, prefixed by name, when it fails.
func Main(name string, run func(ctx context.Context) error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		os.Exit(1)
	}
}
