// Package cells picks cells of a frame for agents that click: the random
// agents of the fidelity tests and benchmarks, which would mostly click
// empty background if they clicked anywhere.
package cells

import (
	"math/rand/v2"

	"github.com/arcgym/arcgym/arc"
)

// Standout returns, three times in four, a cell whose colour is not the
// frame's commonest (a random cell if it finds none in 64 tries or the
// frame is of one colour), and otherwise any cell, at random.
func Standout(rng *rand.Rand, frame []uint8) (x, y uint8) {
	var hist [256]int
	for _, c := range frame {
		hist[c]++
	}
	common := 0
	for c := range hist {
		if hist[c] > hist[common] {
			common = c
		}
	}
	if rng.IntN(4) > 0 && hist[common] < len(frame) {
		for range 64 {
			k := rng.IntN(len(frame))
			if int(frame[k]) != common {
				return uint8(k % arc.GridSize), uint8(k / arc.GridSize)
			}
		}
	}
	return uint8(rng.IntN(arc.GridSize)), uint8(rng.IntN(arc.GridSize))
}
