package vector

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/env/envtest"
	"github.com/arcgym/arcgym/tensor"
)

// fakes returns a Factory of Games over fakes configured per index.
func fakes(cfg func(i int) envtest.FakeConfig) Factory {
	return func(_ context.Context, i int) (env.Env, error) { return env.New(envtest.NewFake(cfg(i)), env.Config{}) }
}

// sameFakes returns a Factory of identical fakes.
func sameFakes(cfg envtest.FakeConfig) Factory {
	return fakes(func(int) envtest.FakeConfig { return cfg })
}

// kind names a vector env implementation for table-driven tests.
type kind struct {
	name string
	make func(n int, f Factory, cfg Config) (Env, error)
}

var kinds = []kind{
	{"sync", func(n int, f Factory, cfg Config) (Env, error) { return NewSync(context.Background(), n, f, cfg) }},
	{"async", func(n int, f Factory, cfg Config) (Env, error) { return NewAsync(context.Background(), n, f, cfg) }},
	{"async-1worker", func(n int, f Factory, cfg Config) (Env, error) {
		cfg.Workers = 1
		return NewAsync(context.Background(), n, f, cfg)
	}},
}

func newVec(t *testing.T, k kind, n int, f Factory, cfg Config) Env {
	t.Helper()
	v, err := k.make(n, f, cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = v.Close() })
	return v
}

// reference drives one raw Game over a fake, the baseline the vector rows
// are compared with.
type reference struct {
	g *env.Game
}

func newReference(t *testing.T, cfg envtest.FakeConfig, seed int64) *reference {
	t.Helper()
	g, err := env.New(envtest.NewFake(cfg), env.Config{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = g.Close() })
	_, _, err = g.Reset(t.Context(), env.WithSeed(seed))
	require.NoError(t, err)
	return &reference{g: g}
}

// grid returns a copy of the current observation.
func (r *reference) grid() []uint8 { return append([]uint8(nil), r.g.Last().Last()...) }

func (r *reference) step(t *testing.T, a arc.Action) env.Step {
	t.Helper()
	st, err := r.g.Step(t.Context(), a)
	require.NoError(t, err)
	return st
}

func (r *reference) reset(t *testing.T) {
	t.Helper()
	_, _, err := r.g.Reset(t.Context(), env.ResetOptions{})
	require.NoError(t, err)
}

// row returns row r of a batched tensor.
func row(t tensor.U8, r int) []uint8 { return t.Index(r).Data }

// repeat returns n copies of a.
func repeat(a arc.Action, n int) []arc.Action {
	out := make([]arc.Action, n)
	for i := range out {
		out[i] = a
	}
	return out
}

// checkNoLeak fails the test when goroutines started during it outlive it.
// It runs after the test's other cleanups, which close the vector envs;
// Close returns once their goroutines have finished their work, but a
// goroutine that has finished still counts until the scheduler lets it
// exit. The wait below only gives such goroutines that chance: it times
// nothing of the code under test, and its bound (a minute, for a machine
// that holds a thread back for long) is reached only by a real leak. Tests
// in synctest bubbles leave this to synctest.Test.
func checkNoLeak(t *testing.T) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(time.Minute)
		for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
			runtime.Gosched()
			time.Sleep(time.Millisecond)
		}
		if n := runtime.NumGoroutine(); n > before {
			buf := make([]byte, 1<<16)
			t.Errorf("goroutines leaked: %d before, %d after\n%s", before, n, buf[:runtime.Stack(buf, true)])
		}
	})
}

// floatEnv fills Obs.Float with the grid scaled to 0..1, standing in for an
// encoding wrapper.
type floatEnv struct {
	env.Env
	f tensor.F32
}

func newFloatEnv(e env.Env) *floatEnv {
	return &floatEnv{Env: e, f: tensor.New[float32](arc.GridSize, arc.GridSize)}
}

func (e *floatEnv) fill(o env.Obs) env.Obs {
	for i, c := range o.Grid.Data {
		e.f.Data[i] = float32(c) / (arc.NumColors - 1)
	}
	o.Float = e.f
	return o
}

func (e *floatEnv) Reset(ctx context.Context, opts env.ResetOptions) (env.Obs, env.Info, error) {
	o, info, err := e.Env.Reset(ctx, opts)
	if err != nil {
		return o, info, err
	}
	return e.fill(o), info, nil
}

func (e *floatEnv) Step(ctx context.Context, a arc.Action) (env.Step, error) {
	st, err := e.Env.Step(ctx, a)
	if err != nil {
		return st, err
	}
	st.Obs = e.fill(st.Obs)
	return st, nil
}
