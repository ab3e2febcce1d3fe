package vector

import (
	"context"
	"fmt"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/spaces"
)

// corer is a vector env that runs its sub-environments: Sync and Async.
type corer interface {
	core() *core
}

func (v *Sync) core() *core  { return v.c }
func (a *Async) core() *core { return a.c }

// coreOf returns the core under v's vector wrappers.
func coreOf(v Env) (*core, error) {
	for v != nil {
		if c, ok := v.(corer); ok {
			return c.core(), nil
		}
		u, ok := v.(Unwrapper)
		if !ok {
			break
		}
		v = u.Unwrap()
	}
	return nil, fmt.Errorf("vector: %T holds no sub-environments", v)
}

// ResetSeeds resets every sub-environment of v, sub-environment i with
// seeds[i], through v's vector wrappers: Gymnasium's reset with a list of
// seeds (Reset with env.WithSeed(s) seeds sub-environment i with s+i).
// seeds must hold one seed per sub-environment.
func ResetSeeds(ctx context.Context, v Env, seeds []int64) (*Batch, error) {
	c, err := coreOf(v)
	if err != nil {
		return nil, err
	}
	if len(seeds) != c.n {
		return nil, fmt.Errorf("vector: %d seeds for %d sub-environments", len(seeds), c.n)
	}
	c.seeds = seeds
	defer func() { c.seeds = nil }()
	return v.Reset(ctx, env.WithSeed(seeds[0]))
}

// ActionSpace is the batched action space of a vector env, Gymnasium's
// vector action_space: one spaces.Action per sub-environment. Sample draws
// a batch of actions, under the rows' masks when given.
type ActionSpace struct {
	subs []*spaces.Action
	flat []bool
}

// ActionSpaceOf returns the batched action space of v, made of each
// sub-environment's own action space (reached through v's vector wrappers).
// Sub-environments whose space is not an ARC action space fail.
func ActionSpaceOf(v Env) (*ActionSpace, error) {
	s := &ActionSpace{flat: make([]bool, spaces.FlatSize)}
	err := Each(v, func(i int, e env.Env) error {
		a, ok := env.ActionSpaceOf(e)
		if !ok {
			return fmt.Errorf("vector: sub-environment %d has action space %v, not an ARC one", i, e.ActionSpace())
		}
		s.subs = append(s.subs, spaces.NewAction(a.Available))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// Len returns the number of sub-environments.
func (s *ActionSpace) Len() int { return len(s.subs) }

// Sub returns sub-environment i's action space.
func (s *ActionSpace) Sub(i int) *spaces.Action { return s.subs[i] }

// Seed seeds the sampler of sub-environment i with seed+i, as Gymnasium
// seeds a batched space.
func (s *ActionSpace) Seed(seed uint64) {
	for i, a := range s.subs {
		a.Seed(seed + uint64(i))
	}
}

// Contains reports whether acts holds one action per sub-environment, each
// in its space.
func (s *ActionSpace) Contains(acts []arc.Action) bool {
	if len(acts) != len(s.subs) {
		return false
	}
	for i, a := range acts {
		if !s.subs[i].Contains(a) {
			return false
		}
	}
	return true
}

// Sample writes one action per sub-environment into dst (one per
// sub-environment). masks is nil, or holds each row's mask one after the
// other in layout l (a nil l is spaces.Full), as Batch.Mask and Batch.Masks
// give them; a row is drawn among what its mask allows, action id first,
// then cell (see spaces.Action.Sample). A row whose mask allows nothing
// fails with spaces.ErrInvalidMask.
func (s *ActionSpace) Sample(dst []arc.Action, masks []bool, l *spaces.Layout) error {
	if len(dst) != len(s.subs) {
		return fmt.Errorf("vector: %d actions for %d sub-environments", len(dst), len(s.subs))
	}
	if l == nil {
		l = spaces.Full
	}
	w := l.N()
	if masks != nil && len(masks) != len(s.subs)*w {
		return fmt.Errorf("%w: %d mask entries for %d rows of %d", spaces.ErrInvalidMask, len(masks), len(s.subs), w)
	}
	for i, sub := range s.subs {
		var m []bool
		if masks != nil {
			if err := l.ToFlat(s.flat, masks[i*w:(i+1)*w]); err != nil {
				return err
			}
			m = s.flat
		}
		a, ok := sub.Sample(m)
		if !ok {
			return fmt.Errorf("%w: row %d allows no action", spaces.ErrInvalidMask, i)
		}
		dst[i] = a
	}
	return nil
}

// ObservationSpaceOf returns the batched observation space of v: its
// single observation space (a Box) with a leading dimension of NumEnvs,
// Gymnasium's vector observation_space.
func ObservationSpaceOf(v Env) (*spaces.Box, error) {
	b, ok := v.SingleObservationSpace().(*spaces.Box)
	if !ok {
		return nil, fmt.Errorf("vector: observation space %v is not a Box", v.SingleObservationSpace())
	}
	return spaces.NewBox(b.Low, b.High, b.Dtype, append([]int{v.Metadata().NumEnvs}, b.Shape()...)...), nil
}
