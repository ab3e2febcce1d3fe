package vector

import (
	"context"
	"errors"
	"fmt"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/spaces"
)

// Wrapper makes a vector env around another, as a vector wrapper's
// configuration does (FrameStackConfig, EncodeConfig, MasksConfig,
// EpisodeStatsConfig, NormalizeRewardConfig, NormalizeObservationConfig).
// Wrap must not close v when it fails: its caller still owns v then.
type Wrapper interface {
	Wrap(v Env) (Env, error)
}

// Mode says whether New builds a Sync or an Async vector env.
type Mode uint8

const (
	// ModeSync builds a Sync vector env.
	ModeSync Mode = iota
	// ModeAsync builds an Async vector env.
	ModeAsync
)

// Spec describes a vector env for New: NumEnvs sub-environments made by
// Make, each wrapped in Wrappers (first innermost), batched by a Sync or
// Async vector env with Config, and that vector env wrapped in Vector
// (first innermost).
type Spec struct {
	// NumEnvs is the number of sub-environments.
	NumEnvs int
	// Make makes sub-environment i.
	Make Factory
	// Wrappers wrap each sub-environment, as env.Wrap does.
	Wrappers []env.Wrapper
	// Mode selects Sync or Async.
	Mode Mode
	// Config configures the Sync or Async vector env.
	Config Config
	// Vector wraps the vector env.
	Vector []Wrapper
}

// New builds the vector env s describes, Gymnasium's make_vec in one
// expression:
//
//	v, err := vector.New(ctx, vector.Spec{
//		NumEnvs: 16, Make: vector.Make("gl02", env.Config{}), Mode: vector.ModeAsync,
//		Wrappers: []env.Wrapper{wrappers.TimeLimitConfig{Max: 500}},
//		Config:   vector.Config{Autoreset: vector.SameStep},
//		Vector:   []vector.Wrapper{vector.FrameStackConfig{Depth: 2}, vector.MasksConfig{}},
//	})
//
// On error it closes everything it made: the sub-environments made so far,
// the vector env and the vector wrappers. ctx bounds the making of the
// sub-environments: New fails with ctx's error once it is done.
func New(ctx context.Context, s Spec) (Env, error) {
	if s.Make == nil {
		return nil, errors.New("vector: spec without a factory")
	}
	f := s.Make
	if len(s.Wrappers) > 0 {
		f = Wrapped(f, s.Wrappers...)
	}
	var v Env
	var err error
	switch s.Mode {
	case ModeSync:
		v, err = NewSync(ctx, s.NumEnvs, f, s.Config)
	case ModeAsync:
		v, err = NewAsync(ctx, s.NumEnvs, f, s.Config)
	default:
		return nil, fmt.Errorf("vector: unknown mode %d", s.Mode)
	}
	if err != nil {
		return nil, err
	}
	return Wrap(v, s.Vector...)
}

// Wrap wraps v in each of ws in turn, the first innermost, and returns the
// outermost vector env. When a wrapper fails, Wrap closes what it has built
// (v and the wrappers around it so far) and returns the error with the
// closing's.
func Wrap(v Env, ws ...Wrapper) (Env, error) {
	if v == nil {
		return nil, errors.New("vector: wrap of a nil vector env")
	}
	for i, w := range ws {
		if w == nil {
			return nil, errors.Join(fmt.Errorf("vector: wrapper %d is nil", i), v.Close())
		}
		next, err := w.Wrap(v)
		if err != nil {
			return nil, errors.Join(fmt.Errorf("vector: wrapper %d (%T): %w", i, w, err), v.Close())
		}
		v = next
	}
	return v, nil
}

// Wrapped returns a Factory that wraps each env f makes in ws (see
// env.Wrap); an env whose wrapping fails is closed.
func Wrapped(f Factory, ws ...env.Wrapper) Factory {
	ws = append([]env.Wrapper(nil), ws...)
	return func(ctx context.Context, i int) (env.Env, error) {
		if f == nil {
			return nil, fmt.Errorf("vector: nil factory for env %d", i)
		}
		e, err := f(ctx, i)
		if err != nil {
			return nil, err
		}
		return env.Wrap(e, ws...)
	}
}

// Unwrapper is a vector env around another: the vector wrappers.
type Unwrapper interface {
	Unwrap() Env
}

// subber is a vector env that holds its sub-environments: Sync and Async.
type subber interface {
	Sub(i int) env.Env
}

// Each calls f with every sub-environment of v in order, through any
// vector wrappers, until f fails, and returns that error: Gymnasium's
// call and get_attr. Call it between calls on v: f may read or change a
// sub-environment's settings, not run its commands.
func Each(v Env, f func(i int, e env.Env) error) error {
	for v != nil {
		if s, ok := v.(subber); ok {
			for i := range v.Metadata().NumEnvs {
				if err := f(i, s.Sub(i)); err != nil {
					return err
				}
			}
			return nil
		}
		u, ok := v.(Unwrapper)
		if !ok {
			break
		}
		v = u.Unwrap()
	}
	return fmt.Errorf("vector: %T holds no sub-environments", v)
}

// transformer changes a batch of the wrapped vector env: each vector
// wrapper is one. step tells a Step from a Reset or ResetMask.
type transformer interface {
	transform(b *Batch, step bool) (*Batch, error)
}

// base forwards every method to the wrapped vector env and runs t on every
// batch; vector wrappers embed it, set t to themselves and override what
// else they change.
type base struct {
	inner Env
	t     transformer
}

// Unwrap returns the wrapped vector env.
func (w *base) Unwrap() Env { return w.inner }

// Metadata describes the vector env.
func (w *base) Metadata() Metadata { return w.inner.Metadata() }

// SingleObservationSpace is the observation space of one sub-environment.
func (w *base) SingleObservationSpace() spaces.Space { return w.inner.SingleObservationSpace() }

// SingleActionSpace is the action space of sub-environment 0.
func (w *base) SingleActionSpace() spaces.Space { return w.inner.SingleActionSpace() }

// Close closes the wrapped vector env.
func (w *base) Close() error { return w.inner.Close() }

// Reset resets every sub-environment; see Env.
func (w *base) Reset(ctx context.Context, opts env.ResetOptions) (*Batch, error) {
	b, err := w.inner.Reset(ctx, opts)
	return w.finish(b, err, false)
}

// ResetMask resets the sub-environments whose mask entry is true.
func (w *base) ResetMask(ctx context.Context, mask []bool, opts env.ResetOptions) (*Batch, error) {
	b, err := w.inner.ResetMask(ctx, mask, opts)
	return w.finish(b, err, false)
}

// Step applies actions[i] to sub-environment i.
func (w *base) Step(ctx context.Context, actions []arc.Action) (*Batch, error) {
	b, err := w.inner.Step(ctx, actions)
	return w.finish(b, err, true)
}

// finish transforms b when there is a batch, keeping the call's error (a
// context's, returned with its batch) after the transform's.
func (w *base) finish(b *Batch, err error, step bool) (*Batch, error) {
	if b == nil {
		return nil, err
	}
	out, terr := w.t.transform(b, step)
	if terr != nil {
		return out, terr
	}
	return out, err
}
