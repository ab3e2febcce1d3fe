package main

import (
	"math/rand/v2"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/spaces"
)

// NumActions is the number of moves the learner chooses from: ACTION1 (up),
// ACTION2 (down), ACTION3 (left) and ACTION4 (right).
const NumActions = 4

// NumStates is the number of discrete states: what lies in each of the four
// neighbouring cells (blocked, never visited, visited once, visited more)
// times the direction of the target (sign of dx and dy).
const NumStates = int(numKinds) * int(numKinds) * int(numKinds) * int(numKinds) * 9

// Features turns frames into the learner's discrete state and the moves
// that are open in it. Besides the
// frame it remembers how often the player stood on each cell of the level
// being played, which is what lets a memoryless table explore a maze
// instead of pacing a corridor.
type Features struct {
	Palette *Palette
	view    View
	visits  [arc.FrameCells]uint8
	level   int
	// Open holds the moves that lead into an open cell in the last state;
	// the learner masks the others out, since walking into a wall only
	// burns budget.
	Open [NumActions]bool
}

// Begin forgets the visits: a new episode starts.
func (f *Features) Begin(levels int) {
	clear(f.visits[:])
	f.level = levels
}

// State returns the state of frame, levels being the levels completed so
// far (a change starts a new level, with no visits). It counts the visit to
// the player's cell and returns -1 when the frame shows no player.
func (f *Features) State(frame []uint8, levels int) int {
	if levels != f.level {
		f.Begin(levels)
	}
	v := &f.view
	v.Parse(f.Palette, frame)
	if !v.OK {
		f.Open = [NumActions]bool{}
		return -1
	}
	if c := &f.visits[v.PY*arc.GridSize+v.PX]; *c < 255 {
		*c++
	}
	s := 0
	for d := range NumActions {
		x, y, open := v.Neighbour(frame, d)
		f.Open[d] = open
		k := blocked
		if open {
			switch n := f.visits[y*arc.GridSize+x]; {
			case n == 0:
				k = unvisited
			case n == 1:
				k = visitedOnce
			default:
				k = visitedMore
			}
		}
		s = s*int(numKinds) + int(k)
	}
	sx, sy := 0, 0
	if v.HasTarget {
		sx, sy = sign(v.TX-v.PX), sign(v.TY-v.PY)
	}
	return s*9 + (sx+1)*3 + (sy + 1)
}

// moves is the compact layout of the learner's moves, ACTION1..ACTION4 at
// indices 0..3: the table's columns.
var moves = spaces.Compact(arc.ActionSetOf(arc.Action1, arc.Action2, arc.Action3, arc.Action4))

// actionOf maps a move index to its ARC action.
func actionOf(i int) arc.Action {
	a, _ := moves.Action(i)
	return a
}

// Table is the action-value table Q[state*NumActions+action].
type Table []float64

// NewTable returns a zeroed table.
func NewTable() Table { return make(Table, NumStates*NumActions) }

// Row returns the action values of state s.
func (t Table) Row(s int) []float64 { return t[s*NumActions : (s+1)*NumActions] }

// Greedy returns the best action of state s among those allowed (all when
// none is), ties broken uniformly by rng.
func (t Table) Greedy(s int, allowed *[NumActions]bool, rng *rand.Rand) int {
	row := t.Row(s)
	all := !anyTrue(allowed)
	best, n := 0, 0
	for a, q := range row {
		if !all && !allowed[a] {
			continue
		}
		switch {
		case n == 0 || q > row[best]:
			best, n = a, 1
		case q == row[best]:
			// Reservoir choice among the tied actions.
			n++
			if rng.IntN(n) == 0 {
				best = a
			}
		}
	}
	return best
}

// Max returns the largest action value of state s among the allowed
// actions (all when none is).
func (t Table) Max(s int, allowed *[NumActions]bool) float64 {
	row := t.Row(s)
	all := !anyTrue(allowed)
	m, found := 0.0, false
	for a, q := range row {
		if (all || allowed[a]) && (!found || q > m) {
			m, found = q, true
		}
	}
	return m
}

// Random returns an allowed action uniformly (any when none is).
func Random(allowed *[NumActions]bool, rng *rand.Rand) int {
	if !anyTrue(allowed) {
		return rng.IntN(NumActions)
	}
	n := 0
	for _, ok := range allowed {
		if ok {
			n++
		}
	}
	k := rng.IntN(n)
	for a, ok := range allowed {
		if ok {
			if k == 0 {
				return a
			}
			k--
		}
	}
	return 0
}

func anyTrue(b *[NumActions]bool) bool {
	for _, v := range b {
		if v {
			return true
		}
	}
	return false
}

// Greedy is the evaluation agent: it plays the best action of the table in
// every state.
type Greedy struct {
	Q    Table
	feat Features
	rng  *rand.Rand
}

// NewGreedy returns a greedy agent over q for a game drawn in pal; seed
// determines how ties are broken.
func NewGreedy(q Table, pal *Palette, seed uint64) *Greedy {
	return &Greedy{Q: q, feat: Features{Palette: pal}, rng: rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))}
}

// Begin implements train.Agent.
func (g *Greedy) Begin(_ env.Obs, info *env.Info) { g.feat.Begin(info.LevelsCompleted) }

// Act implements train.Agent.
func (g *Greedy) Act(obs env.Obs, info *env.Info) arc.Action {
	s := g.feat.State(obs.Grid.Data, info.LevelsCompleted)
	if s < 0 {
		return actionOf(g.rng.IntN(NumActions))
	}
	return actionOf(g.Q.Greedy(s, &g.feat.Open, g.rng))
}

// Wanderer is a baseline that sees what the learner sees but has learned
// nothing: it moves uniformly among the open neighbouring cells.
type Wanderer struct {
	feat Features
	rng  *rand.Rand
}

// NewWanderer returns a wanderer for a game drawn in pal, its moves
// determined by seed.
func NewWanderer(pal *Palette, seed uint64) *Wanderer {
	return &Wanderer{feat: Features{Palette: pal}, rng: rand.New(rand.NewPCG(seed, 0x51ed27))}
}

// Begin implements train.Agent.
func (w *Wanderer) Begin(_ env.Obs, info *env.Info) { w.feat.Begin(info.LevelsCompleted) }

// Act implements train.Agent.
func (w *Wanderer) Act(obs env.Obs, info *env.Info) arc.Action {
	w.feat.State(obs.Grid.Data, info.LevelsCompleted)
	return actionOf(Random(&w.feat.Open, w.rng))
}
