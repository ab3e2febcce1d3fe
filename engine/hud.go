package engine

import "github.com/arcgym/arcgym/arc"

// Overlay is a HUD element drawn on the final 64x64 frame, after the play
// area has been scaled and letterboxed. Draw must not allocate.
type Overlay interface {
	Draw(frame []uint8, w *World)
}

// BudgetBar draws the share of the level's step budget left as a bar across
// one frame row: Full cells for what is left, Empty cells for what is spent.
// It draws nothing in levels without a budget.
type BudgetBar struct {
	Row         int
	Full, Empty uint8
}

// Draw implements Overlay.
func (b BudgetBar) Draw(frame []uint8, w *World) {
	rem := w.Remaining()
	if rem < 0 || b.Row < 0 || b.Row >= arc.GridSize {
		return
	}
	n := max(0, min((rem*arc.GridSize+w.Level.Budget-1)/w.Level.Budget, arc.GridSize))
	row := frame[b.Row*arc.GridSize : (b.Row+1)*arc.GridSize]
	fill(row[:n], b.Full)
	fill(row[n:], b.Empty)
}

// LevelPips draws one pixel per level, right-aligned on a frame row with a
// one-pixel gap between pips: Done for completed levels, Current for the
// level being played and Todo for the rest.
type LevelPips struct {
	Row                 int
	Done, Current, Todo uint8
}

// Draw implements Overlay.
func (p LevelPips) Draw(frame []uint8, w *World) {
	if p.Row < 0 || p.Row >= arc.GridSize {
		return
	}
	n := min(w.NumLevels, arc.GridSize/2)
	x0 := arc.GridSize - 2*n + 1
	for i := range n {
		c := p.Todo
		switch {
		case i < w.Completed:
			c = p.Done
		case i == w.LevelIndex:
			c = p.Current
		}
		frame[p.Row*arc.GridSize+x0+2*i] = c
	}
}
