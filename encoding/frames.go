package encoding

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/tensor"
)

// Frame geometry, re-exported from arc for readers of this package.
const (
	// Side is the width and height of a frame.
	Side = arc.GridSize
	// Cells is the number of cells of a frame.
	Cells = arc.FrameCells
	// Colors is the number of colours, and so the number of one-hot channels
	// per frame.
	Colors = arc.NumColors
)

// layout describes a source of colour indices as batch groups of stack
// frames each: (64,64) is 1x1, (k,64,64) is 1xk and (batch,k,64,64) is
// batch x k.
type layout struct {
	batch, stack int
	// rank is the rank of the source shape: 2, 3 or 4.
	rank int
}

// frames returns the number of frames.
func (l layout) frames() int { return l.batch * l.stack }

// maxFrames bounds the frames of a source so that the element count of
// every output, up to 16 one-hot channels per cell, fits in an int. A
// larger shape cannot describe real memory; refusing it keeps offset
// arithmetic from wrapping around, which would let empty data pass for a
// wrapped size.
const maxFrames = math.MaxInt / (Cells * Colors)

// parseShape checks that shape is one of the accepted source shapes.
func parseShape(shape []int) (layout, bool) {
	n := len(shape)
	if n < 2 || n > 4 || shape[n-1] != Side || shape[n-2] != Side {
		return layout{}, false
	}
	l := layout{batch: 1, stack: 1, rank: n}
	switch n {
	case 3:
		l.stack = shape[0]
	case 4:
		l.batch, l.stack = shape[0], shape[1]
	}
	if l.batch < 0 || l.stack < 0 || l.stack > maxFrames || (l.stack > 0 && l.batch > maxFrames/l.stack) {
		return layout{}, false
	}
	return l, true
}

// source validates src: shape, data length and colours. It reads src once
// and writes nothing, so that an encoder can refuse bad input before it
// touches its destination.
func source(src tensor.U8) (layout, error) {
	l, ok := parseShape(src.Shape)
	if !ok {
		return layout{}, fmt.Errorf("%w: source shape %v is not (64,64), (k,64,64) or (batch,k,64,64)", ErrShape, src.Shape)
	}
	if len(src.Data) != l.frames()*Cells {
		return layout{}, fmt.Errorf("%w: source shape %v needs %d cells, have %d", ErrShape, src.Shape, l.frames()*Cells, len(src.Data))
	}
	if i := firstInvalid(src.Data); i >= 0 {
		f, c := i/Cells, i%Cells
		return layout{}, fmt.Errorf("%w: colour %d in frame %d at x=%d y=%d", ErrColor, src.Data[i], f, c%Side, c/Side)
	}
	return l, nil
}

// firstInvalid returns the index of the first byte above 15, or -1. It tests
// eight bytes at a time: a colour index uses only the low nibble of its byte.
func firstInvalid(b []uint8) int {
	const high = 0xf0f0f0f0f0f0f0f0
	i := 0
	for ; i+32 <= len(b); i += 32 {
		w := binary.LittleEndian.Uint64(b[i:]) | binary.LittleEndian.Uint64(b[i+8:]) |
			binary.LittleEndian.Uint64(b[i+16:]) | binary.LittleEndian.Uint64(b[i+24:])
		if w&high != 0 {
			break
		}
	}
	for ; i < len(b); i++ {
		if b[i] >= Colors {
			return i
		}
	}
	return -1
}
