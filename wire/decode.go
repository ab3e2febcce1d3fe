package wire

import (
	"fmt"
	"slices"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/arcgym/arcgym/arc"
)

// maxDepth bounds the nesting of skipped values so that hostile input cannot
// exhaust the stack.
const maxDepth = 512

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
	d := decoder{data: data}
	return d.frameObject(out)
}

// decoder is a cursor over one JSON body.
type decoder struct {
	data []byte
	pos  int
}

func (d *decoder) syntaxErr(format string, args ...any) error {
	return &SyntaxError{Offset: d.pos, Msg: fmt.Sprintf(format, args...)}
}

func (d *decoder) fieldErr(field, format string, args ...any) error {
	return &FrameError{Offset: d.pos, Field: field, Frame: -1, Row: -1, Column: -1, Msg: fmt.Sprintf(format, args...)}
}

func (d *decoder) cellErr(frame, row, col int, format string, args ...any) error {
	return &FrameError{Offset: d.pos, Field: "frame", Frame: frame, Row: row, Column: col, Msg: fmt.Sprintf(format, args...)}
}

// found describes the byte at the cursor for error messages.
func (d *decoder) found() string {
	if d.pos >= len(d.data) {
		return "end of input"
	}
	return strconv.QuoteRune(rune(d.data[d.pos]))
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (d *decoder) ws() {
	for d.pos < len(d.data) && isSpace(d.data[d.pos]) {
		d.pos++
	}
}

// peek skips whitespace and returns the next byte, or 0 at the end.
func (d *decoder) peek() byte {
	d.ws()
	if d.pos < len(d.data) {
		return d.data[d.pos]
	}
	return 0
}

func (d *decoder) expect(c byte, what string) error {
	if d.peek() != c {
		return d.syntaxErr("expected %s, found %s", what, d.found())
	}
	d.pos++
	return nil
}

// literal consumes one of true, false, null.
func (d *decoder) literal(word string) bool {
	if len(d.data)-d.pos >= len(word) && string(d.data[d.pos:d.pos+len(word)]) == word {
		d.pos += len(word)
		return true
	}
	return false
}

// null consumes a null literal if one is next.
func (d *decoder) null() bool {
	return d.peek() == 'n' && d.literal("null")
}

// kind names the JSON type of the value at the cursor for error messages.
func (d *decoder) kind() string {
	switch d.peek() {
	case '{':
		return "an object"
	case '[':
		return "a list"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return "a number"
	}
	return d.found()
}

// typeErr reports a well-formed value of the wrong type, but checks first
// that it is well formed so that syntax errors keep precedence.
func (d *decoder) typeErr(field, want string) error {
	start := d.pos
	kind := d.kind()
	if err := d.skip(0); err != nil {
		return err
	}
	d.pos = start
	return d.fieldErr(field, "expected %s, found %s", want, kind)
}

// str consumes a string and returns its raw contents (escapes kept) and
// whether it holds escapes.
func (d *decoder) str() (raw []byte, escaped bool, err error) {
	if d.peek() != '"' {
		return nil, false, d.syntaxErr("expected string, found %s", d.found())
	}
	d.pos++
	start := d.pos
	for d.pos < len(d.data) {
		c := d.data[d.pos]
		switch {
		case c == '"':
			raw = d.data[start:d.pos]
			d.pos++
			return raw, escaped, nil
		case c == '\\':
			escaped = true
			d.pos++
			if d.pos >= len(d.data) {
				return nil, false, d.syntaxErr("unterminated string")
			}
			switch d.data[d.pos] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				d.pos++
			case 'u':
				if len(d.data)-d.pos < 5 || !isHex4(d.data[d.pos+1:d.pos+5]) {
					return nil, false, d.syntaxErr("invalid \\u escape")
				}
				d.pos += 5
			default:
				return nil, false, d.syntaxErr("invalid escape %s", strconv.QuoteRune(rune(d.data[d.pos])))
			}
		case c < 0x20:
			return nil, false, d.syntaxErr("control character %#02x in string", c)
		default:
			d.pos++
		}
	}
	return nil, false, d.syntaxErr("unterminated string")
}

func isHex4(b []byte) bool {
	for _, c := range b {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

func hexVal(b []byte) rune {
	var r rune
	for _, c := range b {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		default:
			r |= rune(c - 'A' + 10)
		}
	}
	return r
}

// unescape decodes the raw contents of a string already checked by str.
func unescape(raw []byte) string {
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		i++
		switch raw[i] {
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r := hexVal(raw[i+1 : i+5])
			i += 4
			if utf16.IsSurrogate(r) && i+6 < len(raw) && raw[i+1] == '\\' && raw[i+2] == 'u' {
				if r2 := utf16.DecodeRune(r, hexVal(raw[i+3:i+7])); r2 != utf8.RuneError {
					r = r2
					i += 6
				}
			}
			out = utf8.AppendRune(out, r)
		default: // '"', '\\', '/'
			out = append(out, raw[i])
		}
	}
	return string(out)
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

// number consumes a JSON number and returns its text.
func (d *decoder) number() ([]byte, error) {
	start := d.pos
	p := d.pos
	data := d.data
	if p < len(data) && data[p] == '-' {
		p++
	}
	switch {
	case p < len(data) && data[p] == '0':
		p++
	case p < len(data) && data[p] >= '1' && data[p] <= '9':
		for p < len(data) && data[p] >= '0' && data[p] <= '9' {
			p++
		}
	default:
		d.pos = p
		return nil, d.syntaxErr("invalid number: expected digit, found %s", d.found())
	}
	if p < len(data) && data[p] == '.' {
		p++
		if p >= len(data) || data[p] < '0' || data[p] > '9' {
			d.pos = p
			return nil, d.syntaxErr("invalid number: expected digit after '.', found %s", d.found())
		}
		for p < len(data) && data[p] >= '0' && data[p] <= '9' {
			p++
		}
	}
	if p < len(data) && (data[p] == 'e' || data[p] == 'E') {
		p++
		if p < len(data) && (data[p] == '+' || data[p] == '-') {
			p++
		}
		if p >= len(data) || data[p] < '0' || data[p] > '9' {
			d.pos = p
			return nil, d.syntaxErr("invalid number: expected exponent digit, found %s", d.found())
		}
		for p < len(data) && data[p] >= '0' && data[p] <= '9' {
			p++
		}
	}
	d.pos = p
	return data[start:p], nil
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

// parseInt parses the text of a well-formed JSON number. isInt is false
// for a fraction or exponent; ok is false when the value does not fit in
// 18 digits.
func parseInt(text []byte) (v int64, ok, isInt bool) {
	neg := false
	if len(text) > 0 && text[0] == '-' {
		neg, text = true, text[1:]
	}
	for _, c := range text {
		if c < '0' || c > '9' {
			return 0, false, false
		}
	}
	if len(text) > 18 {
		return 0, false, true
	}
	for _, c := range text {
		v = v*10 + int64(c-'0')
	}
	if neg {
		v = -v
	}
	return v, true, true
}

// skip consumes any JSON value, checking its syntax.
func (d *decoder) skip(depth int) error {
	if depth > maxDepth {
		return d.syntaxErr("nesting deeper than %d", maxDepth)
	}
	switch c := d.peek(); c {
	case '{':
		d.pos++
		if d.peek() == '}' {
			d.pos++
			return nil
		}
		for {
			if _, _, err := d.str(); err != nil {
				return err
			}
			if err := d.expect(':', "':' after object key"); err != nil {
				return err
			}
			if err := d.skip(depth + 1); err != nil {
				return err
			}
			switch d.peek() {
			case ',':
				d.pos++
			case '}':
				d.pos++
				return nil
			default:
				return d.syntaxErr("expected ',' or '}' after object member, found %s", d.found())
			}
		}
	case '[':
		d.pos++
		if d.peek() == ']' {
			d.pos++
			return nil
		}
		for {
			if err := d.skip(depth + 1); err != nil {
				return err
			}
			switch d.peek() {
			case ',':
				d.pos++
			case ']':
				d.pos++
				return nil
			default:
				return d.syntaxErr("expected ',' or ']' after list element, found %s", d.found())
			}
		}
	case '"':
		_, _, err := d.str()
		return err
	case 't':
		if d.literal("true") {
			return nil
		}
	case 'f':
		if d.literal("false") {
			return nil
		}
	case 'n':
		if d.literal("null") {
			return nil
		}
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		_, err := d.number()
		return err
	}
	return d.syntaxErr("expected a value, found %s", d.found())
}

// members iterates over the members of an object, calling f with the cursor
// on each value; f must consume the value.
func (d *decoder) members(field string, f func(key []byte, escaped bool) error) error {
	if d.peek() != '{' {
		return d.typeErr(field, "an object")
	}
	d.pos++
	if d.peek() == '}' {
		d.pos++
		return nil
	}
	for {
		key, esc, err := d.str()
		if err != nil {
			return err
		}
		if err := d.expect(':', "':' after object key"); err != nil {
			return err
		}
		if err := f(key, esc); err != nil {
			return err
		}
		switch d.peek() {
		case ',':
			d.pos++
		case '}':
			d.pos++
			return nil
		default:
			return d.syntaxErr("expected ',' or '}' after object member, found %s", d.found())
		}
	}
}

// frameFields collects the top-level fields before they are stored.
type frameFields struct {
	haveFrames, haveState     bool
	haveLevels, haveWin       bool
	haveScore, haveWinScore   bool
	state                     arc.GameState
	levels, win, score, winSc int
}

func (d *decoder) frameObject(out *arc.FrameData) error {
	var ff frameFields
	if c := d.peek(); c != '{' {
		if c == 0 {
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
	err := d.members("", func(key []byte, esc bool) error {
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
			ff.haveLevels = true
			ff.levels, err = d.intValue("levels_completed", 0, maxCounter)
		case "win_levels":
			ff.haveWin = true
			ff.win, err = d.intValue("win_levels", 0, maxCounter)
		case "score":
			ff.haveScore = true
			ff.score, err = d.intValue("score", 0, maxCounter)
		case "win_score":
			ff.haveWinScore = true
			ff.winSc, err = d.intValue("win_score", 0, maxCounter)
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
	if d.peek() != 0 {
		return d.syntaxErr("unexpected %s after the top-level value", d.found())
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
	switch {
	case ff.haveLevels:
		out.LevelsCompleted = ff.levels
	case ff.haveScore:
		out.LevelsCompleted = ff.score
	default:
		out.LevelsCompleted = 0
	}
	switch {
	case ff.haveWin:
		out.WinLevels = ff.win
	case ff.haveWinScore:
		out.WinLevels = ff.winSc
	default:
		out.WinLevels = 0
	}
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
	d.pos++
	var set arc.ActionSet
	if d.peek() == ']' {
		d.pos++
		return 0, nil
	}
	for {
		id, err := d.intValue("available_actions", 0, arc.NumActionIDs-1)
		if err != nil {
			return 0, err
		}
		set = set.With(arc.ActionID(id))
		switch d.peek() {
		case ',':
			d.pos++
		case ']':
			d.pos++
			return set, nil
		default:
			return 0, d.syntaxErr("expected ',' or ']' after list element, found %s", d.found())
		}
	}
}

// actionInput reads {id, data{x,y}, reasoning} into a, reusing
// a.Reasoning's buffer; it reports whether a non-null reasoning was present.
func (d *decoder) actionInput(a *arc.Action) (reasoning bool, err error) {
	if d.null() {
		return false, nil
	}
	err = d.members("action_input", func(key []byte, esc bool) error {
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
			return d.members("action_input.data", func(key []byte, esc bool) error {
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
			d.ws()
			start := d.pos
			if err := d.skip(2); err != nil {
				return err
			}
			reasoning = true
			a.Reasoning = append(a.Reasoning[:0], d.data[start:d.pos]...)
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
	if d.peek() == ']' {
		d.pos++
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
		kind := d.kind()
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
		kind := d.kind()
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
		kind := d.kind()
		if err := d.skip(4); err != nil {
			return err
		}
		d.pos = start
		return d.cellErr(f, r, col, "expected a colour 0..%d, found %s", arc.NumColors-1, kind)
	}
}
