package arc

import "fmt"

// GameState is the state a game reports after every command.
type GameState uint8

// The states of a game. NotPlayed is the engine's state before the first
// RESET; the wire also knows NOT_STARTED as a synonym.
const (
	NotPlayed GameState = iota
	NotFinished
	Win
	GameOver
)

var stateNames = [...]string{"NOT_PLAYED", "NOT_FINISHED", "WIN", "GAME_OVER"}

// String returns the wire name of the state.
func (s GameState) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("GameState(%d)", uint8(s))
}

// Terminal reports whether the state ends a run (WIN or GAME_OVER).
func (s GameState) Terminal() bool { return s == Win || s == GameOver }

// ParseGameState parses a wire name; NOT_STARTED is read as NotPlayed.
func ParseGameState(s string) (GameState, error) {
	switch s {
	case "NOT_FINISHED":
		return NotFinished, nil
	case "WIN":
		return Win, nil
	case "GAME_OVER":
		return GameOver, nil
	case "NOT_PLAYED", "NOT_STARTED":
		return NotPlayed, nil
	}
	return 0, fmt.Errorf("%w: unknown game state %q", ErrInvalidFrame, s)
}
