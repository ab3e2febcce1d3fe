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
