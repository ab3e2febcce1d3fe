package wrappers

import (
	"context"
	"fmt"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
)

// TimeLimitConfig configures a TimeLimit. Max must be set; the zero value
// of the other fields counts steps.
type TimeLimitConfig struct {
	// Max is the limit per episode, in steps (or score actions): at least
	// 1.
	Max int
	// ScoreActions counts what the scorecard charges (Info.ScoreActions:
	// every action and every level RESET of the run) instead of the
	// episode's steps, so that resets inside an episode use up the budget
	// too.
	ScoreActions bool
	// BothFlags sets Truncated on the step that reaches the limit even when
	// that step also terminated, as Gymnasium's TimeLimit does (it sets
	// truncated from the step count alone). By default a terminal step is
	// only Terminated: its episode ended by itself, and a learner must not
	// bootstrap from it.
	BothFlags bool
}

// TimeLimit is a wrapper that truncates an episode once it has used
// TimeLimitConfig.Max steps (or score actions): the step that reaches the
// limit returns Truncated (unless it terminated; see
// TimeLimitConfig.BothFlags), and Step then fails with env.ErrNeedsReset
// until the next Reset.
type TimeLimit struct {
	// into steps inner in place (env.Into).
	into env.StepperInto
	// out receives the steps of Step, which the layers below write
	// into in place (StepInto).
	out env.Step
	inner
	cfg   TimeLimitConfig
	life  lifecycle
	steps int
}

// NewTimeLimit wraps e with a limit of cfg.Max steps (or score actions)
// per episode.
func NewTimeLimit(e env.Env, cfg TimeLimitConfig) (*TimeLimit, error) {
	if e == nil {
		return nil, fmt.Errorf("wrappers: time limit needs an env")
	}
	if cfg.Max < 1 {
		return nil, fmt.Errorf("wrappers: time limit of %d steps, need at least 1", cfg.Max)
	}
	return &TimeLimit{inner: e, into: env.Into(e), cfg: cfg}, nil
}

// Wrap implements env.Wrapper: NewTimeLimit(e, c).
func (c TimeLimitConfig) Wrap(e env.Env) (env.Env, error) { return wrapped(NewTimeLimit(e, c)) }

// Unwrap returns the wrapped Env.
func (w *TimeLimit) Unwrap() env.Env { return w.inner }

// Max returns the limit.
func (w *TimeLimit) Max() int { return w.cfg.Max }

// Elapsed returns the steps (or score actions) counted so far in the
// episode.
func (w *TimeLimit) Elapsed() int { return w.steps }

// Reset resets the wrapped Env and the count.
func (w *TimeLimit) Reset(ctx context.Context, opts env.ResetOptions) (env.Obs, env.Info, error) {
	obs, info, err := w.life.resetInner(ctx, w.inner, opts)
	if err != nil {
		return obs, info, err
	}
	w.steps = 0
	if w.cfg.ScoreActions {
		w.steps = info.ScoreActions
	}
	return obs, info, nil
}

// Step steps the wrapped Env and truncates the episode at the limit.
func (w *TimeLimit) Step(ctx context.Context, a arc.Action) (env.Step, error) {
	err := w.StepInto(ctx, a, &w.out)
	return w.out, err
}

// StepInto is Step with the result left in *st (see env.StepperInto).
func (w *TimeLimit) StepInto(ctx context.Context, a arc.Action, st *env.Step) error {
	if err := w.life.stepErr(); err != nil {
		return failStep(st, err)
	}
	if err := w.into.StepInto(ctx, a, st); err != nil {
		return err
	}
	if w.cfg.ScoreActions {
		w.steps = st.Info.ScoreActions
	} else {
		w.steps++
	}
	if w.steps >= w.cfg.Max && (!st.Terminated || w.cfg.BothFlags) {
		st.Truncated = true
	}
	w.life.step(st)
	return nil
}

// Close closes the wrapped Env.
func (w *TimeLimit) Close() error {
	w.life.close()
	return w.inner.Close()
}
