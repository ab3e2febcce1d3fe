package wrappers

import (
	"context"
	"fmt"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
)

// RepeatAction is a wrapper that applies each action n times in a row
// (n = RepeatActionConfig.N: action repeat, or frame skip) and returns the
// last step with the sum of the rewards, stopping early when the episode
// ends, as the frame skip of Gymnasium's MaxAndSkipObservation sums them
// (without its max over the last two observations; see MaxPool for that).
// Info.Frames holds the last command's frames.
type RepeatAction struct {
	inner
	n int
}

// RepeatActionConfig configures a RepeatAction. N must be set.
type RepeatActionConfig struct {
	// N is the number of times each action is applied: at least 1.
	N int
}

// NewRepeatAction wraps e so that every action is applied cfg.N times.
func NewRepeatAction(e env.Env, cfg RepeatActionConfig) (*RepeatAction, error) {
	if e == nil {
		return nil, fmt.Errorf("wrappers: action repeat needs an env")
	}
	if cfg.N < 1 {
		return nil, fmt.Errorf("wrappers: action repeat of %d, need at least 1", cfg.N)
	}
	return &RepeatAction{inner: e, n: cfg.N}, nil
}

// Wrap implements env.Wrapper: NewRepeatAction(e, c).
func (c RepeatActionConfig) Wrap(e env.Env) (env.Env, error) { return wrapped(NewRepeatAction(e, c)) }

// Unwrap returns the wrapped Env.
func (w *RepeatAction) Unwrap() env.Env { return w.inner }

// Repeat returns the number of times each action is applied.
func (w *RepeatAction) Repeat() int { return w.n }

// Step applies a up to n times and returns the last step, its reward the
// sum of the steps' rewards. An error on a later repeat is returned with
// that step's result.
func (w *RepeatAction) Step(ctx context.Context, a arc.Action) (env.Step, error) {
	total := 0.0
	var st env.Step
	for k := range w.n {
		var err error
		st, err = w.inner.Step(ctx, a)
		if err != nil {
			if k > 0 {
				err = fmt.Errorf("wrappers: action repeat %d of %d: %w", k+1, w.n, err)
			}
			return st, err
		}
		total += st.Reward
		if st.Done() {
			break
		}
	}
	st.Reward = total
	return st, nil
}
