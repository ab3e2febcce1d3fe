package wrappers

import (
	"context"
	"fmt"

	"github.com/arcgym/arcgym/env"
)

// Reseed is a wrapper that gives every episode its own game seed, so that a
// game with procedural levels plays a new level set each episode even when
// the caller resets without a seed, as a vector env's autoreset does.
//
// The seeds form an arithmetic sequence: a full reset (env.ResetGame)
// without a seed plays the next seed of the sequence and moves it on by
// the stride (ReseedConfig). A Reset with a seed plays that seed and restarts the sequence
// after it, the way a seeded reset reseeds a Gymnasium environment's
// generator: the episodes that follow a seeded reset are the same on every
// run. Level resets without a seed (ResetLevel, ResetAuto) keep the levels
// being played. The sequence moves only when the wrapped Reset succeeds, so
// a failed Reset is retried under the same seed.
//
// Under a vector env, which seeds sub-environment i with seed+i, a stride
// equal to the number of sub-environments gives each one its own disjoint
// sequence: seed+i, seed+i+n, seed+i+2n, ... Next and SetNext save and
// restore the position for a resumed run. Built-in games play their
// hand-made levels under seed 0 and generated ones under any other seed.
// Step passes straight through.
type Reseed struct {
	inner
	stride, next int64
}

// ReseedConfig configures a Reseed; the zero value pins the seed to 0.
type ReseedConfig struct {
	// First is the seed of the first full reset without a seed.
	First int64
	// Stride is the step from one seed of the sequence to the next; 0 pins
	// the seed to First.
	Stride int64
}

// NewReseed wraps e so that its unseeded full resets play seeds
// cfg.First, cfg.First+cfg.Stride, cfg.First+2*cfg.Stride, ... in turn.
func NewReseed(e env.Env, cfg ReseedConfig) (*Reseed, error) {
	if e == nil {
		return nil, fmt.Errorf("wrappers: reseed needs an env")
	}
	return &Reseed{inner: e, stride: cfg.Stride, next: cfg.First}, nil
}

// Wrap implements env.Wrapper: NewReseed(e, c).
func (c ReseedConfig) Wrap(e env.Env) (env.Env, error) { return wrapped(NewReseed(e, c)) }

// Unwrap returns the wrapped Env.
func (w *Reseed) Unwrap() env.Env { return w.inner }

// Stride returns the step between consecutive seeds.
func (w *Reseed) Stride() int64 { return w.stride }

// Next returns the seed that the next full reset without a seed plays.
func (w *Reseed) Next() int64 { return w.next }

// SetNext sets the seed that the next full reset without a seed plays: how
// a resumed run picks up the sequence where it stopped.
func (w *Reseed) SetNext(seed int64) { w.next = seed }

// Reset resets the wrapped Env, under the next seed of the sequence when
// opts asks for a full reset without a seed of its own.
func (w *Reseed) Reset(ctx context.Context, opts env.ResetOptions) (env.Obs, env.Info, error) {
	if opts.Mode == env.ResetGame && !opts.HasSeed {
		opts.Seed, opts.HasSeed = w.next, true
	}
	obs, info, err := w.inner.Reset(ctx, opts)
	if err != nil {
		return obs, info, err
	}
	if opts.HasSeed {
		w.next = opts.Seed + w.stride
	}
	return obs, info, nil
}
