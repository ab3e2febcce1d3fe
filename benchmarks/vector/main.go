// Command vector measures arcgym's vector envs against baselines measured
// in the same run, and prints PASS or FAIL for each target:
//
//   - Sync over stepping the same games by hand on one goroutine;
//   - Async on two workers over one, against what stepping the games by
//     hand in lockstep gains at best: two goroutines, each stepping half
//     the games and meeting the other at every call, or one goroutine
//     when that is faster (with another process on a core);
//   - Async on all workers against plain goroutines, one per part of the
//     games per call, stepping them by hand;
//   - the per-env throughput at -large envs over that at -envs, for Sync
//     and Async (the memory of a thousand games no longer fits the caches);
//   - Async over Sync at 1, -envs and -large envs;
//   - remote games (a simulated latency per command) through Async Step and
//     Send/Recv, against the ideal of envs/latency steps per second;
//   - Async's scheduler against the simplest one that could do its work
//     (section "schedulers", see schedulers.go): a goroutine per worker
//     owning a fixed slice of the games, a job per worker per call, no
//     spinning, pacing or stealing; and against plain goroutines per call.
//
// The local measurements run in interleaved rounds, each subject in turn
// for -round (and at least minCalls calls), and every target is the median
// of its per-round ratios, so that a load passing over the machine hits
// subject and baseline alike. Beside it stands a 95% confidence interval
// of that median; a target is missed when the run shows the ratio below
// its minimum, the whole interval under it.
// Subjects compared are measured next to each other in a round, each
// round runs them forward and back, and rounds are short and many: on a
// shared machine the speed changes from one tenth of a second to the next.
// With -check the program exits with status 1 when a target is missed;
// -short runs fewer, shorter rounds and a smaller remote measurement, for CI;
// -only runs some of the sections: local, remote, schedulers.
//
// Usage:
//
//	go run ./benchmarks/vector [-game kw01] [-envs 64] [-large 1024] [-rounds 40] [-round 25ms] [-only local,remote,schedulers] [-check] [-short]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/env/envtest"
	"github.com/arcgym/arcgym/internal/machine"
	"github.com/arcgym/arcgym/internal/ratio"
	"github.com/arcgym/arcgym/vector"
)

// The targets, each a ratio to a baseline of the same run.
const (
	// minSyncOverHand: Sync copies every observation into the batch,
	// which stepping by hand does not.
	minSyncOverHand = 0.75
	// minWorkersOverHand: the speed-up of Async on two workers over one,
	// as a fraction of the best speed-up stepping by hand in lockstep gets
	// on the same machine at the same moment: two goroutines that meet at
	// every call, or one. (Two goroutines that never meet gain more, most
	// of all when another process holds a core, but a vector env's Step
	// returns all its rows at once.)
	minWorkersOverHand = 0.85
	// minScaling: per-env throughput at -large envs over that at -envs.
	minScaling = 0.70
	// minAsyncOverSync is Async's throughput over Sync's; the check allows
	// the median below it by noiseMargin, or by as much as this run's
	// noise leaves it uncertain (the 95% confidence interval of the
	// median reaching 1), since where both run the same commands on the
	// caller (one env; a busy machine) the ratio is 1 up to noise.
	minAsyncOverSync = 1.0
	noiseMargin      = 0.03
	// minOverGoroutines: Async on all workers over the plain way to step
	// games in parallel, a goroutine per part per call (a WaitGroup per
	// step), which copies no observation into a batch.
	minOverGoroutines = 0.95
	// minOfIdeal: remote games' steps per second over envs/latency.
	minOfIdeal = 0.90
)

type options struct {
	game       string
	envs       int
	large      int
	rounds     int
	round      time.Duration
	latency    time.Duration
	remote     int
	remoteTime time.Duration
	// remoteRounds is the number of rounds of the remote schedulers.
	remoteRounds int
	check        bool
	// only holds the sections to run; all when empty.
	only map[string]bool
}

// sections are the parts of the program -only selects.
var sections = []string{"local", "remote", "schedulers"}

// runs reports whether section runs.
func (o *options) runs(section string) bool { return len(o.only) == 0 || o.only[section] }

func main() {
	var o options
	flag.StringVar(&o.game, "game", "kw01", "built-in game for the local measurements")
	flag.IntVar(&o.envs, "envs", 64, "sub-environments for the local measurements")
	flag.IntVar(&o.large, "large", 1024, "sub-environments for the scaling measurement")
	flag.IntVar(&o.rounds, "rounds", 40, "interleaved rounds of the local measurements")
	flag.DurationVar(&o.round, "round", 25*time.Millisecond, "time per subject per round")
	flag.DurationVar(&o.latency, "latency", 20*time.Millisecond, "simulated latency per remote command")
	flag.IntVar(&o.remote, "remote", 64, "sub-environments for the latency measurement")
	flag.DurationVar(&o.remoteTime, "remote-time", 2*time.Second, "time per remote measurement")
	flag.IntVar(&o.remoteRounds, "remote-rounds", 10, "interleaved rounds of the remote schedulers")
	flag.BoolVar(&o.check, "check", false, "exit with status 1 when a target is missed")
	only := flag.String("only", "", "comma-separated sections to run, of "+strings.Join(sections, ", ")+" (default all)")
	short := flag.Bool("short", false, "a quick run for CI: -rounds 10 -round 20ms -remote 32 -remote-time 500ms -remote-rounds 4, unless set explicitly")
	flag.Parse()
	for _, s := range strings.Split(*only, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		if !slices.Contains(sections, s) {
			fmt.Fprintf(os.Stderr, "vector: -only %q: want some of %s\n", s, strings.Join(sections, ", "))
			os.Exit(2)
		}
		if o.only == nil {
			o.only = map[string]bool{}
		}
		o.only[s] = true
	}
	if *short {
		set := map[string]bool{}
		flag.Visit(func(f *flag.Flag) { set[f.Name] = true })
		if !set["rounds"] {
			o.rounds = 10
		}
		if !set["round"] {
			o.round = 20 * time.Millisecond
		}
		if !set["remote"] {
			o.remote = 32
		}
		if !set["remote-time"] {
			o.remoteTime = 500 * time.Millisecond
		}
		if !set["remote-rounds"] {
			o.remoteRounds = 4
		}
	}
	r := &report{}
	if err := run(context.Background(), o, r); err != nil {
		fmt.Fprintln(os.Stderr, "vector:", err)
		os.Exit(2)
	}
	fmt.Printf("\n%d targets, %d missed", r.total, r.failed)
	if r.notJudged > 0 {
		fmt.Printf(", %d not judged in this run", r.notJudged)
	}
	fmt.Println()
	if o.check && r.failed > 0 {
		os.Exit(1)
	}
}

// report prints PASS/FAIL lines and counts the misses, and the targets
// this run could not judge (N/A).
type report struct{ total, failed, notJudged int }

// judge prints the median of the per-round ratios xs against its minimum,
// with a 95% confidence interval of that median. The target is missed when
// the run shows the ratio below the minimum (less margin, for ratios whose
// true value may be the minimum itself): when the whole interval lies
// below it. On a quiet machine the interval is a few hundredths wide; on a
// busy one, where a round's rates swing by half, it is wider, and a miss
// must stand out of that noise.
func (r *report) judge(name string, xs []float64, minimum, margin float64, detail string) {
	lo, hi := ratio.MedianCI(xs)
	r.line(name, ratio.Median(xs), minimum, margin, hi >= minimum-margin,
		strings.TrimSpace(fmt.Sprintf("(%.2f-%.2f) %s", lo, hi, detail)))
}

// target prints one ratio against its minimum; margin is what the check
// allows below the minimum for noise.
func (r *report) target(name string, got, minimum, margin float64, detail string) {
	r.line(name, got, minimum, margin, got >= minimum-margin, detail)
}

// unjudged prints one ratio against its minimum as N/A: the machine could
// not show whether the target is met in this run (detail says why). It
// counts neither as a target nor as a miss.
func (r *report) unjudged(name string, got, minimum float64, detail string) {
	r.notJudged++
	fmt.Printf("  %-46s %6.2f  >= %.2f  %s  %s\n", name, got, minimum, ratio.Verdict(false, true), detail)
}

// line prints and counts one verdict.
func (r *report) line(name string, got, minimum, margin float64, pass bool, detail string) {
	r.total++
	if !pass {
		r.failed++
	}
	verdict := ratio.Verdict(pass, false)
	allow := ""
	if margin > 0 {
		allow = fmt.Sprintf(" (-%.2f noise)", margin)
	}
	fmt.Printf("  %-46s %6.2f  >= %.2f%s  %s  %s\n", name, got, minimum, allow, verdict, detail)
}

// run runs the sections o selects.
func run(ctx context.Context, o options, r *report) error {
	if o.envs < 1 || o.large < 1 || o.rounds < 1 || o.remote < 2 || o.remoteRounds < 1 {
		return fmt.Errorf("want -envs, -large, -rounds, -remote-rounds of at least 1 and -remote of at least 2")
	}
	fmt.Printf("%s, GOMAXPROCS=%d NumCPU=%d load %s; %s; medians of %d interleaved rounds of %v\n",
		machine.CPU(), runtime.GOMAXPROCS(0), runtime.NumCPU(), loadAvg(), o.game, o.rounds, o.round)
	if o.runs("local") {
		if err := localTargets(ctx, o, r); err != nil {
			return err
		}
	}
	if o.runs("remote") {
		if err := remoteTargets(ctx, o, r); err != nil {
			return err
		}
	}
	if o.runs("schedulers") {
		if err := schedulerTargets(ctx, o, r); err != nil {
			return err
		}
	}
	return nil
}

// localTargets measures the vector envs over o.game against the by-hand
// baselines and each other, and judges the local targets.
func localTargets(ctx context.Context, o options, r *report) error {
	procs := runtime.GOMAXPROCS(0)
	script, err := gameScript(o.game, max(o.envs, o.large))
	if err != nil {
		return err
	}
	var closers []func()
	defer func() {
		for _, c := range closers {
			c()
		}
	}()
	// byHand steps n games with rate (handRate or callRate) on parts
	// goroutines.
	type rateFunc func(context.Context, []env.Env, []bool, int, time.Duration, [][]arc.Action) (float64, error)
	byHand := func(n, parts int, rate rateFunc) (subject, error) {
		envs, err := handEnvs(ctx, o.game, n)
		closers = append(closers, func() {
			for _, e := range envs {
				_ = e.Close()
			}
		})
		ended := make([]bool, n)
		return func(d time.Duration) (float64, error) {
			for i, e := range envs {
				if _, _, err := e.Reset(ctx, env.ResetOptions{}); err != nil {
					return 0, err
				}
				ended[i] = false
			}
			return rate(ctx, envs, ended, parts, d, script)
		}, err
	}
	hand := func(n, parts int) (subject, error) { return byHand(n, parts, handRate) }
	// vecs makes k vector envs with mk, measured one per round in turn.
	// Over a single game, where a step touches a few KiB, where the
	// allocator happened to put them moves a step's time by several
	// percent (as much as any difference between Sync and Async there):
	// several instances average that out.
	vecs := func(mk func() (vector.Env, error), k int) (subject, error) {
		vs := make([]vector.Env, 0, k)
		for range k {
			v, err := mk()
			if err != nil {
				return nil, err
			}
			closers = append(closers, func() { _ = v.Close() })
			vs = append(vs, v)
		}
		n := vs[0].Metadata().NumEnvs
		round := 0
		return func(d time.Duration) (float64, error) {
			v := vs[round%k]
			round++
			if _, err := v.Reset(ctx, env.ResetOptions{}); err != nil {
				return 0, err
			}
			return stepRate(ctx, v, n, d, script)
		}, nil
	}
	vec := func(mk func() (vector.Env, error)) (subject, error) { return vecs(mk, 1) }
	syncOf := func(n int) func() (vector.Env, error) {
		return func() (vector.Env, error) {
			return vector.NewSync(ctx, n, vector.Make(o.game, env.Config{}), vector.Config{})
		}
	}
	asyncOf := func(n, w int) func() (vector.Env, error) {
		return func() (vector.Env, error) {
			return vector.NewAsync(ctx, n, vector.Make(o.game, env.Config{}), vector.Config{Workers: w})
		}
	}

	// The subjects, measured in turn in every round, those a target compares
	// next to each other; the single-game ones over singles instances each.
	const singles = 8
	names := []string{"go/2", "lock/2", "hand", "sync", "async/1", "async", "async@L", "sync@L", "hand@L", "hand/2", "sync@1", "async@1"}
	subjects := map[string]subject{}
	for _, name := range names {
		var s subject
		var err error
		switch name {
		case "hand":
			s, err = hand(o.envs, 1)
		case "hand/2":
			s, err = hand(o.envs, 2)
		case "lock/2":
			s, err = byHand(o.envs, procs, lockRate)
		case "go/2":
			s, err = byHand(o.envs, procs, callRate)
		case "sync":
			s, err = vec(syncOf(o.envs))
		case "async/1":
			s, err = vec(asyncOf(o.envs, 1))
		case "async":
			s, err = vec(asyncOf(o.envs, procs))
		case "sync@1":
			s, err = vecs(syncOf(1), singles)
		case "async@1":
			s, err = vecs(asyncOf(1, procs), singles)
		case "hand@L":
			s, err = hand(o.large, 1)
		case "sync@L":
			s, err = vec(syncOf(o.large))
		case "async@L":
			s, err = vec(asyncOf(o.large, procs))
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		subjects[name] = s
	}
	// Each round runs the subjects in order, then in reverse, for half of
	// -round each time, and takes the mean of the two rates: a machine
	// that grows faster or slower through the round favours none of them.
	rates := map[string][]float64{}
	for range o.rounds {
		sum := map[string]float64{}
		for pass := range 2 {
			for k := range names {
				name := names[k]
				if pass == 1 {
					name = names[len(names)-1-k]
				}
				x, err := subjects[name](o.round / 2)
				if err != nil {
					return fmt.Errorf("%s: %w", name, err)
				}
				sum[name] += x / 2
			}
		}
		for _, name := range names {
			rates[name] = append(rates[name], sum[name])
		}
	}
	med := func(name string) float64 { return ratio.Median(rates[name]) }
	// perRound is f(round) for each round.
	perRound := func(f func(k int) float64) []float64 {
		xs := make([]float64, o.rounds)
		for k := range xs {
			xs[k] = f(k)
		}
		return xs
	}
	// rounds is a/b in each round, each rate per env; ratio is its median.
	rounds := func(a, b string) []float64 {
		return perRound(func(k int) float64 { return rates[a][k] / rates[b][k] })
	}
	ratio := func(a, b string) float64 { return ratio.Median(rounds(a, b)) }

	fmt.Printf("\n%s, NextStep autoreset, steps/s (medians)\n", o.game)
	for _, row := range []struct {
		name string
		n    int
		what string
	}{
		{"hand", o.envs, "by hand, one goroutine"},
		{"hand/2", o.envs, "by hand, two goroutines, half the games each"},
		{"lock/2", o.envs, fmt.Sprintf("by hand, %d goroutines in lockstep per call", procs)},
		{"go/2", o.envs, fmt.Sprintf("by hand, a goroutine per part per call, %d parts", procs)},
		{"sync", o.envs, "Sync"},
		{"async/1", o.envs, "Async, 1 worker"},
		{"async", o.envs, fmt.Sprintf("Async, %d workers", procs)},
		{"sync@1", 1, "Sync"},
		{"async@1", 1, "Async"},
		{"hand@L", o.large, "by hand, one goroutine"},
		{"sync@L", o.large, "Sync"},
		{"async@L", o.large, fmt.Sprintf("Async, %d workers", procs)},
	} {
		x := med(row.name)
		fmt.Printf("  %5d envs  %-44s %10.0f  (%5.0f ns/env-step)\n", row.n, row.what, x, 1e9/x)
	}

	fmt.Println("\ntargets (same-run ratios: medians over the rounds, 95% confidence intervals)")
	n, l := o.envs, o.large
	r.judge(fmt.Sprintf("Sync / by hand, %d envs", n), rounds("sync", "hand"), minSyncOverHand, 0,
		fmt.Sprintf("+%.0f ns/env-step", 1e9/med("sync")-1e9/med("hand")))
	workers := ratio("async", "async/1")
	overBest := perRound(func(k int) float64 {
		return rates["async"][k] / rates["async/1"][k] / max(rates["lock/2"][k]/rates["hand"][k], 1)
	})
	r.judge(fmt.Sprintf("Async %d workers / 1, vs by hand in lockstep", procs), overBest, minWorkersOverHand, 0,
		fmt.Sprintf("x%.2f; by hand in lockstep x%.2f, never meeting x%.2f", workers, ratio("lock/2", "hand"), ratio("hand/2", "hand")))
	r.judge(fmt.Sprintf("Async %d workers / goroutines per call", procs), rounds("async", "go/2"), minOverGoroutines, 0,
		fmt.Sprintf("Async x%.2f of 1 worker", workers))
	r.judge(fmt.Sprintf("Sync per env, %d / %d envs", l, n), rounds("sync@L", "sync"), minScaling, 0,
		fmt.Sprintf("by hand %.2f", ratio("hand@L", "hand")))
	r.judge(fmt.Sprintf("Async per env, %d / %d envs", l, n), rounds("async@L", "async"), minScaling, 0, "")
	r.judge("Async / Sync, 1 env", rounds("async@1", "sync@1"), minAsyncOverSync, noiseMargin, "")
	r.judge(fmt.Sprintf("Async / Sync, %d envs", n), rounds("async", "sync"), minAsyncOverSync, noiseMargin, "")
	r.judge(fmt.Sprintf("Async 1 worker / Sync, %d envs", n), rounds("async/1", "sync"), minAsyncOverSync, noiseMargin, "")
	r.judge(fmt.Sprintf("Async / Sync, %d envs", l), rounds("async@L", "sync@L"), minAsyncOverSync, noiseMargin, "")
	return nil
}

// remoteTargets measures Async over games that wait o.latency per command,
// against the ideal of o.remote/o.latency steps per second.
func remoteTargets(ctx context.Context, o options, r *report) error {
	clicks := clickScript(o.remote)
	lat := latencyFactory(o.latency)
	ideal := float64(o.remote) / o.latency.Seconds()
	fmt.Printf("\n%d remote envs, %v per command (ideal %.0f steps/s)\n", o.remote, o.latency, ideal)
	a, err := vector.NewAsync(ctx, o.remote, lat, vector.Config{})
	if err != nil {
		return err
	}
	defer a.Close()
	if _, err := a.Reset(ctx, env.ResetOptions{}); err != nil {
		return err
	}
	x, err := stepRate(ctx, a, o.remote, o.remoteTime, clicks)
	if err != nil {
		return err
	}
	r.target("Async Step / ideal", x/ideal, minOfIdeal, 0, fmt.Sprintf("(%.0f steps/s)", x))
	x, err = recvRate(ctx, o.remote, lat, o.remoteTime, clicks)
	if err != nil {
		return err
	}
	r.target(fmt.Sprintf("Async Send/Recv %d / ideal", o.remote/2), x/ideal, minOfIdeal, 0, fmt.Sprintf("(%.0f steps/s)", x))
	return nil
}

// clickScript returns 256 rows of n clicks. Clicks never end an episode
// of the remote games: a reset after GAME_OVER costs two commands and would
// blur the figure.
func clickScript(n int) [][]arc.Action {
	clicks := make([][]arc.Action, 256)
	for s := range clicks {
		clicks[s] = make([]arc.Action, n)
		for i := range clicks[s] {
			clicks[s][i] = arc.Click((s+i)%64, (s*5+i)%64)
		}
	}
	return clicks
}

// latencyFactory makes the remote games of the latency measurements: fake
// games that wait latency per command, as a game on a server would.
func latencyFactory(latency time.Duration) vector.Factory {
	return func(context.Context, int) (env.Env, error) {
		return env.New(envtest.NewFake(envtest.FakeConfig{Latency: latency}), env.Config{})
	}
}

// subject runs one measurement for about d and returns its steps per
// second. Every measurement starts from freshly reset games and the start
// of the script, so that the subjects compared in a round play the same
// games through the same commands, however far each gets in the time.
type subject func(d time.Duration) (float64, error)

// gameScript returns 256 rows of n actions among the game's available
// ones.
func gameScript(game string, n int) ([][]arc.Action, error) {
	g, err := env.Make(context.Background(), game, env.Config{})
	if err != nil {
		return nil, err
	}
	ids := g.GameInfo().Available.IDs(nil)
	_ = g.Close()
	script := make([][]arc.Action, 256)
	for s := range script {
		script[s] = make([]arc.Action, n)
		for i := range script[s] {
			id := ids[(s*7+i*3)%len(ids)]
			if id == arc.Action6 {
				script[s][i] = arc.Click((s+i)%64, (s*3+i)%64)
			} else {
				script[s][i] = arc.Simple(id)
			}
		}
	}
	return script, nil
}

// handEnvs makes n games and resets them.
func handEnvs(ctx context.Context, game string, n int) ([]env.Env, error) {
	envs := make([]env.Env, 0, n)
	for range n {
		g, err := env.Make(ctx, game, env.Config{})
		if err != nil {
			return envs, err
		}
		envs = append(envs, g)
		if _, _, err := g.Reset(ctx, env.ResetOptions{}); err != nil {
			return envs, err
		}
	}
	return envs, nil
}

// minCalls is the fewest calls a subject runs per measurement, however
// long they take: the first call of one finds its games pushed out of the
// caches by the other subjects (1-2 ms at 1,024 envs, as long as a few
// calls), which must not weigh much.
const minCalls = 32

// more reports whether a measurement that began at start and has run s
// calls goes on: for d, and for at least minCalls calls.
func more(s int, start time.Time, d time.Duration) bool {
	return s < minCalls || time.Since(start) < d
}

// stepRate steps v for d (and minCalls calls) and returns its steps per
// second.
func stepRate(ctx context.Context, v vector.Env, n int, d time.Duration, script [][]arc.Action) (float64, error) {
	steps := 0
	start := time.Now()
	for s := 0; more(s, start, d); s++ {
		b, err := v.Step(ctx, script[s%len(script)][:n])
		if err != nil {
			return 0, err
		}
		if err := b.Err(); err != nil {
			return 0, err
		}
		steps += n
	}
	return float64(steps) / time.Since(start).Seconds(), nil
}

// handRate steps envs by hand on parts goroutines, each its own share, for
// d and returns the steps per second. Like the vector envs in NextStep
// mode, it resets an ended episode in place of the next step, so that both
// send the games the same commands; ended[i] marks env i's episode ended,
// from one call to the next.
func handRate(ctx context.Context, envs []env.Env, ended []bool, parts int, d time.Duration, script [][]arc.Action) (float64, error) {
	n := len(envs)
	var total atomic.Int64
	errs := make([]error, parts)
	var wg sync.WaitGroup
	start := time.Now()
	for p := range parts {
		lo, hi := p*n/parts, (p+1)*n/parts
		wg.Go(func() {
			steps := int64(0)
			for s := 0; more(s, start, d); s++ {
				acts := script[s%len(script)]
				for i := lo; i < hi; i++ {
					if err := stepOne(ctx, envs, ended, i, acts[i]); err != nil {
						errs[p] = err
						return
					}
				}
				steps += int64(hi - lo)
			}
			total.Add(steps)
		})
	}
	wg.Wait()
	return float64(total.Load()) / time.Since(start).Seconds(), errors.Join(errs...)
}

// stepOne steps env i with a, or resets it in place of the step when its
// episode ended, as the vector envs do in NextStep mode.
func stepOne(ctx context.Context, envs []env.Env, ended []bool, i int, a arc.Action) error {
	if ended[i] {
		ended[i] = false
		_, _, err := envs[i].Reset(ctx, env.ResetOptions{})
		return err
	}
	st, err := envs[i].Step(ctx, a)
	ended[i] = st.Done()
	return err
}

// partStepper returns a function that steps part p of envs (of parts
// equal parts) with acts, as stepOne does, and the errors of each part.
func partStepper(ctx context.Context, envs []env.Env, ended []bool, parts int) (func(p int, acts []arc.Action), []error) {
	n := len(envs)
	errs := make([]error, parts)
	return func(p int, acts []arc.Action) {
		for i := p * n / parts; i < (p+1)*n/parts; i++ {
			if err := stepOne(ctx, envs, ended, i, acts[i]); err != nil && errs[p] == nil {
				errs[p] = err
			}
		}
	}, errs
}

// callRate steps envs by hand as a vector env's Step would with plain
// goroutines: per call, one goroutine for each part but the first, which
// the caller steps, and a WaitGroup to wait for them. Like handRate it
// resets an ended episode in place of the next step.
func callRate(ctx context.Context, envs []env.Env, ended []bool, parts int, d time.Duration, script [][]arc.Action) (float64, error) {
	n := len(envs)
	stepPart, errs := partStepper(ctx, envs, ended, parts)
	steps := 0
	start := time.Now()
	for s := 0; more(s, start, d); s++ {
		acts := script[s%len(script)]
		var wg sync.WaitGroup
		for p := 1; p < parts; p++ {
			wg.Go(func() { stepPart(p, acts) })
		}
		stepPart(0, acts)
		wg.Wait()
		steps += n
	}
	return float64(steps) / time.Since(start).Seconds(), errors.Join(errs...)
}

// lockRate steps envs by hand in lockstep on parts goroutines, each its own
// share, meeting at every call as a vector env's Step does: the caller
// steps share 0 and spins until the others are done with theirs, and they
// spin for the next call. It is the least a call can cost in lockstep on
// a quiet machine. Like handRate it resets an ended episode in place of
// the next step.
func lockRate(ctx context.Context, envs []env.Env, ended []bool, parts int, d time.Duration, script [][]arc.Action) (float64, error) {
	n := len(envs)
	stepPart, errs := partStepper(ctx, envs, ended, parts)
	// call is the number of the call under way (-1: stop); done counts
	// the helpers done with it.
	var call, done atomic.Int64
	var wg sync.WaitGroup
	for p := 1; p < parts; p++ {
		wg.Go(func() {
			for seen := int64(0); ; {
				c := call.Load()
				if c < 0 {
					return
				}
				if c == seen {
					continue
				}
				seen = c
				stepPart(p, script[(c-1)%int64(len(script))])
				done.Add(1)
			}
		})
	}
	steps := 0
	start := time.Now()
	for s := 0; more(s, start, d); s++ {
		done.Store(0)
		call.Store(int64(s + 1))
		stepPart(0, script[s%len(script)])
		for done.Load() != int64(parts-1) {
		}
		steps += n
	}
	took := time.Since(start)
	call.Store(-1)
	wg.Wait()
	return float64(steps) / took.Seconds(), errors.Join(errs...)
}

// recvRate steps n games through Send and Recv in batches of n/2 for d and
// returns the steps per second.
func recvRate(ctx context.Context, n int, f vector.Factory, d time.Duration, script [][]arc.Action) (float64, error) {
	a, err := vector.NewAsync(ctx, n, f, vector.Config{BatchSize: n / 2})
	if err != nil {
		return 0, err
	}
	defer a.Close()
	if err := a.SendReset(ctx, nil, env.ResetOptions{}); err != nil {
		return 0, err
	}
	steps := 0
	start := time.Now()
	for s := 0; time.Since(start) < d; s++ {
		b, err := a.Recv(ctx)
		if err != nil {
			return 0, err
		}
		if err := b.Err(); err != nil {
			return 0, err
		}
		steps += b.Len()
		if err := a.Send(ctx, b.EnvIDs, script[s%len(script)][:b.Len()]); err != nil {
			return 0, err
		}
	}
	return float64(steps) / time.Since(start).Seconds(), nil
}

// loadAvg returns the one-minute load average where the system reports it:
// parallel speed-ups mean little on a busy machine.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return "unknown"
	}
	return f[0]
}
