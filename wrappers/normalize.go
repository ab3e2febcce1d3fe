package wrappers

import (
	"context"
	"fmt"
	"math"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
)

// runningStats tracks the mean and variance of a stream of vectors, merged
// batch by batch (Chan et al.'s parallel algorithm), from Gymnasium's
// starting point: mean 0, variance 1 and a count of 1e-4, so that the
// first values are not divided by a variance of 0.
type runningStats struct {
	mean, vars []float64
	count      float64
}

func newRunningStats(n int) runningStats {
	s := runningStats{mean: make([]float64, n), vars: make([]float64, n), count: 1e-4}
	for i := range s.vars {
		s.vars[i] = 1
	}
	return s
}

// add merges one sample x (a batch of one: its variance 0).
func (s *runningStats) add(x []float64) {
	tot := s.count + 1
	for i, v := range x {
		delta := v - s.mean[i]
		s.mean[i] += delta / tot
		s.vars[i] = (s.vars[i]*s.count + delta*delta*s.count/tot) / tot
	}
	s.count = tot
}

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
	stats  runningStats
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
	return &NormalizeReward{inner: e, cfg: cfg, stats: newRunningStats(1)}, nil
}

// Unwrap returns the wrapped Env.
func (w *NormalizeReward) Unwrap() env.Env { return w.inner }

// Freeze stops (true) or resumes (false) the update of the statistics.
func (w *NormalizeReward) Freeze(frozen bool) { w.frozen = frozen }

// Stats returns the running mean and variance of the discounted return.
func (w *NormalizeReward) Stats() (mean, variance float64) { return w.stats.mean[0], w.stats.vars[0] }

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
		w.stats.add(w.sample[:])
	}
	st.Reward /= math.Sqrt(w.stats.vars[0] + w.cfg.Epsilon)
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
	stats  runningStats
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
		w.stats = newRunningStats(len(f))
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
		w.stats.add(w.x)
	}
	for i, v := range w.x {
		w.out[i] = float32((v - w.stats.mean[i]) / math.Sqrt(w.stats.vars[i]+w.cfg.Epsilon))
	}
	obs.Float.Data = w.out
	return nil
}
