package main

import (
	"context"
	"fmt"
	"time"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/internal/ratio"
	"github.com/arcgym/arcgym/vector"
)

// The schedulers section compares vector.Async's scheduler (parts per
// worker, spinning idle workers, a pacer choosing between shared and solo
// calls, stealing of parts) with the simplest one that could do its work
// (simpleVec: a goroutine per worker over a fixed slice, a job per worker
// per call, a WaitGroup) and with plain goroutines started per call, in
// the same interleaved rounds.
const (
	// minWorkersSpeedup: Async on two workers over one, judged where the
	// machine allows it: when stepping by hand in lockstep on two
	// goroutines gains as much in the same run (not when another process
	// holds a core).
	minWorkersSpeedup = 1.8
	// keepMargin: the current scheduler earns its complexity only when it
	// is ahead of the simple one by more than this (current/simple above
	// 1+keepMargin).
	keepMargin = 0.10
)

// schedulerSetting is one line of the schedulers table: n sub-environments
// on w workers, each subject named by its prefix and the setting's suffix.
type schedulerSetting struct {
	label  string
	n, w   int
	suffix string
	// remote says the games wait a latency per command.
	remote bool
}

// schedulerTargets measures Async, simpleVec and goroutines per call on
// o.envs local games at one and two workers, and on o.remote remote games
// at one worker per game, prints the table and judges the targets.
func schedulerTargets(ctx context.Context, o options, r *report) error {
	var closers []func()
	defer func() {
		for _, c := range closers {
			c()
		}
	}()
	local := vector.Make(o.game, env.Config{})
	script, err := gameScript(o.game, o.envs)
	if err != nil {
		return err
	}
	// asyncOf measures an Async of n envs from f on w workers.
	asyncOf := func(f vector.Factory, n, w int, script [][]arc.Action) (subject, error) {
		a, err := vector.NewAsync(ctx, n, f, vector.Config{Workers: w})
		if err != nil {
			return nil, err
		}
		closers = append(closers, func() { _ = a.Close() })
		step := func(acts []arc.Action) error {
			b, err := a.Step(ctx, acts)
			if err != nil {
				return err
			}
			return b.Err()
		}
		return func(d time.Duration) (float64, error) {
			if _, err := a.Reset(ctx, env.ResetOptions{}); err != nil {
				return 0, err
			}
			return callsRate(n, d, script, step)
		}, nil
	}
	// simpleOf measures a simpleVec of n envs from f on w workers.
	simpleOf := func(f vector.Factory, n, w int, opts simpleOptions, script [][]arc.Action) (subject, error) {
		v, err := newSimple(ctx, n, w, f, opts)
		if err != nil {
			return nil, err
		}
		closers = append(closers, func() { _ = v.Close() })
		step := func(acts []arc.Action) error { return v.Step(ctx, acts) }
		return func(d time.Duration) (float64, error) {
			if err := v.Reset(ctx); err != nil {
				return 0, err
			}
			return callsRate(n, d, script, step)
		}, nil
	}
	// handOf measures n envs from f stepped by hand with rate on parts
	// goroutines.
	handOf := func(f vector.Factory, n, parts int, rate handRater, script [][]arc.Action) (subject, error) {
		envs := make([]env.Env, 0, n)
		closers = append(closers, func() {
			for _, e := range envs {
				_ = e.Close()
			}
		})
		for i := range n {
			e, err := f(ctx, i)
			if err != nil {
				return nil, err
			}
			envs = append(envs, e)
		}
		ended := make([]bool, n)
		return func(d time.Duration) (float64, error) {
			for i, e := range envs {
				if _, _, err := e.Reset(ctx, env.ResetOptions{}); err != nil {
					return 0, err
				}
				ended[i] = false
			}
			return rate(ctx, envs, ended, parts, d, script)
		}, nil
	}

	settings := []schedulerSetting{
		{label: fmt.Sprintf("%d local", o.envs), n: o.envs, w: 1, suffix: "/1"},
		{label: fmt.Sprintf("%d local", o.envs), n: o.envs, w: 2, suffix: "/2"},
		{label: fmt.Sprintf("%d remote", o.remote), n: o.remote, w: o.remote, suffix: "@R", remote: true},
	}
	// The local subjects, side by side in the rounds as compared; copy/2
	// is simple/2 copying its rows, caller/2 simple/2 with the caller
	// running the first slice, lock/2 the machine's best in lockstep (with
	// go/1, the same as one goroutine by hand).
	localNames := []string{"cur/1", "simple/1", "go/1", "cur/2", "simple/2", "go/2", "copy/2", "caller/2", "lock/2"}
	inPlace := simpleOptions{InPlace: true}
	subjects := map[string]subject{}
	for _, name := range localNames {
		var s subject
		var err error
		switch name {
		case "cur/1":
			s, err = asyncOf(local, o.envs, 1, script)
		case "cur/2":
			s, err = asyncOf(local, o.envs, 2, script)
		case "simple/1":
			s, err = simpleOf(local, o.envs, 1, inPlace, script)
		case "simple/2":
			s, err = simpleOf(local, o.envs, 2, inPlace, script)
		case "copy/2":
			s, err = simpleOf(local, o.envs, 2, simpleOptions{}, script)
		case "caller/2":
			s, err = simpleOf(local, o.envs, 2, simpleOptions{InPlace: true, CallerRuns: true}, script)
		case "go/1":
			s, err = handOf(local, o.envs, 1, callRate, script)
		case "go/2":
			s, err = handOf(local, o.envs, 2, callRate, script)
		case "lock/2":
			s, err = handOf(local, o.envs, 2, lockRate, script)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		subjects[name] = s
	}
	fmt.Printf("\nschedulers: %d envs of %s, %d rounds of %v per subject...\n", o.envs, o.game, o.rounds, o.round)
	rates, err := interleave(localNames, subjects, o.rounds, o.round)
	if err != nil {
		return err
	}

	// The remote games: Async's default of a worker per game (with one or
	// two workers, any scheduler waits envs/workers latencies per call).
	lat, clicks := latencyFactory(o.latency), clickScript(o.remote)
	remoteNames := []string{"cur@R", "simple@R", "go@R"}
	for _, name := range remoteNames {
		var s subject
		var err error
		switch name {
		case "cur@R":
			s, err = asyncOf(lat, o.remote, o.remote, clicks)
		case "simple@R":
			s, err = simpleOf(lat, o.remote, o.remote, inPlace, clicks)
		case "go@R":
			s, err = handOf(lat, o.remote, o.remote, callRate, clicks)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		subjects[name] = s
	}
	fmt.Printf("schedulers: %d remote envs at %v per command, %d rounds of at least %d calls per subject...\n",
		o.remote, o.latency, o.remoteRounds, minCalls)
	remote, err := interleave(remoteNames, subjects, o.remoteRounds, o.round)
	if err != nil {
		return err
	}
	for k, v := range remote {
		rates[k] = v
	}

	// over is a/b in each round: a speed ratio, above 1 when a is faster.
	over := func(a, b string) []float64 {
		xs := make([]float64, len(rates[a]))
		for k := range xs {
			xs[k] = rates[a][k] / rates[b][k]
		}
		return xs
	}
	ns := func(name string) float64 { return 1e9 / ratio.Median(rates[name]) }
	ci := func(xs []float64) string {
		lo, hi := ratio.MedianCI(xs)
		return fmt.Sprintf("%.2f (%.2f-%.2f)", ratio.Median(xs), lo, hi)
	}
	fmt.Printf("\nschedulers, NextStep autoreset: ns/env-step (medians over the rounds); speed ratios per round, medians (95%% CI), above 1 when the first is faster\n")
	fmt.Println("  current: vector.Async; simple: a goroutine per worker over a fixed slice, a job per worker per call, rows in place;")
	fmt.Println("  goroutines: by hand, a goroutine per part per call (the caller steps part 0), no batch rows")
	fmt.Printf("  %-10s %7s  %8s %8s %10s  %-20s %-20s\n", "envs", "workers", "current", "simple", "goroutines", "simple/current", "goroutines/current")
	for _, s := range settings {
		cur, simple, gor := "cur"+s.suffix, "simple"+s.suffix, "go"+s.suffix
		fmt.Printf("  %-10s %7d  %8.0f %8.0f %10.0f  %-20s %-20s\n", s.label, s.w, ns(cur), ns(simple), ns(gor),
			ci(over(simple, cur)), ci(over(gor, cur)))
	}
	fmt.Printf("  simple copying its rows (4 KiB a step), %d local, 2 workers: %.0f ns/env-step, speed over simple in place %s\n",
		o.envs, ns("copy/2"), ci(over("copy/2", "simple/2")))
	fmt.Printf("  simple with the caller running the first slice, %d local, 2 workers: %.0f ns/env-step, speed over current %s\n",
		o.envs, ns("caller/2"), ci(over("caller/2", "cur/2")))
	// allowed is the best speed-up of two goroutines in lockstep over one
	// in each round, at least 1.
	allowed := over("lock/2", "go/1")
	for k, x := range allowed {
		allowed[k] = max(x, 1)
	}
	fmt.Printf("  speed-ups of 2 workers over 1: current %s, simple %s, goroutines %s, by hand in lockstep %s\n",
		ci(over("cur/2", "cur/1")), ci(over("simple/2", "simple/1")), ci(over("go/2", "go/1")), ci(over("lock/2", "go/1")))

	fmt.Println("\nschedulers: targets (same-run ratios: medians over the rounds, 95% confidence intervals)")
	speedup := over("cur/2", "cur/1")
	name := fmt.Sprintf("Async 2 workers / 1, %d envs", o.envs)
	if best := ratio.Median(allowed); best >= minWorkersSpeedup {
		r.judge(name, speedup, minWorkersSpeedup, 0, fmt.Sprintf("by hand in lockstep x%.2f", best))
	} else {
		lo, hi := ratio.MedianCI(speedup)
		r.unjudged(name, ratio.Median(speedup), minWorkersSpeedup,
			fmt.Sprintf("(%.2f-%.2f) the machine allows x%.2f by hand in lockstep", lo, hi, best))
	}
	fmt.Printf("\nkeep the current scheduler only if it is ahead of the simple one by more than %.0f%%:\n", keepMargin*100)
	for _, s := range settings {
		xs := over("cur"+s.suffix, "simple"+s.suffix)
		lo, hi := ratio.MedianCI(xs)
		verdict := "undecided: the interval holds both sides"
		switch {
		case lo > 1+keepMargin:
			verdict = fmt.Sprintf("ahead by more than %.0f%%", keepMargin*100)
		case hi <= 1+keepMargin:
			verdict = fmt.Sprintf("not ahead by more than %.0f%%", keepMargin*100)
		}
		fmt.Printf("  current vs simple: x%.2f [%.2f-%.2f]  (%s, %d workers; %s)\n",
			ratio.Median(xs), lo, hi, s.label, s.w, verdict)
	}
	xs := over("cur/2", "caller/2")
	lo, hi := ratio.MedianCI(xs)
	fmt.Printf("  current vs simple with the caller running the first slice: x%.2f [%.2f-%.2f]  (%s, 2 workers)\n",
		ratio.Median(xs), lo, hi, settings[1].label)
	return nil
}

// handRater is the shape of the by-hand rates: callRate, lockRate and
// handRate step envs on parts goroutines for d and return steps per second.
type handRater func(ctx context.Context, envs []env.Env, ended []bool, parts int, d time.Duration, script [][]arc.Action) (float64, error)

// callsRate makes calls of step with the rows of script, n envs each, for
// d (and at least minCalls calls) and returns the steps per second.
func callsRate(n int, d time.Duration, script [][]arc.Action, step func([]arc.Action) error) (float64, error) {
	steps := 0
	start := time.Now()
	for s := 0; more(s, start, d); s++ {
		if err := step(script[s%len(script)][:n]); err != nil {
			return 0, err
		}
		steps += n
	}
	return float64(steps) / time.Since(start).Seconds(), nil
}

// interleave measures the subjects names in rounds rounds, each running
// them in order and then in reverse for d/2 each, and returns each
// subject's steps per second per round: the mean of its two runs.
func interleave(names []string, subjects map[string]subject, rounds int, d time.Duration) (map[string][]float64, error) {
	rates := map[string][]float64{}
	for range rounds {
		sum := map[string]float64{}
		for pass := range 2 {
			for k := range names {
				name := names[k]
				if pass == 1 {
					name = names[len(names)-1-k]
				}
				x, err := subjects[name](d / 2)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", name, err)
				}
				sum[name] += x / 2
			}
		}
		for _, name := range names {
			rates[name] = append(rates[name], sum[name])
		}
	}
	return rates, nil
}
