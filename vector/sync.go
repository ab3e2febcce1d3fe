package vector

import (
	"context"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/spaces"
)

// Sync is a vector env that steps its sub-environments one after the other
// on the caller's goroutine. It starts no goroutine and, over sub-environments
// that allocate nothing, its Step allocates nothing. It is not safe for
// concurrent use.
type Sync struct {
	c      *core
	closed bool
}

var _ Env = (*Sync)(nil)

// NewSync makes n sub-environments with f under ctx and returns the Sync
// vector env over them. The sub-environments must share one observation
// shape.
func NewSync(ctx context.Context, n int, f Factory, cfg Config) (*Sync, error) {
	c, err := newCore(ctx, n, f, cfg, 1)
	if err != nil {
		return nil, err
	}
	return &Sync{c: c}, nil
}

// Metadata describes the vector env.
func (v *Sync) Metadata() Metadata { return v.c.metadata(v.c.n, 0) }

// SingleObservationSpace is the observation space of one sub-environment.
func (v *Sync) SingleObservationSpace() spaces.Space { return v.c.obsSpace }

// SingleActionSpace is the action space of sub-environment 0.
func (v *Sync) SingleActionSpace() spaces.Space { return v.c.actSpace }

// Sub returns sub-environment i, for inspection between calls.
func (v *Sync) Sub(i int) env.Env { return v.c.slots[i].e }

// Reset resets every sub-environment; see Env.
func (v *Sync) Reset(ctx context.Context, opts env.ResetOptions) (*Batch, error) {
	if v.closed {
		return nil, env.ErrClosed
	}
	if ctx == nil {
		return nil, errNilContext
	}
	for i := range v.c.n {
		v.c.prepReset(ctx, i, opts)
		v.c.runRow(i)
	}
	return v.c.publish(), ctx.Err()
}

// ResetMask resets the sub-environments whose mask entry is true.
func (v *Sync) ResetMask(ctx context.Context, mask []bool, opts env.ResetOptions) (*Batch, error) {
	if v.closed {
		return nil, env.ErrClosed
	}
	if ctx == nil {
		return nil, errNilContext
	}
	if err := v.c.checkMask(mask); err != nil {
		return nil, err
	}
	v.c.setIdle(mask)
	for i, m := range mask {
		if !m {
			continue
		}
		v.c.prepReset(ctx, i, opts)
		v.c.runRow(i)
	}
	return v.c.publish(), ctx.Err()
}

// Step applies actions[i] to sub-environment i.
func (v *Sync) Step(ctx context.Context, actions []arc.Action) (*Batch, error) {
	if v.closed {
		return nil, env.ErrClosed
	}
	if ctx == nil {
		return nil, errNilContext
	}
	if err := v.c.checkActions(actions); err != nil {
		return nil, err
	}
	for i, a := range actions {
		v.c.prepStep(ctx, i, a)
		v.c.runRow(i)
	}
	return v.c.publish(), ctx.Err()
}

// Replace installs e as sub-environment i and closes the old one. In the
// autoreset modes the next Step resets it; in Disabled mode reset it with
// ResetMask.
func (v *Sync) Replace(i int, e env.Env) error {
	if v.closed {
		return env.ErrClosed
	}
	return v.c.replace(i, e)
}

// Remake replaces sub-environment i by a new one from the factory, made
// under ctx.
func (v *Sync) Remake(ctx context.Context, i int) error {
	if v.closed {
		return env.ErrClosed
	}
	return remake(ctx, v.c, i)
}

// Close closes every sub-environment. It is safe to call more than once.
func (v *Sync) Close() error {
	if v.closed {
		return nil
	}
	v.closed = true
	return v.c.closeEnvs()
}
