package wrappers

import (
	"context"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
)

// Unwrapper is implemented by every wrapper: Unwrap returns the Env it
// wraps.
type Unwrapper interface {
	Unwrap() env.Env
}

// Find walks the chain of wrappers from e inwards (e first) and returns the
// first Env that is a T, e.g. Find[*FrameStack](e) or
// Find[*env.Game](e).
func Find[T any](e env.Env) (T, bool) {
	for e != nil {
		if t, ok := e.(T); ok {
			return t, true
		}
		u, ok := e.(Unwrapper)
		if !ok {
			break
		}
		e = u.Unwrap()
	}
	var zero T
	return zero, false
}

// GameInfoer is implemented by Envs that know their game's metadata, such
// as env.Game.
type GameInfoer interface {
	GameInfo() arc.GameInfo
}

// GameInfo returns the metadata of the game under e, found by unwrapping;
// ok is false when no Env in the chain knows it.
func GameInfo(e env.Env) (info arc.GameInfo, ok bool) {
	g, ok := Find[GameInfoer](e)
	if !ok {
		return arc.GameInfo{}, false
	}
	return g.GameInfo(), true
}

// wrapped returns what a constructor returned as an env.Env, for the Wrap
// methods of the configuration types: on error the env.Env is nil, not an
// interface holding a nil *W.
func wrapped[W env.Env](w W, err error) (env.Env, error) {
	if err != nil {
		return nil, err
	}
	return w, nil
}

// inner is the wrapped Env. Wrappers embed it under this unexported name so
// that the methods they do not change pass through unchanged.
type inner = env.Env

// lifecycle tracks the reset/step/close order for wrappers that must answer
// before, or instead of, the Env they wrap.
type lifecycle struct {
	started, done, closed bool
}

// stepErr returns the error a Step must fail with now, if any.
func (l *lifecycle) stepErr() error {
	switch {
	case l.closed:
		return env.ErrClosed
	case !l.started || l.done:
		return env.ErrNeedsReset
	}
	return nil
}

// resetInner is the start of every lifecycle wrapper's Reset: it refuses a
// closed wrapper, resets e and, when that succeeds, marks the episode
// started. The wrapper then does its own part.
func (l *lifecycle) resetInner(ctx context.Context, e env.Env, opts env.ResetOptions) (env.Obs, env.Info, error) {
	if l.closed {
		return env.Obs{}, env.Info{}, env.ErrClosed
	}
	obs, info, err := e.Reset(ctx, opts)
	if err == nil {
		l.started, l.done = true, false
	}
	return obs, info, err
}

func (l *lifecycle) step(st *env.Step) { l.done = st.Done() }
func (l *lifecycle) close()            { l.closed = true }

// failStep zeroes *st and returns err: a step refused by a wrapper leaves
// the zero Step, as Step returns it.
func failStep(st *env.Step, err error) error {
	*st = env.Step{}
	return err
}

// obsMap gives a wrapper that only maps observations its Reset and Step:
// the wrapped Env's, then f on the observation, whose error is returned
// with the result. f takes and returns the observation by value: a
// pointer through a function value would move every step's result to the
// heap.
type obsMap struct {
	inner
	f func(env.Obs) (env.Obs, error)
}

// Reset resets the wrapped Env and maps the first observation.
func (w *obsMap) Reset(ctx context.Context, opts env.ResetOptions) (env.Obs, env.Info, error) {
	obs, info, err := w.inner.Reset(ctx, opts)
	if err != nil {
		return obs, info, err
	}
	obs, err = w.f(obs)
	return obs, info, err
}

// Step steps the wrapped Env and maps the observation.
func (w *obsMap) Step(ctx context.Context, a arc.Action) (env.Step, error) {
	st, err := w.inner.Step(ctx, a)
	if err != nil {
		return st, err
	}
	st.Obs, err = w.f(st.Obs)
	return st, err
}
