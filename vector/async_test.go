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

// latencies gives sub-environment i the latency lat[i], over blocking fakes
// so that an Async over them can run in a synctest bubble.
func latencies(lat ...time.Duration) Factory {
	return blockingFakes(func(i int) envtest.FakeConfig { return envtest.FakeConfig{Latency: lat[i]} })
}

func newAsync(t *testing.T, n int, f Factory, cfg Config) *Async {
	t.Helper()
	checkNoLeak(t)
	a, err := NewAsync(t.Context(), n, f, cfg)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, a.Close()) })
	return a
}

// newBubbleAsync is newAsync for a test in a synctest bubble. It leaves out
// checkNoLeak, whose deadline the bubble's clock reaches at once, so that it
// would not wait for goroutines outside the bubble to wind down; there,
// synctest.Test fails the test itself if goroutines of the bubble are left
// blocked, on a channel or on the clock, once it returns.
func newBubbleAsync(t *testing.T, n int, f Factory, cfg Config) *Async {
	t.Helper()
	a, err := NewAsync(t.Context(), n, f, cfg)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, a.Close()) })
	return a
}

// The tests of latencies run in synctest bubbles: the fake clock moves only
// when every goroutine of the bubble waits, so that which command finishes
// first is decided by the latencies alone, whatever the machine's load.

func TestRecvOrderOfCompletion(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ms := time.Millisecond
		a := newBubbleAsync(t, 4, latencies(600*ms, 0, 400*ms, 200*ms), Config{BatchSize: 2})
		assert.Equal(t, 2, a.Metadata().BatchSize)
		require.NoError(t, a.SendReset(t.Context(), nil, env.WithSeed(20)))
		assert.Equal(t, 4, a.InFlight())

		start := time.Now()
		b, err := a.Recv(t.Context())
		require.NoError(t, err)
		assert.Equal(t, []int{1, 3}, b.EnvIDs, "the fastest come first")
		assert.Equal(t, 200*ms, time.Since(start), "the batch is ready when its second env is")
		assert.Equal(t, []int{2, arc.GridSize, arc.GridSize}, b.Obs.Shape)
		for r, id := range b.EnvIDs {
			assert.Equal(t, newReference(t, envtest.FakeConfig{}, 20+int64(id)).grid(), row(b.Obs, r), "row %d holds env %d", r, id)
			assert.True(t, b.First[r])
		}

		b, err = a.Recv(t.Context())
		require.NoError(t, err)
		assert.Equal(t, []int{2, 0}, b.EnvIDs)
		assert.Equal(t, 600*ms, time.Since(start))
		assert.Equal(t, 0, a.InFlight())
	})
}

func TestSlowEnvDoesNotStallBatches(t *testing.T) {
	// The bubble's clock is fake and moves only when every goroutine
	// waits, so the time the batches take is exact, whatever the load.
	synctest.Test(t, func(t *testing.T) {
		const slow, fast = 5 * time.Second, 2 * time.Millisecond
		a := newBubbleAsync(t, 8, blockingFakes(func(i int) envtest.FakeConfig {
			if i == 0 {
				return envtest.FakeConfig{Latency: slow}
			}
			return envtest.FakeConfig{Latency: fast}
		}), Config{BatchSize: 4})
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
		// The 7 fast envs in flight all finish within fast of a Recv, so
		// that each batch waits for one command of theirs at most, and
		// none for the slow env.
		assert.LessOrEqual(t, time.Since(start), 10*fast, "10 batches of fast envs while the slow one runs")
		assert.Equal(t, 40, seen)
	})
}

func TestSendRecvMisuse(t *testing.T) {
	synctest.Test(t, testSendRecvMisuse)
}

func testSendRecvMisuse(t *testing.T) {
	ms := time.Millisecond
	a := newBubbleAsync(t, 3, latencies(20*ms, 20*ms, 20*ms), Config{BatchSize: 2})
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
	synctest.Test(t, func(t *testing.T) {
		ms := time.Millisecond
		a := newBubbleAsync(t, 2, latencies(10*ms, 400*ms), Config{})
		require.NoError(t, a.SendReset(t.Context(), nil, env.ResetOptions{}))
		ctx, cancel := context.WithTimeout(t.Context(), 30*ms)
		defer cancel()
		_, err := a.Recv(ctx)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Equal(t, 2, a.InFlight(), "env 0 finished during the cancelled Recv and waits to be received")
		b, err := a.Recv(t.Context())
		require.NoError(t, err)
		assert.Equal(t, []int{0, 1}, b.EnvIDs, "env 0 is not lost")
		require.NoError(t, b.Err())
	})
}

func TestDeadline(t *testing.T) {
	ms := time.Millisecond
	// Env 1 would take an hour to reset: only the deadline of Config.Timeout
	// ends its command, so the call returns only if the timeout cuts it
	// off. Envs 0 and 2 take 39 ms, within the timeout. The fakes block (as
	// real games and remote sessions do), so that no goroutine of an Async
	// spins and the bubble's clock moves when they all wait.
	f := func(_ context.Context, i int) (env.Env, error) {
		lat := 39 * ms
		if i == 1 {
			lat = time.Hour
		}
		g, err := env.New(blockingFake{envtest.NewFake(envtest.FakeConfig{Latency: lat})}, env.Config{})
		if err != nil {
			return nil, err
		}
		return deadlineEnv{g}, nil
	}
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				v := newVec(t, k, 3, f, Config{Timeout: 40 * ms})
				start := time.Now()
				b, err := v.Reset(t.Context(), env.ResetOptions{})
				require.NoError(t, err)
				if k.name == "async" {
					assert.LessOrEqual(t, time.Since(start), 39*ms+40*ms, "two workers, each cut off at the timeout")
				} else {
					assert.Equal(t, 39*ms+40*ms+39*ms, time.Since(start), "one env after the other, env 1 cut off")
				}
				assert.NoError(t, b.Errs[0])
				assert.NoError(t, b.Errs[2])
				require.Error(t, b.Errs[1])
				assert.NotErrorIs(t, b.Errs[1], errNoDeadline)
				assert.ErrorIs(t, b.Errs[1], ErrDeadline, "the slow env was cut off")
				assert.ErrorIs(t, b.Errs[1], context.DeadlineExceeded)
				var ee *EnvError
				require.ErrorAs(t, b.Errs[1], &ee)
				assert.Equal(t, 1, ee.Env)
				assert.Equal(t, "reset", ee.Op)
				assert.Equal(t, 40*ms, v.Metadata().Timeout)
			})
		})
	}
}

// errNoDeadline is the error of a deadlineEnv command without a deadline.
var errNoDeadline = errors.New("command without a deadline")

// deadlineEnv refuses commands whose context has no deadline, so that a
// slow env under it fails at once, rather than hang a test, when the
// vector env gives it no deadline.
type deadlineEnv struct{ env.Env }

func (e deadlineEnv) Reset(ctx context.Context, opts env.ResetOptions) (env.Obs, env.Info, error) {
	if _, ok := ctx.Deadline(); !ok {
		return env.Obs{}, env.Info{}, errNoDeadline
	}
	return e.Env.Reset(ctx, opts)
}

func (e deadlineEnv) Step(ctx context.Context, a arc.Action) (env.Step, error) {
	if _, ok := ctx.Deadline(); !ok {
		return env.Step{}, errNoDeadline
	}
	return e.Env.Step(ctx, a)
}

func TestAsyncDeadlineOnRecv(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ms := time.Millisecond
		a := newBubbleAsync(t, 2, latencies(29*ms, 300*ms), Config{Timeout: 30 * ms})
		require.NoError(t, a.SendReset(t.Context(), nil, env.ResetOptions{}))
		start := time.Now()
		b, err := a.Recv(t.Context())
		require.NoError(t, err)
		assert.Equal(t, 30*ms, time.Since(start), "cut off at the timeout")
		assert.Equal(t, []int{0, 1}, b.EnvIDs)
		assert.NoError(t, b.Errs[0], "29 ms is within the timeout")
		assert.ErrorIs(t, b.Errs[1], ErrDeadline)
	})
}

// A failing sub-environment reports its error in its row and leaves the
// others running; replacing it brings it back.
func TestErrorIsolationAndRemake(t *testing.T) {
	boom := errors.New("connection reset")
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			var made atomic.Int32
			f := func(_ context.Context, i int) (env.Env, error) {
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
				return env.New(envtest.NewFake(cfg), env.Config{})
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
				require.NoError(t, v.Remake(context.Background(), 1))
			case *Async:
				require.NoError(t, v.Remake(context.Background(), 1))
			}
			b, err = v.Step(t.Context(), acts)
			require.NoError(t, err)
			require.NoError(t, b.Err())
			assert.Equal(t, []bool{false, true, false}, b.First, "the new env is reset by the next step")
		})
	}
}

func TestReplaceChecksShape(t *testing.T) {
	v, err := NewSync(t.Context(), 2, sameFakes(envtest.FakeConfig{}), Config{})
	require.NoError(t, err)
	defer v.Close()
	assert.Error(t, v.Replace(2, nil))
	assert.Error(t, v.Replace(0, nil))
	g, err := env.New(envtest.NewFake(envtest.FakeConfig{}), env.Config{})
	require.NoError(t, err)
	assert.ErrorIs(t, v.Replace(0, shapeEnv{g}), ErrShape)
	require.NoError(t, v.Replace(1, g))
	assert.Same(t, g, v.Sub(1))
}

// shapeEnv claims an observation shape other than the Game's.
type shapeEnv struct{ env.Env }

func (shapeEnv) ObservationSpace() spaces.Space { return spaces.NewBox(0, 15, spaces.Uint8, 32, 32) }

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
	// Leaks need no check of their own in a bubble (see newBubbleAsync): a
	// worker that outlived Close would fail the test.
	synctest.Test(t, func(t *testing.T) {
		bc := newBusyCounts()
		defer bc.releaseAll()
		a, err := NewAsync(t.Context(), 4, busyEnvs(bc, blockingFakes(func(int) envtest.FakeConfig {
			return envtest.FakeConfig{Latency: 10 * time.Second}
		})), Config{})
		require.NoError(t, err)
		require.NoError(t, a.SendReset(t.Context(), nil, env.ResetOptions{}))
		// Every worker now waits out the latency of its command.
		synctest.Wait()
		require.Equal(t, int32(4), bc.running.Load(), "commands under way")

		closed := make(chan error, 1)
		go func() { closed <- a.Close() }()
		// Close has cancelled the commands, which hold on.
		synctest.Wait()
		assert.Equal(t, int32(4), bc.cancelled.Load(), "Close cancels running commands")
		assert.Zero(t, bc.closedBusy.Load(), "no sub-environment is closed while a worker runs its command")
		select {
		case err := <-closed:
			t.Fatalf("Close returned (%v) while workers run commands", err)
		default:
		}
		bc.releaseAll()
		require.NoError(t, <-closed)
		assert.Zero(t, bc.closedBusy.Load())

		require.NoError(t, a.Close(), "Close twice")
		_, err = a.Recv(t.Context())
		assert.ErrorIs(t, err, env.ErrClosed)
		assert.ErrorIs(t, a.Send(t.Context(), nil, repeat(arc.Simple(arc.Action3), 4)), env.ErrClosed)
		_, err = a.Step(t.Context(), repeat(arc.Simple(arc.Action3), 4))
		assert.ErrorIs(t, err, env.ErrClosed)
	})
}

func TestCloseWhileRecvWaits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, err := NewAsync(t.Context(), 2, blockingFakes(func(int) envtest.FakeConfig { return envtest.FakeConfig{Latency: 10 * time.Second} }), Config{})
		require.NoError(t, err)
		require.NoError(t, a.SendReset(t.Context(), nil, env.ResetOptions{}))
		errc := make(chan error, 1)
		go func() {
			_, err := a.Recv(t.Context())
			errc <- err
		}()
		// Recv now waits for the commands.
		synctest.Wait()
		require.NoError(t, a.Close())
		assert.ErrorIs(t, <-errc, env.ErrClosed)
	})
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
	f := func(context.Context, int) (env.Env, error) {
		g, err := env.New(envtest.NewFake(envtest.FakeConfig{Levels: 1}), env.Config{})
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
//
// The test runs in a synctest bubble, where synctest.Wait tells when every
// goroutine waits: the commands, Close, and the workers. Over blocking
// sub-environments neither the caller of Step nor the workers spin, which
// would keep Wait from returning.
// TestCloseCancelsAndStopsWorkers checks that Close waits for the commands
// of workers, under Send. A goroutine left blocked fails the test (see
// newBubbleAsync).
func TestCloseDuringStep(t *testing.T) {
	for _, workers := range []int{1, 2, 0} {
		t.Run(fmt.Sprintf("workers=%d", workers), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				a, err := NewAsync(t.Context(), 4, blockingFakes(func(int) envtest.FakeConfig { return envtest.FakeConfig{} }), Config{Workers: workers})
				require.NoError(t, err)
				_, err = a.Reset(t.Context(), env.ResetOptions{})
				require.NoError(t, err)
				// Every sub-environment now takes 10 s per command unless
				// cancelled, and holds on after it returns.
				bc := newBusyCounts()
				defer bc.releaseAll()
				for i := range 4 {
					g, err := env.New(envtest.NewFake(envtest.FakeConfig{Latency: 10 * time.Second}), env.Config{})
					require.NoError(t, err)
					require.NoError(t, a.Replace(i, &busyEnv{Env: g, c: bc}))
				}
				// Once every worker is parked, Step wakes as many as it has
				// parts for.
				synctest.Wait()
				started := make(chan struct{})
				errc := make(chan error, 1)
				go func() {
					bc.setCaller(goroutineID())
					close(started)
					_, err := a.Step(t.Context(), repeat(arc.Simple(arc.Action3), 4))
					errc <- err
				}()
				<-started
				// The caller and each worker run one command of their
				// parts and wait in it.
				synctest.Wait()
				running := min(a.workers, 4)
				require.Equal(t, int32(running), bc.running.Load(), "commands under way")
				require.Contains(t, bc.goroutines(), bc.callerID(), "the calling goroutine runs one")

				closed := make(chan error, 1)
				go func() { closed <- a.Close() }()
				// Close has cancelled the commands, which hold on.
				synctest.Wait()
				assert.Equal(t, int32(running), bc.cancelled.Load(), "Close cancels the running Step")
				assert.Zero(t, bc.closedBusy.Load(), "no sub-environment is closed while it runs a command")
				select {
				case err := <-closed:
					t.Fatalf("Close returned (%v) while commands run", err)
				default:
				}

				// The workers finish; the caller's command still runs.
				bc.releaseWorkers()
				synctest.Wait()
				require.Equal(t, int32(1), bc.running.Load(), "the caller's command is under way")
				assert.Zero(t, bc.closedBusy.Load(), "no sub-environment is closed while the calling goroutine runs a command")
				select {
				case err := <-closed:
					t.Fatalf("Close returned (%v) while the calling goroutine runs a command", err)
				default:
				}

				bc.releaseAll()
				require.NoError(t, <-closed)
				if err := <-errc; err != nil {
					assert.ErrorIs(t, err, env.ErrClosed)
				}
				assert.Zero(t, bc.closedBusy.Load(), "no sub-environment is closed while it runs a command")
			})
		})
	}
}

// busyCounts is what the busyEnvs of a test share.
type busyCounts struct {
	// hold, until closed, keeps a command going after the inner env
	// returned, as a network call finishing after its cancellation may;
	// holdCaller does so for the commands of goroutine caller.
	hold, holdCaller              chan struct{}
	releaseWorkers, releaseCaller func()
	// running counts the commands under way, cancelled those whose inner
	// env returned context.Canceled, and closedBusy the Close calls that
	// arrived while a command of the env ran.
	running, cancelled, closedBusy atomic.Int32

	mu     sync.Mutex
	caller string
	ids    []string // goroutines that ran commands
}

func newBusyCounts() *busyCounts {
	c := &busyCounts{hold: make(chan struct{}), holdCaller: make(chan struct{})}
	c.releaseWorkers = sync.OnceFunc(func() { close(c.hold) })
	c.releaseCaller = sync.OnceFunc(func() { close(c.holdCaller) })
	return c
}

// releaseAll lets every command return. A test defers it, so that a failed
// check leaves no command held.
func (c *busyCounts) releaseAll() {
	c.releaseWorkers()
	c.releaseCaller()
}

func (c *busyCounts) setCaller(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.caller = id
}

func (c *busyCounts) callerID() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.caller
}

func (c *busyCounts) goroutines() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.ids)
}

// busyEnvs wraps the envs of f in busyEnvs sharing c.
func busyEnvs(c *busyCounts, f Factory) Factory {
	return func(ctx context.Context, i int) (env.Env, error) {
		e, err := f(ctx, i)
		if err != nil {
			return nil, err
		}
		return &busyEnv{Env: e, c: c}, nil
	}
}

// busyEnv counts the Close calls that arrive while a command runs.
type busyEnv struct {
	env.Env
	busy atomic.Int32
	c    *busyCounts
}

// Unwrap lets blocking find the backend under the env.
func (e *busyEnv) Unwrap() env.Env { return e.Env }

func (e *busyEnv) enter() {
	e.busy.Add(1)
	e.c.running.Add(1)
	e.c.mu.Lock()
	e.c.ids = append(e.c.ids, goroutineID())
	e.c.mu.Unlock()
}

func (e *busyEnv) leave(err error) {
	if errors.Is(err, context.Canceled) {
		e.c.cancelled.Add(1)
	}
	hold := e.c.hold
	if id := goroutineID(); id == e.c.callerID() {
		hold = e.c.holdCaller
	}
	<-hold
	e.c.running.Add(-1)
	e.busy.Add(-1)
}

func (e *busyEnv) Reset(ctx context.Context, opts env.ResetOptions) (env.Obs, env.Info, error) {
	e.enter()
	obs, info, err := e.Env.Reset(ctx, opts)
	e.leave(err)
	return obs, info, err
}

func (e *busyEnv) Step(ctx context.Context, a arc.Action) (env.Step, error) {
	e.enter()
	st, err := e.Env.Step(ctx, a)
	e.leave(err)
	return st, err
}

func (e *busyEnv) Close() error {
	if e.busy.Load() > 0 {
		e.c.closedBusy.Add(1)
	}
	return e.Env.Close()
}

// Step splits the sub-environments into parts that the caller and the
// workers take; every sub-environment must run exactly once per call,
// whatever the split, and a ResetMask only the masked ones.
// An Async gives the same batches as Sync whether its calls run on the
// caller alone (one worker) or shared with the workers.
func TestAsyncSoloAndSharedAgree(t *testing.T) {
	const n, steps = 9, 120
	f := sameFakes(envtest.FakeConfig{})
	ref, err := NewSync(t.Context(), n, f, Config{})
	require.NoError(t, err)
	defer ref.Close()
	asyncs := map[string]*Async{
		"solo":     newAsync(t, n, f, Config{Workers: 1}),
		"shared":   newAsync(t, n, f, Config{Workers: 2}),
		"one each": newAsync(t, n, f, Config{}),
	}
	opts := env.WithSeed(3)
	want, err := ref.Reset(t.Context(), opts)
	require.NoError(t, err)
	for name, a := range asyncs {
		got, err := a.Reset(t.Context(), opts)
		require.NoError(t, err)
		assert.Equal(t, want.Obs.Data, got.Obs.Data, name)
	}
	acts := make([]arc.Action, n)
	for s := range steps {
		for i := range acts {
			acts[i] = arc.Click((s*5+i)%64, (s+3*i)%64)
		}
		want, err := ref.Step(t.Context(), acts)
		require.NoError(t, err)
		for name, a := range asyncs {
			got, err := a.Step(t.Context(), acts)
			require.NoError(t, err)
			require.Equal(t, want.Obs.Data, got.Obs.Data, "%s, step %d", name, s)
			require.Equal(t, want.Rewards, got.Rewards, "%s, step %d", name, s)
			require.Equal(t, want.Terminated, got.Terminated, "%s, step %d", name, s)
			require.Equal(t, want.First, got.First, "%s, step %d", name, s)
			for r := range n {
				require.Equal(t, want.Infos[r].EpisodeSteps, got.Infos[r].EpisodeSteps, "%s, step %d, row %d", name, s, r)
			}
		}
	}
}

func TestAsyncRunsEachEnvOnce(t *testing.T) {
	for _, tc := range []struct{ n, workers int }{{1, 2}, {5, 2}, {37, 2}, {37, 3}, {64, 2}, {7, 0}} {
		t.Run(fmt.Sprintf("n=%d/workers=%d", tc.n, tc.workers), func(t *testing.T) {
			fks := make([]*envtest.Fake, tc.n)
			f := func(_ context.Context, i int) (env.Env, error) {
				fks[i] = envtest.NewFake(envtest.FakeConfig{})
				return env.New(fks[i], env.Config{})
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

// blockingFake is a fake backend that says its commands wait on another
// process, as real games and remote sessions do.
type blockingFake struct{ *envtest.Fake }

func (blockingFake) Blocking() bool { return true }

// blockingFakes returns a Factory of Games over blocking fakes configured
// per index. An Async over them parks its idle workers rather than spin,
// as tests in a synctest bubble need: the bubble's clock stands still while
// a goroutine spins.
func blockingFakes(cfg func(i int) envtest.FakeConfig) Factory {
	return func(_ context.Context, i int) (env.Env, error) {
		return env.New(blockingFake{envtest.NewFake(cfg(i))}, env.Config{})
	}
}

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
			f := func(context.Context, int) (env.Env, error) {
				var b env.Backend = envtest.NewFake(envtest.FakeConfig{})
				if tc.blocking {
					b = blockingFake{envtest.NewFake(envtest.FakeConfig{})}
				}
				g, err := env.New(b, env.Config{})
				if err != nil || !tc.wrap {
					return g, err
				}
				return wrappers.NewTimeLimit(g, wrappers.TimeLimitConfig{Max: 10})
			}
			a, err := NewAsync(t.Context(), 1, f, Config{Workers: 1})
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
	f := func(_ context.Context, i int) (env.Env, error) {
		ran[i] = map[string]bool{}
		return env.New(blockingFake{envtest.NewFake(envtest.FakeConfig{Fail: func(int, arc.Action) error {
			mu.Lock()
			ran[i][goroutineID()] = true
			mu.Unlock()
			return nil
		}})}, env.Config{})

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
		f := func(context.Context, int) (env.Env, error) {
			return env.New(blockingFake{envtest.NewFake(envtest.FakeConfig{Fail: func(int, arc.Action) error {
				started.Add(1)
				<-gate
				return nil
			}})}, env.Config{})

		}
		a, err := NewAsync(t.Context(), n, f, Config{Workers: 2, BatchSize: 2})
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

// gateEnv holds its steps until the test opens the gate, telling it when
// a step has begun.
type gateEnv struct {
	env.Env
	begun chan struct{}
	gate  chan struct{}
}

func (e *gateEnv) Step(ctx context.Context, a arc.Action) (env.Step, error) {
	e.begun <- struct{}{}
	<-e.gate
	return e.Env.Step(ctx, a)
}

// While a Step shared with the workers runs, its sub-environments are busy
// as a whole: Send, SendReset, Replace, Recv and another Step are refused,
// InFlight counts them, and all is free again when it returns.
func TestStepUnderWayRefusesOthers(t *testing.T) {
	const n = 4
	begun, gate := make(chan struct{}, n), make(chan struct{})
	f := func(_ context.Context, i int) (env.Env, error) {
		g, err := env.New(envtest.NewFake(envtest.FakeConfig{}), env.Config{})
		return &gateEnv{Env: g, begun: begun, gate: gate}, err
	}
	a := newAsync(t, n, f, Config{Workers: 2, BatchSize: 1})
	ctx := t.Context()
	_, err := a.Reset(ctx, env.ResetOptions{})
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() {
		b, err := a.Step(ctx, repeat(arc.Click(1, 2), n))
		if err == nil {
			err = b.Err()
		}
		done <- err
	}()
	<-begun // a step has begun: the call is under way
	assert.ErrorIs(t, a.Send(ctx, []int{3}, []arc.Action{arc.Click(1, 1)}), ErrBusy)
	assert.ErrorIs(t, a.SendReset(ctx, []int{2}, env.ResetOptions{}), ErrBusy)
	assert.ErrorIs(t, a.Replace(1, nil), ErrBusy)
	_, err = a.Recv(ctx)
	assert.ErrorIs(t, err, ErrBusy)
	_, err = a.Step(ctx, repeat(arc.Click(1, 2), n))
	assert.ErrorIs(t, err, ErrBusy)
	assert.Equal(t, n, a.InFlight())
	close(gate)
	require.NoError(t, <-done)
	assert.Zero(t, a.InFlight())
	require.NoError(t, a.Send(ctx, []int{3}, []arc.Action{arc.Click(1, 1)}))
	b, err := a.Recv(ctx)
	require.NoError(t, err)
	assert.Equal(t, []int{3}, b.EnvIDs)
}
