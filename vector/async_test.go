package vector

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/env/envtest"
	"github.com/arcgym/arcgym/spaces"
	"github.com/arcgym/arcgym/wrappers"
)

// latencies gives sub-environment i the latency lat[i].
func latencies(lat ...time.Duration) Factory {
	return fakes(func(i int) envtest.FakeConfig { return envtest.FakeConfig{Latency: lat[i]} })
}

func newAsync(t *testing.T, n int, f Factory, cfg Config) *Async {
	t.Helper()
	checkNoLeak(t)
	a, err := NewAsync(n, f, cfg)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, a.Close()) })
	return a
}

func TestRecvOrderOfCompletion(t *testing.T) {
	ms := time.Millisecond
	a := newAsync(t, 4, latencies(600*ms, 0, 400*ms, 200*ms), Config{BatchSize: 2})
	assert.Equal(t, 2, a.Metadata().BatchSize)
	require.NoError(t, a.SendReset(t.Context(), nil, env.WithSeed(20)))
	assert.Equal(t, 4, a.InFlight())

	b, err := a.Recv(t.Context())
	require.NoError(t, err)
	assert.Equal(t, []int{1, 3}, b.EnvIDs, "the fastest come first")
	assert.Equal(t, []int{2, arc.GridSize, arc.GridSize}, b.Obs.Shape)
	for r, id := range b.EnvIDs {
		assert.Equal(t, newReference(t, envtest.FakeConfig{}, 20+int64(id)).grid(), row(b.Obs, r), "row %d holds env %d", r, id)
		assert.True(t, b.First[r])
	}

	b, err = a.Recv(t.Context())
	require.NoError(t, err)
	assert.Equal(t, []int{2, 0}, b.EnvIDs)
	assert.Equal(t, 0, a.InFlight())
}

func TestSlowEnvDoesNotStallBatches(t *testing.T) {
	lat := []time.Duration{5 * time.Second}
	for range 7 {
		lat = append(lat, 2*time.Millisecond)
	}
	a := newAsync(t, 8, latencies(lat...), Config{BatchSize: 4})
	require.NoError(t, a.SendReset(t.Context(), nil, env.ResetOptions{}))
	start := time.Now()
	seen := 0
	for range 10 {
		b, err := a.Recv(t.Context())
		require.NoError(t, err)
		require.NoError(t, b.Err())
		require.NotContains(t, b.EnvIDs, 0, "the slow env is still running")
		seen += b.Len()
		require.NoError(t, a.Send(t.Context(), b.EnvIDs, repeat(arc.Click(5, 5), b.Len())))
	}
	assert.Less(t, time.Since(start), time.Second, "10 batches of fast envs while the slow one runs")
	assert.Equal(t, 40, seen)
}

func TestSendRecvMisuse(t *testing.T) {
	a := newAsync(t, 3, sameFakes(envtest.FakeConfig{Latency: 20 * time.Millisecond}), Config{BatchSize: 2})
	ctx := t.Context()
	_, err := a.Recv(ctx)
	assert.ErrorIs(t, err, ErrNotEnough, "nothing in flight")

	require.NoError(t, a.SendReset(ctx, []int{0}, env.ResetOptions{}))
	_, err = a.Recv(ctx)
	assert.ErrorIs(t, err, ErrNotEnough, "one in flight, batch of two")
	assert.ErrorIs(t, a.SendReset(ctx, []int{0}, env.ResetOptions{}), ErrBusy, "already in flight")
	assert.ErrorIs(t, a.SendReset(ctx, []int{1, 1}, env.ResetOptions{}), ErrBusy, "twice in one call")
	assert.Error(t, a.SendReset(ctx, []int{3}, env.ResetOptions{}), "out of range")
	assert.Equal(t, 1, a.InFlight(), "failed sends leave nothing behind")
	assert.Error(t, a.Send(ctx, []int{1}, nil), "ids and actions differ in length")
	_, err = a.Step(ctx, repeat(arc.Simple(arc.Action3), 3))
	assert.ErrorIs(t, err, ErrBusy, "Step needs every env idle")
	_, err = a.Reset(ctx, env.ResetOptions{})
	assert.ErrorIs(t, err, ErrBusy)
	assert.ErrorIs(t, a.Replace(0, nil), ErrBusy)

	require.NoError(t, a.SendReset(ctx, []int{2}, env.ResetOptions{}))
	b, err := a.Recv(ctx)
	require.NoError(t, err)
	assert.ElementsMatch(t, []int{0, 2}, b.EnvIDs)
}

func TestRecvContextKeepsFinished(t *testing.T) {
	ms := time.Millisecond
	// Env 1 takes long enough that even a loaded machine cannot finish it
	// within the cancelled Recv.
	a := newAsync(t, 2, latencies(0, 400*ms), Config{})
	require.NoError(t, a.SendReset(t.Context(), nil, env.ResetOptions{}))
	ctx, cancel := context.WithTimeout(t.Context(), 30*ms)
	defer cancel()
	_, err := a.Recv(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	b, err := a.Recv(t.Context())
	require.NoError(t, err)
	assert.Equal(t, []int{0, 1}, b.EnvIDs, "env 0, finished during the cancelled Recv, is not lost")
}

func TestDeadline(t *testing.T) {
	ms := time.Millisecond
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			checkNoLeak(t)
			v := newVec(t, k, 3, latencies(0, 500*ms, 0), Config{Timeout: 40 * ms})
			start := time.Now()
			b, err := v.Reset(t.Context(), env.ResetOptions{})
			require.NoError(t, err)
			assert.Less(t, time.Since(start), 400*ms, "the slow env was cut off")
			assert.NoError(t, b.Errs[0])
			assert.NoError(t, b.Errs[2])
			require.Error(t, b.Errs[1])
			assert.ErrorIs(t, b.Errs[1], ErrDeadline)
			assert.ErrorIs(t, b.Errs[1], context.DeadlineExceeded)
			var ee *EnvError
			require.ErrorAs(t, b.Errs[1], &ee)
			assert.Equal(t, 1, ee.Env)
			assert.Equal(t, "reset", ee.Op)
			assert.Equal(t, 40*ms, v.Metadata().Timeout)
		})
	}
}

func TestAsyncDeadlineOnRecv(t *testing.T) {
	ms := time.Millisecond
	a := newAsync(t, 2, latencies(0, 300*ms), Config{Timeout: 30 * ms})
	require.NoError(t, a.SendReset(t.Context(), nil, env.ResetOptions{}))
	b, err := a.Recv(t.Context())
	require.NoError(t, err)
	assert.Equal(t, []int{0, 1}, b.EnvIDs)
	assert.NoError(t, b.Errs[0])
	assert.ErrorIs(t, b.Errs[1], ErrDeadline)
}

// A failing sub-environment reports its error in its row and leaves the
// others running; replacing it brings it back.
func TestErrorIsolationAndRemake(t *testing.T) {
	boom := errors.New("connection reset")
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			var made atomic.Int32
			f := func(i int) (env.Env, error) {
				cfg := envtest.FakeConfig{}
				if i == 1 && made.Add(1) == 1 {
					// The first env 1 fails from its third command on.
					cfg.Fail = func(n int, _ arc.Action) error {
						if n >= 3 {
							return boom
						}
						return nil
					}
				}
				return env.New(envtest.NewFake(cfg))
			}
			v := newVec(t, k, 3, f, Config{})
			_, err := v.Reset(t.Context(), env.WithSeed(1))
			require.NoError(t, err)
			acts := repeat(arc.Click(7, 7), 3)
			b, err := v.Step(t.Context(), acts)
			require.NoError(t, err)
			require.NoError(t, b.Err())

			b, err = v.Step(t.Context(), acts)
			require.NoError(t, err, "a failed env does not fail the call")
			assert.True(t, b.Failed())
			assert.NoError(t, b.Errs[0])
			assert.NoError(t, b.Errs[2])
			assert.ErrorIs(t, b.Errs[1], boom)
			assert.ErrorIs(t, b.Err(), boom)
			assert.Zero(t, b.Rewards[1])

			b, err = v.Step(t.Context(), acts)
			require.NoError(t, err)
			assert.ErrorIs(t, b.Errs[1], boom, "still failing")
			assert.NoError(t, b.Errs[0])

			switch v := v.(type) {
			case *Sync:
				require.NoError(t, v.Remake(1))
			case *Async:
				require.NoError(t, v.Remake(1))
			}
			b, err = v.Step(t.Context(), acts)
			require.NoError(t, err)
			require.NoError(t, b.Err())
			assert.Equal(t, []bool{false, true, false}, b.First, "the new env is reset by the next step")
		})
	}
}

func TestReplaceChecksShape(t *testing.T) {
	v, err := NewSync(2, sameFakes(envtest.FakeConfig{}), Config{})
	require.NoError(t, err)
	defer v.Close()
	assert.Error(t, v.Replace(2, nil))
	assert.Error(t, v.Replace(0, nil))
	g, err := env.New(envtest.NewFake(envtest.FakeConfig{}))
	require.NoError(t, err)
	assert.ErrorIs(t, v.Replace(0, shapeEnv{g}), ErrShape)
	require.NoError(t, v.Replace(1, g))
	assert.Same(t, g, v.Sub(1))
}

// shapeEnv claims an observation shape other than the Game's.
type shapeEnv struct{ env.Env }

func (shapeEnv) ObservationSpace() spaces.Space { return spaces.NewBox(0, 15, "uint8", 32, 32) }

func TestDeterministicWithSeeds(t *testing.T) {
	run := func(k kind, seed int64) [][]uint8 {
		v := newVec(t, k, 4, sameFakes(envtest.FakeConfig{Budget: 5}), Config{Autoreset: NextStep})
		b, err := v.Reset(t.Context(), env.WithSeed(seed))
		require.NoError(t, err)
		var out [][]uint8
		out = append(out, slices.Clone(b.Obs.Data))
		acts := make([]arc.Action, 4)
		for s := range 12 {
			for i := range acts {
				acts[i] = arc.Click((s*5+i*3)%64, (s*11+i)%64)
				if (s+i)%4 == 0 {
					acts[i] = arc.Simple(arc.Action3)
				}
			}
			b, err := v.Step(t.Context(), acts)
			require.NoError(t, err)
			require.NoError(t, b.Err())
			out = append(out, slices.Clone(b.Obs.Data))
		}
		return out
	}
	want := run(kinds[0], 42)
	for _, k := range kinds {
		assert.Equal(t, want, run(k, 42), "%s repeats the sync run", k.name)
	}
	assert.NotEqual(t, want, run(kinds[0], 43), "another seed gives other frames")
}

func TestCloseCancelsAndStopsWorkers(t *testing.T) {
	checkNoLeak(t)
	a, err := NewAsync(4, sameFakes(envtest.FakeConfig{Latency: 10 * time.Second}), Config{})
	require.NoError(t, err)
	require.NoError(t, a.SendReset(t.Context(), nil, env.ResetOptions{}))
	time.Sleep(10 * time.Millisecond)
	start := time.Now()
	require.NoError(t, a.Close())
	assert.Less(t, time.Since(start), 2*time.Second, "Close cancels running commands")
	require.NoError(t, a.Close(), "Close twice")
	_, err = a.Recv(t.Context())
	assert.ErrorIs(t, err, env.ErrClosed)
	assert.ErrorIs(t, a.Send(t.Context(), nil, repeat(arc.Simple(arc.Action3), 4)), env.ErrClosed)
	_, err = a.Step(t.Context(), repeat(arc.Simple(arc.Action3), 4))
	assert.ErrorIs(t, err, env.ErrClosed)
}

func TestCloseWhileRecvWaits(t *testing.T) {
	checkNoLeak(t)
	a, err := NewAsync(2, sameFakes(envtest.FakeConfig{Latency: 10 * time.Second}), Config{})
	require.NoError(t, err)
	require.NoError(t, a.SendReset(t.Context(), nil, env.ResetOptions{}))
	errc := make(chan error, 1)
	go func() {
		_, err := a.Recv(t.Context())
		errc <- err
	}()
	time.Sleep(10 * time.Millisecond)
	require.NoError(t, a.Close())
	assert.ErrorIs(t, <-errc, env.ErrClosed)
}

func TestStepContextCancelled(t *testing.T) {
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			checkNoLeak(t)
			v := newVec(t, k, 2, sameFakes(envtest.FakeConfig{}), Config{})
			_, err := v.Reset(t.Context(), env.ResetOptions{})
			require.NoError(t, err)
			ctx, cancel := context.WithCancel(t.Context())
			cancel()
			b, err := v.Step(ctx, repeat(arc.Simple(arc.Action3), 2))
			assert.ErrorIs(t, err, context.Canceled)
			require.NotNil(t, b)
			assert.ErrorIs(t, b.Errs[0], context.Canceled)
			b, err = v.Step(t.Context(), repeat(arc.Simple(arc.Action3), 2))
			require.NoError(t, err)
			assert.NoError(t, b.Err(), "a new context works again")
		})
	}
}

func TestRecvBatchesCopyRows(t *testing.T) {
	f := func(int) (env.Env, error) {
		g, err := env.New(envtest.NewFake(envtest.FakeConfig{Levels: 1}))
		if err != nil {
			return nil, err
		}
		return newFloatEnv(g), nil
	}
	a := newAsync(t, 4, f, Config{BatchSize: 2, Autoreset: SameStep})
	require.NoError(t, a.SendReset(t.Context(), nil, env.WithSeed(5)))
	// Receive every reset before sending, so that which rows win does not
	// depend on the order of completion.
	for range 2 {
		b, err := a.Recv(t.Context())
		require.NoError(t, err)
		require.NoError(t, b.Err())
		assert.Equal(t, []int{2, arc.GridSize, arc.GridSize}, b.Float.Shape)
	}
	win, click := arc.Simple(arc.Action1), arc.Click(1, 1)
	require.NoError(t, a.Send(t.Context(), nil, []arc.Action{win, click, win, click}))
	finals := 0
	for range 2 {
		b, err := a.Recv(t.Context())
		require.NoError(t, err)
		require.NoError(t, b.Err())
		for r := range b.Len() {
			for i, c := range row(b.Obs, r) {
				require.InDelta(t, float32(c)/15, b.Float.Data[r*arc.FrameCells+i], 1e-6)
			}
			frames := b.Infos[r].Frames
			require.Equal(t, []int{len(frames.Data) / arc.FrameCells, 64, 64}, frames.Shape)
			require.Equal(t, row(b.Obs, r), frames.Data[len(frames.Data)-arc.FrameCells:], "the last frame is the observation")
			if !b.HasFinal[r] {
				continue
			}
			ff := b.FinalInfos[r].Frames.Data
			require.Equal(t, row(b.FinalObs, r), ff[len(ff)-arc.FrameCells:])
			finals++
			assert.Equal(t, arc.Win, b.FinalInfos[r].State)
			assert.Equal(t, arc.NotFinished, b.Infos[r].State)
			for i, c := range row(b.FinalObs, r) {
				require.InDelta(t, float32(c)/15, b.FinalFloat.Data[r*arc.FrameCells+i], 1e-6)
			}
		}
	}
	assert.Equal(t, 2, finals, "the two ACTION1 rows won and were reset")
}

// Close during a Step cancels its commands and waits for them, including
// those the calling goroutine runs itself, before closing the
// sub-environments.
func TestCloseDuringStep(t *testing.T) {
	for _, workers := range []int{1, 2, 0} {
		t.Run(fmt.Sprintf("workers=%d", workers), func(t *testing.T) {
			checkNoLeak(t)
			a, err := NewAsync(4, sameFakes(envtest.FakeConfig{}), Config{Workers: workers})
			require.NoError(t, err)
			_, err = a.Reset(t.Context(), env.ResetOptions{})
			require.NoError(t, err)
			// Every sub-environment now takes 10 s per command unless
			// cancelled.
			var closedBusy atomic.Int32
			for i := range 4 {
				g, err := env.New(envtest.NewFake(envtest.FakeConfig{Latency: 10 * time.Second}))
				require.NoError(t, err)
				require.NoError(t, a.Replace(i, &busyEnv{Env: g, closedBusy: &closedBusy}))
			}
			errc := make(chan error, 1)
			go func() {
				_, err := a.Step(t.Context(), repeat(arc.Simple(arc.Action3), 4))
				errc <- err
			}()
			time.Sleep(20 * time.Millisecond)
			start := time.Now()
			require.NoError(t, a.Close())
			assert.Less(t, time.Since(start), 2*time.Second, "Close cancels the running Step")
			select {
			case err := <-errc:
				if err != nil {
					assert.ErrorIs(t, err, env.ErrClosed)
				}
			case <-time.After(2 * time.Second):
				t.Fatal("Step did not return after Close")
			}
			assert.Zero(t, closedBusy.Load(), "no sub-environment is closed while it runs a command")
		})
	}
}

// busyEnv counts the Close calls that arrive while a command runs.
type busyEnv struct {
	env.Env
	busy       atomic.Int32
	closedBusy *atomic.Int32
}

func (e *busyEnv) Reset(ctx context.Context, opts env.ResetOptions) (env.Obs, env.Info, error) {
	e.busy.Add(1)
	defer e.busy.Add(-1)
	obs, info, err := e.Env.Reset(ctx, opts)
	// A command that ignores cancellation a little longer than the
	// others, as a network call finishing may.
	time.Sleep(20 * time.Millisecond)
	return obs, info, err
}

func (e *busyEnv) Step(ctx context.Context, a arc.Action) (env.Step, error) {
	e.busy.Add(1)
	defer e.busy.Add(-1)
	st, err := e.Env.Step(ctx, a)
	time.Sleep(20 * time.Millisecond)
	return st, err
}

func (e *busyEnv) Close() error {
	if e.busy.Load() > 0 {
		e.closedBusy.Add(1)
	}
	return e.Env.Close()
}

// Step splits the sub-environments into chunks that the caller and the
// workers take; every sub-environment must run exactly once per call,
// whatever the split, and a ResetMask only the masked ones.
func TestAsyncRunsEachEnvOnce(t *testing.T) {
	for _, tc := range []struct{ n, workers int }{{1, 2}, {5, 2}, {37, 2}, {37, 3}, {64, 2}, {7, 0}} {
		t.Run(fmt.Sprintf("n=%d/workers=%d", tc.n, tc.workers), func(t *testing.T) {
			fks := make([]*envtest.Fake, tc.n)
			f := func(i int) (env.Env, error) {
				fks[i] = envtest.NewFake(envtest.FakeConfig{})
				return env.New(fks[i])
			}
			a := newAsync(t, tc.n, f, Config{Workers: tc.workers})
			_, err := a.Reset(t.Context(), env.ResetOptions{})
			require.NoError(t, err)
			for s := range 30 {
				b, err := a.Step(t.Context(), repeat(arc.Click(s%64, 1), tc.n))
				require.NoError(t, err)
				require.NoError(t, b.Err())
				for r := range tc.n {
					require.Equal(t, s+1, b.Infos[r].EpisodeSteps, "row %d after step %d", r, s)
				}
			}
			mask := make([]bool, tc.n)
			for i := range mask {
				mask[i] = i%3 == 0
			}
			_, err = a.ResetMask(t.Context(), mask, env.ResetOptions{})
			require.NoError(t, err)
			for i, fk := range fks {
				want := 1
				if mask[i] {
					want = 3 // a game reset after actions sends two RESETs
				}
				assert.Equal(t, want, fk.Resets(), "env %d", i)
				assert.Equal(t, 30, fk.Actions(), "env %d", i)
			}
		})
	}
}

// The chunks of a call cover every position once, in order, whatever their
// layout; spread over enough workers, waiting sub-environments get a chunk
// each.
func TestChunkBounds(t *testing.T) {
	for _, cpu := range []bool{true, false} {
		for _, m := range []int{1, 2, 7, 64, 1000} {
			for _, n := range []int{1, 2, 3, 8, 16, 64} {
				if n > m {
					continue
				}
				a := &Async{runIDs: make([]int, m), nChunks: n, cpuBound: cpu}
				require.Zero(t, a.bound(0))
				require.Equal(t, m, a.bound(n), "cpu=%v m=%d n=%d", cpu, m, n)
				for k := range n {
					require.LessOrEqual(t, a.bound(k), a.bound(k+1), "cpu=%v m=%d n=%d k=%d", cpu, m, n, k)
					if !cpu && n == m {
						require.Equal(t, 1, a.bound(k+1)-a.bound(k))
					}
				}
				if cpu && n >= 4 && m >= 4*n {
					assert.Less(t, a.bound(n/2+1)-a.bound(n/2), a.bound(1)-a.bound(0), "middle chunks are the small ones")
				}
			}
		}
	}
}

// blockingFake is a fake backend that says its commands wait on another
// process, as real games and remote sessions do.
type blockingFake struct{ *envtest.Fake }

func (blockingFake) Blocking() bool { return true }

func TestAsyncDoesNotSpinForBlockingBackends(t *testing.T) {
	for _, tc := range []struct {
		name     string
		blocking bool
		wrap     bool
	}{
		{"local", false, false},
		{"blocking", true, false},
		{"blocking under a wrapper", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := func(int) (env.Env, error) {
				var b env.Backend = envtest.NewFake(envtest.FakeConfig{})
				if tc.blocking {
					b = blockingFake{envtest.NewFake(envtest.FakeConfig{})}
				}
				g, err := env.New(b)
				if err != nil || !tc.wrap {
					return g, err
				}
				return wrappers.NewTimeLimit(g, 10, wrappers.TimeLimitConfig{})
			}
			a, err := NewAsync(1, f, Config{Workers: 1})
			require.NoError(t, err)
			defer a.Close()
			assert.Equal(t, !tc.blocking, a.cpuBound)
		})
	}
}

// goroutineID is the id of the calling goroutine, from its stack header.
func goroutineID() string {
	var buf [64]byte
	f := strings.Fields(string(buf[:runtime.Stack(buf[:], false)]))
	return f[1]
}

func TestSendKeepsEachEnvOnOneWorker(t *testing.T) {
	// Commands sent one at a time never need another worker: each
	// sub-environment's run on the worker that owns it, every time.
	const n, workers = 3, 2
	var mu sync.Mutex
	ran := make([]map[string]bool, n)
	f := func(i int) (env.Env, error) {
		ran[i] = map[string]bool{}
		return env.New(blockingFake{envtest.NewFake(envtest.FakeConfig{Fail: func(int, arc.Action) error {
			mu.Lock()
			ran[i][goroutineID()] = true
			mu.Unlock()
			return nil
		}})})
	}
	a := newAsync(t, n, f, Config{Workers: workers, BatchSize: 1})
	ctx := t.Context()
	for round := range 10 {
		for i := range n {
			if round == 0 {
				require.NoError(t, a.SendReset(ctx, []int{i}, env.ResetOptions{}))
			} else {
				require.NoError(t, a.Send(ctx, []int{i}, []arc.Action{arc.Simple(arc.Action3)}))
			}
			b, err := a.Recv(ctx)
			require.NoError(t, err)
			require.NoError(t, b.Err())
		}
	}
	mu.Lock()
	defer mu.Unlock()
	for i := range n {
		assert.Len(t, ran[i], 1, "env %d ran on one goroutine", i)
	}
	assert.NotEqual(t, ran[0], ran[1], "envs 0 and 1 have workers of their own")
	assert.Equal(t, ran[0], ran[2], "envs 0 and 2 share a worker")
}

func TestSendIdleWorkerTakesQueuedCommands(t *testing.T) {
	// Envs 0 and 2 belong to the same worker; while it runs one, the other
	// worker must take the other rather than idle.
	synctest.Test(t, func(t *testing.T) {
		const n = 4
		var started atomic.Int32
		gate := make(chan struct{})
		f := func(int) (env.Env, error) {
			return env.New(blockingFake{envtest.NewFake(envtest.FakeConfig{Fail: func(int, arc.Action) error {
				started.Add(1)
				<-gate
				return nil
			}})})
		}
		a, err := NewAsync(n, f, Config{Workers: 2, BatchSize: 2})
		require.NoError(t, err)
		defer a.Close()
		require.NoError(t, a.SendReset(t.Context(), []int{0, 2}, env.ResetOptions{}))
		synctest.Wait()
		assert.Equal(t, int32(2), started.Load(), "both commands run at once")
		close(gate)
		b, err := a.Recv(t.Context())
		require.NoError(t, err)
		assert.ElementsMatch(t, []int{0, 2}, b.EnvIDs)
	})
}
