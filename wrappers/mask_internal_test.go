package wrappers

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
)

// nearestBrute is nearestCell by a scan of every cell.
func nearestBrute(cells []bool, x, y int) int {
	best, bestD := -1, 1<<30
	for i, ok := range cells {
		if !ok {
			continue
		}
		dx, dy := i%arc.GridSize-x, i/arc.GridSize-y
		if d := dx*dx + dy*dy; d < bestD {
			best, bestD = i, d
		}
	}
	return best
}

func TestNearestCellMatchesAFullScan(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	cells := make([]bool, arc.FrameCells)
	for _, density := range []float64{0.0005, 0.01, 0.2, 0.9, 1} {
		for range 200 {
			any := false
			for i := range cells {
				cells[i] = rng.Float64() < density
				any = any || cells[i]
			}
			if !any {
				cells[rng.IntN(len(cells))] = true
			}
			x, y := rng.IntN(arc.GridSize), rng.IntN(arc.GridSize)
			require.Equal(t, nearestBrute(cells, x, y), nearestCell(cells, x, y), "density %v, click (%d, %d)", density, x, y)
		}
	}
	// Ties: four cells at distance 1 around (10, 10); the lowest index wins.
	clear(cells)
	for _, i := range []int{9*64 + 10, 10*64 + 9, 10*64 + 11, 11*64 + 10} {
		cells[i] = true
	}
	require.Equal(t, 9*64+10, nearestCell(cells, 10, 10))
}

func TestBackgroundMaskFollowsChangedCells(t *testing.T) {
	// Frame after frame, the incremental mask equals NonBackground's, the
	// background colour changing on the way.
	rng := rand.New(rand.NewPCG(5, 6))
	frame := make([]uint8, arc.FrameCells)
	for i := range frame {
		frame[i] = 3
	}
	var m backgroundMask
	got := make([]bool, arc.FrameCells)
	want := make([]bool, arc.FrameCells)
	current := false
	for step := range 400 {
		changes := rng.IntN(40)
		if step%50 == 49 {
			changes = 3000 // enough to change the background
		}
		for range changes {
			frame[rng.IntN(len(frame))] = uint8(rng.IntN(arc.NumColors))
		}
		some := m.update(frame, got, current)
		NonBackground(frame, want)
		require.Equal(t, want, got, "step %d", step)
		anyWant := false
		for _, ok := range want {
			anyWant = anyWant || ok
		}
		require.Equal(t, anyWant, some, "step %d", step)
		current = some
	}
}
