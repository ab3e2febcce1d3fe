package wrappers

import (
	"context"
	"fmt"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/spaces"
)

// TransformObservation is a wrapper that passes every observation Reset
// and Step return through a function, as Gymnasium's TransformObservation
// does (see TransformObservationConfig). The function may reuse its own
// buffers: callers keep observations only until the next call anyway.
type TransformObservation struct {
	obsMap
	space spaces.Space
}

// TransformObservationConfig configures a TransformObservation. Func must
// be set.
type TransformObservationConfig struct {
	// Func maps every observation; an error it returns fails the Reset or
	// Step.
	Func func(env.Obs) (env.Obs, error)
	// Space, when not nil, is the ObservationSpace of the result; nil
	// keeps the wrapped Env's.
	Space spaces.Space
}

// NewTransformObservation wraps e so that observations go through
// cfg.Func.
func NewTransformObservation(e env.Env, cfg TransformObservationConfig) (*TransformObservation, error) {
	f := cfg.Func
	if e == nil || f == nil {
		return nil, fmt.Errorf("wrappers: observation transform needs an env and a function")
	}
	apply := func(obs env.Obs) (env.Obs, error) {
		out, err := f(obs)
		if err != nil {
			return env.Obs{}, fmt.Errorf("wrappers: observation transform: %w", err)
		}
		return out, nil
	}
	return &TransformObservation{obsMap: obsMap{inner: e, f: apply}, space: cfg.Space}, nil
}

// Wrap implements env.Wrapper: NewTransformObservation(e, c).
func (c TransformObservationConfig) Wrap(e env.Env) (env.Env, error) {
	return wrapped(NewTransformObservation(e, c))
}

// Unwrap returns the wrapped Env.
func (w *TransformObservation) Unwrap() env.Env { return w.inner }

// ObservationSpace is the configured space, or the wrapped Env's.
func (w *TransformObservation) ObservationSpace() spaces.Space {
	if w.space != nil {
		return w.space
	}
	return w.inner.ObservationSpace()
}

// TransformAction is a wrapper that passes every action through a function
// before the wrapped Env applies it, as Gymnasium's TransformAction does
// (see TransformActionConfig). Info.Action reports the action applied.
type TransformAction struct {
	inner
	f     func(arc.Action) (arc.Action, error)
	space spaces.Space
}

// TransformActionConfig configures a TransformAction. Func must be set.
type TransformActionConfig struct {
	// Func maps every action to the one applied; an action it refuses
	// (with an error) is not applied.
	Func func(arc.Action) (arc.Action, error)
	// Space, when not nil, is the ActionSpace callers draw from; nil keeps
	// the wrapped Env's. A Space other than a *spaces.Action is an action
	// space of another kind, for which env.ActionSpaceOf reports false.
	Space spaces.Space
}

// NewTransformAction wraps e so that actions go through cfg.Func.
func NewTransformAction(e env.Env, cfg TransformActionConfig) (*TransformAction, error) {
	if e == nil || cfg.Func == nil {
		return nil, fmt.Errorf("wrappers: action transform needs an env and a function")
	}
	return &TransformAction{inner: e, f: cfg.Func, space: cfg.Space}, nil
}

// Wrap implements env.Wrapper: NewTransformAction(e, c).
func (c TransformActionConfig) Wrap(e env.Env) (env.Env, error) {
	return wrapped(NewTransformAction(e, c))
}

// Unwrap returns the wrapped Env.
func (w *TransformAction) Unwrap() env.Env { return w.inner }

// ActionSpace is the configured space, or the wrapped Env's.
func (w *TransformAction) ActionSpace() spaces.Space {
	if w.space != nil {
		return w.space
	}
	return w.inner.ActionSpace()
}

// Step transforms a and steps the wrapped Env with the result; an action
// the function refuses is not applied.
func (w *TransformAction) Step(ctx context.Context, a arc.Action) (env.Step, error) {
	b, err := w.f(a)
	if err != nil {
		return env.Step{}, fmt.Errorf("wrappers: action transform of %s: %w", a, err)
	}
	return w.inner.Step(ctx, b)
}
