package render

import (
	"fmt"
	"io"
	"strconv"

	"github.com/arcgym/arcgym/arc"
)

// AppendANSI appends frame (64x64 colour indices) to dst as 32 lines of 24-bit
// ANSI colour text and returns the extended slice. Each character is an
// upper half block whose foreground is a cell of an even row and whose
// background is the cell below it, so the whole frame fits a terminal with
// square cells. Colour escapes are written only where the colour changes,
// and each line ends with a reset. Colour indices outside 0..15 are drawn
// as colour 0. AppendANSI allocates nothing once dst has room.
func AppendANSI(dst []byte, frame []uint8) []byte {
	for y := 0; y < arc.GridSize; y += 2 {
		fg, bg := -1, -1
		for x := range arc.GridSize {
			top := cellAt(frame, x, y)
			bot := cellAt(frame, x, y+1)
			if top != fg {
				dst = appendColour(dst, 38, top)
				fg = top
			}
			if bot != bg {
				dst = appendColour(dst, 48, bot)
				bg = bot
			}
			dst = append(dst, "▀"...)
		}
		dst = append(dst, "\x1b[0m\n"...)
	}
	return dst
}

func cellAt(frame []uint8, x, y int) int {
	i := y*arc.GridSize + x
	if i >= len(frame) || frame[i] >= arc.NumColors {
		return 0
	}
	return int(frame[i])
}

// appendColour writes ESC[38;2;r;g;bm (foreground) or ESC[48;...m
// (background).
func appendColour(dst []byte, layer int, c int) []byte {
	p := Palette[c]
	dst = append(dst, "\x1b["...)
	dst = strconv.AppendInt(dst, int64(layer), 10)
	dst = append(dst, ";2;"...)
	dst = strconv.AppendUint(dst, uint64(p.R), 10)
	dst = append(dst, ';')
	dst = strconv.AppendUint(dst, uint64(p.G), 10)
	dst = append(dst, ';')
	dst = strconv.AppendUint(dst, uint64(p.B), 10)
	return append(dst, 'm')
}

// ANSI writes frame to w as AppendANSI draws it.
func ANSI(w io.Writer, frame []uint8) error {
	if len(frame) != arc.FrameCells {
		return fmt.Errorf("render: frame of %d cells, want %d", len(frame), arc.FrameCells)
	}
	_, err := w.Write(AppendANSI(nil, frame))
	return err
}
