package wrappers

import (
	"context"
	"fmt"
	"math"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
)

// TransformReward is a wrapper that replaces every step's reward r by f(r).
type TransformReward struct {
	inner
	f func(float64) float64
}

// NewTransformReward wraps e so that rewards go through f.
func NewTransformReward(e env.Env, f func(r float64) float64) (*TransformReward, error) {
	if e == nil || f == nil {
		return nil, fmt.Errorf("wrappers: reward transform needs an env and a function")
	}
	return &TransformReward{inner: e, f: f}, nil
}

// NewClipReward wraps e so that rewards are clipped to [lo, hi].
func NewClipReward(e env.Env, lo, hi float64) (*TransformReward, error) {
	if !(lo <= hi) {
		return nil, fmt.Errorf("wrappers: reward clip range [%g, %g] is empty", lo, hi)
	}
	return NewTransformReward(e, func(r float64) float64 { return min(hi, max(lo, r)) })
}

// NewScaleReward wraps e so that rewards are multiplied by k.
func NewScaleReward(e env.Env, k float64) (*TransformReward, error) {
	if math.IsNaN(k) || math.IsInf(k, 0) {
		return nil, fmt.Errorf("wrappers: reward scale %g", k)
	}
	return NewTransformReward(e, func(r float64) float64 { return k * r })
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
