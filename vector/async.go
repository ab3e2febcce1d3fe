package vector

import (
	"context"
	"fmt"
	"reflect"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/internal/pace"
	"github.com/arcgym/arcgym/spaces"
)

// Async is a vector env whose sub-environments run on worker goroutines, so
// that their commands overlap: CPU-bound local games use several cores and
// remote games wait on the network together.
//
// Besides the synchronous Env methods it offers EnvPool's asynchronous
// interface: Send queues commands for some sub-environments and returns at
// once; Recv returns the first Config.BatchSize sub-environments to finish,
// in order of completion, so that slow ones do not hold up a batch. Each
// sub-environment runs at most one command at a time.
//
// Step, Reset and ResetMask split the sub-environments they command into
// Workers fixed, contiguous shares of partsPer parts each: the caller runs
// the first share and worker w the w-th, so that a sub-environment runs on
// the same goroutine, and core, from one call to the next. One who
// finishes its share early takes the parts others have not started yet,
// from the end, so that a worker the system holds back (another process on
// its core) delays the call by one part at most. With one worker, or a single
// sub-environment, everything runs on the caller, as Sync does; over
// CPU-bound sub-environments it also does when that has proved faster:
// Async times its calls in both ways now and then and keeps to the faster,
// so that when another process keeps a core busy, and a worker held back
// for milliseconds would hold up every call, it runs as fast as Sync. Send's
// commands run on the workers, sub-environment i on worker i%Workers unless
// that worker is busy and another is idle.
//
// Send and Recv may be called from different goroutines; Step, Reset and
// ResetMask need every sub-environment idle. Close stops the workers and
// waits for them.
type Async struct {
	c       *core
	workers int
	batch   int
	// cpuBound says that commands run on the processor, not waiting on
	// another process: idle workers then spin for the next call for a
	// while before they park.
	cpuBound bool

	// The parts of the running Step, Reset or ResetMask call: part k of a
	// call of m sub-environments covers positions k*m/P..(k+1)*m/P-1 of
	// callIDs, P = len(part), and belongs to worker k/partsPer (0: the
	// caller). gen numbers the calls; part[k] holds the generation of the
	// last call whose part k was taken, and whoever moves it to the running
	// generation runs the part. left counts the parts not finished. The
	// call's command (call) is written by the caller only while no part
	// is running.
	gen  atomic.Uint64
	part []padded
	left atomic.Int64
	call sharedCall
	// A worker that parks sets its parked flag and waits on its wake
	// channel; the caller that gives it a part and finds the flag set
	// clears it and sends. The caller parks the same way on callerWake
	// for the last part.
	parked       []atomic.Bool
	wake         []chan struct{}
	callerParked atomic.Bool
	callerWake   chan struct{}

	// Send queues sub-environment i's command on own[i%workers], so that
	// a sub-environment keeps running on the same worker goroutine: its
	// memory stays in one core's cache and, for a real game, its worker
	// process keeps to one core (measured on 2 cores: 4 envs of a real
	// game on 2 workers ran 1.6-1.7x one worker from a shared queue,
	// 2.1x from queues of their own). A worker out of its own work takes
	// queued commands of busy workers (steal), so none waits while a
	// worker idles; nudge wakes a parked worker for that.
	own   []chan int
	busy  []atomic.Bool
	nudge chan struct{}
	// done reports each sub-environment of a Send.
	done chan int
	base context.Context
	stop context.CancelFunc
	wg   sync.WaitGroup

	// calls counts the Step, Reset and ResetMask calls under way that share
	// their commands with the workers, whose caller runs commands itself
	// with a.mu released: Close waits for them before closing the
	// sub-environments. A solo call holds a.mu, which Close waits for.
	calls sync.WaitGroup

	// closing is set by the first Close, before it cancels base.
	closing atomic.Bool
	mu      sync.Mutex
	// inflight marks the sub-environments with a command from Send;
	// nInflight counts them, or the sub-environments of a shared Step,
	// Reset or ResetMask call under way (stepping), which are busy as a
	// whole.
	inflight  []bool
	nInflight int
	stepping  bool
	cur       *boundCtx
	maskIDs   []int
	// pace chooses between sharing CPU-bound calls (pace.A) and running
	// them solo (pace.B).
	pace pace.Pacer

	// recvMu serialises the readers of done and of the rows.
	recvMu sync.Mutex
	ready  []int
	out    *rows
}

var _ Env = (*Async)(nil)

// padded is an atomic word alone on its cache line, so that the caller and
// the workers claiming neighbouring parts do not contend for one line.
type padded struct {
	atomic.Uint64
	_ [56]byte
}

// partsPer is the number of parts of each worker's share of a call.
const partsPer = 4

// spinFor is how long a worker out of work, or a caller waiting for the
// last parts of its call, spins before it parks, over CPU-bound
// sub-environments. A rollout loop's next Step comes within microseconds,
// and waking a parked goroutine takes tens of microseconds on a busy
// machine, longer than a whole Step of local games; a learner that thinks
// longer between steps loses at most this much CPU per step.
const spinFor = 50 * time.Microsecond

// sharedCall is the command of a Step, Reset or ResetMask call shared with
// the workers: whoever runs sub-environment ids[k] sets up its command
// (actions[k] for a step), so that the caller does not touch every
// sub-environment's slot, last written on another core, before the call.
type sharedCall struct {
	ids     []int
	op      opKind
	actions []arc.Action
	opts    env.ResetOptions
	ctx     context.Context
}

// boundCtx is the context commands run under: the caller's, also cancelled
// by Close. It is made once per distinct caller context and shared by the
// commands sent under it; refs counts those still unreceived.
type boundCtx struct {
	parent context.Context
	// plain says that == on parent's dynamic type cannot panic, as on the
	// standard library's contexts: bind then compares without reflect.
	plain   bool
	ctx     context.Context
	cancel  context.CancelFunc
	stop    func() bool
	refs    int
	retired bool
}

func (b *boundCtx) release() {
	b.stop()
	b.cancel()
}

// NewAsync makes n sub-environments with f under ctx, in parallel on up to
// cfg.Workers goroutines, and starts the workers.
func NewAsync(ctx context.Context, n int, f Factory, cfg Config) (*Async, error) {
	if err := cfg.validate(n); err != nil {
		return nil, err
	}
	c, err := newCore(ctx, n, f, cfg, cfg.Workers)
	if err != nil {
		return nil, err
	}
	cfg = c.cfg
	w := cfg.Workers
	a := &Async{
		c:          c,
		workers:    w,
		batch:      cfg.BatchSize,
		part:       make([]padded, w*partsPer),
		parked:     make([]atomic.Bool, w),
		wake:       make([]chan struct{}, w),
		callerWake: make(chan struct{}, 1),
		own:        make([]chan int, w),
		busy:       make([]atomic.Bool, w),
		nudge:      make(chan struct{}, w),
		done:       make(chan int, n),
		inflight:   make([]bool, n),
		maskIDs:    make([]int, 0, n),
		ready:      make([]int, 0, n),
		out:        newRows(cfg.BatchSize, c.obsShape, cfg.Autoreset == SameStep),
	}
	// No more workers than cores means CPU-bound sub-environments, which
	// gain from spinning; with more workers the commands wait on the
	// network (or timers), and a spinning worker would keep the processor
	// from running the others. Sub-environments whose backend waits on
	// another process (a real game's worker, a remote server) are not
	// CPU-bound whatever the number of workers: a spinning worker would
	// take a core from the process that does the work.
	a.cpuBound = w <= runtime.GOMAXPROCS(0) && !blocking(c.slots[0].e)
	for k := range w {
		a.wake[k] = make(chan struct{}, 1)
		a.own[k] = make(chan int, (n+w-1)/w)
	}
	a.base, a.stop = context.WithCancel(context.Background())
	for k := 1; k < w; k++ {
		a.wg.Go(func() { a.work(k) })
	}
	// Part 0 of a call is the caller's: worker 0 only runs Send's
	// commands (of sub-environments 0, w, 2w...) and never spins, so that
	// the spinning goroutines are never more than the workers.
	a.wg.Go(func() { a.work(0) })
	return a, nil
}

// work is the loop of worker w until Close: it runs its part of each call,
// the commands Send queued for it and those of busy workers, spinning for
// more for a while (over CPU-bound sub-environments) before it parks.
func (a *Async) work(w int) {
	seen := uint64(0)
	for {
		if g := a.gen.Load(); g != seen && w > 0 {
			seen = g
			a.runParts(g, w)
			continue
		}
		if a.next(w) {
			continue
		}
		if a.base.Err() != nil {
			return
		}
		if a.cpuBound && w > 0 && a.spin(w, seen) {
			continue
		}
		a.park(w, seen)
	}
}

// spin waits for work for up to spinFor without parking and reports
// whether some came: a new call, or a command for w.
func (a *Async) spin(w int, seen uint64) bool {
	deadline := time.Now().Add(spinFor)
	for k := 0; ; k++ {
		if a.gen.Load() != seen || len(a.own[w]) > 0 || a.stealable(w) || a.base.Err() != nil {
			return true
		}
		if k%64 == 63 && time.Now().After(deadline) {
			return false
		}
	}
}

// park waits on worker w's channels until something for it arrives: its
// wake-up for a part of a new call, a command from Send, a nudge to take
// the commands of a busy worker, or Close.
func (a *Async) park(w int, seen uint64) {
	a.parked[w].Store(true)
	if a.gen.Load() != seen && w > 0 {
		// A call came before the flag was seen: unpark ourselves, or take
		// the wake-up its caller sends.
		if !a.parked[w].CompareAndSwap(true, false) {
			<-a.wake[w]
		}
		return
	}
	select {
	case <-a.wake[w]:
		return
	case i := <-a.own[w]:
		a.unpark(w)
		a.run(w, i)
	case <-a.nudge:
		a.unpark(w)
	case <-a.base.Done():
		a.unpark(w)
	}
}

// unpark clears worker w's parked flag after a wake-up other than its
// wake channel; a caller that cleared it first has sent a wake-up, taken
// here so that it does not wake the worker once more later.
func (a *Async) unpark(w int) {
	if !a.parked[w].CompareAndSwap(true, false) {
		<-a.wake[w]
	}
}

// runParts runs the parts of the call of generation gen that worker w (0
// for the caller) gets: those of its share in order, then, from the last
// one back, any another has not started.
func (a *Async) runParts(gen uint64, w int) {
	for p := w * partsPer; p < (w+1)*partsPer; p++ {
		a.runPart(gen, p)
	}
	for p := len(a.part) - 1; p >= 0; p-- {
		a.runPart(gen, p)
	}
}

// runPart runs part p of the call of generation gen if it can claim it.
func (a *Async) runPart(gen uint64, p int) {
	if !a.claim(gen, p) {
		return
	}
	cl := &a.call
	m, n := len(cl.ids), len(a.part)
	for k := p * m / n; k < (p+1)*m/n; k++ {
		i := cl.ids[k]
		a.c.prepOne(cl.ctx, k, i, cl.op, cl.actions, cl.opts)
		a.c.runRow(i)
	}
	if a.left.Add(-1) == 0 && a.callerParked.CompareAndSwap(true, false) {
		a.callerWake <- struct{}{}
	}
}

// claim takes part p of the call of generation gen and reports whether
// it did. A part is taken once per call, and a call's parts are all taken
// before it returns and its caller starts the next: a worker late for a
// call finds every part of it taken, so the call read after a claim is
// that of the call claimed.
func (a *Async) claim(gen uint64, p int) bool {
	v := a.part[p].Load()
	return v < gen && a.part[p].CompareAndSwap(v, gen)
}

// share runs the commands of a.call on the caller and the workers and
// waits for them. It returns false when the Async was closed meanwhile.
func (a *Async) share() bool {
	ids := a.call.ids
	gen := a.gen.Load() + 1
	a.left.Store(int64(len(a.part)))
	a.gen.Store(gen)
	m, n := len(ids), len(a.part)
	for w := 1; w < a.workers; w++ {
		// Wake the parked workers whose share holds commands.
		if w*partsPer*m/n < (w+1)*partsPer*m/n && a.parked[w].CompareAndSwap(true, false) {
			a.wake[w] <- struct{}{}
		}
	}
	a.runParts(gen, 0)
	return a.wait()
}

// wait waits, on the caller, for the parts of the running call that
// workers run: spinning for spinFor over CPU-bound sub-environments, then
// parked on callerWake. It returns false when the Async was closed
// meanwhile.
func (a *Async) wait() bool {
	if a.left.Load() == 0 {
		return true
	}
	if a.cpuBound {
		deadline := time.Now().Add(spinFor)
		for k := 0; a.left.Load() != 0; k++ {
			if k%64 == 63 && time.Now().After(deadline) {
				break
			}
		}
	}
	a.callerParked.Store(true)
	if a.left.Load() == 0 {
		if !a.callerParked.CompareAndSwap(true, false) {
			<-a.callerWake
		}
		return true
	}
	select {
	case <-a.callerWake:
		return true
	case <-a.base.Done():
		return false
	}
}

// next runs one command of worker w's queue or, with none, one queued for
// a busy worker, and reports whether it ran one.
func (a *Async) next(w int) bool {
	i, ok := a.take(w)
	if ok {
		a.run(w, i)
	}
	return ok
}

// take takes a command off worker w's queue or, with none, off the queue
// of a busy worker (an idle worker takes its own commands).
func (a *Async) take(w int) (int, bool) {
	select {
	case i := <-a.own[w]:
		return i, true
	default:
	}
	for k := 1; k < a.workers; k++ {
		v := (w + k) % a.workers
		if !a.busy[v].Load() {
			continue
		}
		select {
		case i := <-a.own[v]:
			return i, true
		default:
		}
	}
	return 0, false
}

// stealable reports whether a busy worker other than w has commands
// queued.
func (a *Async) stealable(w int) bool {
	for k := 1; k < a.workers; k++ {
		v := (w + k) % a.workers
		if a.busy[v].Load() && len(a.own[v]) > 0 {
			return true
		}
	}
	return false
}

// run runs the command of sub-environment i, sent by Send, on worker w.
// Commands left in w's queue meanwhile are for idle workers to take.
func (a *Async) run(w, i int) {
	a.busy[w].Store(true)
	if len(a.own[w]) > 0 {
		a.wakeThief()
	}
	a.c.run(i)
	a.busy[w].Store(false)
	a.done <- i
}

// wakeThief wakes a parked worker, if one is parked, to take the commands
// queued for a busy one.
func (a *Async) wakeThief() {
	select {
	case a.nudge <- struct{}{}:
	default:
	}
}

// Metadata describes the vector env.
func (a *Async) Metadata() Metadata { return a.c.metadata(a.batch, a.workers) }

// SingleObservationSpace is the observation space of one sub-environment.
func (a *Async) SingleObservationSpace() spaces.Space { return a.c.obsSpace }

// SingleActionSpace is the action space of sub-environment 0.
func (a *Async) SingleActionSpace() spaces.Space { return a.c.actSpace }

// Sub returns sub-environment i. Use it only while i runs no command.
func (a *Async) Sub(i int) env.Env {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.c.slots[i].e
}

// Reset resets every sub-environment and waits for all of them.
func (a *Async) Reset(ctx context.Context, opts env.ResetOptions) (*Batch, error) {
	return a.runAll(ctx, nil, opReset, nil, opts)
}

// ResetMask resets the sub-environments whose mask entry is true and waits
// for them.
func (a *Async) ResetMask(ctx context.Context, mask []bool, opts env.ResetOptions) (*Batch, error) {
	if err := a.c.checkMask(mask); err != nil {
		return nil, err
	}
	return a.runAll(ctx, mask, opReset, nil, opts)
}

// Step applies actions[i] to sub-environment i on the workers and waits for
// every sub-environment. Cancelling ctx cancels the commands; Step still
// waits for the sub-environments to return.
func (a *Async) Step(ctx context.Context, actions []arc.Action) (*Batch, error) {
	if err := a.c.checkActions(actions); err != nil {
		return nil, err
	}
	if a.workers == 1 && a.cpuBound && ctx != nil {
		// One worker (or one sub-environment) runs solo, as runHeld does,
		// in a loop as short as Sync's. Measured at one env (same-run
		// ratios of Async to Sync, 8 instances each): through runAll
		// 0.93-0.96, through runHeld 0.96-0.97, this loop 1.00-1.04.
		a.mu.Lock()
		if !a.shut() && a.nInflight == 0 {
			for i, x := range actions {
				a.c.prepStep(ctx, i, x)
				a.c.runRow(i)
			}
			a.mu.Unlock()
			return a.c.publish(), ctx.Err()
		}
		a.mu.Unlock()
	}
	return a.runAll(ctx, nil, opStep, actions, env.ResetOptions{})
}

// runAll runs one command on every sub-environment whose mask entry is true
// (all for a nil mask) and waits for them.
func (a *Async) runAll(ctx context.Context, mask []bool, op opKind, actions []arc.Action, opts env.ResetOptions) (*Batch, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	a.mu.Lock()
	if a.shut() {
		a.mu.Unlock()
		return nil, env.ErrClosed
	}
	if a.nInflight > 0 {
		n, stepping := a.nInflight, a.stepping
		a.mu.Unlock()
		if stepping {
			return nil, fmt.Errorf("%w: another Step, Reset or ResetMask is under way", ErrBusy)
		}
		return nil, fmt.Errorf("%w: %d sub-environments have commands from Send; Recv them first", ErrBusy, n)
	}
	ids := a.c.ids
	a.c.setIdle(mask)
	if mask != nil {
		// A masked reset: the rows left out carry no news.
		a.maskIDs = a.maskIDs[:0]
		for i, m := range mask {
			if m {
				a.maskIDs = append(a.maskIDs, i)
			}
		}
		ids = a.maskIDs
	}
	parts := min(a.workers, len(ids))
	mode, timed := paceShared, false
	if parts > 1 && a.cpuBound {
		mode, timed = a.pace.Next()
		// Resets cost more than steps: only steps are timed.
		timed = timed && op == opStep
	}
	if parts <= 1 && a.cpuBound || mode == paceSolo {
		return a.runHeld(ctx, ids, op, actions, opts, timed)
	}
	a.calls.Add(1)
	defer a.calls.Done()
	// The call's sub-environments are busy as a whole (stepping), not
	// marked one by one: what the caller does alone per sub-environment
	// between two calls is time the workers wait.
	bc := a.bind(ctx)
	if parts <= 1 {
		a.c.prepAll(bc.ctx, ids, op, actions, opts)
	} else {
		a.call = sharedCall{ids: ids, op: op, actions: actions, opts: opts, ctx: bc.ctx}
	}
	bc.refs += len(ids)
	a.nInflight = len(ids)
	a.stepping = true
	a.mu.Unlock()
	var start time.Time
	if timed {
		start = time.Now()
	}
	if parts <= 1 {
		for _, i := range ids {
			a.c.runRow(i)
		}
	} else {
		ok := a.share()
		// Keep neither the caller's actions nor its context.
		a.call = sharedCall{}
		if !ok {
			return nil, env.ErrClosed
		}
	}
	var took time.Duration
	if timed {
		took = time.Since(start)
	}
	b := a.c.publish()
	a.mu.Lock()
	a.stepping = false
	a.nInflight = 0
	if timed {
		a.pace.Record(paceShared, float64(took)/float64(len(ids)))
	}
	if bc.refs -= len(ids); bc.refs == 0 && bc.retired {
		bc.release()
	}
	a.mu.Unlock()
	return b, ctx.Err()
}

// runHeld runs the commands of ids on the caller, for a CPU-bound call
// that runs solo (one sub-environment or worker, or the pacer's choice),
// with a.mu held from the caller's checks to the end of the commands and
// released on return. Whatever would look at the sub-environments
// meanwhile (Send, Replace, Sub, InFlight, Close) waits the microseconds
// the commands take, so that they need no marking in flight, nor a second
// lock to unmark them, nor a context of Close's: they run under the
// caller's. At one env, that bookkeeping is what set Async behind Sync.
// With timed set, the pacer learns the time per command.
func (a *Async) runHeld(ctx context.Context, ids []int, op opKind, actions []arc.Action, opts env.ResetOptions, timed bool) (*Batch, error) {
	var start time.Time
	if timed {
		start = time.Now()
	}
	a.c.prepAll(ctx, ids, op, actions, opts)
	for _, i := range ids {
		a.c.runRow(i)
	}
	if timed {
		a.pace.Record(paceSolo, float64(time.Since(start))/float64(len(ids)))
	}
	a.mu.Unlock()
	return a.c.publish(), ctx.Err()
}

// prepare sets up the commands of ids from Send, which are idle, marking
// each in flight; a.mu is held.
func (a *Async) prepare(ctx context.Context, ids []int, op opKind, actions []arc.Action, opts env.ResetOptions) {
	bc := a.bind(ctx)
	a.c.prepAll(bc.ctx, ids, op, actions, opts)
	for _, i := range ids {
		a.c.slots[i].bound = bc
		bc.refs++
		a.inflight[i] = true
		a.nInflight++
	}
}

// retire marks sub-environment i idle after its command; a.mu is held.
func (a *Async) retire(i int) {
	a.inflight[i] = false
	a.nInflight--
	s := &a.c.slots[i]
	if b := s.bound; b != nil {
		s.bound = nil
		b.refs--
		if b.refs == 0 && b.retired {
			b.release()
		}
	}
}

// bind returns the bound context for ctx, reusing the last one when the
// caller passes the same context again, as a rollout loop does.
func (a *Async) bind(ctx context.Context) *boundCtx {
	if a.cur != nil && (a.cur.plain && a.cur.parent == ctx || !a.cur.plain && sameCtx(a.cur.parent, ctx)) {
		return a.cur
	}
	if old := a.cur; old != nil {
		old.retired = true
		if old.refs == 0 {
			old.release()
		}
	}
	cctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(a.base, cancel)
	a.cur = &boundCtx{parent: ctx, plain: plainEqual(reflect.TypeOf(ctx)), ctx: cctx, cancel: cancel, stop: stop}
	return a.cur
}

// plainEqual reports whether == on values of type t can never panic: t
// holds no interface, nor anything not comparable.
func plainEqual(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Chan, reflect.UnsafePointer, reflect.Bool, reflect.String,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		return true
	case reflect.Array:
		return plainEqual(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if !plainEqual(t.Field(i).Type) {
				return false
			}
		}
		return true
	}
	return false
}

// sameCtx reports whether a and b are the same context value; it never
// panics, even on context types that are not comparable.
func sameCtx(a, b context.Context) (same bool) {
	t := reflect.TypeOf(a)
	if t != reflect.TypeOf(b) || !t.Comparable() {
		return false
	}
	defer func() {
		if recover() != nil {
			same = false
		}
	}()
	return a == b
}

// Send queues actions[k] for sub-environment ids[k] and returns without
// waiting; nil ids means every sub-environment in order. The commands run
// under ctx (and stop on Close). Every id must be idle: sent before and
// already returned by Recv, or never sent.
func (a *Async) Send(ctx context.Context, ids []int, actions []arc.Action) error {
	if ids == nil {
		ids = a.c.ids
	}
	if len(ids) != len(actions) {
		return fmt.Errorf("vector: %d actions for %d env ids", len(actions), len(ids))
	}
	return a.send(ctx, ids, opStep, actions, env.ResetOptions{})
}

// SendReset queues a reset of each of ids (nil: all) and returns without
// waiting, as EnvPool's async_reset; Recv returns the first observations.
// With opts.HasSeed, sub-environment i is seeded with opts.Seed+i.
func (a *Async) SendReset(ctx context.Context, ids []int, opts env.ResetOptions) error {
	if ids == nil {
		ids = a.c.ids
	}
	return a.send(ctx, ids, opReset, nil, opts)
}

func (a *Async) send(ctx context.Context, ids []int, op opKind, actions []arc.Action, opts env.ResetOptions) error {
	if ctx == nil {
		return errNilContext
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.shut() {
		return env.ErrClosed
	}
	if a.stepping {
		return fmt.Errorf("%w: a Step, Reset or ResetMask is under way", ErrBusy)
	}
	for k, i := range ids {
		if i < 0 || i >= a.c.n {
			a.unmark(ids[:k])
			return fmt.Errorf("vector: env id %d outside 0..%d", i, a.c.n-1)
		}
		if a.inflight[i] {
			a.unmark(ids[:k])
			return fmt.Errorf("%w: env %d already has a command (sent twice, or not received yet)", ErrBusy, i)
		}
		a.inflight[i] = true
	}
	a.unmark(ids)
	a.prepare(ctx, ids, op, actions, opts)
	for _, i := range ids {
		w := i % a.workers
		a.own[w] <- i
		if a.busy[w].Load() || len(a.own[w]) > 1 {
			a.wakeThief()
		}
	}
	return nil
}

func (a *Async) unmark(ids []int) {
	for _, i := range ids {
		a.inflight[i] = false
	}
}

// Recv waits for the first Config.BatchSize sub-environments to finish their
// commands and returns their rows in order of completion, EnvIDs naming each
// row's sub-environment. If ctx ends first, Recv returns its error and the
// finished sub-environments stay ready for the next Recv.
func (a *Async) Recv(ctx context.Context) (*Batch, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	a.recvMu.Lock()
	defer a.recvMu.Unlock()
	a.mu.Lock()
	closed, n, stepping := a.shut(), a.nInflight, a.stepping
	a.mu.Unlock()
	if closed {
		return nil, env.ErrClosed
	}
	if stepping {
		return nil, fmt.Errorf("%w: a Step, Reset or ResetMask is under way", ErrBusy)
	}
	if n < a.batch {
		return nil, fmt.Errorf("%w: %d in flight, batch size %d", ErrNotEnough, n, a.batch)
	}
	for len(a.ready) < a.batch {
		select {
		case i := <-a.done:
			a.ready = append(a.ready, i)
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-a.base.Done():
			return nil, env.ErrClosed
		}
	}
	a.c.publish()
	for k, i := range a.ready[:a.batch] {
		a.c.gather(i)
		a.out.copyRow(k, a.c.all, i)
	}
	a.mu.Lock()
	for _, i := range a.ready[:a.batch] {
		a.retire(i)
	}
	a.mu.Unlock()
	n = copy(a.ready, a.ready[a.batch:])
	a.ready = a.ready[:n]
	return a.out.view(a.batch), nil
}

// InFlight returns the number of sub-environments sent a command and not
// yet returned by Recv.
func (a *Async) InFlight() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.nInflight
}

// Replace installs e as sub-environment i, which must be idle, and closes
// the old one. In the autoreset modes the next step of i resets it; in
// Disabled mode reset it with ResetMask or SendReset.
func (a *Async) Replace(i int, e env.Env) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.idle(i); err != nil {
		return err
	}
	return a.c.replace(i, e)
}

// Remake replaces idle sub-environment i by a new one from the factory,
// made under ctx.
func (a *Async) Remake(ctx context.Context, i int) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.idle(i); err != nil {
		return err
	}
	return remake(ctx, a.c, i)
}

func (a *Async) idle(i int) error {
	if a.shut() {
		return env.ErrClosed
	}
	if i < 0 || i >= a.c.n {
		return fmt.Errorf("vector: env index %d outside 0..%d", i, a.c.n-1)
	}
	if a.stepping || a.inflight[i] {
		return fmt.Errorf("%w: env %d", ErrBusy, i)
	}
	return nil
}

// shut reports whether Close has begun.
func (a *Async) shut() bool { return a.closing.Load() }

// Close cancels running commands, stops the workers, waits for them and
// closes every sub-environment. It is safe to call more than once.
func (a *Async) Close() error {
	if !a.closing.CompareAndSwap(false, true) {
		return nil
	}
	// Cancel the shared calls' and Send's commands first; a solo call,
	// which runs under its caller's context, holds a.mu until its
	// commands return.
	a.stop()
	a.wg.Wait()
	a.calls.Wait()
	a.mu.Lock()
	if a.cur != nil {
		a.cur.release()
		a.cur = nil
	}
	a.mu.Unlock()
	return a.c.closeEnvs()
}

// The ways of Async's pacer.
const (
	paceShared = pace.A
	paceSolo   = pace.B
)

// blocking reports whether e's backend says that its commands wait on
// another process: it looks through wrappers (Unwrap) down to an
// *env.Game and asks its backend for Blocking() bool.
func blocking(e env.Env) bool {
	for range 64 {
		switch x := e.(type) {
		case *env.Game:
			b, ok := x.Backend().(interface{ Blocking() bool })
			return ok && b.Blocking()
		case interface{ Unwrap() env.Env }:
			e = x.Unwrap()
		default:
			return false
		}
	}
	return false
}
