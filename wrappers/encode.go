package wrappers

import (
	"fmt"
	"slices"

	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/tensor"
)

// Encode is a wrapper that fills Obs.Float with an Encoder's output of
// Obs.Grid on every Reset and Step. The float tensor lives in a buffer the
// wrapper owns (valid until the next call). ObservationSpace still
// describes Obs.Grid; FloatShape gives the shape of Obs.Float.
type Encode struct {
	obsMap
	enc   env.Encoder
	shape []int
	buf   tensor.F32
}

// EncodeConfig configures an Encode. Encoder must be set.
type EncodeConfig struct {
	// Encoder encodes the grid of every observation into Obs.Float.
	Encoder env.Encoder
}

// NewEncode wraps e so that observations carry cfg.Encoder's encoding of
// the grid. It fails when the encoder does not accept e's observation
// shape.
func NewEncode(e env.Env, cfg EncodeConfig) (*Encode, error) {
	enc := cfg.Encoder
	if e == nil || enc == nil {
		return nil, fmt.Errorf("wrappers: encode needs an env and an encoder")
	}
	in := e.ObservationSpace().Shape()
	out := enc.OutShape(in)
	if out == nil {
		return nil, fmt.Errorf("wrappers: encoder %T does not accept observations of shape %v", enc, in)
	}
	w := &Encode{enc: enc, shape: slices.Clone(in), buf: tensor.New[float32](out...)}
	w.obsMap = obsMap{inner: e, f: func(o env.Obs) (env.Obs, error) { err := w.encode(&o); return o, err }}
	return w, nil
}

// Wrap implements env.Wrapper: NewEncode(e, c).
func (c EncodeConfig) Wrap(e env.Env) (env.Env, error) { return wrapped(NewEncode(e, c)) }

// Unwrap returns the wrapped Env.
func (w *Encode) Unwrap() env.Env { return w.inner }

// FloatShape returns the shape of Obs.Float.
func (w *Encode) FloatShape() []int { return w.buf.Shape }

// encode writes the encoding of obs.Grid into the wrapper's buffer and
// makes it obs.Float; Reset and Step run it on every observation.
func (w *Encode) encode(obs *env.Obs) error {
	if !slices.Equal(obs.Grid.Shape, w.shape) {
		return fmt.Errorf("wrappers: observation of shape %v, encoder set up for %v", obs.Grid.Shape, w.shape)
	}
	if err := w.enc.Encode(w.buf, obs.Grid); err != nil {
		return fmt.Errorf("wrappers: encode: %w", err)
	}
	obs.Float = w.buf
	return nil
}
