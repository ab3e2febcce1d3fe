package main

import (
	"bytes"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/wrappers/render"
)

// Terminal control sequences.
const (
	ansiClearLine = "\x1b[K"
	ansiHome      = "\x1b[H"
	ansiClear     = "\x1b[2J"
	// ansiEnter switches to the alternate screen, hides the cursor and turns
	// on xterm mouse button reporting in SGR encoding; ansiLeave undoes it.
	ansiEnter = "\x1b[?1049h\x1b[?25l\x1b[?1000h\x1b[?1006h"
	ansiLeave = "\x1b[?1006l\x1b[?1000l\x1b[?25h\x1b[?1049l"
)

// appendFrameANSI appends a 64x64 frame as 32 lines of half-block
// characters in the ARC palette (render.AppendANSI), each line ended by
// eol: "\n", or "\r\n" for a terminal in raw mode, which does not return
// the carriage on a line feed.
func appendFrameANSI(dst []byte, frame []uint8, eol string) []byte {
	n := len(dst)
	dst = render.AppendANSI(dst, frame)
	if eol == "\n" {
		return dst
	}
	lines := bytes.Split(bytes.Clone(dst[n:len(dst)-1]), []byte("\n"))
	out := dst[:n]
	for _, l := range lines {
		out = append(out, l...)
		out = append(out, eol...)
	}
	return out
}

// appendFramePlain appends a frame as 64 lines of 64 hexadecimal digits,
// one per cell, for pipes and scripts.
func appendFramePlain(dst []byte, frame []uint8) []byte {
	const hex = "0123456789abcdef"
	for y := range arc.GridSize {
		for _, c := range frame[y*arc.GridSize : (y+1)*arc.GridSize] {
			dst = append(dst, hex[c&(arc.NumColors-1)])
		}
		dst = append(dst, '\n')
	}
	return dst
}
