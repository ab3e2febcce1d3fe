package engine

import (
	"fmt"

	"github.com/arcgym/arcgym/arc"
)

// Level is one level of a game: the play-area size, a map of game-specific
// cell codes the game builds its scene from, and per-level data the engine
// uses (step budget, human baseline). Levels are immutable once built: a
// level reset rebuilds the scene from the same value.
type Level struct {
	// Name is a human-readable label.
	Name string
	// W and H are the play-area size in cells, each 1..64.
	W, H int
	// Cols, Rows and Map are the level's map: Cols*Rows game-specific codes,
	// row-major. Its size need not match the play area.
	Cols, Rows int
	Map        []byte
	// Budget is the number of actions allowed in the level before it is
	// lost with GAME_OVER; 0 means no limit.
	Budget int
	// Baseline is the human baseline action count used for scoring.
	Baseline int
	// Solution, when known, is an action sequence that completes the level
	// from its start (procedural generators record it; tests replay it).
	Solution []arc.Action
}

// SetMap fills Cols, Rows and Map from equal-length text rows, one byte per
// cell.
func (l *Level) SetMap(rows ...string) {
	l.Rows = len(rows)
	l.Cols = 0
	if l.Rows > 0 {
		l.Cols = len(rows[0])
	}
	l.Map = make([]byte, 0, l.Cols*l.Rows)
	for _, r := range rows {
		l.Map = append(l.Map, r...)
	}
}

// At returns the map code at (x, y), or 0 off the map.
func (l *Level) At(x, y int) byte {
	if x < 0 || y < 0 || x >= l.Cols || y >= l.Rows {
		return 0
	}
	return l.Map[y*l.Cols+x]
}

// Find returns the first cell holding code c, scanning row by row.
func (l *Level) Find(c byte) (x, y int, ok bool) {
	for i, m := range l.Map {
		if m == c {
			return i % l.Cols, i / l.Cols, true
		}
	}
	return 0, 0, false
}

// Validate checks the play-area size and the map shape.
func (l *Level) Validate() error {
	if l.W < 1 || l.H < 1 || l.W > arc.GridSize || l.H > arc.GridSize {
		return fmt.Errorf("engine: level %q has play area %dx%d, want 1..%d", l.Name, l.W, l.H, arc.GridSize)
	}
	if len(l.Map) != l.Cols*l.Rows {
		return fmt.Errorf("engine: level %q map has %d cells, want %dx%d", l.Name, len(l.Map), l.Cols, l.Rows)
	}
	if l.Budget < 0 || l.Baseline < 0 {
		return fmt.Errorf("engine: level %q has negative budget %d or baseline %d", l.Name, l.Budget, l.Baseline)
	}
	return nil
}

// Baselines returns the Baseline of every level.
func Baselines(levels []Level) []int {
	out := make([]int, len(levels))
	for i := range levels {
		out[i] = levels[i].Baseline
	}
	return out
}
