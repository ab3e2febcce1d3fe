package train

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
)

// Flags points at the settings every training example takes from its
// command line; Register binds them to flags of the same names in each
// example.
type Flags struct {
	Seed                                     *uint64
	EvalEvery, EvalEpisodes, CheckpointEvery *int
	Checkpoint, Plot                         *string
	Resume                                   *bool
	// Progress is set to the standard error unless -quiet is given.
	Progress *io.Writer
	// Unit names what -eval-every and -checkpoint-every count ("updates",
	// "training steps").
	Unit string
	// What is what -seed determines.
	What  string
	quiet bool
}

// Register defines the shared flags on fs, their defaults the current
// values, with plot the default learning-curve file.
func (f *Flags) Register(fs *flag.FlagSet, plot string) {
	fs.Uint64Var(f.Seed, "seed", *f.Seed, "seed of "+f.What)
	fs.IntVar(f.EvalEvery, "eval-every", *f.EvalEvery, f.Unit+" between evaluations")
	fs.IntVar(f.EvalEpisodes, "eval-episodes", *f.EvalEpisodes, "held-out games per evaluation")
	fs.StringVar(f.Checkpoint, "checkpoint", "", "checkpoint file, written periodically and at the end")
	fs.IntVar(f.CheckpointEvery, "checkpoint-every", *f.CheckpointEvery, f.Unit+" between checkpoints")
	fs.BoolVar(f.Resume, "resume", false, "continue from -checkpoint")
	fs.StringVar(f.Plot, "plot", plot, "learning-curve PNG to write (empty: none)")
	fs.BoolVar(&f.quiet, "quiet", false, "no progress bar")
}

// Parse parses args into fs and sets the progress writer.
func (f *Flags) Parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !f.quiet {
		*f.Progress = os.Stderr
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
