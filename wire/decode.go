package wire

import (
	"fmt"
	"slices"

	"github.com/arcgym/arcgym/arc"
)

// maxCounter is the largest levels_completed or win_levels value.
const maxCounter = 254

// DecodeFrame decodes a frame object (the body of a RESET or ACTION
// response) into out, reusing out.Frames and, when they are unchanged, the
// out.GameID and out.GUID strings: in the steady state it allocates nothing.
//
// Frames are validated while they are read (64 rows of 64 colours 0..15
// each, at most arc.MaxFrames of them); "frame" and "state" are required and
// a result without frames is accepted only in the NOT_PLAYED state. The
// older counter names score and win_score are read when levels_completed
// and win_levels are absent; unknown fields are skipped.
//
// Errors are *SyntaxError for malformed JSON and *FrameError (matching
// arc.ErrInvalidFrame) for a body that breaks the contract. On error the
// contents of out are unspecified. DecodeFrame never panics.
func DecodeFrame(data []byte, out *arc.FrameData) error {
	d := decoder{scanner{data: data}}
	return d.frameObject(out)
}

// decoder reads one frame object.
type decoder struct {
	scanner
}

func (d *decoder) fieldErr(field, format string, args ...any) error {
	return &FrameError{Offset: d.pos, Field: field, Frame: -1, Row: -1, Column: -1, Msg: fmt.Sprintf(format, args...)}
}

func (d *decoder) cellErr(frame, row, col int, format string, args ...any) error {
	return &FrameError{Offset: d.pos, Field: "frame", Frame: frame, Row: row, Column: col, Msg: fmt.Sprintf(format, args...)}
}

// typeErr reports a well-formed value of the wrong type, but checks first
// that it is well formed so that syntax errors keep precedence.
func (d *decoder) typeErr(field, want string) error {
	k, _, err := d.mistyped()
	if err != nil {
		return err
	}
	return d.fieldErr(field, "expected %s, found %s", want, k.phrase())
}

// stringValue consumes a string or null; it returns cur when the value
// equals it, so that repeated ids cost no allocation.
func (d *decoder) stringValue(field, cur string) (string, error) {
	if d.null() {
		return "", nil
	}
	if d.peek() != '"' {
		return "", d.typeErr(field, "a string")
	}
	raw, esc, err := d.str()
	if err != nil {
		return "", err
	}
	if esc {
		return unescape(raw), nil
	}
	if string(raw) == cur {
		return cur, nil
	}
	return string(raw), nil
}

// intValue consumes an integer within lo..hi.
func (d *decoder) intValue(field string, lo, hi int) (int, error) {
	c := d.peek()
	if c != '-' && (c < '0' || c > '9') {
		return 0, d.typeErr(field, "an integer")
	}
	start := d.pos
	text, err := d.number()
	if err != nil {
		return 0, err
	}
	v, ok, isInt := parseInt(text)
	if !isInt {
		d.pos = start
		return 0, d.fieldErr(field, "value %s is not an integer", text)
	}
	if !ok {
		d.pos = start
		return 0, d.fieldErr(field, "value %s outside %d..%d", text, lo, hi)
	}
	if v < int64(lo) || v > int64(hi) {
		d.pos = start
		return 0, d.fieldErr(field, "value %d outside %d..%d", v, lo, hi)
	}
	return int(v), nil
}

// object reads the members of an object with f, as scanner.members does,
// after checking that the value is one.
func (d *decoder) object(field string, f func(key []byte, escaped bool) error) error {
	if d.peek() != '{' {
		return d.typeErr(field, "an object")
	}
	return d.members(f)
}

// frameFields collects the top-level fields before they are stored.
type frameFields struct {
	haveFrames, haveState bool
	state                 arc.GameState
	// The counters under their current and their older names.
	levels, win, score, winScore counter
}

// counter is a levels or win counter as read, and whether it was present.
type counter struct {
	v    int
	have bool
}

func (d *decoder) counter(c *counter, field string) (err error) {
	c.have = true
	c.v, err = d.intValue(field, 0, maxCounter)
	return err
}

// counterValue returns the counter under its current name, else under its
// older name, else 0.
func counterValue(cur, old counter) int {
	switch {
	case cur.have:
		return cur.v
	case old.have:
		return old.v
	}
	return 0
}

func (d *decoder) frameObject(out *arc.FrameData) error {
	var ff frameFields
	if d.peek() != '{' {
		if d.pos == len(d.data) {
			return d.syntaxErr("empty body")
		}
		return d.typeErr("", "an object")
	}
	out.FullReset = false
	out.Available = 0
	out.Action = arc.Action{Reasoning: out.Action.Reasoning[:0]}
	gameID, guid := out.GameID, out.GUID
	out.GameID, out.GUID = "", ""
	reasoning := false
	err := d.members(func(key []byte, esc bool) error {
		if esc {
			key = []byte(unescape(key))
		}
		var err error
		switch string(key) {
		case "frame":
			ff.haveFrames = true
			err = d.frames(out)
		case "state":
			ff.haveState = true
			ff.state, err = d.state()
		case "levels_completed":
			err = d.counter(&ff.levels, "levels_completed")
		case "win_levels":
			err = d.counter(&ff.win, "win_levels")
		case "score":
			err = d.counter(&ff.score, "score")
		case "win_score":
			err = d.counter(&ff.winScore, "win_score")
		case "game_id":
			out.GameID, err = d.stringValue("game_id", gameID)
		case "guid":
			out.GUID, err = d.stringValue("guid", guid)
		case "full_reset":
			out.FullReset, err = d.boolValue("full_reset")
		case "available_actions":
			out.Available, err = d.actionSet()
		case "action_input":
			reasoning, err = d.actionInput(&out.Action)
		default:
			err = d.skip(1)
		}
		return err
	})
	if err != nil {
		return err
	}
	if err := d.end(); err != nil {
		return err
	}
	if !reasoning {
		out.Action.Reasoning = nil
	}
	if !ff.haveFrames {
		return d.fieldErr("frame", "missing")
	}
	if !ff.haveState {
		return d.fieldErr("state", "missing")
	}
	out.State = ff.state
	out.LevelsCompleted = counterValue(ff.levels, ff.score)
	out.WinLevels = counterValue(ff.win, ff.winScore)
	if out.Action.ID != arc.Action6 {
		out.Action.X, out.Action.Y = 0, 0
	}
	if len(out.Frames) == 0 && out.State != arc.NotPlayed {
		return d.fieldErr("frame", "no frames in a %s result", out.State)
	}
	return nil
}

func (d *decoder) state() (arc.GameState, error) {
	if d.peek() != '"' {
		return 0, d.typeErr("state", "a string")
	}
	start := d.pos
	raw, esc, err := d.str()
	if err != nil {
		return 0, err
	}
	if esc {
		raw = []byte(unescape(raw))
	}
	switch string(raw) {
	case "NOT_FINISHED":
		return arc.NotFinished, nil
	case "WIN":
		return arc.Win, nil
	case "GAME_OVER":
		return arc.GameOver, nil
	case "NOT_PLAYED", "NOT_STARTED":
		return arc.NotPlayed, nil
	}
	d.pos = start
	return 0, d.fieldErr("state", "unknown game state %q", raw)
}

func (d *decoder) boolValue(field string) (bool, error) {
	switch d.peek() {
	case 't':
		if d.literal("true") {
			return true, nil
		}
	case 'f':
		if d.literal("false") {
			return false, nil
		}
	case 'n':
		if d.literal("null") {
			return false, nil
		}
	}
	return false, d.typeErr(field, "a boolean")
}

func (d *decoder) actionSet() (arc.ActionSet, error) {
	if d.null() {
		return 0, nil
	}
	if d.peek() != '[' {
		return 0, d.typeErr("available_actions", "a list")
	}
	var set arc.ActionSet
	err := d.elements(func() error {
		id, err := d.intValue("available_actions", 0, arc.NumActionIDs-1)
		set = set.With(arc.ActionID(id))
		return err
	})
	if err != nil {
		return 0, err
	}
	return set, nil
}

// actionInput reads {id, data{x,y}, reasoning} into a, reusing
// a.Reasoning's buffer; it reports whether a non-null reasoning was present.
func (d *decoder) actionInput(a *arc.Action) (reasoning bool, err error) {
	if d.null() {
		return false, nil
	}
	err = d.object("action_input", func(key []byte, esc bool) error {
		if esc {
			key = []byte(unescape(key))
		}
		switch string(key) {
		case "id":
			id, err := d.intValue("action_input.id", 0, arc.NumActionIDs-1)
			a.ID = arc.ActionID(id)
			return err
		case "data":
			if d.null() {
				return nil
			}
			return d.object("action_input.data", func(key []byte, esc bool) error {
				if esc {
					key = []byte(unescape(key))
				}
				switch string(key) {
				case "x", "y":
					if d.null() {
						return nil
					}
					if key[0] == 'x' {
						v, err := d.intValue("action_input.data.x", 0, arc.GridSize-1)
						a.X = uint8(v)
						return err
					}
					v, err := d.intValue("action_input.data.y", 0, arc.GridSize-1)
					a.Y = uint8(v)
					return err
				}
				return d.skip(3)
			})
		case "reasoning":
			if d.null() {
				reasoning = false
				return nil
			}
			raw, err := d.value(2)
			if err != nil {
				return err
			}
			reasoning = true
			a.Reasoning = append(a.Reasoning[:0], raw...)
			return nil
		}
		return d.skip(2)
	})
	return reasoning, err
}

// frames reads the list of frames into out.Frames, growing it only when its
// capacity is too small.
func (d *decoder) frames(out *arc.FrameData) error {
	buf := out.Frames[:0]
	defer func() { out.Frames = buf }()
	if d.null() {
		return nil
	}
	if d.peek() != '[' {
		return d.typeErr("frame", "a list of frames")
	}
	d.pos++
	if d.accept(']') {
		return nil
	}
	for f := 0; ; f++ {
		if f == arc.MaxFrames {
			return d.cellErr(-1, -1, -1, "more than %d frames", arc.MaxFrames)
		}
		n := len(buf)
		buf = slices.Grow(buf, arc.FrameCells)[:n+arc.FrameCells]
		if err := d.frame(f, buf[n:]); err != nil {
			return err
		}
		switch d.peek() {
		case ',':
			d.pos++
		case ']':
			d.pos++
			return nil
		default:
			return d.syntaxErr("expected ',' or ']' after frame %d, found %s", f, d.found())
		}
	}
}

// frame reads one 64x64 frame into cells.
func (d *decoder) frame(f int, cells []uint8) error {
	if d.peek() != '[' {
		kind := d.kind().phrase()
		if err := d.skip(2); err != nil {
			return err
		}
		return d.cellErr(f, -1, -1, "expected a list of rows, found %s", kind)
	}
	d.pos++
	rows := 0
	if d.peek() != ']' {
		for {
			if rows == arc.GridSize {
				return d.cellErr(f, -1, -1, "more than %d rows", arc.GridSize)
			}
			if err := d.row(f, rows, cells[rows*arc.GridSize:(rows+1)*arc.GridSize]); err != nil {
				return err
			}
			rows++
			if c := d.peek(); c == ',' {
				d.pos++
				continue
			} else if c != ']' {
				return d.syntaxErr("expected ',' or ']' after row %d of frame %d, found %s", rows-1, f, d.found())
			}
			break
		}
	}
	if rows != arc.GridSize {
		return d.cellErr(f, -1, -1, "%d rows, want %d", rows, arc.GridSize)
	}
	d.pos++
	return nil
}

// row reads one row of 64 colours into dst. The loop is the hot path of
// the decoder: it handles the compact form "c,c,...,c]" byte by byte and
// falls back to the general scanner only for whitespace and errors.
func (d *decoder) row(f, r int, dst []uint8) error {
	if d.peek() != '[' {
		kind := d.kind().phrase()
		if err := d.skip(3); err != nil {
			return err
		}
		return d.cellErr(f, r, -1, "expected a list of %d colours, found %s", arc.GridSize, kind)
	}
	d.pos++
	if d.peek() == ']' {
		return d.cellErr(f, r, -1, "0 columns, want %d", arc.GridSize)
	}
	data := d.data
	p := d.pos
	col := 0
	for {
		// One cell: a digit, or two digits for 10..15.
		if p >= len(data) {
			d.pos = p
			return d.syntaxErr("unexpected end of input in row %d of frame %d", r, f)
		}
		c := data[p] - '0'
		if c > 9 {
			d.pos = p
			return d.badCell(f, r, col)
		}
		p++
		if p < len(data) && data[p]-'0' <= 9 {
			if c == 0 {
				d.pos = p
				return d.syntaxErr("invalid number: leading zero")
			}
			c = c*10 + data[p] - '0'
			p++
			if p < len(data) && data[p]-'0' <= 9 || c >= arc.NumColors {
				d.pos = p - 2
				return d.badCell(f, r, col)
			}
		}
		if p < len(data) && (data[p] == '.' || data[p] == 'e' || data[p] == 'E') {
			d.pos = p - 1
			for d.pos > 0 && data[d.pos-1]-'0' <= 9 {
				d.pos--
			}
			return d.badCell(f, r, col)
		}
		if col == arc.GridSize {
			d.pos = p
			return d.cellErr(f, r, -1, "more than %d columns", arc.GridSize)
		}
		dst[col] = c
		col++
		if p < len(data) && isSpace(data[p]) {
			d.pos = p
			d.ws()
			p = d.pos
		}
		if p >= len(data) {
			d.pos = p
			return d.syntaxErr("unexpected end of input in row %d of frame %d", r, f)
		}
		switch data[p] {
		case ',':
			p++
			if p < len(data) && isSpace(data[p]) {
				d.pos = p
				d.ws()
				p = d.pos
			}
			continue
		case ']':
			d.pos = p + 1
			if col != arc.GridSize {
				return d.cellErr(f, r, -1, "%d columns, want %d", col, arc.GridSize)
			}
			return nil
		}
		d.pos = p
		return d.syntaxErr("expected ',' or ']' after column %d of row %d of frame %d, found %s", col-1, r, f, d.found())
	}
}

// badCell explains a cell that is not a colour 0..15: malformed JSON, a
// value of another type, or a number out of range.
func (d *decoder) badCell(f, r, col int) error {
	start := d.pos
	switch c := d.peek(); {
	case c == '-' || c >= '0' && c <= '9':
		text, err := d.number()
		if err != nil {
			return err
		}
		d.pos = start
		if col >= arc.GridSize {
			return d.cellErr(f, r, -1, "more than %d columns", arc.GridSize)
		}
		if _, _, isInt := parseInt(text); !isInt {
			return d.cellErr(f, r, col, "value %s is not an integer colour", text)
		}
		return d.cellErr(f, r, col, "value %s outside 0..%d", text, arc.NumColors-1)
	default:
		kind := d.kind().phrase()
		if err := d.skip(4); err != nil {
			return err
		}
		d.pos = start
		return d.cellErr(f, r, col, "expected a colour 0..%d, found %s", arc.NumColors-1, kind)
	}
}
