package wrappers

import (
	"context"
	"fmt"
	"math"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/internal/running"
)

// NormalizeRewardConfig configures a NormalizeReward; the zero value takes
// Gymnasium's defaults.
type NormalizeRewardConfig struct {
	// Gamma is the discount of the running return (default 0.99).
	Gamma float64
	// Epsilon keeps the division finite (default 1e-8).
	Epsilon float64
}

// NormalizeReward is a wrapper that divides each reward by the running
// standard deviation of a discounted return, as Gymnasium's NormalizeReward
// does (the same arithmetic, its quirks kept so that the figures match):
// the return is r + gamma*(previous return), restarted only after a
// terminated step (not after a truncation, nor by Reset), and the rewards
// are scaled, not centred. Freeze stops the statistics, for evaluation.
type NormalizeReward struct {
	inner
	cfg    NormalizeRewardConfig
	ret    float64
	stats  *running.Stats
	sample [1]float64
	frozen bool
}

// NewNormalizeReward wraps e so that its rewards are normalised.
func NewNormalizeReward(e env.Env, cfg NormalizeRewardConfig) (*NormalizeReward, error) {
	if e == nil {
		return nil, fmt.Errorf("wrappers: reward normalisation needs an env")
	}
	if cfg.Gamma == 0 {
		cfg.Gamma = 0.99
	}
	if cfg.Epsilon == 0 {
		cfg.Epsilon = 1e-8
	}
	if !(cfg.Gamma > 0 && cfg.Gamma <= 1) || !(cfg.Epsilon > 0) {
		return nil, fmt.Errorf("wrappers: reward normalisation with gamma %g (want 0..1) and epsilon %g (want > 0)", cfg.Gamma, cfg.Epsilon)
	}
	return &NormalizeReward{inner: e, cfg: cfg, stats: running.New(1)}, nil
}

// Wrap implements env.Wrapper: NewNormalizeReward(e, c).
func (c NormalizeRewardConfig) Wrap(e env.Env) (env.Env, error) {
	return wrapped(NewNormalizeReward(e, c))
}

// Unwrap returns the wrapped Env.
func (w *NormalizeReward) Unwrap() env.Env { return w.inner }

// Freeze stops (true) or resumes (false) the update of the statistics.
func (w *NormalizeReward) Freeze(frozen bool) { w.frozen = frozen }

// Stats returns the running mean and variance of the discounted return.
func (w *NormalizeReward) Stats() (mean, variance float64) { return w.stats.Mean[0], w.stats.Var[0] }

// Step steps the wrapped Env and normalises the reward.
func (w *NormalizeReward) Step(ctx context.Context, a arc.Action) (env.Step, error) {
	st, err := w.inner.Step(ctx, a)
	if err != nil {
		return st, err
	}
	keep := 1.0
	if st.Terminated {
		keep = 0
	}
	w.ret = w.ret*w.cfg.Gamma*keep + st.Reward
	if !w.frozen {
		w.sample[0] = w.ret
		w.stats.Add(w.sample[:])
	}
	st.Reward /= math.Sqrt(w.stats.Var[0] + w.cfg.Epsilon)
	return st, nil
}

// NormalizeObservationConfig configures a NormalizeObservation.
type NormalizeObservationConfig struct {
	// Epsilon keeps the division finite (default 1e-8).
	Epsilon float64
}

// NormalizeObservation is a wrapper that centres and scales each element
// of the float observation (Obs.Float, which an encoding wrapper fills) by
// its running mean and standard deviation, over every observation Reset
// and Step return, as Gymnasium's NormalizeObservation does. The grid is
// left as it is. The normalised values live in a buffer of the wrapper,
// overwritten by its next call. Freeze stops the statistics.
type NormalizeObservation struct {
	obsMap
	cfg    NormalizeObservationConfig
	stats  *running.Stats
	x      []float64
	out    []float32
	frozen bool
}

// NewNormalizeObservation wraps e, whose observations must carry Obs.Float.
func NewNormalizeObservation(e env.Env, cfg NormalizeObservationConfig) (*NormalizeObservation, error) {
	if e == nil {
		return nil, fmt.Errorf("wrappers: observation normalisation needs an env")
	}
	if cfg.Epsilon == 0 {
		cfg.Epsilon = 1e-8
	}
	if !(cfg.Epsilon > 0) {
		return nil, fmt.Errorf("wrappers: observation normalisation with epsilon %g, want > 0", cfg.Epsilon)
	}
	w := &NormalizeObservation{cfg: cfg}
	w.obsMap = obsMap{inner: e, f: func(o env.Obs) (env.Obs, error) { err := w.normalize(&o); return o, err }}
	return w, nil
}

// Wrap implements env.Wrapper: NewNormalizeObservation(e, c).
func (c NormalizeObservationConfig) Wrap(e env.Env) (env.Env, error) {
	return wrapped(NewNormalizeObservation(e, c))
}

// Unwrap returns the wrapped Env.
func (w *NormalizeObservation) Unwrap() env.Env { return w.inner }

// Freeze stops (true) or resumes (false) the update of the statistics.
func (w *NormalizeObservation) Freeze(frozen bool) { w.frozen = frozen }

// normalize updates the statistics with obs.Float (unless frozen) and
// makes obs.Float the normalised values; Reset and Step run it on every
// observation.
func (w *NormalizeObservation) normalize(obs *env.Obs) error {
	f := obs.Float.Data
	if len(f) == 0 {
		return fmt.Errorf("wrappers: observation normalisation: the observation has no Obs.Float (wrap an encoder inside)")
	}
	if w.x == nil {
		w.stats = running.New(len(f))
		w.x = make([]float64, len(f))
		w.out = make([]float32, len(f))
	}
	if len(f) != len(w.x) {
		return fmt.Errorf("wrappers: observation normalisation: Obs.Float of %d values, %d before", len(f), len(w.x))
	}
	for i, v := range f {
		w.x[i] = float64(v)
	}
	if !w.frozen {
		w.stats.Add(w.x)
	}
	for i, v := range w.x {
		w.out[i] = float32((v - w.stats.Mean[i]) / math.Sqrt(w.stats.Var[i]+w.cfg.Epsilon))
	}
	obs.Float.Data = w.out
	return nil
}
