// Command env measures the step rate of every built-in game at several
// depths of the stack, each against a baseline measured in the same run,
// and prints PASS/FAIL per target as a ratio between them:
//
//   - copy: one 4 KiB frame copy per step, the least work any environment
//     must do to hand out an observation;
//   - backend: games.Instance.Do replaying the very commands env.Game sent,
//     RESETs included (after a GAME_OVER the env sends two: a level RESET
//     then a full one), so that env and backend do the same game work;
//   - env: env.Game.Step over a session (reward, flags, info);
//   - wrapped: ActionMask, FrameStack(4), TimeLimit(500) and EpisodeStats;
//   - encoded: the wrapped stack plus one-hot float32 encoding of the stack;
//   - masked: ActionMask with the NonBackground cell mask (remapping
//     masked clicks to the nearest allowed cell) on the games that offer
//     ACTION6, beside the env alone playing the actions the mask applied.
//
// Usage:
//
//	go run ./benchmarks/env [-steps 20000] [-rounds 5] [-block 250]
//	    [-game id] [-json file|-] [-check]
//
// Every measurement plays a fixed script from new stacks: a random stream
// of available actions, and a reset wherever an episode ended. The script
// is recorded once per game from the stack that decides it (the wrapped
// stack, whose TimeLimit ends episodes too; the masked env, which remaps
// clicks), and both sides of a comparison play it, so that they step the
// game through the same states; the program checks that they end on the
// same frame. The two sides of a comparison take turns in blocks of -block
// steps, the side going first alternating, and the ratio is the median over
// all blocks of -rounds runs: blocks close in time see the same machine, so
// the ratio holds on a machine busy with other work. The rates in the table
// are each side's fastest run; the encoded stack, 20x slower, runs the
// first sixteenth of the script on its own.
//
// Targets, each a ratio of step times of the same run:
//
//   - gl02: the four standard wrappers add at most 25% to an env step;
//   - every game offering ACTION6: the NonBackground mask at most 2x an
//     env step;
//   - every game: env.Game.Step at most 1.5x the backend's Session.Do on
//     the same commands. The adapter's bookkeeping (validation, reward,
//     info) is a fixed cost of some tens of nanoseconds a step; on the
//     fastest game, kw01 at about 0.2 µs a step, that is where it shows.
//
// With -check a missed target makes the program exit with status 1.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"text/tabwriter"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/games"
	"github.com/arcgym/arcgym/internal/machine"
	"github.com/arcgym/arcgym/internal/ratio"
)

// Result is one game's measurement in steps per second (the masked pair is
// zero for games without ACTION6).
type Result struct {
	Game   string  `json:"game"`
	Frames float64 `json:"frames_per_step"`
	// Commands counts backend commands per env step, RESETs included.
	Copy     float64 `json:"copy_steps_per_s"`
	Backend  float64 `json:"backend_steps_per_s"`
	Env      float64 `json:"env_steps_per_s"`
	Wrapped  float64 `json:"wrapped_steps_per_s"`
	Encoded  float64 `json:"encoded_steps_per_s"`
	MaskEnv  float64 `json:"mask_script_env_steps_per_s,omitempty"`
	Masked   float64 `json:"masked_steps_per_s,omitempty"`
	Commands float64 `json:"commands_per_step"`
	// The ratios of the targets: medians over alternating blocks of one
	// side's time over the other's.
	EnvOverBackend float64 `json:"env_over_backend"`
	WrappedOverEnv float64 `json:"wrapped_over_env"`
	MaskedOverEnv  float64 `json:"masked_over_env,omitempty"`
}

// Target is a goal: the ratio of two step times of the same run, at most
// Max.
type Target struct {
	Name     string  `json:"name"`
	Game     string  `json:"game"`
	Measured float64 `json:"measured"`
	Max      float64 `json:"max"`
	Pass     bool    `json:"pass"`
}

// Report is the JSON document.
type Report struct {
	GoVersion string   `json:"go_version"`
	GOARCH    string   `json:"goarch"`
	CPUs      int      `json:"cpus"`
	CPU       string   `json:"cpu"`
	Steps     int      `json:"steps"`
	Block     int      `json:"block"`
	Rounds    int      `json:"rounds"`
	Results   []Result `json:"results"`
	Targets   []Target `json:"targets"`
}

// Wanted ratios; see the package documentation.
const (
	wrappersGame = "gl02"
	maxWrappers  = 1.25
	maxMask      = 2.0
	maxEnv       = 1.5
)

// errTargets reports a missed target under -check.
var errTargets = errors.New("target missed")

func main() {
	err := run(context.Background(), os.Args[1:], os.Stdout)
	if errors.Is(err, errTargets) {
		fmt.Fprintln(os.Stderr, "env:", err)
		os.Exit(1)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "env:", err)
		os.Exit(2)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("env", flag.ContinueOnError)
	steps := fs.Int("steps", 20_000, "env steps per measurement")
	rounds := fs.Int("rounds", 5, "runs of the script per figure, each on new stacks")
	block := fs.Int("block", 250, "steps per alternating block of a comparison")
	only := fs.String("game", "", "measure only this game (id or base id)")
	jsonOut := fs.String("json", "", "also write a JSON report to this file (- for stdout)")
	check := fs.Bool("check", false, "exit with status 1 when a target is missed")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the measurements to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if *rounds < 1 || *steps < 16 || *block < 1 {
		return fmt.Errorf("need -rounds >= 1, -steps >= 16 and -block >= 1, have %d, %d and %d", *rounds, *steps, *block)
	}
	rep := Report{GoVersion: runtime.Version(), GOARCH: runtime.GOARCH, CPUs: runtime.NumCPU(), CPU: machine.CPU(),
		Steps: *steps, Block: *block, Rounds: *rounds}
	for _, info := range games.List() {
		if *only != "" && !arc.MatchGameID(info.ID, *only) {
			continue
		}
		r, err := measure(ctx, info, *steps, *block, *rounds)
		if err != nil {
			return fmt.Errorf("%s: %w", info.ID, err)
		}
		rep.Results = append(rep.Results, r)
	}
	if len(rep.Results) == 0 {
		return fmt.Errorf("no game matches %q", *only)
	}
	rep.Targets = targets(rep.Results)
	if *jsonOut != "-" {
		if err := printReport(stdout, rep); err != nil {
			return err
		}
	}
	if *jsonOut != "" {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		b = append(b, '\n')
		if *jsonOut == "-" {
			_, err = stdout.Write(b)
		} else {
			err = os.WriteFile(*jsonOut, b, 0o644)
		}
		if err != nil {
			return err
		}
	}
	if *check {
		return missed(rep.Targets)
	}
	return nil
}

// missed returns an error wrapping errTargets naming the first target
// missed, if any.
func missed(ts []Target) error {
	for _, t := range ts {
		if !t.Pass {
			return fmt.Errorf("%w: %s %s x%.2f, want at most x%.2f", errTargets, t.Game, t.Name, t.Measured, t.Max)
		}
	}
	return nil
}

// targets states the goals over the results.
func targets(results []Result) []Target {
	var out []Target
	for _, r := range results {
		if arc.MatchGameID(r.Game, wrappersGame) {
			out = append(out, Target{Name: "wrapped (mask+stack4+limit+stats) / env step", Game: r.Game, Measured: r.WrappedOverEnv, Max: maxWrappers})
		}
		if r.MaskedOverEnv > 0 {
			out = append(out, Target{Name: "NonBackground mask / env step", Game: r.Game, Measured: r.MaskedOverEnv, Max: maxMask})
		}
		out = append(out, Target{Name: "env step / backend Do, same commands", Game: r.Game, Measured: r.EnvOverBackend, Max: maxEnv})
	}
	for i := range out {
		out[i].Pass = out[i].Measured <= out[i].Max
	}
	return out
}

func printReport(w io.Writer, rep Report) error {
	fmt.Fprintf(w, "%s %s, %d CPUs, %s; a script of %d steps x %d rounds, compared in alternating blocks of %d\n\n",
		rep.GoVersion, rep.GOARCH, rep.CPUs, rep.CPU, rep.Steps, rep.Rounds, rep.Block)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "game\tframes/step\tcommands/step\tcopy\tbackend\tenv\twrapped\tencoded\tenv (mask's actions)\tmasked\t")
	for _, r := range rep.Results {
		fmt.Fprintf(tw, "%s\t%.2f\t%.3f\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", r.Game, r.Frames, r.Commands,
			rate(r.Copy), rate(r.Backend), rate(r.Env), rate(r.Wrapped), rate(r.Encoded), rate(r.MaskEnv), rate(r.Masked))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "steps/s on one goroutine, fastest round. copy = one 4 KiB frame copy per step; backend = Session.Do on the env's own commands;")
	fmt.Fprintln(w, "wrapped = mask+stack4+limit+stats; encoded = wrapped + one-hot f32 of the stack; masked = NonBackground mask (ACTION6 games)")
	fmt.Fprintln(w, "\ntargets (each the median over alternating blocks of this run of one side's time over the other's):")
	for _, t := range rep.Targets {
		fmt.Fprintf(w, "  %s %s: x%.2f, want <= x%.2f  %s\n", t.Game, t.Name, t.Measured, t.Max, ratio.Verdict(t.Pass, false))
	}
	return nil
}

func rate(v float64) string {
	switch {
	case v == 0:
		return "-"
	case v >= 1e6:
		return fmt.Sprintf("%.2fM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.1fk", v/1e3)
	}
	return fmt.Sprintf("%.0f", v)
}
