package main

import (
	"bytes"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/engine"
)

// Palette names the colours a maze game draws its pieces in. The learner
// reads nothing but these colours from the 64x64 frame.
type Palette struct {
	Player, Exit uint8
	// Walls are impassable; Keys[i] opens doors of colour Doors[i].
	Walls []uint8
	Keys  []uint8
	Doors []uint8
}

// KeywayPalette is how Keyway (kw01) draws its mazes.
var KeywayPalette = Palette{
	Player: engine.Orange,
	Exit:   engine.Green,
	Walls:  []uint8{engine.DarkGrey, engine.Black},
	Keys:   []uint8{engine.Red, engine.Blue, engine.Purple},
	Doors:  []uint8{engine.Maroon, engine.LightBlue, engine.Magenta},
}

// Frame rows the play area may use: the built-in games draw a HUD on the
// first row (level pips) and the last one (step budget), whose colours would
// otherwise pass for pieces.
const (
	firstRow = 1
	lastRow  = arc.GridSize - 2
)

// cellKind classifies what lies next to the player.
type cellKind uint8

const (
	blocked cellKind = iota
	unvisited
	visitedOnce
	visitedMore
	numKinds
)

// View is what the learner perceives of a frame: the player's cell, the
// cell of its current target (the nearest key still lying on the map, else
// the exit) and the scale of the cells in pixels.
type View struct {
	OK             bool
	Scale          int
	PX, PY         int // centre pixel of the player's cell
	TX, TY         int // centre pixel of the target's cell
	HasTarget      bool
	keysLeft       [4]bool
	colourIsWall   [arc.NumColors]bool
	colourIsDoorOf [arc.NumColors]int8
}

// Parse reads the player, the keys and the exit out of frame (64x64 colour
// indices). Each piece is a square block of Scale x Scale pixels, found by
// its top-left pixel, the first of its colour in row-major order. It
// allocates nothing.
func (v *View) Parse(p *Palette, frame []uint8) {
	for c := range v.colourIsWall {
		v.colourIsWall[c] = false
		v.colourIsDoorOf[c] = -1
	}
	for _, c := range p.Walls {
		v.colourIsWall[c] = true
	}
	for i, c := range p.Doors {
		v.colourIsDoorOf[c] = int8(i)
	}
	area := frame[firstRow*arc.GridSize : (lastRow+1)*arc.GridSize]
	v.OK, v.HasTarget = false, false
	i := bytes.IndexByte(area, p.Player)
	if i < 0 {
		return
	}
	v.OK = true
	run := 1
	for x := i%arc.GridSize + 1; x < arc.GridSize && area[i+run] == p.Player; x++ {
		run++
	}
	v.Scale = run
	half := v.Scale / 2
	v.PX, v.PY = centre(i, half)
	best := -1
	v.keysLeft = [4]bool{}
	for k, c := range p.Keys {
		j := bytes.IndexByte(area, c)
		if j < 0 {
			continue
		}
		v.keysLeft[k] = true
		x, y := centre(j, half)
		if d := abs(x-v.PX) + abs(y-v.PY); best < 0 || d < best {
			best = d
			v.TX, v.TY, v.HasTarget = x, y, true
		}
	}
	if !v.HasTarget {
		if j := bytes.IndexByte(area, p.Exit); j >= 0 {
			v.TX, v.TY = centre(j, half)
			v.HasTarget = true
		}
	}
}

// centre returns the frame coordinates of the centre of the block whose
// top-left pixel is at offset i of the play rows.
func centre(i, half int) (x, y int) {
	return i%arc.GridSize + half, firstRow + i/arc.GridSize + half
}

// Neighbour returns the centre pixel of the cell next to the player in
// direction d (0 up, 1 down, 2 left, 3 right: ACTION1..ACTION4) and whether
// the player can enter it.
func (v *View) Neighbour(frame []uint8, d int) (x, y int, open bool) {
	dx, dy := dirDelta(d)
	x, y = v.PX+dx*v.Scale, v.PY+dy*v.Scale
	if x < 0 || x >= arc.GridSize || y < firstRow || y > lastRow {
		return x, y, false
	}
	c := frame[y*arc.GridSize+x]
	if v.colourIsWall[c] {
		return x, y, false
	}
	if k := v.colourIsDoorOf[c]; k >= 0 && v.keysLeft[k] {
		// The key of this door still lies on the map: it is locked.
		return x, y, false
	}
	return x, y, true
}

func dirDelta(d int) (dx, dy int) {
	switch d {
	case 0:
		return 0, -1
	case 1:
		return 0, 1
	case 2:
		return -1, 0
	}
	return 1, 0
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func sign(x int) int {
	switch {
	case x < 0:
		return -1
	case x > 0:
		return 1
	}
	return 0
}
