package wrappers

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
)

// StickyActions is a wrapper that, with probability StickyActionsConfig.P,
// applies the previous action again instead of the one asked for, as in the
// sticky-action protocol of the Arcade Learning Environment. The previous action is the
// one the last step applied (its Info.Action, which differs from the one
// asked for when a wrapper inside remaps actions). The first step of an
// episode always applies the action asked for, and so does a step whose
// previous action is no longer available. Info.Action reports what was
// applied. The draws are seeded: by StickyActionsConfig.Seed, and again
// by every Reset that carries a seed.
type StickyActions struct {
	inner
	p       float64
	life    lifecycle
	rng     *rand.Rand
	pcg     *rand.PCG
	prev    arc.Action
	hasPrev bool
	avail   arc.ActionSet
}

// StickyActionsConfig configures a StickyActions; the zero value never
// repeats an action.
type StickyActionsConfig struct {
	// P is the probability of applying the previous action again, in 0..1.
	P float64
	// Seed seeds the draws until a Reset with a seed reseeds them.
	Seed uint64
}

// NewStickyActions wraps e with sticky actions of probability cfg.P.
func NewStickyActions(e env.Env, cfg StickyActionsConfig) (*StickyActions, error) {
	if e == nil {
		return nil, fmt.Errorf("wrappers: sticky actions needs an env")
	}
	p := cfg.P
	if !(p >= 0 && p <= 1) {
		return nil, fmt.Errorf("wrappers: sticky probability %g is outside 0..1", p)
	}
	pcg := rand.NewPCG(cfg.Seed, cfg.Seed^0x5851f42d4c957f2d)
	return &StickyActions{inner: e, p: p, pcg: pcg, rng: rand.New(pcg)}, nil
}

// Wrap implements env.Wrapper: NewStickyActions(e, c).
func (c StickyActionsConfig) Wrap(e env.Env) (env.Env, error) { return wrapped(NewStickyActions(e, c)) }

// Unwrap returns the wrapped Env.
func (w *StickyActions) Unwrap() env.Env { return w.inner }

// Reset resets the wrapped Env and forgets the previous action.
func (w *StickyActions) Reset(ctx context.Context, opts env.ResetOptions) (env.Obs, env.Info, error) {
	obs, info, err := w.life.resetInner(ctx, w.inner, opts)
	if err != nil {
		return obs, info, err
	}
	if opts.HasSeed {
		s := uint64(opts.Seed)
		w.pcg.Seed(s, s^0x5851f42d4c957f2d)
	}
	w.hasPrev = false
	w.avail = info.Available
	return obs, info, nil
}

// Step applies a, or with probability p the previous action.
func (w *StickyActions) Step(ctx context.Context, a arc.Action) (env.Step, error) {
	if err := w.life.stepErr(); err != nil {
		return env.Step{}, err
	}
	// Draw on every step, sticky or not, so that the random stream does not
	// depend on the actions.
	stick := w.rng.Float64() < w.p
	if stick && w.hasPrev && w.avail.Has(w.prev.ID) {
		a = w.prev
	}
	st, err := w.inner.Step(ctx, a)
	if err != nil {
		return st, err
	}
	w.life.step(&st)
	// Repeat what was applied: a wrapper inside may have remapped a, and
	// asking for a again could be remapped to something else.
	w.prev, w.hasPrev = a, true
	if st.Info.Action.ID != arc.Reset {
		w.prev = st.Info.Action
	}
	w.avail = st.Info.Available
	return st, nil
}

// Close closes the wrapped Env.
func (w *StickyActions) Close() error {
	w.life.close()
	return w.inner.Close()
}
