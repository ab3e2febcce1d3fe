package wrappers

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
)

// TransformReward is a wrapper that replaces every step's reward r by f(r)
// (f = TransformRewardConfig.Func).
type TransformReward struct {
	inner
	f func(float64) float64
}

// TransformRewardConfig configures a TransformReward. Func must be set, or
// the config come from ClipReward or ScaleReward.
type TransformRewardConfig struct {
	// Func maps every step's reward.
	Func func(r float64) float64

	// err is why ClipReward or ScaleReward could not make Func; it makes
	// NewTransformReward fail.
	err error
}

// ClipReward returns the config of a TransformReward that clips rewards to
// [lo, hi]. NewTransformReward fails on it when the range is empty (lo > hi,
// or either bound NaN).
func ClipReward(lo, hi float64) TransformRewardConfig {
	if !(lo <= hi) {
		return TransformRewardConfig{err: fmt.Errorf("wrappers: reward clip range [%g, %g] is empty", lo, hi)}
	}
	return TransformRewardConfig{Func: func(r float64) float64 { return min(hi, max(lo, r)) }}
}

// ScaleReward returns the config of a TransformReward that multiplies
// rewards by k. NewTransformReward fails on it when k is not finite.
func ScaleReward(k float64) TransformRewardConfig {
	if math.IsNaN(k) || math.IsInf(k, 0) {
		return TransformRewardConfig{err: fmt.Errorf("wrappers: reward scale %g is not finite", k)}
	}
	return TransformRewardConfig{Func: func(r float64) float64 { return k * r }}
}

// NewTransformReward wraps e so that rewards go through cfg.Func.
func NewTransformReward(e env.Env, cfg TransformRewardConfig) (*TransformReward, error) {
	if cfg.err != nil {
		return nil, cfg.err
	}
	if e == nil || cfg.Func == nil {
		return nil, errors.New("wrappers: reward transform needs an env and a function")
	}
	return &TransformReward{inner: e, f: cfg.Func}, nil
}

// Wrap implements env.Wrapper: NewTransformReward(e, c).
func (c TransformRewardConfig) Wrap(e env.Env) (env.Env, error) {
	return wrapped(NewTransformReward(e, c))
}

// Unwrap returns the wrapped Env.
func (w *TransformReward) Unwrap() env.Env { return w.inner }

// Step steps the wrapped Env and transforms the reward.
func (w *TransformReward) Step(ctx context.Context, a arc.Action) (env.Step, error) {
	st, err := w.inner.Step(ctx, a)
	if err != nil {
		return st, err
	}
	st.Reward = w.f(st.Reward)
	return st, nil
}
