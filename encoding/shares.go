package encoding

import (
	"encoding/binary"
	"fmt"

	"github.com/arcgym/arcgym/tensor"
)

// Shares is the one-hot encoding averaged over Pool x Pool patches: every
// frame becomes 16 channels of (64/Pool, 64/Pool) cells, each the share of
// its colour in its patch (count/Pool²), channels first, stacked frames
// merged with the channels as OneHot merges them. It equals OneHot followed
// by average pooling over the same patches, bit for bit (shares are
// multiples of 1/Pool², exact in float32), without the one-hot: it reads
// the frame once and writes Pool² times fewer bytes, the input of a
// network that pools first. Pool must divide 64.
type Shares struct {
	Pool int
}

func (e Shares) side() (int, bool) {
	if e.Pool < 1 || Side%e.Pool != 0 {
		return 0, false
	}
	return Side / e.Pool, true
}

// OutShape returns (16k, 64/Pool, 64/Pool) for a source of shape (k,64,64)
// ((16, s, s) for (64,64)) and (batch, 16k, s, s) for (batch,k,64,64); nil
// for any other source or a Pool that does not divide 64.
func (e Shares) OutShape(in []int) []int {
	l, ok := parseShape(in)
	s, okPool := e.side()
	if !ok || !okPool {
		return nil
	}
	d := sharesDims(l, s)
	return d.clone()
}

func sharesDims(l layout, s int) dims {
	if l.rank == 4 {
		return dimsOf(l.batch, l.stack*Colors, s, s)
	}
	return dimsOf(l.stack*Colors, s, s)
}

// Encode writes the colour shares of src into dst, of shape
// OutShape(src.Shape). It allocates nothing.
func (e Shares) Encode(dst tensor.F32, src tensor.U8) error {
	s, ok := e.side()
	if !ok {
		return fmt.Errorf("%w: pool %d does not divide %d", ErrShape, e.Pool, Side)
	}
	l, err := source(src)
	if err != nil {
		return err
	}
	want := sharesDims(l, s)
	if err := checkDst(dst, &want); err != nil {
		return err
	}
	per := Colors * s * s
	for f := range l.frames() {
		sharesFrame(dst.Data[f*per:(f+1)*per], src.Data[f*Cells:(f+1)*Cells], e.Pool, s)
	}
	return nil
}

// sharesFrame writes the shares of one frame, whose colours are valid, into
// out (16 planes of s x s). A patch row of one colour, the common case in
// ARC frames, adds its share at once.
func sharesFrame(out []float32, frame []uint8, p, s int) {
	clear(out)
	plane := s * s
	unit := 1 / float32(p*p)
	row := float32(p) * unit
	for y := range Side {
		cells := frame[y*Side : (y+1)*Side]
		base := (y / p) * s
		for px := range s {
			patch := cells[px*p : (px+1)*p]
			c := patch[0]
			if uniform(patch, c) {
				out[int(c)*plane+base+px] += row
				continue
			}
			for _, c := range patch {
				out[int(c)*plane+base+px] += unit
			}
		}
	}
}

// uniform reports whether every byte of b is c.
func uniform(b []uint8, c uint8) bool {
	switch len(b) {
	case 4:
		return binary.LittleEndian.Uint32(b) == uint32(c)*0x01010101
	case 8:
		return binary.LittleEndian.Uint64(b) == uint64(c)*0x0101010101010101
	}
	for _, x := range b {
		if x != c {
			return false
		}
	}
	return true
}
