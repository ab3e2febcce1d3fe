package wire

import (
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// maxDepth bounds the nesting of skipped values so that hostile input cannot
// exhaust the stack.
const maxDepth = 512

// scanner is the cursor over one JSON text that every hand-written reader
// of the package is built on: the frame decoder, the command decoder and the
// frame lists of recordings. It checks the grammar of RFC 8259 as it moves
// and never allocates on the way to a value; only errors allocate. Syntax
// errors are *SyntaxError located at the cursor.
type scanner struct {
	data []byte
	pos  int
}

func (s *scanner) syntaxErr(format string, args ...any) error {
	return &SyntaxError{Offset: s.pos, Msg: fmt.Sprintf(format, args...)}
}

// found describes the byte at the cursor for error messages.
func (s *scanner) found() string {
	if s.pos >= len(s.data) {
		return "end of input"
	}
	return strconv.QuoteRune(rune(s.data[s.pos]))
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (s *scanner) ws() {
	for s.pos < len(s.data) && isSpace(s.data[s.pos]) {
		s.pos++
	}
}

// peek skips whitespace and returns the next byte, or 0 at the end.
func (s *scanner) peek() byte {
	s.ws()
	if s.pos < len(s.data) {
		return s.data[s.pos]
	}
	return 0
}

// accept consumes c if it is the next byte after whitespace.
func (s *scanner) accept(c byte) bool {
	if s.peek() != c {
		return false
	}
	s.pos++
	return true
}

// expect consumes c or reports what was expected in its place.
func (s *scanner) expect(c byte, what string) error {
	if !s.accept(c) {
		return s.syntaxErr("expected %s, found %s", what, s.found())
	}
	return nil
}

// literal consumes word (true, false or null) if it is at the cursor.
func (s *scanner) literal(word string) bool {
	if len(s.data)-s.pos >= len(word) && string(s.data[s.pos:s.pos+len(word)]) == word {
		s.pos += len(word)
		return true
	}
	return false
}

// null consumes a null literal if one is next.
func (s *scanner) null() bool {
	return s.peek() == 'n' && s.literal("null")
}

// end checks that only whitespace follows the top-level value.
func (s *scanner) end() error {
	if s.ws(); s.pos < len(s.data) {
		return s.syntaxErr("unexpected %s after the top-level value", s.found())
	}
	return nil
}

// valueKind is the JSON type of a value, told from its first byte.
type valueKind uint8

const (
	kindNone valueKind = iota
	kindObject
	kindArray
	kindString
	kindNumber
	kindBool
	kindNull
)

var (
	kindNames   = [...]string{"no value", "object", "array", "string", "number", "boolean", "null"}
	kindPhrases = [...]string{"no value", "an object", "a list", "a string", "a number", "a boolean", "null"}
)

// String returns the JSON name of the type: "object", "array", "string",
// "number", "boolean" or "null".
func (k valueKind) String() string { return kindNames[k] }

// phrase names the type as the frame decoder's messages do: with an
// article, and arrays called lists as in the contract.
func (k valueKind) phrase() string { return kindPhrases[k] }

// kind tells the type of the value after whitespace without consuming it.
func (s *scanner) kind() valueKind {
	switch s.peek() {
	case '{':
		return kindObject
	case '[':
		return kindArray
	case '"':
		return kindString
	case 't', 'f':
		return kindBool
	case 'n':
		return kindNull
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return kindNumber
	}
	return kindNone
}

// mistyped checks that the value at the cursor is well formed and returns
// its type and text, leaving the cursor at its start: a value of the wrong
// type is reported only once it is known not to be a syntax error.
func (s *scanner) mistyped() (valueKind, []byte, error) {
	k := s.kind()
	start := s.pos
	if err := s.skip(0); err != nil {
		return k, nil, err
	}
	text := s.data[start:s.pos]
	s.pos = start
	return k, text, nil
}

// str consumes a string and returns its raw contents (escapes kept) and
// whether it holds escapes; appendUnescaped decodes them.
func (s *scanner) str() (raw []byte, escaped bool, err error) {
	if s.peek() != '"' {
		return nil, false, s.syntaxErr("expected string, found %s", s.found())
	}
	s.pos++
	start := s.pos
	for s.pos < len(s.data) {
		c := s.data[s.pos]
		switch {
		case c == '"':
			raw = s.data[start:s.pos]
			s.pos++
			return raw, escaped, nil
		case c == '\\':
			escaped = true
			s.pos++
			if s.pos >= len(s.data) {
				return nil, false, s.syntaxErr("unterminated string")
			}
			switch s.data[s.pos] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.pos++
			case 'u':
				if len(s.data)-s.pos < 5 || !isHex4(s.data[s.pos+1:s.pos+5]) {
					return nil, false, s.syntaxErr("invalid \\u escape")
				}
				s.pos += 5
			default:
				return nil, false, s.syntaxErr("invalid escape %s", strconv.QuoteRune(rune(s.data[s.pos])))
			}
		case c < 0x20:
			return nil, false, s.syntaxErr("control character %#02x in string", c)
		default:
			s.pos++
		}
	}
	return nil, false, s.syntaxErr("unterminated string")
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

// appendUnescaped appends the decoded contents of a string already checked
// by str. A surrogate pair of \u escapes becomes one rune and a lone
// surrogate U+FFFD, as encoding/json reads them; other bytes are copied as
// they are, valid UTF-8 or not.
func appendUnescaped(dst, raw []byte) []byte {
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != '\\' {
			dst = append(dst, c)
			continue
		}
		i++
		switch raw[i] {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r := hexVal(raw[i+1 : i+5])
			i += 4
			if utf16.IsSurrogate(r) && i+6 < len(raw) && raw[i+1] == '\\' && raw[i+2] == 'u' {
				if r2 := utf16.DecodeRune(r, hexVal(raw[i+3:i+7])); r2 != utf8.RuneError {
					r = r2
					i += 6
				}
			}
			dst = utf8.AppendRune(dst, r) // a lone surrogate is written as U+FFFD
		default: // '"', '\\', '/'
			dst = append(dst, raw[i])
		}
	}
	return dst
}

// unescape returns the decoded contents of a string already checked by str.
func unescape(raw []byte) string {
	return string(appendUnescaped(make([]byte, 0, len(raw)), raw))
}

// AppendValidUTF8 appends s to dst with every byte that is not part of a
// valid UTF-8 sequence replaced by U+FFFD, as encoding/json reads strings:
// the bytes of a JSON value read from a client, made safe to write back.
func AppendValidUTF8(dst, s []byte) []byte {
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

// number consumes a JSON number, -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?,
// starting at the cursor, and returns its text.
func (s *scanner) number() ([]byte, error) {
	start, data := s.pos, s.data
	p := start
	if p < len(data) && data[p] == '-' {
		p++
	}
	switch {
	case p < len(data) && data[p] == '0':
		p++
	case isDigit(data, p):
		p = digitsEnd(data, p)
	default:
		return nil, s.numberErr(p, "digit")
	}
	if p < len(data) && data[p] == '.' {
		if p++; !isDigit(data, p) {
			return nil, s.numberErr(p, "digit after '.'")
		}
		p = digitsEnd(data, p)
	}
	if p < len(data) && (data[p] == 'e' || data[p] == 'E') {
		p++
		if p < len(data) && (data[p] == '+' || data[p] == '-') {
			p++
		}
		if !isDigit(data, p) {
			return nil, s.numberErr(p, "exponent digit")
		}
		p = digitsEnd(data, p)
	}
	s.pos = p
	return data[start:p], nil
}

// isDigit reports whether data[p] is a decimal digit.
func isDigit(data []byte, p int) bool { return p < len(data) && data[p] >= '0' && data[p] <= '9' }

// digitsEnd returns the position after the run of digits at p.
func digitsEnd(data []byte, p int) int {
	for isDigit(data, p) {
		p++
	}
	return p
}

func (s *scanner) numberErr(p int, want string) error {
	s.pos = p
	return s.syntaxErr("invalid number: expected %s, found %s", want, s.found())
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

// next moves past the separator after a member of an object (close '}')
// or an element of a list (close ']'): more is true after a comma and false
// after the closing bracket.
func (s *scanner) next(close byte) (more bool, err error) {
	switch s.peek() {
	case ',':
		s.pos++
		return true, nil
	case close:
		s.pos++
		return false, nil
	}
	if close == '}' {
		return false, s.syntaxErr("expected ',' or '}' after object member, found %s", s.found())
	}
	return false, s.syntaxErr("expected ',' or ']' after list element, found %s", s.found())
}

// members reads the object at the cursor, which the caller has checked
// starts with '{', calling f with the cursor on each value; f must consume
// the value. key holds the raw contents of the member name.
func (s *scanner) members(f func(key []byte, escaped bool) error) error {
	s.pos++
	if s.accept('}') {
		return nil
	}
	for {
		key, esc, err := s.str()
		if err != nil {
			return err
		}
		if err := s.expect(':', "':' after object key"); err != nil {
			return err
		}
		if err := f(key, esc); err != nil {
			return err
		}
		if more, err := s.next('}'); !more {
			return err
		}
	}
}

// elements reads the list at the cursor, which the caller has checked
// starts with '[', calling f with the cursor on each element; f must
// consume the element.
func (s *scanner) elements(f func() error) error {
	s.pos++
	if s.accept(']') {
		return nil
	}
	for {
		if err := f(); err != nil {
			return err
		}
		if more, err := s.next(']'); !more {
			return err
		}
	}
}

// skip consumes any JSON value, checking its syntax; depth is the nesting
// of the value, bounded by maxDepth.
func (s *scanner) skip(depth int) error {
	if depth > maxDepth {
		return s.syntaxErr("nesting deeper than %d", maxDepth)
	}
	switch c := s.peek(); c {
	case '{':
		return s.members(func([]byte, bool) error { return s.skip(depth + 1) })
	case '[':
		return s.elements(func() error { return s.skip(depth + 1) })
	case '"':
		_, _, err := s.str()
		return err
	case 't', 'f', 'n':
		word := "null"
		switch c {
		case 't':
			word = "true"
		case 'f':
			word = "false"
		}
		if !s.literal(word) {
			return s.syntaxErr("invalid literal %q, expected %s", s.data[s.pos:min(s.pos+len(word), len(s.data))], word)
		}
		return nil
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		_, err := s.number()
		return err
	}
	return s.syntaxErr("expected a value, found %s", s.found())
}

// value consumes any JSON value, checking its syntax, and returns its text.
func (s *scanner) value(depth int) ([]byte, error) {
	s.ws()
	start := s.pos
	if err := s.skip(depth); err != nil {
		return nil, err
	}
	return s.data[start:s.pos], nil
}
