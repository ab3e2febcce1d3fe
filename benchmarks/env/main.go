// Command env measures the step rate of every built-in game at four depths
// of the stack, next to a baseline measured in the same run: copying one
// 64x64 frame per step, the least work any environment must do to hand out
// an observation.
//
//   - backend: games.Session.Do, the engine alone;
//   - env: env.Game.Step over the same session (reward, flags, info);
//   - wrapped: ActionMask, FrameStack(4), TimeLimit and EpisodeStats on top;
//   - encoded: the wrapped stack plus one-hot float32 encoding of the stack.
//
// Usage:
//
//	go run ./benchmarks/env [-duration 200ms] [-rounds 3] [-game id] [-json file|-]
//
// Each figure is the best of -rounds interleaved measurements of -duration,
// on one goroutine; actions are a fixed random stream of available actions,
// and episodes restart on termination.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"text/tabwriter"
	"time"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/encoding"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/games"
	"github.com/arcgym/arcgym/spaces"
	"github.com/arcgym/arcgym/wrappers"
)

// Result is one game's measurement in steps per second.
type Result struct {
	Game     string  `json:"game"`
	Baseline float64 `json:"baseline_steps_per_s"`
	Backend  float64 `json:"backend_steps_per_s"`
	Env      float64 `json:"env_steps_per_s"`
	Wrapped  float64 `json:"wrapped_steps_per_s"`
	Encoded  float64 `json:"encoded_steps_per_s"`
	Frames   float64 `json:"frames_per_step"`
}

// Report is the JSON document.
type Report struct {
	GoVersion string        `json:"go_version"`
	GOARCH    string        `json:"goarch"`
	CPUs      int           `json:"cpus"`
	Duration  time.Duration `json:"duration_ns"`
	Rounds    int           `json:"rounds"`
	Results   []Result      `json:"results"`
}

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "env:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("env", flag.ContinueOnError)
	dur := fs.Duration("duration", 200*time.Millisecond, "length of one measurement")
	rounds := fs.Int("rounds", 3, "interleaved measurements per figure; the best counts")
	only := fs.String("game", "", "measure only this game (id or base id)")
	jsonOut := fs.String("json", "", "also write a JSON report to this file (- for stdout)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *rounds < 1 || *dur <= 0 {
		return fmt.Errorf("need -rounds >= 1 and -duration > 0, have %d and %v", *rounds, *dur)
	}
	rep := Report{GoVersion: runtime.Version(), GOARCH: runtime.GOARCH, CPUs: runtime.NumCPU(), Duration: *dur, Rounds: *rounds}
	for _, info := range games.List() {
		if *only != "" && !arc.MatchGameID(info.ID, *only) {
			continue
		}
		r, err := measure(ctx, info, *dur, *rounds)
		if err != nil {
			return fmt.Errorf("%s: %w", info.ID, err)
		}
		rep.Results = append(rep.Results, r)
	}
	if len(rep.Results) == 0 {
		return fmt.Errorf("no game matches %q", *only)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "game\tframes/step\tbaseline\tbackend\tenv\twrapped\tencoded\tenv/baseline\t")
	for _, r := range rep.Results {
		fmt.Fprintf(tw, "%s\t%.2f\t%s\t%s\t%s\t%s\t%s\t%.2f\t\n", r.Game, r.Frames,
			rate(r.Baseline), rate(r.Backend), rate(r.Env), rate(r.Wrapped), rate(r.Encoded), r.Env/r.Baseline)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "steps/s on one goroutine; baseline = one 4 KiB frame copy per step; wrapped = mask+stack4+limit+stats; encoded = wrapped + one-hot f32 of the stack")
	if *jsonOut != "" {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		if *jsonOut == "-" {
			_, err = stdout.Write(append(b, '\n'))
			return err
		}
		return os.WriteFile(*jsonOut, append(b, '\n'), 0o644)
	}
	return nil
}

func rate(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.2fM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.1fk", v/1e3)
	}
	return fmt.Sprintf("%.0f", v)
}

// stepper runs n steps and reports how many frames they returned.
type stepper func(n int) (frames int, err error)

func measure(ctx context.Context, info arc.GameInfo, dur time.Duration, rounds int) (Result, error) {
	actions := actionStream(info.Available, 1<<12)
	var src, dst arc.Frame
	for i := range src {
		src[i] = uint8(i % arc.NumColors)
	}
	baseline := func(n int) (int, error) {
		for range n {
			copy(dst[:], src[:])
		}
		return n, nil
	}
	backend, err := backendStepper(ctx, info.ID, actions)
	if err != nil {
		return Result{}, err
	}
	plain, err := env.Make(info.ID)
	if err != nil {
		return Result{}, err
	}
	defer plain.Close()
	wrapped, err := stack(info.ID, false)
	if err != nil {
		return Result{}, err
	}
	defer wrapped.Close()
	encoded, err := stack(info.ID, true)
	if err != nil {
		return Result{}, err
	}
	defer encoded.Close()

	steppers := []stepper{baseline, backend, envStepper(ctx, plain, actions), envStepper(ctx, wrapped, actions), envStepper(ctx, encoded, actions)}
	best := make([]float64, len(steppers))
	framesPerStep := 0.0
	for range rounds {
		for i, s := range steppers {
			r, fps, err := timeIt(s, dur)
			if err != nil {
				return Result{}, err
			}
			best[i] = max(best[i], r)
			if i == 1 {
				framesPerStep = fps
			}
		}
	}
	return Result{Game: info.ID, Baseline: best[0], Backend: best[1], Env: best[2], Wrapped: best[3], Encoded: best[4], Frames: framesPerStep}, nil
}

// timeIt runs s in growing chunks for about dur and returns steps/s and
// frames per step.
func timeIt(s stepper, dur time.Duration) (float64, float64, error) {
	n, steps, frames := 64, 0, 0
	start := time.Now()
	for {
		f, err := s(n)
		if err != nil {
			return 0, 0, err
		}
		steps += n
		frames += f
		if el := time.Since(start); el >= dur {
			return float64(steps) / el.Seconds(), float64(frames) / float64(steps), nil
		}
		n = min(n*2, 1<<16)
	}
}

func actionStream(avail arc.ActionSet, n int) []arc.Action {
	space := spaces.NewAction(avail)
	space.Seed(1)
	out := make([]arc.Action, n)
	for i := range out {
		out[i], _ = space.Sample(nil)
	}
	return out
}

func backendStepper(ctx context.Context, id string, actions []arc.Action) (stepper, error) {
	s, err := games.New(id)
	if err != nil {
		return nil, err
	}
	var out arc.FrameData
	if err := s.Do(ctx, arc.Simple(arc.Reset), &out); err != nil {
		return nil, err
	}
	i := 0
	return func(n int) (int, error) {
		frames := 0
		for range n {
			if err := s.Do(ctx, actions[i%len(actions)], &out); err != nil {
				return 0, err
			}
			i++
			frames += out.NumFrames()
			if out.State.Terminal() {
				if err := s.Do(ctx, arc.Simple(arc.Reset), &out); err != nil {
					return 0, err
				}
			}
		}
		return frames, nil
	}, nil
}

func envStepper(ctx context.Context, e env.Env, actions []arc.Action) stepper {
	started := false
	i := 0
	return func(n int) (int, error) {
		if !started {
			if _, _, err := e.Reset(ctx, env.ResetOptions{}); err != nil {
				return 0, err
			}
			started = true
		}
		frames := 0
		for range n {
			st, err := e.Step(ctx, actions[i%len(actions)])
			if err != nil {
				return 0, err
			}
			i++
			frames += st.Info.Frames.Shape[0]
			if st.Done() {
				if _, _, err := e.Reset(ctx, env.ResetOptions{}); err != nil {
					return 0, err
				}
			}
		}
		return frames, nil
	}
}

func stack(id string, encode bool) (env.Env, error) {
	g, err := env.Make(id)
	if err != nil {
		return nil, err
	}
	var e env.Env = g
	if e, err = wrappers.NewActionMask(e, wrappers.ActionMaskConfig{}); err != nil {
		return nil, err
	}
	if e, err = wrappers.NewFrameStack(e, 4, wrappers.FrameStackConfig{}); err != nil {
		return nil, err
	}
	if e, err = wrappers.NewTimeLimit(e, 500, wrappers.TimeLimitConfig{}); err != nil {
		return nil, err
	}
	if e, err = wrappers.NewEpisodeStats(e, wrappers.EpisodeStatsConfig{}); err != nil {
		return nil, err
	}
	if encode {
		if e, err = wrappers.NewEncode(e, encoding.OneHot{}); err != nil {
			return nil, err
		}
	}
	return e, nil
}
