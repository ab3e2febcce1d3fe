// Command vector measures arcgym's vector envs: the per-step overhead of
// Sync over stepping the sub-environments by hand, the speed-up of Async on
// two workers over one on local games, and the throughput of 64 games with
// a simulated remote latency against the ideal of envs/latency steps per
// second.
//
// Usage:
//
//	go run ./benchmarks/vector [-game kw01] [-envs 64] [-duration 2s] [-latency 20ms] [-remote 64]
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
	"github.com/arcgym/arcgym/vector"
)

func main() {
	game := flag.String("game", "kw01", "built-in game for the local measurements")
	envs := flag.Int("envs", 64, "sub-environments for the local measurements")
	dur := flag.Duration("duration", 2*time.Second, "time per measurement")
	latency := flag.Duration("latency", 20*time.Millisecond, "simulated latency per remote command")
	remote := flag.Int("remote", 64, "sub-environments for the latency measurement")
	flag.Parse()
	if err := run(*game, *envs, *dur, *latency, *remote); err != nil {
		fmt.Fprintln(os.Stderr, "vector:", err)
		os.Exit(1)
	}
}

func run(game string, n int, dur, latency time.Duration, remote int) error {
	ctx := context.Background()
	fmt.Printf("GOMAXPROCS=%d NumCPU=%d load %s\n", runtime.GOMAXPROCS(0), runtime.NumCPU(), loadAvg())
	info, err := env.Make(game)
	if err != nil {
		return err
	}
	ids := info.GameInfo().Available.IDs(nil)
	_ = info.Close()
	actions := func(s, k int) []arc.Action {
		out := make([]arc.Action, k)
		for i := range out {
			id := ids[(s*7+i*3)%len(ids)]
			if id == arc.Action6 {
				out[i] = arc.Click((s+i)%64, (s*3+i)%64)
			} else {
				out[i] = arc.Simple(id)
			}
		}
		return out
	}
	script := make([][]arc.Action, 256)
	// The latency games get clicks, which never end an episode: a reset
	// after GAME_OVER costs two commands and would blur the figure.
	clicks := make([][]arc.Action, 256)
	for s := range script {
		script[s] = actions(s, n)
		clicks[s] = make([]arc.Action, remote)
		for i := range clicks[s] {
			clicks[s][i] = arc.Click((s+i)%64, (s*5+i)%64)
		}
	}

	raw, err := rawRate(ctx, game, n, dur, script)
	if err != nil {
		return err
	}
	sync, err := vecRate(ctx, func() (vector.Env, error) { return vector.NewSync(n, vector.Make(game), vector.Config{}) }, n, dur, script)
	if err != nil {
		return err
	}
	fmt.Printf("\n%s, %d envs, NextStep autoreset\n", game, n)
	fmt.Printf("  raw loop            %10.0f steps/s  %6.0f ns/step\n", raw, 1e9/raw)
	fmt.Printf("  Sync                %10.0f steps/s  %6.0f ns/step  (+%.0f ns/step overhead)\n", sync, 1e9/sync, 1e9/sync-1e9/raw)

	sc, err := measureScaling(ctx, game, n, dur, script)
	if err != nil {
		return err
	}
	fmt.Printf("  (medians of %d interleaved rounds, so that a passing load hits all alike)\n", scalingRounds)
	fmt.Printf("  plain goroutines    x%.2f on 2 over 1 (what the machine gives now)\n", sc.machine)
	fmt.Printf("  plain game loops    x%.2f on 2 over 1 (each goroutine steps half the games by hand)\n", sc.games)
	fmt.Printf("  Async 1 worker      %10.0f steps/s\n", sc.async1)
	fmt.Printf("  Async 2 workers     %10.0f steps/s  (x%.2f over 1 worker)\n", sc.async2, sc.ratio)

	lat := func(int) (env.Env, error) { return env.New(envtest.NewFake(envtest.FakeConfig{Latency: latency})) }
	ideal := float64(remote) / latency.Seconds()
	fmt.Printf("\n%d envs, %v per command (ideal %.0f steps/s)\n", remote, latency, ideal)
	r, err := vecRate(ctx, func() (vector.Env, error) { return vector.NewAsync(remote, lat, vector.Config{}) }, remote, dur, clicks)
	if err != nil {
		return err
	}
	fmt.Printf("  Async Step          %10.0f steps/s  (%.0f%% of ideal)\n", r, 100*r/ideal)
	r, err = recvRate(ctx, remote, lat, dur, clicks)
	if err != nil {
		return err
	}
	fmt.Printf("  Async Send/Recv %2d  %10.0f steps/s  (%.0f%% of ideal)\n", remote/2, r, 100*r/ideal)
	return nil
}

// rawRate steps n games by hand, resetting ended episodes at once.
func rawRate(ctx context.Context, game string, n int, dur time.Duration, script [][]arc.Action) (float64, error) {
	envs := make([]env.Env, n)
	for i := range envs {
		g, err := env.Make(game)
		if err != nil {
			return 0, err
		}
		defer g.Close()
		if _, _, err := g.Reset(ctx, env.ResetOptions{}); err != nil {
			return 0, err
		}
		envs[i] = g
	}
	steps := 0
	start := time.Now()
	for s := 0; time.Since(start) < dur; s++ {
		acts := script[s%len(script)]
		for i, e := range envs {
			st, err := e.Step(ctx, acts[i])
			if err != nil {
				return 0, err
			}
			if st.Done() {
				if _, _, err := e.Reset(ctx, env.ResetOptions{}); err != nil {
					return 0, err
				}
			}
		}
		steps += n
	}
	return float64(steps) / time.Since(start).Seconds(), nil
}

func vecRate(ctx context.Context, mk func() (vector.Env, error), n int, dur time.Duration, script [][]arc.Action) (float64, error) {
	v, err := mk()
	if err != nil {
		return 0, err
	}
	defer v.Close()
	if _, err := v.Reset(ctx, env.ResetOptions{}); err != nil {
		return 0, err
	}
	steps := 0
	start := time.Now()
	for s := 0; time.Since(start) < dur; s++ {
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

func recvRate(ctx context.Context, n int, f vector.Factory, dur time.Duration, script [][]arc.Action) (float64, error) {
	a, err := vector.NewAsync(n, f, vector.Config{BatchSize: n / 2})
	if err != nil {
		return 0, err
	}
	defer a.Close()
	if err := a.SendReset(ctx, nil, env.ResetOptions{}); err != nil {
		return 0, err
	}
	steps := 0
	start := time.Now()
	for s := 0; time.Since(start) < dur; s++ {
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

// scalingRounds is the number of rounds measureScaling interleaves.
const scalingRounds = 10

// scaling holds the medians measureScaling found.
type scaling struct {
	machine, games float64 // speed-ups of plain goroutines, 2 over 1
	async1, async2 float64 // steps/s of Async on 1 and 2 workers
	ratio          float64 // median of the per-round async2/async1
}

// measureScaling measures, in interleaved rounds, Async on one and two
// workers, n games stepped by hand on one goroutine and on two (each its
// own half, without any synchronisation: what the games themselves allow,
// caches and memory bandwidth included) and plain CPU-bound goroutines:
// the bounds for the vector env on the same games.
func measureScaling(ctx context.Context, game string, n int, dur time.Duration, script [][]arc.Action) (scaling, error) {
	envs := make([]env.Env, n)
	for i := range envs {
		g, err := env.Make(game)
		if err != nil {
			return scaling{}, err
		}
		defer g.Close()
		if _, _, err := g.Reset(ctx, env.ResetOptions{}); err != nil {
			return scaling{}, err
		}
		envs[i] = g
	}
	var async [2]*vector.Async
	for w := range async {
		a, err := vector.NewAsync(n, vector.Make(game), vector.Config{Workers: w + 1})
		if err != nil {
			return scaling{}, err
		}
		defer a.Close()
		if _, err := a.Reset(ctx, env.ResetOptions{}); err != nil {
			return scaling{}, err
		}
		async[w] = a
	}
	round := dur / scalingRounds
	var machine, games, a1, a2, ratio []float64
	for range scalingRounds {
		r1, err := stepFor(ctx, async[0], n, round, script)
		if err != nil {
			return scaling{}, err
		}
		r2, err := stepFor(ctx, async[1], n, round, script)
		if err != nil {
			return scaling{}, err
		}
		g1, err := handRate(ctx, envs, 1, round, script)
		if err != nil {
			return scaling{}, err
		}
		g2, err := handRate(ctx, envs, 2, round, script)
		if err != nil {
			return scaling{}, err
		}
		a1, a2, ratio = append(a1, r1), append(a2, r2), append(ratio, r2/r1)
		games = append(games, g2/g1)
		machine = append(machine, machineScaling(round/2))
	}
	return scaling{
		machine: median(machine), games: median(games),
		async1: median(a1), async2: median(a2), ratio: median(ratio),
	}, nil
}

// stepFor steps v for dur and returns its steps per second.
func stepFor(ctx context.Context, v vector.Env, n int, dur time.Duration, script [][]arc.Action) (float64, error) {
	steps := 0
	start := time.Now()
	for s := 0; time.Since(start) < dur; s++ {
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
// dur and returns the steps per second.
func handRate(ctx context.Context, envs []env.Env, parts int, dur time.Duration, script [][]arc.Action) (float64, error) {
	n := len(envs)
	var total atomic.Int64
	errs := make([]error, parts)
	var wg sync.WaitGroup
	start := time.Now()
	for p := range parts {
		lo, hi := p*n/parts, (p+1)*n/parts
		wg.Go(func() {
			steps := int64(0)
			for s := 0; time.Since(start) < dur; s++ {
				acts := script[s%len(script)]
				for i := lo; i < hi; i++ {
					st, err := envs[i].Step(ctx, acts[i])
					if err == nil && st.Done() {
						_, _, err = envs[i].Reset(ctx, env.ResetOptions{})
					}
					if err != nil {
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

// median returns the median of xs, which it sorts.
func median(xs []float64) float64 {
	slices.Sort(xs)
	return xs[len(xs)/2]
}

// machineScaling measures how much faster two goroutines burning CPU get
// through a fixed amount of work than one, the bound for any worker pool.
func machineScaling(dur time.Duration) float64 {
	rate := func(g int) float64 {
		var total atomic.Int64
		var wg sync.WaitGroup
		stop := time.Now().Add(dur)
		for range g {
			wg.Go(func() {
				h, n := uint64(1), int64(0)
				for time.Now().Before(stop) {
					for range 10000 {
						h = h*6364136223846793005 + 1442695040888963407
					}
					n++
				}
				total.Add(n + int64(h&0))
			})
		}
		wg.Wait()
		return float64(total.Load())
	}
	one := rate(1)
	return rate(2) / one
}
