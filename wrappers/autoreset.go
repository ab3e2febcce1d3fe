package wrappers

import (
	"context"
	"fmt"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
)

// Autoreset is a wrapper that resets the Env by itself, on the step after
// an episode ends, as Gymnasium's Autoreset wrapper (since Gymnasium 1.0)
// and a vector env in NextStep mode do: that step ignores its action,
// resets the wrapped Env without a seed and returns the new episode's
// first observation and info, with a reward of 0 and both end flags false.
// The step that ends an episode is returned as it is, so a loop sees every
// episode's last observation and never calls Reset after the first.
//
// It departs from the env.Env contract on purpose: Step after the end of an
// episode resets instead of failing with env.ErrNeedsReset.
type Autoreset struct {
	inner
	pending bool
	closed  bool
}

// AutoresetConfig configures an Autoreset; it has no options yet.
type AutoresetConfig struct{}

// NewAutoreset wraps e so that it resets itself after each episode.
func NewAutoreset(e env.Env, cfg AutoresetConfig) (*Autoreset, error) {
	if e == nil {
		return nil, fmt.Errorf("wrappers: autoreset needs an env")
	}
	return &Autoreset{inner: e}, nil
}

// Wrap implements env.Wrapper: NewAutoreset(e, c).
func (c AutoresetConfig) Wrap(e env.Env) (env.Env, error) { return wrapped(NewAutoreset(e, c)) }

// Unwrap returns the wrapped Env.
func (w *Autoreset) Unwrap() env.Env { return w.inner }

// Pending reports whether the last step ended an episode, so that the next
// Step resets.
func (w *Autoreset) Pending() bool { return w.pending }

// Reset resets the wrapped Env; a reset due is dropped.
func (w *Autoreset) Reset(ctx context.Context, opts env.ResetOptions) (env.Obs, env.Info, error) {
	obs, info, err := w.inner.Reset(ctx, opts)
	if err == nil {
		w.pending = false
	}
	return obs, info, err
}

// Step steps the wrapped Env, or resets it when the last step ended an
// episode. A failed reset stays due.
func (w *Autoreset) Step(ctx context.Context, a arc.Action) (env.Step, error) {
	if w.pending && !w.closed {
		obs, info, err := w.inner.Reset(ctx, env.ResetOptions{})
		if err != nil {
			return env.Step{}, err
		}
		w.pending = false
		return env.Step{Obs: obs, Info: info}, nil
	}
	st, err := w.inner.Step(ctx, a)
	if err != nil {
		return st, err
	}
	w.pending = st.Done()
	return st, nil
}

// Close closes the wrapped Env.
func (w *Autoreset) Close() error {
	w.closed = true
	return w.inner.Close()
}
