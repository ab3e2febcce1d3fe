package vector

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/env/envtest"
)

// benchActions returns per-step action rows that paint and click but never
// end an episode, so the raw baseline needs no reset logic.
func benchActions(n int) [][]arc.Action {
	rows := make([][]arc.Action, 64)
	for s := range rows {
		rows[s] = make([]arc.Action, n)
		for i := range n {
			if (s+i)%3 == 0 {
				rows[s][i] = arc.Simple(arc.Action3)
			} else {
				rows[s][i] = arc.Click((s*7+i)%64, (s+i*5)%64)
			}
		}
	}
	return rows
}

// BenchmarkStepOverhead compares stepping n games by hand (raw) with the
// vector envs over the same games; one op is one step of all n envs.
func BenchmarkStepOverhead(b *testing.B) {
	const n = 8
	for _, g := range []struct {
		name string
		f    Factory
	}{
		{"fake", sameFakes(envtest.FakeConfig{})},
		{"kw01", Make("kw01", env.Config{})},
	} {
		acts := kwActions(g.name, benchActions(n))
		b.Run(g.name+"/raw", func(b *testing.B) {
			envs := make([]env.Env, n)
			for i := range envs {
				e, err := g.f(b.Context(), i)
				if err != nil {
					b.Fatal(err)
				}
				defer e.Close()
				if _, _, err := e.Reset(b.Context(), env.ResetOptions{}); err != nil {
					b.Fatal(err)
				}
				envs[i] = e
			}
			ctx := b.Context()
			b.SetBytes(n * arc.FrameCells)
			b.ReportAllocs()
			s := 0
			for b.Loop() {
				for i, e := range envs {
					st, err := e.Step(ctx, acts[s&63][i])
					if err != nil {
						b.Fatal(err)
					}
					if st.Done() {
						if _, _, err := e.Reset(ctx, env.ResetOptions{}); err != nil {
							b.Fatal(err)
						}
					}
				}
				s++
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/env-step")
		})
		for _, k := range kinds {
			b.Run(g.name+"/"+k.name, func(b *testing.B) {
				v, err := k.make(n, g.f, Config{})
				if err != nil {
					b.Fatal(err)
				}
				defer v.Close()
				benchStep(b, v, acts)
			})
		}
	}
}

func benchStep(b *testing.B, v Env, acts [][]arc.Action) {
	b.Helper()
	n := v.Metadata().NumEnvs
	if _, err := v.Reset(b.Context(), env.ResetOptions{}); err != nil {
		b.Fatal(err)
	}
	ctx := b.Context()
	b.SetBytes(int64(n * arc.FrameCells))
	b.ReportAllocs()
	s := 0
	for b.Loop() {
		bt, err := v.Step(ctx, acts[s&63])
		if err != nil {
			b.Fatal(err)
		}
		if bt.Failed() {
			b.Fatal(bt.Err())
		}
		s++
	}
	b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "steps/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/env-step")
}

// burnEnv spends a fixed amount of CPU on every step, standing in for a
// heavier game.
type burnEnv struct {
	env.Env
	work int
	sink uint64
}

func (e *burnEnv) Step(ctx context.Context, a arc.Action) (env.Step, error) {
	st, err := e.Env.Step(ctx, a)
	h := e.sink
	for range e.work {
		for _, c := range st.Obs.Grid.Data {
			h = h*31 + uint64(c)
		}
	}
	e.sink = h
	return st, err
}

// BenchmarkWorkers steps 64 local games on one and on two workers.
func BenchmarkWorkers(b *testing.B) {
	const n = 64
	acts := benchActions(n)
	games := []struct {
		name string
		f    Factory
	}{
		{"kw01", Make("kw01", env.Config{})},
		{"burn", func(_ context.Context, i int) (env.Env, error) {
			g, err := env.New(envtest.NewFake(envtest.FakeConfig{}), env.Config{})
			return &burnEnv{Env: g, work: 8}, err
		}},
	}
	// The baseline: the burn work of n env-steps split over w plain
	// goroutines, what the machine gives at best.
	for _, w := range []int{1, 2} {
		b.Run(fmt.Sprintf("plain/workers=%d", w), func(b *testing.B) {
			grid := make([]uint8, arc.FrameCells)
			sinks := make([]uint64, w)
			for b.Loop() {
				var wg sync.WaitGroup
				for g := range w {
					wg.Go(func() {
						h := sinks[g]
						for range n / w * 8 {
							for _, c := range grid {
								h = h*31 + uint64(c)
							}
						}
						sinks[g] = h
					})
				}
				wg.Wait()
			}
			b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "steps/s")
		})
	}
	for _, g := range games {
		for _, w := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/workers=%d", g.name, w), func(b *testing.B) {
				v, err := NewAsync(b.Context(), n, g.f, Config{Workers: w})
				if err != nil {
					b.Fatal(err)
				}
				defer v.Close()
				benchStep(b, v, kwActions(g.name, acts))
			})
		}
	}
}

// kwActions maps the paint actions to keyway's moves (it offers ACTION1-4).
func kwActions(game string, acts [][]arc.Action) [][]arc.Action {
	if game != "kw01" {
		return acts
	}
	out := make([][]arc.Action, len(acts))
	for s, row := range acts {
		out[s] = make([]arc.Action, len(row))
		for i := range row {
			out[s][i] = arc.Simple(arc.ActionID(1 + (s+i)%4))
		}
	}
	return out
}

// BenchmarkLatency steps 64 games that each take 20 ms per command, as
// remote games do: the ideal is 64/0.02 = 3200 steps/s.
func BenchmarkLatency(b *testing.B) {
	const n = 64
	acts := benchActions(n)
	f := sameFakes(envtest.FakeConfig{Latency: 20 * time.Millisecond})
	b.Run("step", func(b *testing.B) {
		v, err := NewAsync(b.Context(), n, f, Config{})
		if err != nil {
			b.Fatal(err)
		}
		defer v.Close()
		benchStep(b, v, acts)
	})
	b.Run("recv32", func(b *testing.B) {
		v, err := NewAsync(b.Context(), n, f, Config{BatchSize: 32})
		if err != nil {
			b.Fatal(err)
		}
		defer v.Close()
		benchSendRecv(b, v, acts)
	})
}

// BenchmarkSendRecv steps 64 local games through Send and Recv in batches
// of 16 on one and on two workers.
func BenchmarkSendRecv(b *testing.B) {
	const n, batch = 64, 16
	acts := kwActions("kw01", benchActions(n))
	for _, w := range []int{1, 2} {
		b.Run(fmt.Sprintf("kw01/workers=%d", w), func(b *testing.B) {
			v, err := NewAsync(b.Context(), n, Make("kw01", env.Config{}), Config{Workers: w, BatchSize: batch})
			if err != nil {
				b.Fatal(err)
			}
			defer v.Close()
			benchSendRecv(b, v, acts)
		})
	}
}

// benchSendRecv resets every sub-environment of v, then receives batches
// and sends each batch's sub-environments their next actions.
func benchSendRecv(b *testing.B, v *Async, acts [][]arc.Action) {
	b.Helper()
	ctx := b.Context()
	if err := v.SendReset(ctx, nil, env.ResetOptions{}); err != nil {
		b.Fatal(err)
	}
	batch := v.Metadata().BatchSize
	b.SetBytes(int64(batch * arc.FrameCells))
	b.ReportAllocs()
	s := 0
	for b.Loop() {
		bt, err := v.Recv(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if bt.Failed() {
			b.Fatal(bt.Err())
		}
		if err := v.Send(ctx, bt.EnvIDs, acts[s&63][:bt.Len()]); err != nil {
			b.Fatal(err)
		}
		s++
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "steps/s")
}

// BenchmarkScale measures the throughput of Sync and Async (one worker per
// core) over 64 and 1,024 local games, beside the same games stepped by
// hand (hand); one op is one step of all n envs, and ns/env-step is the
// figure to compare across n: at 1,024 the games' memory no longer fits the
// caches. benchmarks/vector checks the ratios.
func BenchmarkScale(b *testing.B) {
	for _, game := range []string{"gl02", "kw01"} {
		for _, n := range []int{64, 1024} {
			acts := kwActions("kw01", benchActions(n)) // moves, which both games take
			b.Run(fmt.Sprintf("%s/n=%d/hand", game, n), func(b *testing.B) {
				benchHand(b, Make(game, env.Config{}), n, acts)
			})
			for _, k := range []struct {
				name string
				make func() (Env, error)
			}{
				{"sync", func() (Env, error) { return NewSync(b.Context(), n, Make(game, env.Config{}), Config{}) }},
				{"async", func() (Env, error) {
					return NewAsync(b.Context(), n, Make(game, env.Config{}), Config{Workers: runtime.GOMAXPROCS(0)})
				}},
			} {
				b.Run(fmt.Sprintf("%s/n=%d/%s", game, n, k.name), func(b *testing.B) {
					v, err := k.make()
					if err != nil {
						b.Fatal(err)
					}
					defer v.Close()
					benchStep(b, v, acts)
				})
			}
		}
	}
}

// benchHand steps n envs from f by hand, resetting an ended episode in
// place of its next step as NextStep autoreset does.
func benchHand(b *testing.B, f Factory, n int, acts [][]arc.Action) {
	b.Helper()
	ctx := b.Context()
	envs := make([]env.Env, n)
	ended := make([]bool, n)
	for i := range envs {
		e, err := f(b.Context(), i)
		if err != nil {
			b.Fatal(err)
		}
		defer e.Close()
		if _, _, err := e.Reset(ctx, env.ResetOptions{}); err != nil {
			b.Fatal(err)
		}
		envs[i] = e
	}
	b.SetBytes(int64(n * arc.FrameCells))
	b.ReportAllocs()
	s := 0
	for b.Loop() {
		for i, e := range envs {
			if ended[i] {
				if _, _, err := e.Reset(ctx, env.ResetOptions{}); err != nil {
					b.Fatal(err)
				}
				ended[i] = false
				continue
			}
			st, err := e.Step(ctx, acts[s&63][i])
			if err != nil {
				b.Fatal(err)
			}
			ended[i] = st.Done()
		}
		s++
	}
	b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "steps/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/env-step")
}

// BenchmarkVectorWrappers steps 64 local games in a Sync vector env, plain
// and under the frame stack, masks and episode statistics a training loop
// uses: the cost of the vector wrappers per step, which allocate nothing.
func BenchmarkVectorWrappers(b *testing.B) {
	const n = 64
	for _, tc := range []struct {
		name string
		wrap []Wrapper
	}{
		{"plain", nil},
		{"stack2+masks+episodes", []Wrapper{FrameStackConfig{Depth: 2}, MasksConfig{}, EpisodeStatsConfig{}}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			v, err := New(b.Context(), Spec{NumEnvs: n, Make: Make("kw01", env.Config{}), Config: Config{Autoreset: SameStep}, Vector: tc.wrap})
			if err != nil {
				b.Fatal(err)
			}
			defer v.Close()
			if _, err := v.Reset(b.Context(), env.WithSeed(1)); err != nil {
				b.Fatal(err)
			}
			acts := make([]arc.Action, n)
			for i := range acts {
				acts[i] = arc.Simple(arc.Action1 + arc.ActionID(i%4))
			}
			b.SetBytes(n * arc.FrameCells)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.Step(b.Context(), acts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
