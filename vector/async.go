package vector

import (
	"context"
	"fmt"
	"reflect"
	"sync"

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
// Send and Recv may be called from different goroutines; Step, Reset and
// ResetMask need every sub-environment idle. Close stops the workers and
// waits for them.
type Async struct {
	c       *core
	workers int
	batch   int

	jobs chan job
	// done reports each sub-environment of a Send, shardDone each shard of
	// a Step, Reset or ResetMask.
	done      chan int
	shardDone chan struct{}
	base      context.Context
	stop      context.CancelFunc
	wg        sync.WaitGroup

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

// job is work for a worker: the sub-environments lo..hi-1, or ids[lo:hi]
// when ids is set. A shard reports once on shardDone when all its
// sub-environments are done; other jobs report each on done.
type job struct {
	lo, hi int
	ids    []int
	shard  bool
}

// shardsPerWorker splits a full-batch call into a few shards per worker:
// fewer hand-offs than one per sub-environment, and still some balance
// between workers when sub-environments differ in speed.
const shardsPerWorker = 2

// boundCtx is the context commands run under: the caller's, also cancelled
// by Close. It is made once per distinct caller context and shared by the
// commands sent under it; refs counts those still unreceived.
type boundCtx struct {
	parent  context.Context
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
		c:         c,
		workers:   cfg.Workers,
		batch:     cfg.BatchSize,
		jobs:      make(chan job, n),
		done:      make(chan int, n),
		shardDone: make(chan struct{}, n),
		inflight:  make([]bool, n),
		maskIDs:   make([]int, 0, n),
		ready:     make([]int, 0, n),
		out:       newRows(cfg.BatchSize, c.obsShape, cfg.Autoreset == SameStep),
	}
	a.base, a.stop = context.WithCancel(context.Background())
	for range a.workers {
		a.wg.Go(a.work)
	}
	return a, nil
}

func (a *Async) work() {
	for {
		select {
		case <-a.base.Done():
			return
		case j := <-a.jobs:
			for k := j.lo; k < j.hi; k++ {
				i := k
				if j.ids != nil {
					i = j.ids[k]
				}
				a.c.run(i)
				if !j.shard {
					a.done <- i
				}
			}
			if j.shard {
				a.shardDone <- struct{}{}
			}
		}
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
	if a.closed {
		a.mu.Unlock()
		return nil, env.ErrClosed
	}
	if a.nInflight > 0 {
		n := a.nInflight
		a.mu.Unlock()
		return nil, fmt.Errorf("%w: %d sub-environments have commands from Send; Recv them first", ErrBusy, n)
	}
	ids := a.c.ids
	if mask != nil {
		// A masked reset: the rows left out carry no news.
		a.maskIDs = a.maskIDs[:0]
		for i, m := range mask {
			if m {
				a.maskIDs = append(a.maskIDs, i)
			} else {
				a.c.clearRow(i)
			}
		}
		ids = a.maskIDs
	}
	a.prepare(ctx, ids, op, actions, opts)
	shards := min(len(ids), shardsPerWorker*a.workers)
	for k := range shards {
		a.jobs <- job{lo: k * len(ids) / shards, hi: (k + 1) * len(ids) / shards, ids: ids, shard: true}
	}
	a.mu.Unlock()
	for range shards {
		select {
		case <-a.shardDone:
		case <-a.base.Done():
			return nil, env.ErrClosed
		}
	}
	a.mu.Lock()
	for _, i := range ids {
		a.retire(i)
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
	if a.cur != nil && sameCtx(a.cur.parent, ctx) {
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
	a.cur = &boundCtx{parent: ctx, ctx: cctx, cancel: cancel, stop: stop}
	return a.cur
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
	if a.closed {
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
		a.jobs <- job{lo: i, hi: i + 1}
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
	a.recvMu.Lock()
	defer a.recvMu.Unlock()
	a.mu.Lock()
	closed, n := a.closed, a.nInflight
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
	a.c.publish()
	for k, i := range a.ready[:a.batch] {
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
// the old one. In NextStep mode the next step of i resets it; otherwise
// reset it with ResetMask or SendReset.
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
	if a.closed {
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

// Close cancels running commands, stops the workers, waits for them and
// closes every sub-environment. It is safe to call more than once.
func (a *Async) Close() error {
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return nil
	}
	a.closed = true
	a.mu.Unlock()
	a.stop()
	a.wg.Wait()
	a.mu.Lock()
	if a.cur != nil {
		a.cur.release()
		a.cur = nil
	}
	a.mu.Unlock()
	return a.c.closeEnvs()
}
