package cells

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/arcgym/arcgym/arc"
)

func TestStandoutPrefersRareColours(t *testing.T) {
	frame := make([]uint8, arc.FrameCells)
	for i := range 16 * arc.GridSize {
		frame[i] = 7 // the top quarter stands out
	}
	rng := rand.New(rand.NewPCG(1, 2))
	hits := 0
	for range 400 {
		x, y := Standout(rng, frame)
		assert.Less(t, x, uint8(arc.GridSize))
		assert.Less(t, y, uint8(arc.GridSize))
		if y < 16 {
			hits++
		}
	}
	// Three picks in four look for the odd cells (and find them), the
	// rest land anywhere: 3/4 + 1/4 * 1/4 of the picks, about 325.
	assert.InDelta(t, 325, hits, 40)
}

func TestStandoutOnAPlainFrame(t *testing.T) {
	frame := make([]uint8, arc.FrameCells)
	rng := rand.New(rand.NewPCG(3, 4))
	seen := map[[2]uint8]bool{}
	for range 50 {
		x, y := Standout(rng, frame)
		seen[[2]uint8{x, y}] = true
	}
	assert.Greater(t, len(seen), 40, "cells at random")
}
