package wrappers

import (
	"context"
	"fmt"
	"slices"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/internal/framestack"
	"github.com/arcgym/arcgym/spaces"
	"github.com/arcgym/arcgym/tensor"
)

// StackPadding selects what fills a frame stack right after Reset, before
// as many frames as its depth have been seen.
type StackPadding uint8

const (
	// PadRepeat fills the stack with the first frame of the episode (the
	// default), so the stack never shows frames that did not happen.
	PadRepeat StackPadding = iota
	// PadZeros fills the stack with all-zero frames (colour 0).
	PadZeros
)

// StackPolicy selects which frames of a step enter the stack.
type StackPolicy uint8

const (
	// StackLast pushes one frame per step: the observation (the default).
	StackLast StackPolicy = iota
	// StackAll pushes every frame of the step (Info.Frames), so animations
	// of multi-frame steps are kept; a step with more frames than the
	// stack's depth leaves only its last ones in the stack.
	StackAll
)

// FrameStackConfig configures a FrameStack. Depth must be set; the zero
// value of the other fields repeats the first frame as padding and stacks
// one frame per step.
type FrameStackConfig struct {
	// Depth is the number of frames stacked, n: at least 1.
	Depth int
	// Padding selects what fills the stack after Reset (default
	// PadRepeat).
	Padding StackPadding
	// Policy selects which frames of a step enter the stack (default
	// StackLast).
	Policy StackPolicy
}

// FrameStack is a wrapper whose observation is the last n frames
// (n = FrameStackConfig.Depth), oldest first: Obs.Grid has shape
// (n, inner shape...), (n,64,64) over a Game.
//
// The frames live in a buffer of stackSlots(n) slots (8n: 128 KiB for four
// 64x64 frames) that keeps the n most recent ones contiguous (see package
// internal/framestack): a step copies its frame once, plus n-1 frames every
// 7n steps or so. Fewer slots measured slower on gl02 (the moves come back
// sooner and evict more).
type FrameStack struct {
	// into steps inner in place (env.Into).
	into env.StepperInto
	// out receives the steps of Step, which the layers below write
	// into in place (StepInto).
	out env.Step
	inner
	cfg       FrameStackConfig
	n         int
	frameSize int
	stack     framestack.Stack
	shape     []int
	space     *spaces.Box
}

// stackSlots is the number of frame slots of a stack of n frames.
func stackSlots(n int) int { return 8 * n }

// NewFrameStack wraps e so that observations stack the last cfg.Depth
// frames.
func NewFrameStack(e env.Env, cfg FrameStackConfig) (*FrameStack, error) {
	if e == nil {
		return nil, fmt.Errorf("wrappers: frame stack needs an env")
	}
	n := cfg.Depth
	if n < 1 {
		return nil, fmt.Errorf("wrappers: frame stack of %d frames, need at least 1", n)
	}
	if cfg.Padding > PadZeros {
		return nil, fmt.Errorf("wrappers: unknown stack padding %d", cfg.Padding)
	}
	if cfg.Policy > StackAll {
		return nil, fmt.Errorf("wrappers: unknown stack policy %d", cfg.Policy)
	}
	in := e.ObservationSpace().Shape()
	if cfg.Policy == StackAll && !slices.Equal(in, []int{arc.GridSize, arc.GridSize}) {
		return nil, fmt.Errorf("wrappers: stacking all frames needs (64,64) observations, have %v", in)
	}
	fs := tensor.Size(in)
	shape := append([]int{n}, in...)
	lo, hi := 0.0, float64(arc.NumColors-1)
	if b, ok := e.ObservationSpace().(*spaces.Box); ok {
		lo, hi = b.Low, b.High
	}
	return &FrameStack{
		inner: e, into: env.Into(e), cfg: cfg, n: n, frameSize: fs,
		stack: framestack.New(make([]uint8, stackSlots(n)*fs), n, fs),
		shape: shape,
		space: spaces.NewBox(lo, hi, spaces.Uint8, shape...),
	}, nil
}

// Wrap implements env.Wrapper: NewFrameStack(e, c).
func (c FrameStackConfig) Wrap(e env.Env) (env.Env, error) { return wrapped(NewFrameStack(e, c)) }

// Unwrap returns the wrapped Env.
func (w *FrameStack) Unwrap() env.Env { return w.inner }

// ObservationSpace is the inner space stacked n times.
func (w *FrameStack) ObservationSpace() spaces.Space { return w.space }

// Reset resets the wrapped Env and fills the stack with padding and the
// first observation.
func (w *FrameStack) Reset(ctx context.Context, opts env.ResetOptions) (env.Obs, env.Info, error) {
	obs, info, err := w.inner.Reset(ctx, opts)
	if err != nil {
		return obs, info, err
	}
	if err := w.checkFrame(obs.Grid); err != nil {
		return env.Obs{}, info, err
	}
	first := obs.Grid.Data
	if w.cfg.Policy == StackAll && info.Frames.Len() >= w.frameSize {
		first = info.Frames.Data[:w.frameSize]
	}
	w.stack.Fill(first, w.cfg.Padding == PadZeros)
	w.push(obs.Grid.Data, &info)
	obs.Grid = w.view()
	return obs, info, nil
}

// Step steps the wrapped Env and pushes the step's frames.
func (w *FrameStack) Step(ctx context.Context, a arc.Action) (env.Step, error) {
	err := w.StepInto(ctx, a, &w.out)
	return w.out, err
}

// StepInto is Step with the result left in *st (see env.StepperInto).
func (w *FrameStack) StepInto(ctx context.Context, a arc.Action, st *env.Step) error {
	if err := w.into.StepInto(ctx, a, st); err != nil {
		return err
	}
	if err := w.checkFrame(st.Obs.Grid); err != nil {
		return failStep(st, err)
	}
	w.push(st.Obs.Grid.Data, &st.Info)
	st.Obs.Grid = w.view()
	return nil
}

func (w *FrameStack) checkFrame(g tensor.U8) error {
	if len(g.Data) != w.frameSize {
		return fmt.Errorf("wrappers: frame stack got an observation of shape %v, want %v", g.Shape, w.shape[1:])
	}
	return nil
}

func (w *FrameStack) push(obs []uint8, info *env.Info) {
	if w.cfg.Policy == StackLast || info.Frames.Len() < w.frameSize {
		w.stack.Push(obs)
		return
	}
	k := info.Frames.Len() / w.frameSize
	for i := max(0, k-w.n); i < k; i++ {
		w.stack.Push(info.Frames.Data[i*w.frameSize : (i+1)*w.frameSize])
	}
}

func (w *FrameStack) view() tensor.U8 { return tensor.U8{Shape: w.shape, Data: w.stack.View()} }
