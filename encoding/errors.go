package encoding

import "errors"

// ErrShape reports a source or destination tensor whose shape does not fit
// the encoder: a source that is not (64,64), (k,64,64) or (batch,k,64,64), a
// destination whose shape differs from the encoder's OutShape, or data whose
// length disagrees with its shape.
var ErrShape = errors.New("encoding: shape mismatch")

// ErrColor reports a source cell holding a value outside the colour range
// 0..15.
var ErrColor = errors.New("encoding: colour out of range")
