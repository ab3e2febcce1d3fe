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
	// pending is set in NextStep mode when the episode ended: the next
	// step resets instead.
	pending bool
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
	n        int
	cfg      Config
	factory  Factory
	slots    []slot
	obsShape []int
	all      *rows
	fl       atomic.Pointer[floatStore]
	flMu     sync.Mutex
	ids      []int
	obsSpace spaces.Space
	actSpace spaces.Space
}

func newCore(n int, f Factory, cfg Config, parallel int) (*core, error) {
	if err := cfg.validate(n); err != nil {
		return nil, err
	}
	if f == nil {
		return nil, errors.New("vector: nil factory")
	}
	envs, err := makeEnvs(n, f, parallel)
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
	return c, nil
}

// makeEnvs calls the factory n times, parallel at a time, and closes what
// it made when one call fails.
func makeEnvs(n int, f Factory, parallel int) ([]env.Env, error) {
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
				e, err := f(i)
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
	if opts.HasSeed {
		opts.Seed += int64(i)
	}
	s.op, s.reset, s.ctx = opReset, opts, ctx
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
	if err != nil {
		c.all.b.Errs[i] = &EnvError{Env: i, Op: op, Err: err}
		if op != "autoreset" || c.cfg.Autoreset != SameStep {
			c.all.b.Rewards[i] = 0
		}
	} else {
		c.all.b.Errs[i] = nil
	}
	s.ctx = nil
}

func (c *core) exec(ctx context.Context, i int, s *slot) (string, error) {
	b := &c.all.b
	b.First[i] = false
	if b.HasFinal != nil {
		b.HasFinal[i] = false
	}
	if s.op == opReset || s.pending {
		op, opts := "reset", s.reset
		if s.op == opStep {
			op, opts = "autoreset", env.ResetOptions{}
		}
		if err := c.reset(ctx, i, s, opts); err != nil {
			return op, err
		}
		b.Rewards[i] = 0
		b.Terminated[i], b.Truncated[i] = false, false
		return op, nil
	}
	st, err := s.e.Step(ctx, s.act)
	if err != nil {
		return "step", err
	}
	b.Rewards[i] = st.Reward
	b.Terminated[i], b.Truncated[i] = st.Terminated, st.Truncated
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
		b.HasFinal[i] = true
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
	c.all.b.First[i] = true
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
	copy(row, obs.Grid.Data)
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
	bufs[i].copyInfo(&infos[i], info, obs.Grid.Data, row)
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

// publish makes the batch view of all rows current; it runs on the caller's
// goroutine once no command is running.
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
	b := &c.all.b
	b.First[i] = false
	b.Errs[i] = nil
	if b.HasFinal != nil {
		b.HasFinal[i] = false
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
	s.pending = c.cfg.Autoreset == NextStep
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
func remake(c *core, i int) error {
	if i < 0 || i >= c.n {
		return fmt.Errorf("vector: env index %d outside 0..%d", i, c.n-1)
	}
	e, err := c.factory(i)
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
