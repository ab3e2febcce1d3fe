package vector

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/spaces"
	"github.com/arcgym/arcgym/tensor"
)

type opKind uint8

const (
	opStep opKind = iota
	opReset
)

// slot is one sub-environment and its pending command. Between the command
// being queued and its completion being received only the worker running it
// touches the slot and its row.
type slot struct {
	e     env.Env
	op    opKind
	act   arc.Action
	reset env.ResetOptions
	ctx   context.Context
	bound *boundCtx
	// pending is set when the sub-environment needs a reset that the next
	// step does instead of stepping: in NextStep mode after the episode
	// ended, and in either autoreset mode after a failed autoreset or a
	// Replace.
	pending bool
	// res holds the row's scalar results. Commands write them here, in
	// memory of their own, and publish gathers them into the Batch's
	// slices: workers writing neighbouring entries of those slices would
	// share cache lines on every step.
	res rowResult
	// st receives the sub-environment's steps, written in place through
	// its wrappers (env.StepInto).
	st env.Step
}

// rowResult is the scalar part of a Batch row.
type rowResult struct {
	reward                             float64
	err                                error
	term, trunc, first, idle, hasFinal bool
}

// floatStore is the batched float storage, allocated when the first float
// observation arrives (its shape is unknown before).
type floatStore struct {
	shape       []int
	size        int
	data, final []float32
}

// core is the state Sync and Async share: the sub-environments and one row
// per sub-environment.
type core struct {
	n       int
	cfg     Config
	factory Factory
	// seeds, during a ResetSeeds call, holds each sub-environment's seed.
	seeds    []int64
	slots    []slot
	obsShape []int
	all      *rows
	fl       atomic.Pointer[floatStore]
	flMu     sync.Mutex
	ids      []int
	obsSpace spaces.Space
	actSpace spaces.Space
}

func newCore(ctx context.Context, n int, f Factory, cfg Config, parallel int) (*core, error) {
	if err := cfg.validate(n); err != nil {
		return nil, err
	}
	if f == nil {
		return nil, errors.New("vector: nil factory")
	}
	if ctx == nil {
		return nil, errNilContext
	}
	envs, err := makeEnvs(ctx, n, f, parallel)
	if err != nil {
		return nil, err
	}
	c := &core{n: n, cfg: cfg, factory: f, slots: make([]slot, n), ids: make([]int, n)}
	for i, e := range envs {
		c.slots[i].e = e
		c.ids[i] = i
	}
	c.obsSpace = envs[0].ObservationSpace()
	c.actSpace = envs[0].ActionSpace()
	c.obsShape = slices.Clone(c.obsSpace.Shape())
	if len(c.obsShape) == 0 || tensor.Size(c.obsShape) <= 0 {
		_ = c.closeEnvs()
		return nil, fmt.Errorf("%w: sub-environment 0 has observation shape %v", ErrShape, c.obsShape)
	}
	for i, e := range envs[1:] {
		if s := e.ObservationSpace().Shape(); !slices.Equal(s, c.obsShape) {
			_ = c.closeEnvs()
			return nil, fmt.Errorf("%w: sub-environment %d has observation shape %v, sub-environment 0 %v", ErrShape, i+1, s, c.obsShape)
		}
	}
	c.all = newRows(n, c.obsShape, cfg.Autoreset == SameStep)
	copy(c.all.b.EnvIDs, c.ids)
	for i, e := range envs {
		c.bindRow(i, e)
	}
	return c, nil
}

// frameWriter is a sub-environment that can write its observations
// straight into a batch row (env.Game).
type frameWriter interface {
	WriteFramesTo(buf []uint8) bool
}

// bindRow asks sub-environment e to write its frames into row i, when its
// observation is one frame, which saves store a copy of every observation.
func (c *core) bindRow(i int, e env.Env) {
	if w, ok := e.(frameWriter); ok && c.all.obsSize == arc.FrameCells {
		w.WriteFramesTo(c.all.obsData[i*arc.FrameCells : (i+1)*arc.FrameCells : (i+1)*arc.FrameCells])
	}
}

// unbindRow undoes bindRow before e leaves the vector env.
func unbindRow(e env.Env) {
	if w, ok := e.(frameWriter); ok {
		w.WriteFramesTo(nil)
	}
}

// makeEnvs calls the factory n times, parallel at a time, and closes what
// it made when one call fails. Once ctx is done, the calls not yet made
// fail with its error.
func makeEnvs(ctx context.Context, n int, f Factory, parallel int) ([]env.Env, error) {
	envs := make([]env.Env, n)
	errs := make([]error, n)
	next := atomic.Int64{}
	var wg sync.WaitGroup
	for range max(1, min(parallel, n)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if err := ctx.Err(); err != nil {
					errs[i] = err
					continue
				}
				e, err := f(ctx, i)
				switch {
				case err != nil:
					// A constructor may return a typed nil with its error.
					e = nil
				case isNil(e):
					e, err = nil, errors.New("factory returned a nil env")
				}
				envs[i], errs[i] = e, err
			}
		})
	}
	wg.Wait()
	var failed []error
	for i, err := range errs {
		if err != nil {
			failed = append(failed, fmt.Errorf("vector: making env %d: %w", i, err))
		}
	}
	if failed == nil {
		return envs, nil
	}
	for _, e := range envs {
		if e != nil {
			_ = e.Close()
		}
	}
	return nil, errors.Join(failed...)
}

func (c *core) metadata(batch, workers int) Metadata {
	return Metadata{
		Autoreset: c.cfg.Autoreset,
		NumEnvs:   c.n,
		BatchSize: batch,
		Workers:   workers,
		ObsShape:  slices.Clone(c.obsShape),
		Timeout:   c.cfg.Timeout,
	}
}

// prepStep queues a step of sub-environment i.
func (c *core) prepStep(ctx context.Context, i int, a arc.Action) {
	s := &c.slots[i]
	s.op, s.act, s.ctx = opStep, a, ctx
}

// prepReset queues a reset of sub-environment i; a seed is offset by i.
func (c *core) prepReset(ctx context.Context, i int, opts env.ResetOptions) {
	s := &c.slots[i]
	switch {
	case c.seeds != nil:
		opts.Seed, opts.HasSeed = c.seeds[i], true
	case opts.HasSeed:
		opts.Seed += int64(i)
	}
	s.op, s.reset, s.ctx = opReset, opts, ctx
}

// prepAll queues op for each of ids: a step of ids[k] with actions[k], or
// a reset with opts.
func (c *core) prepAll(ctx context.Context, ids []int, op opKind, actions []arc.Action, opts env.ResetOptions) {
	for k, i := range ids {
		c.prepOne(ctx, k, i, op, actions, opts)
	}
}

// prepOne queues op for sub-environment i, the k-th of its call: a step
// with actions[k], or a reset with opts.
func (c *core) prepOne(ctx context.Context, k, i int, op opKind, actions []arc.Action, opts env.ResetOptions) {
	if op == opStep {
		c.prepStep(ctx, i, actions[k])
	} else {
		c.prepReset(ctx, i, opts)
	}
}

// runRow runs the queued command of sub-environment i and copies its
// scalar results into the Batch's slices, while the row is in the cache of
// the core that ran it: gathered later, on the caller, each row would
// cross from a worker's core. Only Step, Reset and ResetMask use it; their
// callers read the Batch after every row is done.
func (c *core) runRow(i int) {
	c.run(i)
	c.gather(i)
}

// run executes the queued command of sub-environment i and fills row i.
func (c *core) run(i int) {
	s := &c.slots[i]
	ctx := s.ctx
	var cancel context.CancelFunc
	if c.cfg.Timeout > 0 {
		ctx, cancel = context.WithTimeout(ctx, c.cfg.Timeout)
	}
	op, err := c.exec(ctx, i, s)
	if cancel != nil {
		if err != nil && errors.Is(err, context.DeadlineExceeded) && s.ctx.Err() == nil {
			err = fmt.Errorf("%w after %v: %w", ErrDeadline, c.cfg.Timeout, err)
		}
		cancel()
	}
	r := &s.res
	r.err = nil
	if err != nil {
		r.err = &EnvError{Env: i, Op: op, Err: err}
		if op != "autoreset" || c.cfg.Autoreset != SameStep {
			// Nothing happened in the row: no reward, and no episode end
			// left over from an earlier call for the caller to count twice.
			r.reward, r.term, r.trunc = 0, false, false
		}
		if c.cfg.Autoreset != Disabled && (op == "autoreset" || errors.Is(err, env.ErrNeedsReset)) {
			// An autoreset that failed, or a sub-environment whose episode
			// ended behind the vector env's back, is reset by the next
			// step, as in NextStep mode.
			s.pending = true
		}
	}
	s.ctx = nil
}

func (c *core) exec(ctx context.Context, i int, s *slot) (string, error) {
	r := &s.res
	r.first, r.idle, r.hasFinal = false, false, false
	if s.op == opReset || s.pending {
		op, opts := "reset", s.reset
		if s.op == opStep {
			op, opts = "autoreset", env.ResetOptions{}
		}
		if err := c.reset(ctx, i, s, opts); err != nil {
			return op, err
		}
		r.reward, r.term, r.trunc = 0, false, false
		return op, nil
	}
	st := &s.st
	if err := env.StepInto(ctx, s.e, s.act, st); err != nil {
		return "step", err
	}
	r.reward, r.term, r.trunc = st.Reward, st.Terminated, st.Truncated
	final := st.Done() && c.cfg.Autoreset == SameStep
	if err := c.store(i, st.Obs, &st.Info, final); err != nil {
		return "step", err
	}
	if !st.Done() {
		return "step", nil
	}
	switch c.cfg.Autoreset {
	case NextStep:
		s.pending = true
	case SameStep:
		r.hasFinal = true
		if err := c.reset(ctx, i, s, env.ResetOptions{}); err != nil {
			return "autoreset", err
		}
	}
	return "step", nil
}

func (c *core) reset(ctx context.Context, i int, s *slot, opts env.ResetOptions) error {
	obs, info, err := s.e.Reset(ctx, opts)
	if err != nil {
		return err
	}
	s.pending = false
	if err := c.store(i, obs, &info, false); err != nil {
		return err
	}
	s.res.first = true
	return nil
}

// store copies an observation and info into row i, or into the final
// buffers of row i.
func (c *core) store(i int, obs env.Obs, info *env.Info, final bool) error {
	r := c.all
	if len(obs.Grid.Data) != r.obsSize {
		return fmt.Errorf("%w: grid of shape %v, batch rows %v", ErrShape, obs.Grid.Shape, c.obsShape)
	}
	grid, infos, bufs := r.obsData, r.b.Infos, r.infos
	if final {
		grid, infos, bufs = r.finalData, r.b.FinalInfos, r.finals
	}
	row := grid[i*r.obsSize : (i+1)*r.obsSize]
	if &row[0] != &obs.Grid.Data[0] {
		// Not already there through bindRow.
		copy(row, obs.Grid.Data)
	}
	if fs := c.floats(obs.Float.Shape); fs != nil {
		if len(obs.Float.Data) != fs.size || !slices.Equal(obs.Float.Shape, fs.shape) {
			return fmt.Errorf("%w: float observation of shape %v, batch rows %v", ErrShape, obs.Float.Shape, fs.shape)
		}
		dst := fs.data
		if final {
			dst = fs.final
		}
		copy(dst[i*fs.size:(i+1)*fs.size], obs.Float.Data)
	}
	// The frames of a final step are copied: the reset that follows in
	// the same command may overwrite them.
	bufs[i].copyInfo(&infos[i], info, obs.Grid.Data, row, final)
	return nil
}

// floats returns the float storage, allocating it for shape when it does
// not exist yet and shape is not empty.
func (c *core) floats(shape []int) *floatStore {
	fs := c.fl.Load()
	if fs != nil || len(shape) == 0 {
		return fs
	}
	c.flMu.Lock()
	defer c.flMu.Unlock()
	if fs = c.fl.Load(); fs != nil {
		return fs
	}
	fs = &floatStore{shape: slices.Clone(shape), size: tensor.Size(shape)}
	fs.data = make([]float32, c.n*fs.size)
	if c.cfg.Autoreset == SameStep {
		fs.final = make([]float32, c.n*fs.size)
	}
	c.fl.Store(fs)
	return fs
}

// gather copies the scalar results of row i into the Batch's slices; it
// runs on the goroutine that ran i's command, or on the caller while i
// runs no command.
func (c *core) gather(i int) {
	b, r := &c.all.b, &c.slots[i].res
	b.Rewards[i] = r.reward
	b.Terminated[i], b.Truncated[i] = r.term, r.trunc
	b.First[i], b.Idle[i] = r.first, r.idle
	b.Errs[i] = r.err
	if b.HasFinal != nil {
		b.HasFinal[i] = r.hasFinal
	}
}

// publish makes the batch view current: the rows are gathered already
// (runRow and setIdle do it for Step, Reset and ResetMask, Recv for its
// rows), and once float observations exist their view is set up. It runs
// on the caller's goroutine once no command is running.
func (c *core) publish() *Batch {
	r := c.all
	if fs := c.fl.Load(); fs != nil && r.floatData == nil {
		r.floatSize = fs.size
		r.floatShape = append([]int{c.n}, fs.shape...)
		r.floatData, r.finalF = fs.data, fs.final
		r.b.Float = tensor.F32{Shape: r.floatShape, Data: r.floatData}
		if fs.final != nil {
			r.b.FinalFloat = tensor.F32{Shape: r.floatShape, Data: r.finalF}
		}
	}
	return &r.b
}

// clearRow clears the per-step flags of row i.
func (c *core) clearRow(i int) {
	r := &c.slots[i].res
	r.first, r.hasFinal, r.err = false, false, nil
}

// setIdle marks the rows that mask leaves out of the coming call idle,
// clears their per-step flags and gathers them; exec clears the flag of
// the rows it runs.
func (c *core) setIdle(mask []bool) {
	for i, m := range mask {
		if !m {
			c.clearRow(i)
			c.slots[i].res.idle = true
			c.gather(i)
		}
	}
}

func (c *core) checkActions(actions []arc.Action) error {
	if len(actions) != c.n {
		return fmt.Errorf("vector: %d actions for %d sub-environments", len(actions), c.n)
	}
	return nil
}

func (c *core) checkMask(mask []bool) error {
	if len(mask) != c.n {
		return fmt.Errorf("vector: reset mask of length %d for %d sub-environments", len(mask), c.n)
	}
	return nil
}

// replace installs e as sub-environment i and closes the old one.
func (c *core) replace(i int, e env.Env) error {
	if i < 0 || i >= c.n {
		return fmt.Errorf("vector: env index %d outside 0..%d", i, c.n-1)
	}
	if isNil(e) {
		return fmt.Errorf("vector: nil env for index %d", i)
	}
	if s := e.ObservationSpace().Shape(); !slices.Equal(s, c.obsShape) {
		return fmt.Errorf("%w: replacement for env %d has observation shape %v, batch rows %v", ErrShape, i, s, c.obsShape)
	}
	s := &c.slots[i]
	old := s.e
	s.e = e
	unbindRow(old)
	c.bindRow(i, e)
	s.pending = c.cfg.Autoreset != Disabled
	c.clearRow(i)
	if err := old.Close(); err != nil {
		return fmt.Errorf("vector: closing replaced env %d: %w", i, err)
	}
	return nil
}

func (c *core) closeEnvs() error {
	var errs []error
	for i := range c.slots {
		if e := c.slots[i].e; e != nil {
			if err := e.Close(); err != nil {
				errs = append(errs, fmt.Errorf("vector: closing env %d: %w", i, err))
			}
		}
	}
	return errors.Join(errs...)
}

// remake replaces sub-environment i by a new one from the factory.
func remake(ctx context.Context, c *core, i int) error {
	if i < 0 || i >= c.n {
		return fmt.Errorf("vector: env index %d outside 0..%d", i, c.n-1)
	}
	if ctx == nil {
		return errNilContext
	}
	e, err := c.factory(ctx, i)
	if err != nil {
		return fmt.Errorf("vector: remaking env %d: %w", i, err)
	}
	if isNil(e) {
		return fmt.Errorf("vector: remaking env %d: factory returned a nil env", i)
	}
	if err := c.replace(i, e); err != nil {
		if c.slots[i].e != e {
			_ = e.Close()
		}
		return err
	}
	return nil
}

// isNil reports whether e is nil or a nil pointer in an interface.
func isNil(e env.Env) bool {
	if e == nil {
		return true
	}
	v := reflect.ValueOf(e)
	return v.Kind() == reflect.Pointer && v.IsNil()
}
