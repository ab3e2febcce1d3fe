package wire

import (
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/arcgym/arcgym/arc"
)

// FrameOptions adjusts how AppendFrame writes a frame object.
type FrameOptions struct {
	// EmptyData writes action_input.data as {}, as servers do for the RESET
	// that creates a session; otherwise data echoes game_id (and x, y for
	// ACTION6).
	EmptyData bool
}

// maxCellBytes is the longest encoding of one cell: three digits and a comma.
const maxCellBytes = 4

// AppendFrame appends the JSON frame object of fd (the body of a RESET or
// ACTION response) to dst and returns the extended slice. Keys come in
// sorted order, as the reference server writes them. Frames are written
// digit by digit without reflection, so AppendFrame allocates nothing once
// dst has room for the result.
//
// fd.Action.Reasoning must be valid JSON (it is written as is) or empty,
// which is written as null.
func AppendFrame(dst []byte, fd *arc.FrameData, opt FrameOptions) []byte {
	n := fd.NumFrames()
	// One frame needs at most 64 rows of 64 cells plus brackets; reserve it
	// all up front so the cell loop writes by index.
	dst = slices.Grow(dst, 256+len(fd.GameID)+len(fd.GUID)*2+len(fd.Action.Reasoning)+n*(arc.FrameCells*maxCellBytes+2*arc.GridSize+2))

	dst = append(dst, `{"action_input":{"data":{`...)
	if !opt.EmptyData {
		dst = append(dst, `"game_id":`...)
		dst = AppendString(dst, fd.GameID)
		if fd.Action.ID == arc.Action6 {
			dst = append(dst, `,"x":`...)
			dst = strconv.AppendUint(dst, uint64(fd.Action.X), 10)
			dst = append(dst, `,"y":`...)
			dst = strconv.AppendUint(dst, uint64(fd.Action.Y), 10)
		}
	}
	dst = append(dst, `},"id":`...)
	dst = strconv.AppendUint(dst, uint64(fd.Action.ID), 10)
	dst = append(dst, `,"reasoning":`...)
	if len(fd.Action.Reasoning) == 0 {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, fd.Action.Reasoning...)
	}
	dst = append(dst, `},"available_actions":[`...)
	first := true
	for id := arc.Action1; id < arc.NumActionIDs; id++ {
		if !fd.Available.Has(id) {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = append(dst, '0'+byte(id))
	}
	dst = append(dst, `],"frame":[`...)
	for i := range n {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendGrid(dst, fd.Frame(i))
	}
	dst = append(dst, `],"full_reset":`...)
	if fd.FullReset {
		dst = append(dst, "true"...)
	} else {
		dst = append(dst, "false"...)
	}
	dst = append(dst, `,"game_id":`...)
	dst = AppendString(dst, fd.GameID)
	dst = append(dst, `,"guid":`...)
	dst = AppendString(dst, fd.GUID)
	dst = append(dst, `,"levels_completed":`...)
	dst = strconv.AppendInt(dst, int64(fd.LevelsCompleted), 10)
	dst = append(dst, `,"state":"`...)
	dst = append(dst, stateName(fd.State)...)
	dst = append(dst, `","win_levels":`...)
	dst = strconv.AppendInt(dst, int64(fd.WinLevels), 10)
	dst = append(dst, '}')
	return dst
}

// appendGrid writes one 64x64 frame as a list of 64 rows. The caller has
// reserved room, but the function stays correct (if slower) without it.
func appendGrid(dst []byte, cells []uint8) []byte {
	dst = slices.Grow(dst, arc.FrameCells*maxCellBytes+2*arc.GridSize+2)
	i := len(dst)
	b := dst[:cap(dst)]
	b[i] = '['
	i++
	for y := range arc.GridSize {
		b[i] = '['
		i++
		for _, c := range cells[y*arc.GridSize : (y+1)*arc.GridSize] {
			switch {
			case c < 10:
				b[i] = '0' + c
				i++
			case c < 100:
				b[i] = '0' + c/10
				b[i+1] = '0' + c%10
				i += 2
			default:
				b[i] = '0' + c/100
				b[i+1] = '0' + c/10%10
				b[i+2] = '0' + c%10
				i += 3
			}
			b[i] = ','
			i++
		}
		b[i-1] = ']'
		b[i] = ','
		i++
	}
	b[i-1] = ']'
	return b[:i]
}

func stateName(s arc.GameState) string {
	if s > arc.GameOver {
		return arc.NotPlayed.String()
	}
	return s.String()
}

const hexDigits = "0123456789abcdef"

// AppendString appends s as a JSON string literal: quotes, backslashes and
// control characters are escaped, and invalid UTF-8 becomes U+FFFD, so the
// output is always valid JSON whatever s holds.
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		// U+2028 and U+2029 are valid JSON but break JavaScript parsers.
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// AppendError appends the JSON error body {"error": code, "message": msg}
// to dst; an empty msg gives the short form {"error": code}.
func AppendError(dst []byte, code, msg string) []byte {
	dst = append(dst, `{"error":`...)
	dst = AppendString(dst, code)
	if msg != "" {
		dst = append(dst, `,"message":`...)
		dst = AppendString(dst, msg)
	}
	return append(dst, '}')
}
