// Command arcengine measures the real-games backend (package arcengine)
// against the official engine stepped in-process by a plain Python loop,
// measured in the same run, and prints a table and PASS/FAIL per target.
//
// Usage:
//
//	go run ./benchmarks/arcengine [-games DIR] [-python PATH] [-steps 300]
//	    [-rounds 3] [-run bridge,vector,serve,memory] [-check]
//
// It runs from a checkout of arcgym: the games default to the test games
// (arcengine/testdata/games) and the Python baselines are the scripts under
// arcengine/python. Point -games at any ENVIRONMENTS_DIR, such as the public
// games downloaded with the official toolkit.
//
// Four parts, each against a baseline of the same run:
//
//   - bridge: per game, the same commands (a random agent's, with a RESET
//     after every WIN or GAME_OVER) played by a plain Python loop calling
//     perform_action in-process, and by one arcgym worker through
//     Session.Do, interleaved over -rounds rounds. Target, as the median
//     over the games whose in-process step takes at least -min-ms: at
//     least 95% of the in-process speed (the per-step overhead in µs is
//     reported beside it).
//   - vector: vector.Async over the slowest game, 2 workers against 1,
//     steps per second, against the engine alone in the same round: plain
//     Python loops in two processes at once against one, what the machine
//     allows at best. Target: at least 90% of the engine alone's speed-up
//     (on a quiet 2-core machine, 1.8x against 1.95-2.0x).
//   - serve: arcgym's REST server over the worker backend against the
//     official toolkit's own server (arc_agi listen_and_serve) on the same
//     games, one keep-alive client, the same commands. Target: at least 5x
//     the round trips per second, per game.
//   - memory: the resident and proportional memory of workers per env,
//     with one game per process and with eight; reported, no target.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/arcengine"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/internal/cells"
	"github.com/arcgym/arcgym/internal/machine"
	"github.com/arcgym/arcgym/internal/ratio"
	"github.com/arcgym/arcgym/remote"
	"github.com/arcgym/arcgym/server"
	"github.com/arcgym/arcgym/vector"
)

type options struct {
	games, python        string
	vectorGame           string
	steps, rounds, block int
	minMS                float64
	vectorSteps, envs    int
	serveSteps           int
	parts                map[string]bool
	check                bool
	seed                 uint64
	root                 string
	ratio                float64
}

// minOfEngine is the vector part's target: Async's speed-up on 2 workers
// over 1 as a fraction of the engine alone's on 2 processes over 1.
const minOfEngine = 0.90

func main() {
	var o options
	flag.StringVar(&o.games, "games", "", "games directory in the toolkit's layout (default: the test games)")
	flag.StringVar(&o.python, "python", "", "interpreter with arcengine and arc-agi (default: as arcengine.Python finds it)")
	flag.IntVar(&o.steps, "steps", 400, "commands per game and round in the bridge part")
	flag.IntVar(&o.rounds, "rounds", 5, "rounds of each part")
	flag.IntVar(&o.block, "block", 2, "commands per alternating block of the bridge part")
	flag.Float64Var(&o.minMS, "min-ms", 1, "in-process ms per step from which a game counts for the bridge targets")
	flag.IntVar(&o.vectorSteps, "vector-steps", 300, "vector steps per measurement")
	flag.IntVar(&o.envs, "envs", 4, "sub-environments of the vector part")
	flag.StringVar(&o.vectorGame, "vector-game", "", "game of the vector part (default: the slowest)")
	flag.IntVar(&o.serveSteps, "serve-steps", 150, "commands per game and server in the serve part")
	run := flag.String("run", "bridge,vector,serve,memory", "parts to run")
	flag.BoolVar(&o.check, "check", false, "exit with status 1 when a target is missed")
	flag.Uint64Var(&o.seed, "seed", 1, "seed of the random commands")
	flag.Parse()
	o.parts = map[string]bool{}
	for p := range strings.SplitSeq(*run, ",") {
		o.parts[strings.TrimSpace(p)] = true
	}
	o.ratio = 0.95
	ok, err := mainErr(o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "arcengine benchmark:", err)
		os.Exit(2)
	}
	if !ok && o.check {
		os.Exit(1)
	}
}

func mainErr(o options) (bool, error) {
	root, err := moduleRoot()
	if err != nil {
		return false, err
	}
	o.root = root
	if o.games == "" {
		o.games = filepath.Join(root, "arcengine", "testdata", "games")
	}
	py, err := arcengine.Python(o.python)
	if err != nil {
		return false, err
	}
	o.python = py
	pool, err := arcengine.Open(arcengine.Config{GamesDir: o.games, Python: py})
	if err != nil {
		return false, err
	}
	defer pool.Close()
	ctx := context.Background()
	for id, err := range pool.ProbeAll(ctx, runtime.NumCPU()) {
		return false, fmt.Errorf("%s: %w", id, err)
	}
	fmt.Printf("arcengine benchmark: %s, %d CPUs, %s, Go %s\n", machine.CPU(), runtime.NumCPU(), py, runtime.Version())
	fmt.Printf("games: %s\n\n", o.games)
	var targets []target
	if o.parts["bridge"] {
		_, t, err := benchBridge(ctx, o, pool)
		if err != nil {
			return false, err
		}
		targets = append(targets, t...)
	}
	if o.parts["vector"] {
		game := o.vectorGame
		if game == "" {
			if game, err = slowestGame(ctx, pool, o.seed); err != nil {
				return false, err
			}
		}
		t, err := benchVector(ctx, o, pool, game)
		if err != nil {
			return false, err
		}
		targets = append(targets, t...)
	}
	if o.parts["serve"] {
		t, err := benchServe(ctx, o, pool)
		if err != nil {
			return false, err
		}
		targets = append(targets, t...)
	}
	if o.parts["memory"] {
		if err := benchMemory(ctx, o, pool); err != nil {
			return false, err
		}
	}
	fmt.Println("targets (each a ratio to a baseline measured in this run):")
	all := true
	for _, t := range targets {
		verdict := ratio.Verdict(t.pass, t.na)
		all = all && (t.pass || t.na)
		fmt.Printf("  %-62s %s\n", t.name+": "+t.detail, verdict)
	}
	return all, nil
}

type target struct {
	name, detail string
	pass         bool
	// na marks a target that cannot be met on this game whatever arcgym
	// does; it is reported but not counted.
	na bool
}

// bridgeRow is one game's bridge measurement.
type bridgeRow struct {
	game                string
	frames              float64
	baseMS, bridgeMS    float64
	overheadUS, ofSpeed float64
}

// slowestGame times a few random commands of every game through a session
// and returns the slowest game.
func slowestGame(ctx context.Context, pool *arcengine.Pool, seed uint64) (string, error) {
	var best string
	var bestD time.Duration
	for _, g := range pool.Games() {
		cmds, _, err := randomCommands(ctx, pool, g.Info.ID, 30, seed)
		if errors.Is(err, arcengine.ErrGameRaised) {
			continue
		}
		if err != nil {
			return "", err
		}
		s, err := pool.New(ctx, g.Info.ID)
		if err != nil {
			return "", err
		}
		var fd arc.FrameData
		t0 := time.Now()
		for _, a := range cmds {
			if err := s.Do(ctx, a, &fd); err != nil {
				s.Close()
				return "", err
			}
		}
		if d := time.Since(t0); d > bestD {
			best, bestD = g.Info.ID, d
		}
		s.Close()
	}
	if best == "" {
		return "", errors.New("no game to measure")
	}
	return best, nil
}

func benchBridge(ctx context.Context, o options, pool *arcengine.Pool) ([]bridgeRow, []target, error) {
	// Both sides run in one worker process: a session stepped through the
	// protocol, and one stepped by the worker's own in-process loop.
	bp, err := arcengine.Open(arcengine.Config{GamesDir: o.games, Python: o.python, EnvsPerWorker: 2})
	if err != nil {
		return nil, nil, err
	}
	defer bp.Close()
	var rows []bridgeRow
	for _, g := range pool.Games() {
		cmds, frames, err := randomCommands(ctx, pool, g.Info.ID, o.steps, o.seed)
		if errors.Is(err, arcengine.ErrGameRaised) {
			fmt.Printf("%s left out: its code raised under the random agent\n", g.Info.ID)
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		var basePer, bridgePer, over, speed []float64
		for r := range o.rounds {
			b, err := pairedBlocks(ctx, bp, g.Info.ID, cmds, o.block, r)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: %w", g.Info.ID, err)
			}
			for _, x := range b {
				basePer = append(basePer, x[0])
				bridgePer = append(bridgePer, x[1])
				over = append(over, x[1]-x[0])
				speed = append(speed, x[0]/x[1])
			}
		}
		rows = append(rows, bridgeRow{
			game: g.Info.ID, frames: frames,
			baseMS: ratio.Median(basePer) / 1e6, bridgeMS: ratio.Median(bridgePer) / 1e6,
			overheadUS: ratio.Median(over) / 1e3, ofSpeed: ratio.Median(speed),
		})
	}
	fmt.Printf("bridge: one worker vs the engine in-process (plain Python loop) in the same process, %d commands x %d rounds\n", o.steps, o.rounds)
	fmt.Printf("        in alternating blocks of %d; per-step means of each block, medians over blocks\n", o.block)
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "game\tframes/step\tin-process ms/step\tarcgym ms/step\toverhead µs/step\tof in-process speed\t")
	var qOver, qRatio []float64
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%.2f\t%.3f\t%.3f\t%.1f\t%.1f%%\t\n", r.game, r.frames, r.baseMS, r.bridgeMS, r.overheadUS, 100*r.ofSpeed)
		if r.baseMS >= o.minMS {
			qOver = append(qOver, r.overheadUS)
			qRatio = append(qRatio, r.ofSpeed)
		}
	}
	tw.Flush()
	fmt.Println()
	var ts []target
	if len(qOver) == 0 {
		ts = append(ts, target{name: "bridge", detail: fmt.Sprintf("no game takes %.1f ms or more per step in-process", o.minMS)})
		return rows, ts, nil
	}
	mo, mr := ratio.Median(qOver), ratio.Median(qRatio)
	ts = append(ts, target{
		name:   "bridge speed",
		detail: fmt.Sprintf("median %.1f%% of in-process over %d games >= %.1f ms (>= %.0f%%; overhead %.1f µs/step)", 100*mr, len(qOver), o.minMS, 100*o.ratio, mo),
		pass:   mr >= o.ratio,
	})
	return rows, ts, nil
}

// pairedBlocks plays cmds on two sessions of one worker, block by block:
// one in the worker's in-process loop, one through Session.Do, the side
// going first alternating. It returns each block's mean step time on both
// sides, in nanoseconds: {in-process, through arcgym}.
func pairedBlocks(ctx context.Context, bp *arcengine.Pool, id string, cmds []arc.Action, block, round int) ([][2]float64, error) {
	inproc, err := bp.New(ctx, id)
	if err != nil {
		return nil, err
	}
	defer inproc.Close()
	through, err := bp.New(ctx, id)
	if err != nil {
		return nil, err
	}
	defer through.Close()
	if inproc.PID() != through.PID() {
		return nil, errors.New("the two sides did not share a worker")
	}
	var out [][2]float64
	var fd arc.FrameData
	for k, blk := 0, 0; k < len(cmds); k, blk = k+block, blk+1 {
		part := cmds[k:min(k+block, len(cmds))]
		var b []time.Duration
		var w time.Duration
		bridgeSide := func() error {
			t0 := time.Now()
			for _, a := range part {
				if err := through.Do(ctx, a, &fd); err != nil {
					return fmt.Errorf("%s: %w", a, err)
				}
			}
			w = time.Since(t0)
			return nil
		}
		if (round+blk)%2 == 0 {
			if b, err = inproc.TimeInProcess(ctx, part); err == nil {
				err = bridgeSide()
			}
		} else if err = bridgeSide(); err == nil {
			b, err = inproc.TimeInProcess(ctx, part)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, [2]float64{mean(b), float64(w) / float64(len(part))})
	}
	return out, nil
}

// randomCommands plays a random agent on a session and returns its
// commands and the mean frames per command: available actions at random,
// clicks on cells that stand out, and a RESET after every WIN or GAME_OVER.
func randomCommands(ctx context.Context, pool *arcengine.Pool, id string, n int, seed uint64) ([]arc.Action, float64, error) {
	s, err := pool.New(ctx, id)
	if err != nil {
		return nil, 0, err
	}
	defer s.Close()
	rng := rand.New(rand.NewPCG(seed, 7))
	var fd arc.FrameData
	if err := s.Do(ctx, arc.Simple(arc.Reset), &fd); err != nil {
		return nil, 0, err
	}
	cmds := []arc.Action{arc.Simple(arc.Reset)}
	frames := fd.NumFrames()
	var ids []arc.ActionID
	for len(cmds) < n {
		a := arc.Simple(arc.Reset)
		if ids = fd.Available.IDs(ids[:0]); !fd.State.Terminal() && len(ids) > 0 {
			a = arc.Action{ID: ids[rng.IntN(len(ids))]}
			if a.ID == arc.Action6 {
				a.X, a.Y = cells.Standout(rng, fd.Last())
			}
		}
		if err := s.Do(ctx, a, &fd); err != nil {
			return nil, 0, fmt.Errorf("%s: %s: %w", id, a, err)
		}
		frames += fd.NumFrames()
		cmds = append(cmds, a)
	}
	return cmds, float64(frames) / float64(len(cmds)), nil
}

func mean(ds []time.Duration) float64 {
	var s time.Duration
	for _, d := range ds {
		s += d
	}
	return float64(s) / float64(len(ds))
}

// benchVector measures vector.Async over o.envs real-game envs (each in a
// worker process of its own) with 2 worker goroutines against 1, in env
// steps per second: through Send/Recv with a batch of 1 (an env steps
// again as soon as it is done, so the cores never wait for the slowest env
// of a batch), and through Step (lockstep: each batch waits for its
// slowest env).
func benchVector(ctx context.Context, o options, pool *arcengine.Pool, game string) ([]target, error) {
	mk := func(context.Context, int) (env.Env, error) {
		s, err := pool.New(ctx, game)
		if err != nil {
			return nil, err
		}
		return env.New(s, env.Config{GameOver: env.GameOverRestartsLevel})
	}
	// Each env has its own random stream, the same in every measurement:
	// whatever the order in which envs finish, env i plays the same
	// actions through the same states, at the same cost.
	n, steps := o.envs, o.vectorSteps
	rngs := make([]*rand.Rand, n)
	var ids []arc.ActionID
	pick := func(i int, info *env.Info, frame []uint8) arc.Action {
		ids = info.Available.IDs(ids[:0])
		a := arc.Action{ID: ids[rngs[i].IntN(len(ids))]}
		if a.ID == arc.Action6 {
			a.X, a.Y = cells.Standout(rngs[i], frame)
		}
		return a
	}
	frame := func(b *vector.Batch, r int) []uint8 { return b.Obs.Data[r*arc.FrameCells : (r+1)*arc.FrameCells] }
	rate := func(workers int, async bool) (float64, error) {
		if err := pool.Warm(ctx, n); err != nil {
			return 0, err
		}
		cfg := vector.Config{Workers: workers}
		if async {
			cfg.BatchSize = 1
		}
		v, err := vector.NewAsync(context.Background(), n, mk, cfg)
		if err != nil {
			return 0, err
		}
		defer v.Close()
		b, err := v.Reset(ctx, env.WithSeed(1))
		if err != nil {
			return 0, err
		}
		for i := range rngs {
			rngs[i] = rand.New(rand.NewPCG(o.seed, uint64(i)))
		}
		acts := make([]arc.Action, n)
		for r := range acts {
			acts[r] = pick(b.EnvIDs[r], &b.Infos[r], frame(b, r))
		}
		t0 := time.Now()
		if !async {
			for range steps / n {
				if b, err = v.Step(ctx, acts); err != nil {
					return 0, err
				}
				for r := range acts {
					if b.Errs[r] != nil {
						return 0, b.Errs[r]
					}
					acts[r] = pick(b.EnvIDs[r], &b.Infos[r], frame(b, r))
				}
			}
			return float64(steps/n*n) / time.Since(t0).Seconds(), nil
		}
		if err := v.Send(ctx, nil, acts); err != nil {
			return 0, err
		}
		id := make([]int, 1)
		act := make([]arc.Action, 1)
		for range steps - n {
			if b, err = v.Recv(ctx); err != nil {
				return 0, err
			}
			if b.Errs[0] != nil {
				return 0, b.Errs[0]
			}
			id[0], act[0] = b.EnvIDs[0], pick(b.EnvIDs[0], &b.Infos[0], frame(b, 0))
			if err := v.Send(ctx, id, act); err != nil {
				return 0, err
			}
		}
		for range n {
			if _, err = v.Recv(ctx); err != nil {
				return 0, err
			}
		}
		return float64(steps) / time.Since(t0).Seconds(), nil
	}
	// The engine alone: the same commands in plain Python loops, in one
	// worker process and in two at once, what the machine allows at best.
	cmds, _, err := randomCommands(ctx, pool, game, max(steps/2, 40), o.seed)
	if err != nil {
		return nil, err
	}
	alone := func(procs int) (float64, error) {
		if err := pool.Warm(ctx, procs); err != nil {
			return 0, err
		}
		ss := make([]*arcengine.Instance, procs)
		for k := range ss {
			if ss[k], err = pool.New(ctx, game); err != nil {
				return 0, err
			}
			defer ss[k].Close()
		}
		errs := make([]error, procs)
		var wg sync.WaitGroup
		t0 := time.Now()
		for k, s := range ss {
			wg.Go(func() { _, errs[k] = s.TimeInProcess(ctx, cmds) })
		}
		wg.Wait()
		return float64(procs*len(cmds)) / time.Since(t0).Seconds(), errors.Join(errs...)
	}
	var one, async, lock, engine []float64
	for range o.rounds {
		e1, err := alone(1)
		if err != nil {
			return nil, err
		}
		e2, err := alone(2)
		if err != nil {
			return nil, err
		}
		engine = append(engine, e2/e1)
		a1, err := rate(1, true)
		if err != nil {
			return nil, err
		}
		a2, err := rate(2, true)
		if err != nil {
			return nil, err
		}
		s1, err := rate(1, false)
		if err != nil {
			return nil, err
		}
		s2, err := rate(2, false)
		if err != nil {
			return nil, err
		}
		one, async, lock = append(one, a1), append(async, a2/a1), append(lock, s2/s1)
	}
	m1, ma, ms, me := ratio.Median(one), ratio.Median(async), ratio.Median(lock), ratio.Median(engine)
	of := make([]float64, len(async))
	for k := range of {
		of[k] = async[k] / engine[k]
	}
	mof := ratio.Median(of)
	fmt.Printf("vector: vector.Async over %d envs of %s, %d env steps per measurement x %d rounds, medians of each round's ratio\n", n, game, steps, o.rounds)
	fmt.Printf("  1 worker, Send/Recv     %6.0f steps/s\n", m1)
	fmt.Printf("  2 workers, Send/Recv    x%.2f\n", ma)
	fmt.Printf("  2 workers vs 1, Step    x%.2f (lockstep: each batch waits for its slowest env)\n", ms)
	fmt.Printf("  engine alone, 2 processes vs 1 (plain Python loops): x%.2f\n\n", me)
	return []target{{
		name:   "vector 2 workers vs 1",
		detail: fmt.Sprintf("x%.2f with Send/Recv, %.2f of the engine alone's speed-up (>= %.2f)", ma, mof, minOfEngine),
		pass:   mof >= minOfEngine,
	}}, nil
}

// benchServe compares arcgym's server to the toolkit's on every game.
func benchServe(ctx context.Context, o options, pool *arcengine.Pool) ([]target, error) {
	srv, err := server.New(server.Config{Games: arcengine.Catalog{Pool: pool}, IdleTimeout: -1})
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	hs := &http.Server{Handler: srv}
	go hs.Serve(ln)
	defer hs.Close()
	ours := "http://" + ln.Addr().String()

	port, err := freePort()
	if err != nil {
		return nil, err
	}
	theirs := fmt.Sprintf("http://127.0.0.1:%d", port)
	tk := exec.Command(o.python, "-c", fmt.Sprintf(
		"import logging, arc_agi\n"+
			"log = logging.getLogger('toolkit'); log.addHandler(logging.NullHandler()); log.propagate = False\n"+
			"logging.getLogger('werkzeug').setLevel(logging.ERROR)\n"+
			"arc_agi.Arcade(operation_mode=arc_agi.OperationMode.OFFLINE, environments_dir=%q, logger=log).listen_and_serve(host='127.0.0.1', port=%d)\n",
		o.games, port))
	tk.Stdout, tk.Stderr = io.Discard, io.Discard
	if err := tk.Start(); err != nil {
		return nil, err
	}
	defer func() { tk.Process.Kill(); tk.Wait() }()
	if err := waitHealthy(ctx, theirs); err != nil {
		return nil, fmt.Errorf("toolkit server: %w", err)
	}

	fmt.Printf("serve: one keep-alive client, %d commands per game and server x %d interleaved rounds, medians\n", o.serveSteps, o.rounds)
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "game\tengine alone steps/s\ttoolkit server round trips/s\tarcgym serve round trips/s\tratio\tceiling\t")
	var ts []target
	for _, g := range pool.Games() {
		cmds, _, err := randomCommands(ctx, pool, g.Info.ID, o.serveSteps, o.seed+1)
		if errors.Is(err, arcengine.ErrGameRaised) {
			continue
		}
		if err != nil {
			return nil, err
		}
		var a, b []float64
		for range o.rounds {
			r1, err := roundTrips(ctx, theirs, g.Info.ID, cmds)
			if err != nil {
				return nil, fmt.Errorf("toolkit server: %w", err)
			}
			r2, err := roundTrips(ctx, ours, g.Info.ID, cmds)
			if err != nil {
				return nil, fmt.Errorf("arcgym serve: %w", err)
			}
			a, b = append(a, r1), append(b, r2)
		}
		engine, err := engineRate(ctx, pool, g.Info.ID, cmds)
		if err != nil {
			return nil, err
		}
		ma, mb := ratio.Median(a), ratio.Median(b)
		// No server can answer faster than the engine steps: against the
		// toolkit's server, the ratio cannot pass engine/toolkit.
		ceiling := engine / ma
		fmt.Fprintf(tw, "%s\t%.0f\t%.0f\t%.0f\tx%.1f\tx%.1f\t\n", g.Info.ID, engine, ma, mb, mb/ma, ceiling)
		t := target{name: "serve " + g.Info.ID, detail: fmt.Sprintf("x%.1f the toolkit server (>= 5)", mb/ma), pass: mb/ma >= 5}
		if ceiling < 5 {
			t.detail += fmt.Sprintf(", not counted: the engine alone allows x%.1f", ceiling)
			t.na = true
		}
		ts = append(ts, t)
	}
	tw.Flush()
	fmt.Println()
	return ts, nil
}

// engineRate times cmds in the engine's own loop, in a worker, and returns
// steps per second.
func engineRate(ctx context.Context, pool *arcengine.Pool, id string, cmds []arc.Action) (float64, error) {
	s, err := pool.New(ctx, id)
	if err != nil {
		return 0, err
	}
	defer s.Close()
	ts, err := s.TimeInProcess(ctx, cmds)
	if err != nil {
		return 0, err
	}
	return 1e9 / mean(ts), nil
}

// roundTrips plays cmds over REST with one client and returns commands/s.
func roundTrips(ctx context.Context, base, game string, cmds []arc.Action) (float64, error) {
	c, err := remote.NewClient(base, remote.ClientConfig{})
	if err != nil {
		return 0, err
	}
	defer c.Close()
	card, err := c.OpenScorecard(ctx, remote.OpenOptions{})
	if err != nil {
		return 0, err
	}
	var fd arc.FrameData
	t0 := time.Now()
	if err := c.Reset(ctx, game, card, "", &fd); err != nil {
		return 0, err
	}
	guid := fd.GUID
	for _, a := range cmds[1:] {
		if a.ID == arc.Reset {
			err = c.Reset(ctx, game, card, guid, &fd)
		} else {
			err = c.Action(ctx, game, guid, a, &fd)
		}
		if err != nil {
			return 0, fmt.Errorf("%s: %w", a, err)
		}
	}
	rate := float64(len(cmds)) / time.Since(t0).Seconds()
	_, _ = c.CloseScorecard(ctx, card)
	return rate, nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func waitHealthy(ctx context.Context, base string) error {
	c, err := remote.NewClient(base, remote.ClientConfig{})
	if err != nil {
		return err
	}
	defer c.Close()
	var last error
	for range 300 {
		if last = c.Healthcheck(ctx); last == nil {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return last
}

// benchMemory reports the memory of workers per env.
func benchMemory(ctx context.Context, o options, pool *arcengine.Pool) error {
	game := pool.Games()[0].Info.ID
	fmt.Printf("memory: workers' resident (RSS) and proportional (PSS) memory per env, %d envs of each game\n", 8)
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "game\tenvs per process\tprocesses\tRSS MB/env\tPSS MB/env\t")
	for _, g := range pool.Games() {
		for _, per := range []int{1, 8} {
			p, err := arcengine.Open(arcengine.Config{GamesDir: o.games, Python: o.python, EnvsPerWorker: per})
			if err != nil {
				return err
			}
			var ss []*arcengine.Instance
			var fd arc.FrameData
			for range 8 {
				s, err := p.New(ctx, g.Info.ID)
				if err != nil {
					p.Close()
					return err
				}
				if err := s.Do(ctx, arc.Simple(arc.Reset), &fd); err != nil {
					p.Close()
					return err
				}
				ss = append(ss, s)
			}
			pids := p.Workers()
			var rss, pss float64
			for _, pid := range pids {
				r, q := memoryOf(pid)
				rss += r
				pss += q
			}
			fmt.Fprintf(tw, "%s\t%d\t%d\t%.1f\t%.1f\t\n", g.Info.ID, per, len(pids), rss/8, pss/8)
			for _, s := range ss {
				s.Close()
			}
			p.Close()
		}
	}
	_ = game
	tw.Flush()
	fmt.Println()
	return nil
}

// memoryOf returns a process's RSS and PSS in MB (0 when unknown).
func memoryOf(pid int) (rss, pss float64) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps_rollup", pid))
	if err != nil {
		return 0, 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseFloat(f[1], 64)
		switch f[0] {
		case "Rss:":
			rss = kb / 1024
		case "Pss:":
			pss = kb / 1024
		}
	}
	return rss, pss
}

// moduleRoot finds the checkout of arcgym above the working directory.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.Contains(string(b), "module github.com/arcgym/arcgym\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run from a checkout of arcgym: its Python baselines are under arcengine/python")
		}
		dir = parent
	}
}
