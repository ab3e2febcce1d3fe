package wrappers

import (
	"context"
	"fmt"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
)

// RepeatAction is a wrapper that applies each action n times in a row
// (action repeat, or frame skip) and returns the last step with the sum of
// the rewards, stopping early when the episode ends, as the frame skip of
// Gymnasium's MaxAndSkipObservation sums them (without its max over the
// last two observations; see MaxPool for that). Info.Frames holds the last
// command's frames.
type RepeatAction struct {
	inner
	n int
}

// NewRepeatAction wraps e so that every action is applied n times (n >= 1).
func NewRepeatAction(e env.Env, n int) (*RepeatAction, error) {
	if e == nil {
		return nil, fmt.Errorf("wrappers: action repeat needs an env")
	}
	if n < 1 {
		return nil, fmt.Errorf("wrappers: action repeat of %d, need at least 1", n)
	}
	return &RepeatAction{inner: e, n: n}, nil
}

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
