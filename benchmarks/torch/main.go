//go:build gotch

// Command torch measures a learner's input path end to end, per step of a
// vector env: the env step, the frame stack, and the way into the libtorch
// tensor the network reads, in frames/s. The paths, interleaved round by
// round so that they share the machine's conditions:
//
//   - f32: encoding.OneHot writes the float32 one-hot stacks straight into
//     a libtorch tensor's memory (64 KiB per frame).
//   - u8/onehot: torch.Indices loads the colour indices (4 KiB per frame)
//     and torch.Expander expands them to the same one-hot tensor on the
//     libtorch side.
//   - u8: the load alone, what a network that embeds colour indices, or
//     expands them on another device, needs from the host.
//   - f32/pooled, u8/pooled and shares: the input of examples/ppo's
//     network, the one-hot averaged over -pool x -pool patches: f32 then
//     libtorch's average pooling; the load and torch.Pooler, which pools on
//     the libtorch side without the one-hot; and encoding.Shares, which
//     writes the same tensor from the frames in Go, a -pool² part of the
//     one-hot's bytes.
//
// More rows split the cost: step (env step and frame stack only) and the
// encoding work of each path alone on a fixed batch.
//
// Usage:
//
//	go run -tags gotch ./benchmarks/torch [-game gl02] [-envs 64] [-stack 2]
//	    [-pool 4] [-duration 300ms] [-rounds 5] [-threads 1] [-run regexp]
//	    [-json file|-] [-check]
//
// Every figure is the best of -rounds measurements of -duration each. Below
// the table the program checks the targets of the learner input path, each
// a path that moves fewer bytes at least 4x the f32 path that gives the
// network the same input, in the same run: u8 against f32, shares against
// f32/pooled. u8/onehot and u8/pooled are shown without a target: building
// the one-hot on the libtorch side writes the same bytes as building it in
// Go, which only pays on a device other than the CPU. With -check a missed
// target makes the program exit with status 1.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"regexp"
	"runtime"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/encoding"
	"github.com/arcgym/arcgym/encoding/torch"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/internal/ratio"
	"github.com/arcgym/arcgym/tensor"
	"github.com/arcgym/arcgym/vector"
)

// Result is one path's measurement.
type Result struct {
	Name     string  `json:"name"`
	FramesPS float64 `json:"frames_per_s"`
	OfF32    float64 `json:"ratio_to_f32"`
	Allocs   float64 `json:"allocs_per_step"`
}

// Target is a ratio goal checked against the same run.
type Target struct {
	Name     string  `json:"name"`
	Measured float64 `json:"measured"`
	Want     float64 `json:"want"`
	Pass     bool    `json:"pass"`
}

// Report is the JSON document the program writes.
type Report struct {
	CPUs    int      `json:"cpus"`
	Game    string   `json:"game"`
	Envs    int      `json:"envs"`
	Stack   int      `json:"stack"`
	Threads int      `json:"torch_threads"`
	Results []Result `json:"results"`
	Targets []Target `json:"targets"`
}

// wantRatio is the end-to-end speed-up the uint8 paths should reach over
// f32.
const wantRatio = 4

var errTargets = errors.New("throughput target missed")

// targets checks each path that moves fewer bytes against the f32 path
// that gives the network the same input: u8 against f32, shares against
// f32/pooled.
func targets(results []Result) []Target {
	fps := map[string]float64{}
	for _, r := range results {
		fps[r.Name] = r.FramesPS
	}
	var out []Target
	for _, c := range [][2]string{{"u8", "f32"}, {"shares", "f32/pooled"}} {
		if fps[c[0]] == 0 || fps[c[1]] == 0 {
			continue
		}
		m := fps[c[0]] / fps[c[1]]
		out = append(out, Target{Name: c[0] + " / " + c[1], Measured: m, Want: wantRatio, Pass: m >= wantRatio})
	}
	return out
}

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "torch:", err)
		if errors.Is(err, errTargets) {
			os.Exit(1)
		}
		os.Exit(2)
	}
}

// path is one way of feeding the network, run once per call; frames is
// the number of frames one call moves.
type path struct {
	name   string
	frames int
	run    func(ctx context.Context) error
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("torch", flag.ContinueOnError)
	game := fs.String("game", "gl02", "built-in keyboard game")
	envs := fs.Int("envs", 64, "sub-environments of the vector env")
	k := fs.Int("stack", 2, "frames per stack")
	d := fs.Duration("duration", 300*time.Millisecond, "length of one measurement")
	rounds := fs.Int("rounds", 5, "interleaved measurements per path; the best counts")
	pool := fs.Int("pool", 4, "patch side of the pooled paths")
	threads := fs.Int("threads", 1, "libtorch intra-op threads")
	runRE := fs.String("run", "", "measure only the paths whose name matches this regexp")
	jsonOut := fs.String("json", "", "write a JSON report to this file (- for stdout)")
	check := fs.Bool("check", false, "exit with status 1 when a target is missed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := torch.SetNumThreads(*threads); err != nil {
		return err
	}
	paths, closeAll, err := setup(*game, *envs, *k, *pool)
	if err != nil {
		return err
	}
	defer closeAll()
	if *runRE != "" {
		re, err := regexp.Compile(*runRE)
		if err != nil {
			return err
		}
		paths = slices.DeleteFunc(paths, func(p path) bool { return !re.MatchString(p.name) })
	}
	ctx := context.Background()
	best := make([]float64, len(paths))
	allocs := make([]float64, len(paths))
	var ms runtime.MemStats
	for range *rounds {
		for i, p := range paths {
			runtime.ReadMemStats(&ms)
			before := ms.Mallocs
			n, start := 0, time.Now()
			for time.Since(start) < *d {
				if err := p.run(ctx); err != nil {
					return fmt.Errorf("%s: %w", p.name, err)
				}
				n++
			}
			el := time.Since(start)
			runtime.ReadMemStats(&ms)
			best[i] = max(best[i], float64(n*p.frames)/el.Seconds())
			allocs[i] = float64(ms.Mallocs-before) / float64(n)
		}
	}
	rep := Report{CPUs: runtime.NumCPU(), Game: *game, Envs: *envs, Stack: *k, Threads: *threads}
	for i, p := range paths {
		r := Result{Name: p.name, FramesPS: best[i], Allocs: allocs[i]}
		if paths[0].name == "f32" {
			r.OfF32 = best[i] / best[0]
		}
		rep.Results = append(rep.Results, r)
	}
	rep.Targets = targets(rep.Results)

	fmt.Fprintf(stdout, "%s, %d envs, stacks of %d, libtorch threads %d, best of %d x %v\n\n", *game, *envs, *k, *threads, *rounds, *d)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "path\tframes/s\tx f32\tGo allocs/call\t")
	for _, r := range rep.Results {
		fmt.Fprintf(tw, "%s\t%.0f\t%.2f\t%.1f\t\n", r.Name, r.FramesPS, r.OfF32, r.Allocs)
	}
	tw.Flush()
	fmt.Fprintln(stdout)
	missed := false
	for _, t := range rep.Targets {
		missed = missed || !t.Pass
		fmt.Fprintf(stdout, "end to end %-23s >= %.0fx: %.2fx %s\n", t.Name, t.Want, t.Measured, ratio.Verdict(t.Pass, false))
	}
	if *jsonOut != "" {
		if err := writeJSON(*jsonOut, stdout, rep); err != nil {
			return err
		}
	}
	if missed && *check {
		return errTargets
	}
	return nil
}

func writeJSON(name string, stdout io.Writer, rep Report) error {
	w := stdout
	if name != "-" {
		f, err := os.Create(name)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

// stepper steps a vector env with random moves and stacks its frames.
type stepper struct {
	venv    vector.Env // a Sync env under a vector.FrameStack
	actions []arc.Action
	rng     *rand.Rand
	obs     tensor.U8
}

func (s *stepper) step(ctx context.Context) error {
	for i := range s.actions {
		s.actions[i] = arc.Simple(arc.Action1 + arc.ActionID(s.rng.IntN(4)))
	}
	b, err := s.venv.Step(ctx, s.actions)
	if err != nil {
		return err
	}
	s.obs = b.Obs
	return nil
}

// setup builds a vector env per end-to-end path, so that each steps its
// own games, and the buffers of every path; close releases them all.
func setup(game string, envs, k, pool int) ([]path, func(), error) {
	var closers []func()
	closeAll := func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}
	fail := func(err error) ([]path, func(), error) {
		closeAll()
		return nil, nil, err
	}
	newStepper := func(seed uint64) (*stepper, error) {
		ctx := context.Background()
		venv, err := vector.New(ctx, vector.Spec{
			NumEnvs: envs, Make: vector.Make(game, env.Config{}), Vector: []vector.Wrapper{vector.FrameStackConfig{Depth: k}},
		})
		if err != nil {
			return nil, err
		}
		closers = append(closers, func() { venv.Close() })
		b, err := venv.Reset(ctx, env.ResetOptions{})
		if err != nil {
			return nil, err
		}
		return &stepper{venv: venv, actions: make([]arc.Action, envs), rng: rand.New(rand.NewPCG(seed, 7)), obs: b.Obs}, nil
	}
	steppers := make([]*stepper, 7)
	for i := range steppers {
		s, err := newStepper(uint64(i))
		if err != nil {
			return fail(err)
		}
		steppers[i] = s
	}
	shape := steppers[0].obs.Shape
	x, view, err := torch.NewF32(encoding.OneHot{}.OutShape(shape)...)
	if err != nil {
		return fail(err)
	}
	closers = append(closers, func() { x.MustDrop() })
	in, err := torch.NewIndices(shape...)
	if err != nil {
		return fail(err)
	}
	closers = append(closers, in.Close)
	ex, err := torch.NewExpander(encoding.ChannelFirst, shape...)
	if err != nil {
		return fail(err)
	}
	closers = append(closers, ex.Close)
	pl, err := torch.NewPooler(pool, shape...)
	if err != nil {
		return fail(err)
	}
	closers = append(closers, pl.Close)
	sh := encoding.Shares{Pool: pool}
	xs, sharesView, err := torch.NewF32(sh.OutShape(shape)...)
	if err != nil {
		return fail(err)
	}
	closers = append(closers, func() { xs.MustDrop() })
	// The one-hot work alone runs on a fixed batch of real stacks.
	fixed := steppers[0].obs.Clone()

	oneHot := func(src tensor.U8) error { return encoding.OneHot{}.Encode(view, src) }
	loadExpand := func(src tensor.U8) error {
		if err := in.Load(src); err != nil {
			return err
		}
		_, err := ex.Expand(in)
		return err
	}
	endToEnd := func(s *stepper, then func(tensor.U8) error) func(context.Context) error {
		return func(ctx context.Context) error {
			if err := s.step(ctx); err != nil {
				return err
			}
			if then == nil {
				return nil
			}
			return then(s.obs)
		}
	}
	poolF32 := func(src tensor.U8) error {
		if err := oneHot(src); err != nil {
			return err
		}
		k := []int64{int64(pool), int64(pool)}
		y, err := x.AvgPool2d(k, k, []int64{0, 0}, false, true, nil, false)
		if err != nil {
			return err
		}
		return y.Drop()
	}
	loadPool := func(src tensor.U8) error {
		if err := in.Load(src); err != nil {
			return err
		}
		_, err := pl.Pool(in)
		return err
	}
	shares := func(src tensor.U8) error { return sh.Encode(sharesView, src) }
	alone := func(f func(tensor.U8) error) func(context.Context) error {
		return func(context.Context) error { return f(fixed) }
	}
	paths := []path{
		{"f32", envs, endToEnd(steppers[0], oneHot)},
		{"u8/onehot", envs, endToEnd(steppers[1], loadExpand)},
		{"u8", envs, endToEnd(steppers[2], in.Load)},
		{"f32/pooled", envs, endToEnd(steppers[3], poolF32)},
		{"u8/pooled", envs, endToEnd(steppers[4], loadPool)},
		{"shares", envs, endToEnd(steppers[6], shares)},
		{"step", envs, endToEnd(steppers[5], nil)},
		{"one-hot alone: Go f32", envs, alone(oneHot)},
		{"one-hot alone: load+expand", envs, alone(loadExpand)},
		{"one-hot alone: load", envs, alone(in.Load)},
		{"pooled alone: Go f32+avgpool", envs, alone(poolF32)},
		{"pooled alone: load+pool", envs, alone(loadPool)},
		{"pooled alone: Go shares", envs, alone(shares)},
	}
	return paths, closeAll, nil
}
