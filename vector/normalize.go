package vector

import (
	"errors"
	"fmt"
	"math"

	"github.com/arcgym/arcgym/internal/running"
	"github.com/arcgym/arcgym/tensor"
)

// NormalizeRewardConfig configures a NormalizeReward vector wrapper; the
// zero value takes Gymnasium's defaults.
type NormalizeRewardConfig struct {
	// Gamma is the discount of the running returns (default 0.99).
	Gamma float64
	// Epsilon keeps the division finite (default 1e-8).
	Epsilon float64
}

// Wrap implements Wrapper: NewNormalizeReward(v, c).
func (c NormalizeRewardConfig) Wrap(v Env) (Env, error) { return wrapped(NewNormalizeReward(v, c)) }

// NormalizeReward is a vector wrapper that divides the rewards of each step
// by the running standard deviation of the sub-environments' discounted
// returns, as Gymnasium's vector NormalizeReward does, its arithmetic kept
// so that the figures match: each sub-environment's return is r +
// gamma*(previous return) in float32, restarted only after a terminated
// step; the statistics merge the returns of all rows of each step; rewards
// are scaled, not centred. Resets leave the rewards alone. Freeze stops the
// statistics, for evaluation. It allocates nothing per call.
type NormalizeReward struct {
	base
	cfg     NormalizeRewardConfig
	ret     []float32 // per sub-environment
	rows    []float32 // the returns of a batch's rows
	rewards []float64
	stats   *running.Stats
	out     Batch
	frozen  bool
}

// NewNormalizeReward wraps v so that its rewards are normalised.
func NewNormalizeReward(v Env, cfg NormalizeRewardConfig) (*NormalizeReward, error) {
	if v == nil {
		return nil, errors.New("vector: reward normalisation needs a vector env")
	}
	if cfg.Gamma == 0 {
		cfg.Gamma = 0.99
	}
	if cfg.Epsilon == 0 {
		cfg.Epsilon = 1e-8
	}
	if !(cfg.Gamma > 0 && cfg.Gamma <= 1) || !(cfg.Epsilon > 0) {
		return nil, fmt.Errorf("vector: reward normalisation with gamma %g (want 0..1) and epsilon %g (want > 0)", cfg.Gamma, cfg.Epsilon)
	}
	n := v.Metadata().NumEnvs
	w := &NormalizeReward{
		cfg: cfg, ret: make([]float32, n), rows: make([]float32, n),
		rewards: make([]float64, n), stats: running.New(1),
	}
	w.base = base{inner: v, t: w}
	return w, nil
}

// Freeze stops (true) or resumes (false) the update of the statistics.
func (w *NormalizeReward) Freeze(frozen bool) { w.frozen = frozen }

// Stats returns the running mean and variance of the returns.
func (w *NormalizeReward) Stats() (mean, variance float64) { return w.stats.Mean[0], w.stats.Var[0] }

func (w *NormalizeReward) transform(b *Batch, step bool) (*Batch, error) {
	if !step {
		return b, nil
	}
	k := b.Len()
	for r, i := range b.EnvIDs {
		if i < 0 || i >= len(w.ret) {
			return nil, fmt.Errorf("vector: reward normalisation of %d envs given row %d of env %d", len(w.ret), r, i)
		}
		keep := float32(1)
		if b.Terminated[r] {
			keep = 0
		}
		w.ret[i] = w.ret[i]*float32(w.cfg.Gamma)*keep + float32(b.Rewards[r])
		w.rows[r] = w.ret[i]
	}
	if !w.frozen && k > 0 {
		w.stats.AddRows(w.rows[:k], k)
	}
	scale := math.Sqrt(w.stats.Var[0] + w.cfg.Epsilon)
	w.out = *b
	w.out.Rewards = w.rewards[:k]
	for r, x := range b.Rewards {
		w.out.Rewards[r] = x / scale
	}
	return &w.out, nil
}

// NormalizeObservationConfig configures a NormalizeObservation vector
// wrapper.
type NormalizeObservationConfig struct {
	// Epsilon keeps the division finite (default 1e-8).
	Epsilon float64
}

// Wrap implements Wrapper: NewNormalizeObservation(v, c).
func (c NormalizeObservationConfig) Wrap(v Env) (Env, error) {
	return wrapped(NewNormalizeObservation(v, c))
}

// NormalizeObservation is a vector wrapper that centres and scales each
// element of the float observations (Batch.Float, which an Encode vector
// wrapper inside fills) by its running mean and standard deviation, as
// Gymnasium's vector NormalizeObservation does: the statistics merge all
// rows of every batch, resets' included. In SameStep mode the final
// observations (FinalFloat) are normalised with the same statistics, which
// they do not update, so that a learner bootstraps from its usual input.
// Freeze stops the statistics. It allocates nothing per call.
type NormalizeObservation struct {
	base
	cfg         NormalizeObservationConfig
	n, size     int // size: floats per row, set by the first batch
	stats       *running.Stats
	data, final []float32
	out         Batch
	frozen      bool
}

// NewNormalizeObservation wraps v, whose batches must carry Batch.Float.
func NewNormalizeObservation(v Env, cfg NormalizeObservationConfig) (*NormalizeObservation, error) {
	if v == nil {
		return nil, errors.New("vector: observation normalisation needs a vector env")
	}
	if cfg.Epsilon == 0 {
		cfg.Epsilon = 1e-8
	}
	if !(cfg.Epsilon > 0) {
		return nil, fmt.Errorf("vector: observation normalisation with epsilon %g, want > 0", cfg.Epsilon)
	}
	w := &NormalizeObservation{cfg: cfg, n: v.Metadata().NumEnvs}
	w.base = base{inner: v, t: w}
	return w, nil
}

// Freeze stops (true) or resumes (false) the update of the statistics.
func (w *NormalizeObservation) Freeze(frozen bool) { w.frozen = frozen }

// Stats returns the running mean and variance of each element; both are
// nil before the first batch.
func (w *NormalizeObservation) Stats() (mean, variance []float64) {
	if w.stats == nil {
		return nil, nil
	}
	return w.stats.Mean, w.stats.Var
}

func (w *NormalizeObservation) transform(b *Batch, _ bool) (*Batch, error) {
	k := b.Len()
	if w.size == 0 && k > 0 && len(b.Float.Data) > 0 && len(b.Float.Data)%k == 0 {
		w.size = len(b.Float.Data) / k
		w.stats = running.New(w.size)
		w.data, w.final = make([]float32, w.n*w.size), make([]float32, w.n*w.size)
	}
	if w.size == 0 || len(b.Float.Data) != k*w.size {
		return nil, fmt.Errorf("%w: observation normalisation of %d floats a row got Batch.Float of shape %v (wrap an Encode inside)", ErrShape, w.size, b.Float.Shape)
	}
	if !w.frozen && k > 0 {
		w.stats.AddRows(b.Float.Data, k)
	}
	w.out = *b
	w.out.Float = tensor.F32{Shape: b.Float.Shape, Data: w.data[:k*w.size]}
	w.normalize(w.out.Float.Data, b.Float.Data, nil)
	if b.HasFinal != nil && len(b.FinalFloat.Data) == k*w.size {
		w.out.FinalFloat = tensor.F32{Shape: b.FinalFloat.Shape, Data: w.final[:k*w.size]}
		w.normalize(w.out.FinalFloat.Data, b.FinalFloat.Data, b.HasFinal)
	}
	return &w.out, nil
}

// normalize writes the normalised rows of src into dst, only those marked
// in only when it is not nil.
func (w *NormalizeObservation) normalize(dst, src []float32, only []bool) {
	mean, vars := w.stats.Mean, w.stats.Var
	for r := range len(src) / w.size {
		if only != nil && !only[r] {
			continue
		}
		d, s := dst[r*w.size:(r+1)*w.size], src[r*w.size:(r+1)*w.size]
		for i, x := range s {
			d[i] = float32((float64(x) - mean[i]) / math.Sqrt(vars[i]+w.cfg.Epsilon))
		}
	}
}
