package vector

import (
	"errors"
	"fmt"

	"github.com/arcgym/arcgym/internal/framestack"
	"github.com/arcgym/arcgym/spaces"
	"github.com/arcgym/arcgym/tensor"
)

// FrameStackConfig configures a FrameStack vector wrapper.
type FrameStackConfig struct {
	// Depth is the number of observations stacked, at least 1.
	Depth int
}

// Wrap implements Wrapper: NewFrameStack(v, c).
func (c FrameStackConfig) Wrap(v Env) (Env, error) { return wrapped(NewFrameStack(v, c)) }

// FrameStack is a vector wrapper whose observations stack the last Depth
// observations of each sub-environment, oldest first: Batch.Obs has shape
// (rows, Depth, obs shape...), and so has FinalObs in SameStep mode (the
// stack ending at the final observation, what a learner bootstraps a
// truncated episode from). A row that starts an episode fills its whole
// stack with its first observation, as Gymnasium's FrameStackObservation
// pads at reset. Failed and idle rows push nothing and show their stack
// unchanged. Stacking in each sub-environment with wrappers.FrameStack gives
// the same observations; this one keeps the sub-environments plain. It
// allocates nothing per call.
type FrameStack struct {
	base
	s     *stacker
	out   Batch
	space spaces.Space
}

// NewFrameStack wraps v so that its observations are stacks of
// cfg.Depth.
func NewFrameStack(v Env, cfg FrameStackConfig) (*FrameStack, error) {
	if v == nil {
		return nil, errors.New("vector: frame stack needs a vector env")
	}
	md := v.Metadata()
	s, err := newStacker(md.NumEnvs, cfg.Depth, md.ObsShape)
	if err != nil {
		return nil, err
	}
	shape := append([]int{cfg.Depth}, md.ObsShape...)
	w := &FrameStack{s: s, space: spaces.NewBox(0, 15, spaces.Uint8, shape...)}
	w.base = base{inner: v, t: w}
	return w, nil
}

// Metadata describes the vector env: ObsShape is a stack's.
func (w *FrameStack) Metadata() Metadata {
	md := w.inner.Metadata()
	md.ObsShape = append([]int{w.s.k}, md.ObsShape...)
	return md
}

// SingleObservationSpace is the space of one sub-environment's stack.
func (w *FrameStack) SingleObservationSpace() spaces.Space { return w.space }

func (w *FrameStack) transform(b *Batch, _ bool) (*Batch, error) {
	obs, final, err := w.s.update(b)
	if err != nil {
		return nil, err
	}
	w.out = *b
	w.out.Obs = obs
	if b.HasFinal != nil {
		w.out.FinalObs = final
	}
	return &w.out, nil
}

// stacker stacks the last k observations of every sub-environment of a
// vector env, batch-wise: update takes each Batch and returns the stacks of
// its rows, shape (rows, k, obs shape...), oldest first. A row that starts
// an episode fills its whole stack with its first observation, as
// Gymnasium's frame stacking pads at reset. It works with every autoreset
// mode and with Async.Recv batches, whose rows come in any order. Each
// sub-environment's stack is an internal/framestack.Stack of stackSlots(k)
// slots, as the single-env wrapper's; its buffers are allocated once.
type stacker struct {
	k, n, size int
	stacks     []framestack.Stack
	shape      []int
	out, final []uint8
}

// stackSlots is the number of frame slots of each sub-environment's stack
// of k frames: fewer than the single-env wrapper's 8k, as there are many
// stacks; a push moves k-1 frames every k+1 pushes.
func stackSlots(k int) int { return 2 * k }

// newStacker returns a stacker of depth k for numEnvs sub-environments with
// observations of shape obsShape.
func newStacker(numEnvs, k int, obsShape []int) (*stacker, error) {
	size := tensor.Size(obsShape)
	if numEnvs <= 0 || k <= 0 || len(obsShape) == 0 || size <= 0 {
		return nil, fmt.Errorf("vector: frame stack of depth %d over %d envs of shape %v", k, numEnvs, obsShape)
	}
	slots := max(stackSlots(k), k+1)
	buf := make([]uint8, numEnvs*slots*size)
	f := &stacker{
		k: k, n: numEnvs, size: size,
		stacks: make([]framestack.Stack, numEnvs),
		shape:  append([]int{numEnvs, k}, obsShape...),
		out:    make([]uint8, numEnvs*k*size),
		final:  make([]uint8, numEnvs*k*size),
	}
	for i := range f.stacks {
		f.stacks[i] = framestack.New(buf[i*slots*size:(i+1)*slots*size], k, size)
	}
	return f, nil
}

// update pushes the observations of b into the stacks and returns the
// stacked observations of b's rows and, for rows with HasFinal, the stacks
// ending at the final observation (unspecified for the other rows). Failed
// and idle rows push nothing and return their stack unchanged (a failed row
// with HasFinal pushes its final observation). Both tensors are valid until
// the next update.
func (f *stacker) update(b *Batch) (obs, final tensor.U8, err error) {
	rows := b.Len()
	if len(b.Obs.Data) != rows*f.size {
		return obs, final, fmt.Errorf("%w: frame stack of %d-cell observations got batch shape %v", ErrShape, f.size, b.Obs.Shape)
	}
	row := f.k * f.size
	for r, i := range b.EnvIDs {
		if i < 0 || i >= f.n {
			return obs, final, fmt.Errorf("vector: frame stack of %d envs got env id %d", f.n, i)
		}
		st := &f.stacks[i]
		if b.HasFinal != nil && b.HasFinal[r] {
			st.Push(b.FinalObs.Data[r*f.size : (r+1)*f.size])
			copy(f.final[r*row:(r+1)*row], st.View())
		}
		if b.Errs[r] == nil && (b.Idle == nil || !b.Idle[r]) {
			o := b.Obs.Data[r*f.size : (r+1)*f.size]
			if b.First[r] || !st.Started() {
				st.Fill(o, false)
			} else {
				st.Push(o)
			}
		}
		if st.Started() {
			copy(f.out[r*row:(r+1)*row], st.View())
		} else {
			clear(f.out[r*row : (r+1)*row])
		}
	}
	f.shape[0] = rows
	n := rows * row
	return tensor.U8{Shape: f.shape, Data: f.out[:n]}, tensor.U8{Shape: f.shape, Data: f.final[:n]}, nil
}
