package wire

import (
	"fmt"
	"strings"

	"github.com/arcgym/arcgym/arc"
)

// SyntaxError reports a body that is not well-formed JSON.
type SyntaxError struct {
	// Offset is the byte offset in the body where the problem was found.
	Offset int
	// Msg describes the problem.
	Msg string
}

// Error formats the error with its byte offset.
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("wire: invalid JSON at byte %d: %s", e.Offset, e.Msg)
}

// FrameError reports a frame object that is well-formed JSON but breaks the
// contract: a frame of the wrong size, a colour outside 0..15, an unknown
// state, a field of the wrong type. It matches arc.ErrInvalidFrame with
// errors.Is.
type FrameError struct {
	// Offset is the byte offset in the body where the problem was found.
	Offset int
	// Field is the top-level field in error ("frame", "state", ...), empty
	// for the body as a whole.
	Field string
	// Frame, Row and Column locate a problem inside "frame"; each is -1 when
	// it does not apply.
	Frame, Row, Column int
	// Msg describes the problem and the offending value.
	Msg string
}

// Error formats the error with the field, frame, row, column and offset.
func (e *FrameError) Error() string {
	var b strings.Builder
	b.WriteString("wire: invalid frame object")
	if e.Field != "" {
		b.WriteString(": ")
		b.WriteString(e.Field)
	}
	if e.Frame >= 0 {
		fmt.Fprintf(&b, " %d", e.Frame)
		if e.Row >= 0 {
			fmt.Fprintf(&b, " row %d", e.Row)
			if e.Column >= 0 {
				fmt.Fprintf(&b, " column %d", e.Column)
			}
		}
	}
	fmt.Fprintf(&b, ": %s (at byte %d)", e.Msg, e.Offset)
	return b.String()
}

// Unwrap returns arc.ErrInvalidFrame.
func (e *FrameError) Unwrap() error { return arc.ErrInvalidFrame }

// CommandError reports a command body that is well-formed JSON but not a
// command: the body is not an object, or game_id, guid or card_id is
// neither a string nor null.
type CommandError struct {
	// Offset is the byte offset in the body of the value at fault.
	Offset int
	// Field is the member at fault ("game_id", "guid" or "card_id"), empty
	// for the body as a whole.
	Field string
	// Kind is the JSON type of the value at fault: "object", "array",
	// "string", "number", "boolean" or "null".
	Kind string
	// Value is the JSON text of the value at fault, cut to
	// maxErrorValueBytes and marked with "..." when longer.
	Value string
}

// maxErrorValueBytes bounds the text of a value quoted in an error.
const maxErrorValueBytes = 64

// errorValue returns text, cut to maxErrorValueBytes, for an error message.
func errorValue(text []byte) string {
	if len(text) > maxErrorValueBytes {
		return string(text[:maxErrorValueBytes]) + "..."
	}
	return string(text)
}

// Error formats the error with the field, the value and its offset.
func (e *CommandError) Error() string {
	want, field := "an object", ""
	if e.Field != "" {
		want, field = "a string", e.Field+": "
	}
	return fmt.Sprintf("wire: invalid command body: %sexpected %s, got %s %s (at byte %d)", field, want, e.Kind, e.Value, e.Offset)
}
