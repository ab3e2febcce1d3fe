package server

import (
	"fmt"
	"unicode/utf8"
)

// command is a decoded command body. Its slices point into the request
// body or into scratch, and are valid until the next parse.
type command struct {
	gameID, guid, cardID []byte
	// x, y and reasoning are the raw JSON values as sent, nil when absent.
	x, y, reasoning []byte
	// scratch holds unescaped strings.
	scratch []byte
}

// maxNesting bounds the nesting of values inside a command body.
const maxNesting = 512

// parseCommand decodes a command body: a JSON object whose game_id, guid and
// card_id are strings (or null) and whose x, y and reasoning are kept raw;
// other members are checked for well-formedness and ignored, and a repeated
// member keeps its last value. An empty body reads as {}. It allocates
// nothing once scratch has grown.
func parseCommand(body []byte, c *command) *apiError {
	*c = command{scratch: c.scratch[:0]}
	p := cmdParser{b: body}
	p.ws()
	if p.i == len(p.b) {
		return nil
	}
	if p.b[p.i] != '{' {
		start := p.i
		if err := p.skip(0); err != nil {
			return err
		}
		return validationf("request body must be a JSON object, got %s", kindOf(p.b[start]))
	}
	p.i++
	p.ws()
	if p.peek() == '}' {
		p.i++
		return p.end()
	}
	for {
		p.ws()
		key, err := p.str(&c.scratch)
		if err != nil {
			return err
		}
		p.ws()
		if err := p.expect(':'); err != nil {
			return err
		}
		p.ws()
		switch string(key) {
		case "game_id":
			c.gameID, err = p.strOrNull("game_id", &c.scratch)
		case "guid":
			c.guid, err = p.strOrNull("guid", &c.scratch)
		case "card_id":
			c.cardID, err = p.strOrNull("card_id", &c.scratch)
		case "x":
			c.x, err = p.raw()
		case "y":
			c.y, err = p.raw()
		case "reasoning":
			c.reasoning, err = p.raw()
		default:
			err = p.skip(0)
		}
		if err != nil {
			return err
		}
		p.ws()
		switch p.peek() {
		case ',':
			p.i++
		case '}':
			p.i++
			return p.end()
		default:
			return p.syntax("expected , or } after object member, found %s", p.found())
		}
	}
}

type cmdParser struct {
	b []byte
	i int
}

func (p *cmdParser) syntax(format string, args ...any) *apiError {
	return validationf("malformed JSON body at byte %d: %s", p.i, fmt.Sprintf(format, args...))
}

func (p *cmdParser) found() string {
	if p.i >= len(p.b) {
		return "end of body"
	}
	return fmt.Sprintf("%q", p.b[p.i])
}

func (p *cmdParser) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *cmdParser) peek() byte {
	if p.i < len(p.b) {
		return p.b[p.i]
	}
	return 0
}

func (p *cmdParser) expect(c byte) *apiError {
	if p.peek() != c {
		return p.syntax("expected %q, found %s", c, p.found())
	}
	p.i++
	return nil
}

func (p *cmdParser) end() *apiError {
	p.ws()
	if p.i != len(p.b) {
		return p.syntax("unexpected %s after the object", p.found())
	}
	return nil
}

func kindOf(c byte) string {
	switch c {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

// strOrNull reads a string member, null reading as empty.
func (p *cmdParser) strOrNull(field string, scratch *[]byte) ([]byte, *apiError) {
	switch p.peek() {
	case '"':
		return p.str(scratch)
	case 'n':
		return nil, p.literal("null")
	}
	start := p.i
	if err := p.skip(0); err != nil {
		return nil, err
	}
	return nil, validationf("%s: expected a string, got %s", field, kindOf(p.b[start]))
}

func (p *cmdParser) literal(word string) *apiError {
	if len(p.b)-p.i < len(word) || string(p.b[p.i:p.i+len(word)]) != word {
		return p.syntax("invalid literal, found %s", p.found())
	}
	p.i += len(word)
	return nil
}

// str reads a string. Without escapes it returns a view of the body;
// otherwise the unescaped text is appended to scratch and a view of it is
// returned.
func (p *cmdParser) str(scratch *[]byte) ([]byte, *apiError) {
	if err := p.expect('"'); err != nil {
		return nil, err
	}
	start := p.i
	high := false
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			s := p.b[start:p.i]
			p.i++
			if high && !utf8.Valid(s) {
				from := len(*scratch)
				*scratch = appendValidUTF8(*scratch, s)
				return (*scratch)[from:], nil
			}
			return s, nil
		case c >= utf8.RuneSelf:
			high = true
		case c == '\\':
			return p.escaped(start, scratch)
		case c < 0x20:
			return nil, p.syntax("control character %q in string", c)
		}
		p.i++
	}
	return nil, p.syntax("unterminated string")
}

func (p *cmdParser) escaped(start int, scratch *[]byte) ([]byte, *apiError) {
	from := len(*scratch)
	out := append(*scratch, p.b[start:p.i]...)
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			if !utf8.Valid(out[from:]) {
				fixed := appendValidUTF8(out, out[from:])
				out = append(out[:from], fixed[len(out):]...)
			}
			*scratch = out
			return out[from:], nil
		case c < 0x20:
			return nil, p.syntax("control character %q in string", c)
		case c != '\\':
			out = append(out, c)
			p.i++
			continue
		}
		if p.i+1 >= len(p.b) {
			break
		}
		e := p.b[p.i+1]
		p.i += 2
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
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
			r, ok := p.hex4()
			if !ok {
				return nil, p.syntax("invalid \\u escape")
			}
			if r >= 0xd800 && r < 0xdc00 && p.i+1 < len(p.b) && p.b[p.i] == '\\' && p.b[p.i+1] == 'u' {
				save := p.i
				p.i += 2
				if lo, ok := p.hex4(); ok && lo >= 0xdc00 && lo < 0xe000 {
					r = (r-0xd800)<<10 + (lo - 0xdc00) + 0x10000
				} else {
					p.i = save
				}
			}
			if r >= 0xd800 && r < 0xe000 {
				r = utf8.RuneError
			}
			out = utf8.AppendRune(out, r)
		default:
			p.i--
			return nil, p.syntax("invalid escape \\%c", e)
		}
	}
	return nil, p.syntax("unterminated string")
}

func (p *cmdParser) hex4() (rune, bool) {
	if len(p.b)-p.i < 4 {
		return 0, false
	}
	var r rune
	for _, c := range p.b[p.i : p.i+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	p.i += 4
	return r, true
}

// raw checks one value and returns its bytes.
func (p *cmdParser) raw() ([]byte, *apiError) {
	start := p.i
	if err := p.skip(0); err != nil {
		return nil, err
	}
	return p.b[start:p.i], nil
}

// skip checks the well-formedness of one value and moves past it.
func (p *cmdParser) skip(depth int) *apiError {
	if depth > maxNesting {
		return p.syntax("values nested deeper than %d", maxNesting)
	}
	var scratch []byte
	switch c := p.peek(); {
	case c == '"':
		// Escapes are checked by unescaping into a throwaway buffer only
		// when there are any.
		_, err := p.str(&scratch)
		return err
	case c == '{':
		p.i++
		p.ws()
		if p.peek() == '}' {
			p.i++
			return nil
		}
		for {
			p.ws()
			if _, err := p.str(&scratch); err != nil {
				return err
			}
			scratch = scratch[:0]
			p.ws()
			if err := p.expect(':'); err != nil {
				return err
			}
			p.ws()
			if err := p.skip(depth + 1); err != nil {
				return err
			}
			p.ws()
			switch p.peek() {
			case ',':
				p.i++
			case '}':
				p.i++
				return nil
			default:
				return p.syntax("expected , or } in object, found %s", p.found())
			}
		}
	case c == '[':
		p.i++
		p.ws()
		if p.peek() == ']' {
			p.i++
			return nil
		}
		for {
			p.ws()
			if err := p.skip(depth + 1); err != nil {
				return err
			}
			p.ws()
			switch p.peek() {
			case ',':
				p.i++
			case ']':
				p.i++
				return nil
			default:
				return p.syntax("expected , or ] in array, found %s", p.found())
			}
		}
	case c == 't':
		return p.literal("true")
	case c == 'f':
		return p.literal("false")
	case c == 'n':
		return p.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	}
	return p.syntax("expected a value, found %s", p.found())
}

// number checks the JSON number grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func (p *cmdParser) number() *apiError {
	start := p.i
	digits := func() int {
		n := 0
		for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
			p.i++
			n++
		}
		return n
	}
	if p.peek() == '-' {
		p.i++
	}
	switch {
	case p.peek() == '0':
		p.i++
	case digits() == 0:
		return p.syntax("invalid number %q", p.b[start:p.i])
	}
	if p.peek() == '.' {
		p.i++
		if digits() == 0 {
			return p.syntax("invalid number %q", p.b[start:p.i])
		}
	}
	if c := p.peek(); c == 'e' || c == 'E' {
		p.i++
		if c := p.peek(); c == '+' || c == '-' {
			p.i++
		}
		if digits() == 0 {
			return p.syntax("invalid number %q", p.b[start:p.i])
		}
	}
	return nil
}

// appendValidUTF8 appends s to dst with every byte that is not part of a
// valid UTF-8 sequence replaced by U+FFFD, as encoding/json reads strings.
func appendValidUTF8(dst, s []byte) []byte {
	for len(s) > 0 {
		r, size := utf8.DecodeRune(s)
		if r == utf8.RuneError && size == 1 {
			dst = utf8.AppendRune(dst, utf8.RuneError)
		} else {
			dst = append(dst, s[:size]...)
		}
		s = s[size:]
	}
	return dst
}
