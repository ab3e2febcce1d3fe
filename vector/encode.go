package vector

import (
	"errors"
	"fmt"
	"math"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/spaces"
	"github.com/arcgym/arcgym/tensor"
)

// EncodeConfig configures an Encode vector wrapper.
type EncodeConfig struct {
	// Encoder encodes one sub-environment's observation.
	Encoder env.Encoder
}

// Wrap implements Wrapper: NewEncode(v, c).
func (c EncodeConfig) Wrap(v Env) (Env, error) { return wrapped(NewEncode(v, c)) }

// Encode is a vector wrapper that encodes each row's observation into
// Batch.Float (and, in SameStep mode, each final observation into
// FinalFloat), shape (rows, encoded shape...): a model's input batch,
// Gymnasium's vector TransformObservation with an encoding. Put it
// outside a FrameStack to encode the stacks. Idle and failed rows are
// encoded as they stand. It allocates nothing per call.
type Encode struct {
	base
	enc             env.Encoder
	in, outShape    []int
	inSize, outSize int
	data, final     []float32
	shape           []int
	out             Batch
	space           spaces.Space
}

// NewEncode wraps v so that its batches carry encoded observations.
func NewEncode(v Env, cfg EncodeConfig) (*Encode, error) {
	if v == nil || cfg.Encoder == nil {
		return nil, errors.New("vector: encoding needs a vector env and an encoder")
	}
	md := v.Metadata()
	out := cfg.Encoder.OutShape(md.ObsShape)
	if out == nil || tensor.Size(out) <= 0 {
		return nil, fmt.Errorf("vector: %T does not encode observations of shape %v", cfg.Encoder, md.ObsShape)
	}
	n := md.NumEnvs
	w := &Encode{
		enc: cfg.Encoder, in: md.ObsShape, outShape: out,
		inSize: tensor.Size(md.ObsShape), outSize: tensor.Size(out),
		shape: append([]int{n}, out...),
		space: spaces.NewBox(math.Inf(-1), math.Inf(1), spaces.Float32, out...),
	}
	w.data = make([]float32, n*w.outSize)
	if md.Autoreset == SameStep {
		w.final = make([]float32, n*w.outSize)
	}
	w.base = base{inner: v, t: w}
	return w, nil
}

// SingleObservationSpace is the space of one sub-environment's encoded
// observation.
func (w *Encode) SingleObservationSpace() spaces.Space { return w.space }

func (w *Encode) transform(b *Batch, _ bool) (*Batch, error) {
	rows := b.Len()
	if len(b.Obs.Data) != rows*w.inSize {
		return nil, fmt.Errorf("%w: encoding of %v observations got batch shape %v", ErrShape, w.in, b.Obs.Shape)
	}
	w.out = *b
	w.shape[0] = rows
	w.out.Float = tensor.F32{Shape: w.shape, Data: w.data[:rows*w.outSize]}
	if err := w.encode(w.out.Float, b.Obs, nil); err != nil {
		return nil, err
	}
	if b.HasFinal != nil && w.final != nil {
		w.out.FinalFloat = tensor.F32{Shape: w.shape, Data: w.final[:rows*w.outSize]}
		if err := w.encode(w.out.FinalFloat, b.FinalObs, b.HasFinal); err != nil {
			return nil, err
		}
	}
	return &w.out, nil
}

// encode encodes the rows of src into dst, only those marked in only when
// it is not nil.
func (w *Encode) encode(dst tensor.F32, src tensor.U8, only []bool) error {
	for r := range dst.Shape[0] {
		if only != nil && !only[r] {
			continue
		}
		d := tensor.F32{Shape: w.outShape, Data: dst.Data[r*w.outSize : (r+1)*w.outSize]}
		s := tensor.U8{Shape: w.in, Data: src.Data[r*w.inSize : (r+1)*w.inSize]}
		if err := w.enc.Encode(d, s); err != nil {
			return fmt.Errorf("vector: encoding row %d: %w", r, err)
		}
	}
	return nil
}

// MasksConfig configures a Masks vector wrapper.
type MasksConfig struct {
	// Layout is the layout of the masks; nil is the compact layout of
	// sub-environment 0's action space (spaces.Compact of its available
	// actions), so that a five-action game has five entries per row. Use
	// spaces.Full for 4,102 entries.
	Layout *spaces.Layout
}

// Wrap implements Wrapper: NewMasks(v, c).
func (c MasksConfig) Wrap(v Env) (Env, error) { return wrapped(NewMasks(v, c)) }

// Masks is a vector wrapper that puts the action masks of every row in
// Batch.Mask, in the layout of Batch.Layout, as Batch.Masks computes them
// (an action-masking wrapper's mask where a sub-environment has one, its
// available actions otherwise). The batch's actions are still arc.Action
// values: Layout.Actions turns a policy's indices into them. It allocates
// nothing per call.
type Masks struct {
	base
	layout *spaces.Layout
	mask   []bool
	out    Batch
}

// NewMasks wraps v so that its batches carry action masks.
func NewMasks(v Env, cfg MasksConfig) (*Masks, error) {
	if v == nil {
		return nil, errors.New("vector: masks need a vector env")
	}
	l := cfg.Layout
	if l == nil {
		a, ok := v.SingleActionSpace().(*spaces.Action)
		if !ok {
			return nil, fmt.Errorf("vector: masks without a layout need an ARC action space, not %v", v.SingleActionSpace())
		}
		l = spaces.Compact(a.Available)
	}
	if l.N() == 0 {
		return nil, fmt.Errorf("vector: masks over %v, which has no action", l)
	}
	w := &Masks{layout: l, mask: make([]bool, v.Metadata().NumEnvs*l.N())}
	w.base = base{inner: v, t: w}
	return w, nil
}

// Layout returns the layout of the masks.
func (w *Masks) Layout() *spaces.Layout { return w.layout }

// Actions converts a policy's indices in the masks' layout into actions,
// dst as long as idx (see spaces.Layout.Actions).
func (w *Masks) Actions(dst []arc.Action, idx []int) error { return w.layout.Actions(dst, idx) }

func (w *Masks) transform(b *Batch, _ bool) (*Batch, error) {
	w.out = *b
	w.out.Mask = b.Masks(w.mask, w.layout)
	w.out.Layout = w.layout
	return &w.out, nil
}
