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
// Step, Reset and ResetMask run their commands on the calling goroutine
// and up to Workers-1 workers at once, which take chunks of the
// sub-environments as they free up; Send's commands run on the workers,
// each sub-environment's on the same worker from one command to the next
// unless that worker is busy and another is idle. With one worker, Step
// runs everything on the caller, as Sync does; so it does over CPU-bound
// sub-environments when its timing of earlier calls says that the workers
// would not make the call faster (see pace).
//
// Send and Recv may be called from different goroutines; Step, Reset and
// ResetMask need every sub-environment idle. Close stops the workers and
// waits for them.
type Async struct {
	c       *core
	workers int
	batch   int

	// help carries the generations of Step, Reset and ResetMask calls
	// whose chunks parked workers are asked to run.
	help chan uint64
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

	// The chunks of the running Step, Reset or ResetMask. state packs the
	// call's generation and the range of chunks not taken yet (see claim).
	// left counts the chunks not finished; a caller that stops spinning
	// for them sets parkedFlag in it and waits on allDone, where the worker
	// that finishes the last chunk then reports. runIDs, nChunks and gen
	// are written by the caller only while no chunk is running. spinners
	// counts the workers spinning for work, which need no wake-up, and
	// maxSpin bounds it.
	state    atomic.Uint64
	left     atomic.Int64
	allDone  chan struct{}
	runIDs   []int
	nChunks  int
	gen      uint64
	spinners atomic.Int32
	maxSpin  int32
	cpuBound bool
	// pace chooses whether a call runs on the caller alone or is shared
	// with the workers.
	pace pace
	// calls counts the Step, Reset and ResetMask calls under way that share
	// their commands with the workers, whose caller runs commands itself
	// with a.mu released: Close waits for them before closing the
	// sub-environments. A solo call holds a.mu, which Close waits for.
	calls sync.WaitGroup

	// closing is set by the first Close, which cancels base before it
	// sets closed under mu.
	closing   atomic.Bool
	mu        sync.Mutex
	closed    bool
	inflight  []bool
	nInflight int
	cur       *boundCtx
	maskIDs   []int

	// recvMu serialises the readers of done and of the rows.
	recvMu sync.Mutex
	ready  []int
	out    *rows
}

var _ Env = (*Async)(nil)

// chunksPerWorker splits a full-batch call into a few chunks per worker:
// few hand-offs, and still some balance between the goroutines when
// sub-environments differ in speed or a worker is slow to wake.
const chunksPerWorker = 8

// spinFor is how long a worker out of work, or a caller waiting for the
// last chunks of its call, spins before it parks. A rollout loop's next
// Step comes within microseconds, and waking a parked goroutine takes tens
// of microseconds on a busy machine, longer than a whole Step of local
// games; a learner that thinks longer between steps loses at most this
// much CPU per step.
const spinFor = 50 * time.Microsecond

// parkedFlag is set in Async.left by a caller that waits on allDone.
const parkedFlag = 1 << 62

// The layout of Async.state: the generation in the top bits, then the
// first and the end of the range of chunks not taken yet. The caller takes
// chunks from the front and workers from the back, so that each
// sub-environment tends to run on the same goroutine, and core, from one
// call to the next, its memory staying in that core's cache.
const (
	chunkBits = 20
	chunkMask = 1<<chunkBits - 1
	genShift  = 2 * chunkBits
	genMask   = 1<<(64-genShift) - 1
)

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

// NewAsync makes n sub-environments with f, in parallel on up to
// cfg.Workers goroutines, and starts the workers.
func NewAsync(n int, f Factory, cfg Config) (*Async, error) {
	if err := cfg.validate(n); err != nil {
		return nil, err
	}
	c, err := newCore(n, f, cfg, cfg.Workers)
	if err != nil {
		return nil, err
	}
	cfg = c.cfg
	a := &Async{
		c:        c,
		workers:  cfg.Workers,
		batch:    cfg.BatchSize,
		help:     make(chan uint64, cfg.Workers),
		own:      make([]chan int, cfg.Workers),
		busy:     make([]atomic.Bool, cfg.Workers),
		nudge:    make(chan struct{}, cfg.Workers),
		done:     make(chan int, n),
		allDone:  make(chan struct{}, 1),
		inflight: make([]bool, n),
		maskIDs:  make([]int, 0, n),
		ready:    make([]int, 0, n),
		out:      newRows(cfg.BatchSize, c.obsShape, cfg.Autoreset == SameStep),
	}
	// No more workers than cores means CPU-bound sub-environments. Only
	// they gain from spinning (while a core is left to the caller) and
	// from uneven chunks; with more workers the commands wait on the
	// network (or timers), and a spinning worker would keep the processor
	// from running the others.
	// Sub-environments whose backend waits on another process (a real
	// game's worker, a remote server) are not CPU-bound whatever the
	// number of workers: a spinning worker would take a core from the
	// process that does the work.
	if a.workers <= runtime.GOMAXPROCS(0) && !blocking(c.slots[0].e) {
		a.cpuBound = true
		a.maxSpin = int32(a.workers - 1)
	}
	for w := range a.own {
		a.own[w] = make(chan int, (n+a.workers-1)/a.workers)
	}
	a.base, a.stop = context.WithCancel(context.Background())
	for w := range a.workers {
		a.wg.Go(func() { a.work(w) })
	}
	return a, nil
}

// work is the loop of worker w: it runs the commands queued for it, takes
// those of busy workers, spins for work for a while, then parks, until
// Close.
func (a *Async) work(w int) {
	for {
		if a.next(w) {
			continue
		}
		if !a.spin(w) {
			return
		}
		if a.next(w) {
			continue
		}
		select {
		case <-a.base.Done():
			return
		case i := <-a.own[w]:
			a.run(w, i)
		case gen := <-a.help:
			a.helpCall(gen)
		case <-a.nudge:
		}
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

// helpCall runs chunks of the call of generation gen and reports to a
// parked caller when it finished the last one.
func (a *Async) helpCall(gen uint64) {
	if a.runChunks(gen, true) == parkedFlag {
		a.allDone <- struct{}{}
	}
}

// spin looks for work without parking for spinFor, if fewer than maxSpin
// workers spin already: chunks of a running call, then commands. It
// returns false when the Async is closed.
func (a *Async) spin(w int) bool {
	if a.spinners.Add(1) > a.maxSpin {
		a.spinners.Add(-1)
		return true
	}
	deadline := time.Now().Add(spinFor)
	for k := 0; ; k++ {
		if v := a.state.Load(); v>>chunkBits&chunkMask < v&chunkMask {
			a.spinners.Add(-1)
			a.helpCall(v >> genShift)
			a.spinners.Add(1)
			deadline = time.Now().Add(spinFor)
			continue
		}
		if a.base.Err() != nil {
			a.spinners.Add(-1)
			return false
		}
		if i, ok := a.take(w); ok {
			a.spinners.Add(-1)
			a.run(w, i)
			a.spinners.Add(1)
			deadline = time.Now().Add(spinFor)
			continue
		}
		if k%64 == 63 && time.Now().After(deadline) {
			a.spinners.Add(-1)
			return true
		}
	}
}

// claim takes a chunk of the call of generation gen, the first one left or,
// for a worker, the last one, and returns the positions lo..hi-1 of runIDs
// it covers; ok is false when the call has no chunk left or is over. A
// chunk taken keeps its call from returning, so runIDs and nChunks can be
// read after the claim.
func (a *Async) claim(gen uint64, worker bool) (lo, hi int, ok bool) {
	for {
		v := a.state.Load()
		front, end := v>>chunkBits&chunkMask, v&chunkMask
		if v>>genShift != gen || front >= end {
			return 0, 0, false
		}
		k, next := front, v+1<<chunkBits
		if worker {
			k, next = end-1, v-1
		}
		if a.state.CompareAndSwap(v, next) {
			return a.bound(int(k)), a.bound(int(k) + 1), true
		}
	}
}

// bound returns the position in runIDs where chunk k starts. For CPU-bound
// sub-environments (cpuBound), chunks are large at both ends and small in
// the middle, where the caller and the workers meet: the last chunks taken
// are short, so that no one waits long for another to finish. Otherwise
// chunks are even, one sub-environment each when there are workers enough,
// so that commands that wait (on the network) all wait together.
func (a *Async) bound(k int) int {
	m, n := len(a.runIDs), a.nChunks
	if !a.cpuBound {
		return k * m / n
	}
	if 2*k > n {
		return m - a.bound(n-k)
	}
	// m * f(k/n) with f(x) = 2x - 2x², rising from 0 to 1/2 with a slope
	// falling from 2 to 0.
	return 2 * m * k * (n - k) / (n * n)
}

// runChunks runs chunks of the call of generation gen until none is left.
// It returns what its last chunk left in Async.left: 0 or parkedFlag when
// it finished the call, the parked flag telling that the caller waits on
// allDone; -1 when it ran no chunk.
func (a *Async) runChunks(gen uint64, worker bool) (left int64) {
	left = -1
	for {
		lo, hi, ok := a.claim(gen, worker)
		if !ok {
			return left
		}
		for _, i := range a.runIDs[lo:hi] {
			a.c.run(i)
		}
		left = a.left.Add(-1)
	}
}

// wait waits, on the caller, for the chunks of the running call that
// workers run: spinning for spinFor, then parked on allDone. It returns
// false when the Async was closed meanwhile.
func (a *Async) wait() bool {
	if a.left.Load() == 0 {
		// The caller ran the last chunk: no clock to read.
		return true
	}
	deadline := time.Now().Add(spinFor)
	for k := 0; a.left.Load() != 0; k++ {
		if k%64 == 63 && time.Now().After(deadline) {
			break
		}
	}
	for {
		x := a.left.Load()
		if x == 0 {
			return true
		}
		if a.left.CompareAndSwap(x, x|parkedFlag) {
			break
		}
	}
	select {
	case <-a.allDone:
		return true
	case <-a.base.Done():
		return false
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
	return a.runAll(ctx, nil, opStep, actions, env.ResetOptions{})
}

// runAll runs one command on every sub-environment whose mask entry is true
// (all for a nil mask) and waits for them.
func (a *Async) runAll(ctx context.Context, mask []bool, op opKind, actions []arc.Action, opts env.ResetOptions) (*Batch, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	a.recvMu.Lock()
	defer a.recvMu.Unlock()
	a.mu.Lock()
	if a.shut() {
		a.mu.Unlock()
		return nil, env.ErrClosed
	}
	if a.nInflight > 0 {
		n := a.nInflight
		a.mu.Unlock()
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
	solo, timed := true, false
	if len(ids) > 1 && a.workers > 1 {
		solo = false
		if a.cpuBound {
			solo, timed = a.pace.choose(len(ids))
		}
	}
	if solo && a.cpuBound {
		return a.runHeld(ctx, ids, op, actions, opts, timed)
	}
	a.calls.Add(1)
	defer a.calls.Done()
	a.prepare(ctx, ids, op, actions, opts)
	var start time.Time
	if timed {
		start = time.Now()
	}
	if solo {
		a.mu.Unlock()
		for _, i := range ids {
			a.c.run(i)
		}
	} else {
		chunks := min(len(ids), chunksPerWorker*a.workers, chunkMask)
		a.gen = (a.gen + 1) & genMask
		a.runIDs, a.nChunks = ids, chunks
		a.left.Store(int64(chunks))
		a.state.Store(a.gen<<genShift | uint64(chunks))
		// Spinning workers see the chunks at once; wake parked ones for
		// the rest.
		for range min(a.workers-1, chunks-1) - int(a.spinners.Load()) {
			select {
			case a.help <- a.gen:
			default:
				// The queue is full of help already; the caller and the
				// workers that take it run the chunks.
			}
		}
		a.mu.Unlock()
		a.runChunks(a.gen, false)
		if !a.wait() {
			return nil, env.ErrClosed
		}
	}
	if timed {
		a.pace.record(solo, time.Since(start), len(ids))
	}
	a.mu.Lock()
	for _, i := range ids {
		a.retire(i)
	}
	a.mu.Unlock()
	return a.c.publish(), ctx.Err()
}

// runHeld runs the commands of ids on the caller, for a CPU-bound call
// that runs solo, with a.mu held from the caller's checks to the end of the
// commands and released on return. Whatever would look at the
// sub-environments meanwhile (Send, Replace, Sub, InFlight) waits the
// microseconds the commands take, so that they need no marking in flight,
// nor a second lock to unmark them: at one env, that locking is what set
// Async behind Sync. Close cancels the commands before it takes a.mu.
func (a *Async) runHeld(ctx context.Context, ids []int, op opKind, actions []arc.Action, opts env.ResetOptions, timed bool) (*Batch, error) {
	bc := a.bind(ctx)
	for k, i := range ids {
		if op == opStep {
			a.c.prepStep(bc.ctx, i, actions[k])
		} else {
			a.c.prepReset(bc.ctx, i, opts)
		}
	}
	var start time.Time
	if timed {
		start = time.Now()
	}
	for _, i := range ids {
		a.c.run(i)
	}
	if timed {
		a.pace.record(true, time.Since(start), len(ids))
	}
	a.mu.Unlock()
	return a.c.publish(), ctx.Err()
}

// prepare sets up the commands of ids, which are idle; a.mu is held.
func (a *Async) prepare(ctx context.Context, ids []int, op opKind, actions []arc.Action, opts env.ResetOptions) {
	bc := a.bind(ctx)
	for k, i := range ids {
		if op == opStep {
			a.c.prepStep(bc.ctx, i, actions[k])
		} else {
			a.c.prepReset(bc.ctx, i, opts)
		}
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
	closed, n := a.shut(), a.nInflight
	a.mu.Unlock()
	if closed {
		return nil, env.ErrClosed
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
	a.c.publishFloat()
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

// Remake replaces idle sub-environment i by a new one from the factory.
func (a *Async) Remake(i int) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.idle(i); err != nil {
		return err
	}
	return remake(a.c, i)
}

func (a *Async) idle(i int) error {
	if a.shut() {
		return env.ErrClosed
	}
	if i < 0 || i >= a.c.n {
		return fmt.Errorf("vector: env index %d outside 0..%d", i, a.c.n-1)
	}
	if a.inflight[i] {
		return fmt.Errorf("%w: env %d", ErrBusy, i)
	}
	return nil
}

// shut reports whether Close has begun; a.mu is held.
func (a *Async) shut() bool { return a.closed || a.base.Err() != nil }

// Close cancels running commands, stops the workers, waits for them and
// closes every sub-environment. It is safe to call more than once.
func (a *Async) Close() error {
	if !a.closing.CompareAndSwap(false, true) {
		return nil
	}
	// Cancel first: a solo call holds a.mu until its commands return.
	a.stop()
	a.mu.Lock()
	a.closed = true
	a.mu.Unlock()
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
