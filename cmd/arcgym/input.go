package main

import (
	"bufio"
	"fmt"
	"strconv"
	"strings"

	"github.com/arcgym/arcgym/arc"
)

// inputKind says what a key press or a command line asks for.
type inputKind uint8

const (
	inNone   inputKind = iota // nothing to do (ignored key, blank line)
	inAction                  // apply action
	inReset                   // reset the game
	inQuit                    // leave
	inPrompt                  // ask for click coordinates (raw mode)
	inMouse                   // a mouse click at a screen position
)

// input is one decoded key press or command line.
type input struct {
	kind   inputKind
	action arc.Action
	// col and row are the 1-based screen position of a mouse click; lower
	// is set for the right button, which picks the lower cell of the
	// half-block character.
	col, row int
	lower    bool
}

// keyInput maps a single key to its input: w/a/s/d for ACTION1-4, space or
// e for ACTION5, u or z for ACTION7, 1..7 for the numbered actions (6 asks
// for coordinates), c to type coordinates, r reset, q quit.
func keyInput(b byte) input {
	switch b {
	case 'w', 'W':
		return act(arc.Action1)
	case 's', 'S':
		return act(arc.Action2)
	case 'a', 'A':
		return act(arc.Action3)
	case 'd', 'D':
		return act(arc.Action4)
	case ' ', 'e', 'E':
		return act(arc.Action5)
	case 'u', 'U', 'z', 'Z':
		return act(arc.Action7)
	case '1', '2', '3', '4', '5', '7':
		return act(arc.ActionID(b - '0'))
	case '6', 'c', 'C':
		return input{kind: inPrompt}
	case 'r', 'R':
		return input{kind: inReset}
	case 'q', 'Q', 3, 4: // 3 and 4 are Ctrl-C and Ctrl-D in raw mode
		return input{kind: inQuit}
	}
	return input{}
}

func act(id arc.ActionID) input { return input{kind: inAction, action: arc.Simple(id)} }

// readKey reads one key press from a terminal in raw mode: a plain key, an
// arrow key (ESC [ A..D or ESC O A..D: up, down, right, left are ACTION1,
// ACTION2, ACTION4, ACTION3) or an SGR mouse report (ESC [ < b ; x ; y M).
// Unknown sequences decode to inNone.
func readKey(r *bufio.Reader) (input, error) {
	b, err := r.ReadByte()
	if err != nil {
		return input{}, err
	}
	if b != 0x1b {
		return keyInput(b), nil
	}
	b, err = r.ReadByte()
	if err != nil {
		return input{}, err
	}
	if b != '[' && b != 'O' {
		// A lone ESC followed by a key: take the key.
		return keyInput(b), nil
	}
	b, err = r.ReadByte()
	if err != nil {
		return input{}, err
	}
	switch b {
	case 'A':
		return act(arc.Action1), nil
	case 'B':
		return act(arc.Action2), nil
	case 'C':
		return act(arc.Action4), nil
	case 'D':
		return act(arc.Action3), nil
	case '<':
		return readMouse(r)
	}
	// Skip the rest of another CSI sequence: parameters up to a final byte.
	for b >= '0' && b <= '?' || b == ';' {
		if b, err = r.ReadByte(); err != nil {
			return input{}, err
		}
	}
	return input{}, nil
}

// readMouse decodes the body of an SGR mouse report after "ESC [ <":
// "b;x;yM" for a press, "...m" for a release. Only presses of the left and
// right buttons count.
func readMouse(r *bufio.Reader) (input, error) {
	var num [3]int
	i := 0
	for {
		b, err := r.ReadByte()
		if err != nil {
			return input{}, err
		}
		switch {
		case b >= '0' && b <= '9':
			if num[i] < 1<<20 {
				num[i] = num[i]*10 + int(b-'0')
			}
		case b == ';':
			if i == 2 {
				return input{}, nil
			}
			i++
		case b == 'M' || b == 'm':
			button := num[0]
			// Releases, motion (32) and the wheel (64) are not clicks.
			if b == 'm' || i != 2 || button&(32|64) != 0 || button&3 == 1 {
				return input{}, nil
			}
			return input{kind: inMouse, col: num[1], row: num[2], lower: button&3 == 2}, nil
		default:
			return input{}, nil
		}
	}
}

// parseLine parses one command of line mode: an action number "1".."7",
// "6 x y" or "c x y" for ACTION6, a wire name ("ACTION3"), a key letter as
// in raw mode, "r"/"reset", "q"/"quit". Blank lines and lines starting
// with '#' do nothing.
func parseLine(line string) (input, error) {
	f := strings.Fields(line)
	if len(f) == 0 || strings.HasPrefix(f[0], "#") {
		return input{}, nil
	}
	word := strings.ToLower(f[0])
	switch word {
	case "r", "reset":
		return input{kind: inReset}, nopArgs(f)
	case "q", "quit", "exit":
		return input{kind: inQuit}, nopArgs(f)
	case "6", "c", "click", "action6":
		if len(f) != 3 {
			return input{}, fmt.Errorf("%q: ACTION6 needs coordinates: 6 x y", line)
		}
		x, err1 := strconv.Atoi(f[1])
		y, err2 := strconv.Atoi(f[2])
		if err1 != nil || err2 != nil || x < 0 || y < 0 || x >= arc.GridSize || y >= arc.GridSize {
			return input{}, fmt.Errorf("%q: coordinates must be integers in 0..%d", line, arc.GridSize-1)
		}
		return input{kind: inAction, action: arc.Click(x, y)}, nil
	}
	if id, err := arc.ParseActionID(word); err == nil && id != arc.Reset {
		return input{kind: inAction, action: arc.Simple(id)}, nopArgs(f)
	}
	if len(word) == 1 {
		if in := keyInput(word[0]); in.kind == inAction {
			return in, nopArgs(f)
		}
	}
	return input{}, fmt.Errorf("unknown command %q (try 1..7, 6 x y, w/a/s/d, r, q)", line)
}

func nopArgs(f []string) error {
	if len(f) > 1 {
		return fmt.Errorf("%q takes no arguments", strings.Join(f, " "))
	}
	return nil
}
