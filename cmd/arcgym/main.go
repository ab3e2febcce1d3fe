package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/arcgym/arcgym/arcengine"
)

// stdio is the standard streams a command reads and writes; tests pass
// buffers.
type stdio struct {
	in       io.Reader
	out, err io.Writer
}

// command is one subcommand. run parses args (the arguments after the
// command name) and does the work.
type command struct {
	name, summary string
	run           func(ctx context.Context, args []string, io stdio) error
}

var commands []command

func init() {
	commands = []command{
		{"list", "list the games, built-in and real", runList},
		{"play", "play a game in the terminal", runPlay},
		{"run", "run a baseline agent over many episodes and print a summary", runRun},
		{"render", "draw the games as a PNG contact sheet or an episode as a GIF", runRender},
		{"serve", "serve the games over the ARC-AGI-3 REST API", runServe},
		{"version", "print the version", runVersion},
		{"help", "show help for a command", runHelp},
	}
}

// errUsage marks a command line that could not be parsed; the message has
// been printed already.
var errUsage = errors.New("usage")

// Exit codes of the program.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], stdio{in: os.Stdin, out: os.Stdout, err: os.Stderr})
	stop()
	os.Exit(code)
}

// run runs the command line args (without the program name) and returns
// the exit code.
func run(ctx context.Context, args []string, io stdio) int {
	if len(args) == 0 {
		usage(io.err)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help":
		usage(io.out)
		return exitOK
	case "-version", "--version":
		name = "version"
	}
	cmd, ok := lookup(name)
	if !ok {
		fmt.Fprintf(io.err, "arcgym: unknown command %q\n\n", name)
		usage(io.err)
		return exitUsage
	}
	err := cmd.run(ctx, args[1:], io)
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.Is(err, errUsage):
		return exitUsage
	}
	fmt.Fprintf(io.err, "arcgym %s: %v\n", cmd.name, err)
	return exitError
}

func lookup(name string) (command, bool) {
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

func usage(w io.Writer) {
	fmt.Fprint(w, "arcgym turns ARC-AGI-3 games into reinforcement-learning environments.\n\n")
	fmt.Fprint(w, "Usage:\n\n\tarcgym <command> [flags] [arguments]\n\nCommands:\n\n")
	for _, c := range commands {
		fmt.Fprintf(w, "\t%-8s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, "\nBeside the built-in games, list, play, run, render and serve take the real\n"+
		"ARC-AGI-3 games of a games directory in the toolkit's layout (-games DIR, or\n"+
		"$"+arcengine.EnvGamesDir+" or $"+arcengine.EnvToolkitGamesDir+"), run by the official engine in Python\n"+
		"(-python, or $"+arcengine.EnvPython+"; scripts/setup-python.sh makes a venv).\n")
	fmt.Fprint(w, "\nRun \"arcgym help <command>\" for a command's flags.\n")
}

// newFlagSet returns a flag set for a command that reports errors itself
// and prints its usage to io.err (or io.out for -h).
func newFlagSet(name, argsUsage, summary string, io stdio) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.err)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "Usage: arcgym %s [flags] %s\n\n%s\n", name, argsUsage, summary)
		var n int
		fs.VisitAll(func(*flag.Flag) { n++ })
		if n > 0 {
			fmt.Fprint(w, "\nFlags:\n")
			fs.PrintDefaults()
		}
	}
	return fs
}

// parseFlags parses args into fs and maps a parse failure to errUsage.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	return nil
}

func runHelp(ctx context.Context, args []string, io stdio) error {
	if len(args) == 0 {
		usage(io.out)
		return nil
	}
	if len(args) > 1 {
		fmt.Fprintln(io.err, "usage: arcgym help [command]")
		return errUsage
	}
	cmd, ok := lookup(args[0])
	if !ok {
		fmt.Fprintf(io.err, "arcgym help: unknown command %q\n", args[0])
		return errUsage
	}
	if cmd.name == "help" {
		usage(io.out)
		return nil
	}
	// Every command prints its usage to stdout on -h.
	return cmd.run(ctx, []string{"-h"}, stdio{in: io.in, out: io.out, err: io.out})
}
