package server

import (
	"errors"
	"unicode/utf8"

	"github.com/arcgym/arcgym/wire"
)

// command is a decoded command body. Its slices point into the request
// body or into the scratch of decoded, and are valid until the next parse.
type command struct {
	gameID, guid, cardID []byte
	// x, y and reasoning are the raw JSON values as sent, nil when absent.
	x, y, reasoning []byte
	decoded         wire.Command
	// valid holds reasoning made valid UTF-8, when it was not.
	valid []byte
}

// parseCommand decodes a command body with wire.DecodeCommand and turns its
// errors into validation errors. It allocates nothing once the scratch of
// c.decoded has grown.
func parseCommand(body []byte, c *command) *apiError {
	d := &c.decoded
	err := wire.DecodeCommand(body, d)
	c.gameID, c.guid, c.cardID = d.GameID, d.GUID, d.CardID
	c.x, c.y, c.reasoning = d.X, d.Y, d.Reasoning
	if err == nil {
		// Reasoning is echoed and recorded as sent, and JSON text must be
		// UTF-8: bytes that are not are read as encoding/json reads them,
		// as U+FFFD, so that strict readers accept every answer and
		// recording. JSON allows such bytes only inside strings, so the
		// value stays well-formed.
		if !utf8.Valid(c.reasoning) {
			c.valid = wire.AppendValidUTF8(c.valid[:0], c.reasoning)
			c.reasoning = c.valid
		}
		return nil
	}
	if se, ok := errors.AsType[*wire.SyntaxError](err); ok {
		return validationf("malformed JSON body at byte %d: %s", se.Offset, se.Msg)
	}
	if ce, ok := errors.AsType[*wire.CommandError](err); ok {
		if ce.Field == "" {
			return validationf("request body must be a JSON object, got %s", ce.Kind)
		}
		return validationf("%s: expected a string, got %s", ce.Field, ce.Kind)
	}
	return validationf("malformed JSON body: %v", err)
}
