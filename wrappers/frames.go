package wrappers

import (
	"context"
	"fmt"
	"slices"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/tensor"
)

// FramePolicy says what an agent sees of a step that returns several
// frames (a game animating within one action).
type FramePolicy uint8

const (
	// LastFrame observes the settled state only: the last frame, which is
	// what env.Game returns.
	LastFrame FramePolicy = iota
	// AllFrames observes every frame, through a FrameStack with StackAll.
	AllFrames
	// MaxPoolFrames observes the cell-wise maximum colour index over the
	// step's frames, so that short-lived objects leave a trace.
	MaxPoolFrames
)

// String names the policy.
func (p FramePolicy) String() string {
	switch p {
	case LastFrame:
		return "last"
	case AllFrames:
		return "all"
	case MaxPoolFrames:
		return "maxpool"
	}
	return fmt.Sprintf("FramePolicy(%d)", uint8(p))
}

// FramesConfig configures NewFrames; the zero value observes the last
// frame.
type FramesConfig struct {
	// Policy is what the agent sees of a multi-frame step (default
	// LastFrame).
	Policy FramePolicy
	// N is the number of frames stacked under AllFrames (at least 1
	// then); the other policies ignore it.
	N int
}

// NewFrames applies the frame policy of cfg to e: LastFrame returns e
// itself, AllFrames a FrameStack of cfg.N frames fed with every frame
// (StackAll), MaxPoolFrames a MaxPool.
func NewFrames(e env.Env, cfg FramesConfig) (env.Env, error) {
	switch cfg.Policy {
	case LastFrame:
		if e == nil {
			return nil, fmt.Errorf("wrappers: frame policy needs an env")
		}
		return e, nil
	case AllFrames:
		return wrapped(NewFrameStack(e, FrameStackConfig{Depth: cfg.N, Policy: StackAll}))
	case MaxPoolFrames:
		return wrapped(NewMaxPool(e, MaxPoolConfig{}))
	}
	return nil, fmt.Errorf("wrappers: unknown frame policy %d", cfg.Policy)
}

// Wrap implements env.Wrapper: NewFrames(e, c).
func (c FramesConfig) Wrap(e env.Env) (env.Env, error) { return NewFrames(e, c) }

// MaxPoolConfig configures a MaxPool; it has no options yet.
type MaxPoolConfig struct{}

// MaxPool is a wrapper whose observation is the cell-wise maximum over all
// frames of the step (Info.Frames); Info is unchanged.
type MaxPool struct {
	inner
	shape [2]int
	buf   []uint8
}

// NewMaxPool wraps e, which must have (64,64) observations.
func NewMaxPool(e env.Env, cfg MaxPoolConfig) (*MaxPool, error) {
	if e == nil {
		return nil, fmt.Errorf("wrappers: max pool needs an env")
	}
	if in := e.ObservationSpace().Shape(); !slices.Equal(in, []int{arc.GridSize, arc.GridSize}) {
		return nil, fmt.Errorf("wrappers: max pool needs (64,64) observations, have %v", in)
	}
	return &MaxPool{inner: e, shape: [2]int{arc.GridSize, arc.GridSize}, buf: make([]uint8, arc.FrameCells)}, nil
}

// Wrap implements env.Wrapper: NewMaxPool(e, c).
func (c MaxPoolConfig) Wrap(e env.Env) (env.Env, error) { return wrapped(NewMaxPool(e, c)) }

// Unwrap returns the wrapped Env.
func (w *MaxPool) Unwrap() env.Env { return w.inner }

// Reset resets the wrapped Env and pools the reset's frames.
func (w *MaxPool) Reset(ctx context.Context, opts env.ResetOptions) (env.Obs, env.Info, error) {
	obs, info, err := w.inner.Reset(ctx, opts)
	if err != nil {
		return obs, info, err
	}
	obs.Grid = w.pool(obs.Grid, info.Frames)
	return obs, info, nil
}

// Step steps the wrapped Env and pools the step's frames.
func (w *MaxPool) Step(ctx context.Context, a arc.Action) (env.Step, error) {
	st, err := w.inner.Step(ctx, a)
	if err != nil {
		return st, err
	}
	st.Obs.Grid = w.pool(st.Obs.Grid, st.Info.Frames)
	return st, nil
}

func (w *MaxPool) pool(last, frames tensor.U8) tensor.U8 {
	k := len(frames.Data) / arc.FrameCells
	if k <= 1 {
		return last
	}
	dst := w.buf
	copy(dst, frames.Data[:arc.FrameCells])
	for i := 1; i < k; i++ {
		f := frames.Data[i*arc.FrameCells : (i+1)*arc.FrameCells]
		for c, v := range f {
			dst[c] = max(dst[c], v)
		}
	}
	return tensor.U8{Shape: w.shape[:], Data: dst}
}
