package arc

import (
	"encoding/json"
	"fmt"
	"math/bits"
	"strings"
)

// ActionID names an ARC command: RESET or ACTION1..ACTION7.
type ActionID uint8

// The ARC commands. ACTION6 is the only one that carries a payload (x, y).
const (
	Reset ActionID = iota
	Action1
	Action2
	Action3
	Action4
	Action5
	Action6
	Action7

	// NumActionIDs is the number of distinct ActionIDs, RESET included.
	NumActionIDs = 8
)

var actionNames = [NumActionIDs]string{"RESET", "ACTION1", "ACTION2", "ACTION3", "ACTION4", "ACTION5", "ACTION6", "ACTION7"}

// String returns the wire name of the action, e.g. "ACTION6".
func (id ActionID) String() string {
	if int(id) < NumActionIDs {
		return actionNames[id]
	}
	return fmt.Sprintf("ActionID(%d)", uint8(id))
}

// Valid reports whether id is RESET or one of ACTION1..ACTION7.
func (id ActionID) Valid() bool { return id < NumActionIDs }

// IsComplex reports whether the action carries coordinates (only ACTION6).
func (id ActionID) IsComplex() bool { return id == Action6 }

// ParseActionID parses a wire name ("RESET", "ACTION1".."ACTION7", any case)
// or a decimal id "0".."7".
func ParseActionID(s string) (ActionID, error) {
	u := strings.ToUpper(strings.TrimSpace(s))
	for i, n := range actionNames {
		if u == n {
			return ActionID(i), nil
		}
	}
	if len(u) == 1 && u[0] >= '0' && u[0] <= '7' {
		return ActionID(u[0] - '0'), nil
	}
	return 0, fmt.Errorf("arc: unknown action %q", s)
}

// Action is one command sent to a game: an id, the click coordinates for
// ACTION6 (X is the column, Y the row, both 0..63) and an optional reasoning
// value, raw JSON of at most MaxReasoningBytes, that remote servers store.
type Action struct {
	ID        ActionID
	X, Y      uint8
	Reasoning json.RawMessage
}

// MaxReasoningBytes is the largest serialised reasoning value a server accepts.
const MaxReasoningBytes = 16 * 1024

// Simple returns the payload-free action id (RESET, ACTION1-5, ACTION7).
func Simple(id ActionID) Action { return Action{ID: id} }

// Click returns ACTION6 at column x, row y.
func Click(x, y int) Action { return Action{ID: Action6, X: uint8(x), Y: uint8(y)} }

// Validate reports an error for an unknown id, coordinates outside the grid
// or an oversized reasoning value.
func (a Action) Validate() error {
	if !a.ID.Valid() {
		return fmt.Errorf("%w: id %d", ErrInvalidAction, a.ID)
	}
	if a.ID == Action6 && (a.X >= GridSize || a.Y >= GridSize) {
		return fmt.Errorf("%w: ACTION6 at (%d,%d) is outside 0..%d", ErrInvalidAction, a.X, a.Y, GridSize-1)
	}
	if len(a.Reasoning) > MaxReasoningBytes {
		return fmt.Errorf("%w: reasoning is %d bytes, limit %d", ErrInvalidAction, len(a.Reasoning), MaxReasoningBytes)
	}
	return nil
}

// String formats the action as "ACTION6(x,y)" or its wire name.
func (a Action) String() string {
	if a.ID == Action6 {
		return fmt.Sprintf("ACTION6(%d,%d)", a.X, a.Y)
	}
	return a.ID.String()
}

// ActionSet is a set of ActionIDs as a bit mask (bit i set = ActionID(i) in
// the set). It is the dense form of available_actions.
type ActionSet uint8

// ActionSetOf returns the set holding ids.
func ActionSetOf(ids ...ActionID) ActionSet {
	var s ActionSet
	for _, id := range ids {
		s = s.With(id)
	}
	return s
}

// Has reports whether id is in the set.
func (s ActionSet) Has(id ActionID) bool { return id < NumActionIDs && s&(1<<id) != 0 }

// With returns the set with id added.
func (s ActionSet) With(id ActionID) ActionSet {
	if id >= NumActionIDs {
		return s
	}
	return s | 1<<id
}

// Len returns the number of ids in the set.
func (s ActionSet) Len() int { return bits.OnesCount8(uint8(s)) }

// IDs appends the ids in ascending order to dst and returns it.
func (s ActionSet) IDs(dst []ActionID) []ActionID {
	for i := ActionID(0); i < NumActionIDs; i++ {
		if s.Has(i) {
			dst = append(dst, i)
		}
	}
	return dst
}

// Ints returns the ids as ints, the wire form of available_actions.
func (s ActionSet) Ints() []int {
	out := make([]int, 0, s.Len())
	for i := ActionID(0); i < NumActionIDs; i++ {
		if s.Has(i) {
			out = append(out, int(i))
		}
	}
	return out
}

// String lists the set as "[1 2 3 4]".
func (s ActionSet) String() string { return fmt.Sprint(s.Ints()) }
