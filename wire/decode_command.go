package wire

import "unicode/utf8"

// Command is the body of POST /api/cmd/{RESET,ACTION1..ACTION7} as the
// server reads it (CommandRequest is the same body as a client writes it).
// GameID, GUID and CardID hold the decoded strings, empty when absent or
// null; X, Y and Reasoning hold the JSON text of their values as sent, nil
// when absent, for the caller to check against the action. The slices point
// into the body or into a scratch buffer the Command keeps, and are valid
// until the body changes or the next DecodeCommand into the same Command.
type Command struct {
	GameID, GUID, CardID []byte
	X, Y, Reasoning      []byte

	// scratch holds the strings that had to be unescaped or repaired.
	scratch []byte
}

// DecodeCommand decodes a command body into out. The body is a JSON
// object; an empty or blank body reads as {}. game_id, guid and card_id
// must be strings or null, decoded as encoding/json does (escapes resolved,
// invalid UTF-8 replaced by U+FFFD); x, y and reasoning are kept raw; other
// members are checked for well-formedness and ignored, and a repeated member
// keeps its last value. It allocates nothing once out's scratch buffer has
// grown to the body's escaped strings.
//
// Errors are *SyntaxError for malformed JSON and *CommandError, naming the
// field and the value, for a body that is not a command. On error the
// contents of out are unspecified. DecodeCommand never panics.
func DecodeCommand(body []byte, out *Command) error {
	*out = Command{scratch: out.scratch[:0]}
	s := scanner{data: body}
	if s.peek() != '{' {
		if s.pos == len(s.data) {
			return nil
		}
		k, text, err := s.mistyped()
		if err != nil {
			return err
		}
		return &CommandError{Offset: s.pos, Kind: k.String(), Value: errorValue(text)}
	}
	err := s.members(func(key []byte, escaped bool) error {
		if escaped {
			from := len(out.scratch)
			out.scratch = appendUnescaped(out.scratch, key)
			key = out.scratch[from:]
		}
		var err error
		switch string(key) {
		case "game_id":
			out.GameID, err = out.text(&s, "game_id")
		case "guid":
			out.GUID, err = out.text(&s, "guid")
		case "card_id":
			out.CardID, err = out.text(&s, "card_id")
		case "x":
			out.X, err = s.value(0)
		case "y":
			out.Y, err = s.value(0)
		case "reasoning":
			out.Reasoning, err = s.value(0)
		default:
			err = s.skip(0)
		}
		return err
	})
	if err != nil {
		return err
	}
	return s.end()
}

// text reads a string member, null reading as empty. A string without
// escapes that is valid UTF-8 is returned as a view of the body; any other
// is decoded into the scratch buffer.
func (c *Command) text(s *scanner, field string) ([]byte, error) {
	switch s.peek() {
	case '"':
	case 'n':
		if s.literal("null") {
			return nil, nil
		}
		fallthrough
	default:
		k, text, err := s.mistyped()
		if err != nil {
			return nil, err
		}
		return nil, &CommandError{Offset: s.pos, Field: field, Kind: k.String(), Value: errorValue(text)}
	}
	raw, escaped, err := s.str()
	if err != nil {
		return nil, err
	}
	if !escaped && utf8.Valid(raw) {
		return raw, nil
	}
	from := len(c.scratch)
	if !escaped {
		c.scratch = AppendValidUTF8(c.scratch, raw)
		return c.scratch[from:], nil
	}
	c.scratch = appendUnescaped(c.scratch, raw)
	if utf8.Valid(c.scratch[from:]) {
		return c.scratch[from:], nil
	}
	// Escapes always decode to valid UTF-8, so only raw bytes are
	// repaired; the repaired copy follows the first.
	mid := len(c.scratch)
	c.scratch = AppendValidUTF8(c.scratch, c.scratch[from:mid])
	return c.scratch[mid:], nil
}
