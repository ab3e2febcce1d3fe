package arc

import "errors"

// Sentinel errors shared by every backend; match them with errors.Is.
var (
	// ErrInvalidAction is returned for an action id or payload that is not
	// well formed (unknown id, coordinates off the grid, oversized reasoning).
	ErrInvalidAction = errors.New("arc: invalid action")
	// ErrInvalidFrame is returned for a frame or result that breaks the
	// contract (wrong size, colour out of range, unknown state).
	ErrInvalidFrame = errors.New("arc: invalid frame")
	// ErrUnknownGame is returned when a game id matches no game.
	ErrUnknownGame = errors.New("arc: unknown game")
	// ErrNotStarted is returned for a command other than RESET on a game that
	// has not been reset yet or has ended in WIN or GAME_OVER.
	ErrNotStarted = errors.New("arc: game not started; send RESET")
	// ErrActionNotAvailable is returned by clients that enforce
	// available_actions for an action the game does not offer.
	ErrActionNotAvailable = errors.New("arc: action not available")
)
