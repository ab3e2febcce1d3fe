package encoding

import (
	"encoding/binary"
	"fmt"

	"github.com/arcgym/arcgym/tensor"
)

// PackedSide is the width of a packed frame row: two cells per byte.
const PackedSide = Side / 2

// Pack4 stores two colour indices per byte, halving the memory of a frame
// (2 KiB instead of 4 KiB): cell 2i of a row goes to the low nibble of byte
// i and cell 2i+1 to the high nibble. The last dimension halves:
//
//	(64,64) -> (64,32), (k,64,64) -> (k,64,32), (batch,k,64,64) -> (batch,k,64,32)
//
// Decode reverses it. The zero value works on the calling goroutine.
type Pack4 struct {
	// Workers, when above 1, splits the frames over that many goroutines
	// for the duration of the call.
	Workers int
}

// OutShape returns the packed shape of a frame shape in, or nil when in is
// not one.
func (e Pack4) OutShape(in []int) []int {
	l, ok := parseShape(in)
	if !ok {
		return nil
	}
	d := packedDims(l)
	return d.clone()
}

// UnpackedShape returns the frame shape that a packed shape in decodes to,
// or nil when in is not a packed shape.
func (e Pack4) UnpackedShape(in []int) []int {
	l, ok := parsePacked(in)
	if !ok {
		return nil
	}
	d := sameDims(l)
	return d.clone()
}

func packedDims(l layout) dims {
	d := sameDims(l)
	d.d[d.n-1] = PackedSide
	return d
}

// parsePacked checks that shape is a packed frame shape: (64,32), (k,64,32)
// or (batch,k,64,32).
func parsePacked(shape []int) (layout, bool) {
	n := len(shape)
	if n < 2 || n > 4 || shape[n-1] != PackedSide {
		return layout{}, false
	}
	var full [4]int
	copy(full[:], shape)
	full[n-1] = Side
	return parseShape(full[:n])
}

// Encode packs src into dst, whose shape must be OutShape(src.Shape). It
// checks src completely before writing, so on error dst is untouched.
func (e Pack4) Encode(dst tensor.U8, src tensor.U8) error {
	l, err := source(src)
	if err != nil {
		return err
	}
	want := packedDims(l)
	if err := checkDst(dst, &want); err != nil {
		return err
	}
	if e.Workers > 1 {
		parallel(e.Workers, l.frames(), func(lo, hi int) {
			pack4(dst.Data[lo*Cells/2:hi*Cells/2], src.Data[lo*Cells:hi*Cells])
		})
		return nil
	}
	pack4(dst.Data, src.Data)
	return nil
}

// Decode unpacks src, of a packed shape (64,32), (k,64,32) or
// (batch,k,64,32), into dst, whose shape must be UnpackedShape(src.Shape).
// Every byte is a valid pair of colours, so only shapes can be wrong.
func (e Pack4) Decode(dst tensor.U8, src tensor.U8) error {
	l, ok := parsePacked(src.Shape)
	if !ok {
		return fmt.Errorf("%w: packed shape %v is not (64,32), (k,64,32) or (batch,k,64,32)", ErrShape, src.Shape)
	}
	if len(src.Data) != l.frames()*Cells/2 {
		return fmt.Errorf("%w: packed shape %v needs %d bytes, have %d", ErrShape, src.Shape, l.frames()*Cells/2, len(src.Data))
	}
	want := sameDims(l)
	if err := checkDst(dst, &want); err != nil {
		return err
	}
	if e.Workers > 1 {
		parallel(e.Workers, l.frames(), func(lo, hi int) {
			unpack4(dst.Data[lo*Cells:hi*Cells], src.Data[lo*Cells/2:hi*Cells/2])
		})
		return nil
	}
	unpack4(dst.Data, src.Data)
	return nil
}

// pack4 packs 16 cells into 8 bytes per step. In a little-endian word of
// eight cells, w | w>>4 puts each odd cell above its even neighbour in the
// even bytes; the even bytes are then squeezed together.
func pack4(dst, src []uint8) {
	n := len(src) / 16
	dst = dst[:n*8]
	for i := range n {
		lo := squeeze(binary.LittleEndian.Uint64(src[16*i:]))
		hi := squeeze(binary.LittleEndian.Uint64(src[16*i+8:]))
		binary.LittleEndian.PutUint64(dst[8*i:], lo|hi<<32)
	}
}

// squeeze packs the eight nibble-sized bytes of w into the low 32 bits.
func squeeze(w uint64) uint64 {
	w = (w | w>>4) & 0x00ff00ff00ff00ff
	w = (w | w>>8) & 0x0000ffff0000ffff
	return (w | w>>16) & 0x00000000ffffffff
}

// unpack4 reverses pack4, 8 packed bytes into 16 cells per step.
func unpack4(dst, src []uint8) {
	n := len(src) / 8
	dst = dst[:n*16]
	for i := range n {
		w := binary.LittleEndian.Uint64(src[8*i:])
		binary.LittleEndian.PutUint64(dst[16*i:], spread(w&0xffffffff))
		binary.LittleEndian.PutUint64(dst[16*i+8:], spread(w>>32))
	}
}

// spread is the inverse of squeeze: four packed bytes into eight cells.
func spread(w uint64) uint64 {
	w = (w | w<<16) & 0x0000ffff0000ffff
	w = (w | w<<8) & 0x00ff00ff00ff00ff
	return (w | w<<4) & 0x0f0f0f0f0f0f0f0f
}
