package games

import (
	"math/rand/v2"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/engine"
)

// registerGame registers a game built on the engine; its metadata comes from
// the game's spec and hand-made levels.
func registerGame(newGame func() engine.Game) {
	info := engine.NewSession(newGame()).Info()
	Register(info, func() Session { return engine.NewSession(newGame()) })
}

var _ Session = (*engine.Session)(nil)

// step returns the unit move of a direction action: ACTION1 up, ACTION2
// down, ACTION3 left, ACTION4 right.
func step(id arc.ActionID) (dx, dy int, ok bool) {
	switch id {
	case arc.Action1:
		return 0, -1, true
	case arc.Action2:
		return 0, 1, true
	case arc.Action3:
		return -1, 0, true
	case arc.Action4:
		return 1, 0, true
	}
	return 0, 0, false
}

// dirs are the four direction actions in ACTION1..ACTION4 order.
var dirs = [4]arc.ActionID{arc.Action1, arc.Action2, arc.Action3, arc.Action4}

// levelRand returns the generator of level i of a game's procedural level
// set for seed; salt keeps games with the same seed apart. Every level has
// its own stream, so a level does not depend on how much randomness the
// levels before it used.
func levelRand(seed int64, salt uint64, i int) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), salt<<16|uint64(i)))
}

// standardHUD is the HUD of the built-in games: level pips on the top row
// and the step-budget bar on the bottom row.
func standardHUD() []engine.Overlay {
	return []engine.Overlay{
		engine.LevelPips{Row: 0, Done: engine.Green, Current: engine.Yellow, Todo: engine.Grey},
		engine.BudgetBar{Row: arc.GridSize - 1, Full: engine.Blue, Empty: engine.Red},
	}
}

// keys returns the direction actions of a compact move script: U D L R.
func keys(script string) []arc.Action {
	out := make([]arc.Action, 0, len(script))
	for _, c := range script {
		switch c {
		case 'U':
			out = append(out, arc.Simple(arc.Action1))
		case 'D':
			out = append(out, arc.Simple(arc.Action2))
		case 'L':
			out = append(out, arc.Simple(arc.Action3))
		case 'R':
			out = append(out, arc.Simple(arc.Action4))
		case 'E':
			out = append(out, arc.Simple(arc.Action5))
		case 'Z':
			out = append(out, arc.Simple(arc.Action7))
		}
	}
	return out
}

// script renders direction actions back into U D L R E Z letters.
func script(acts []arc.Action) string {
	b := make([]byte, 0, len(acts))
	for _, a := range acts {
		b = append(b, "?UDLREcZ"[a.ID])
	}
	return string(b)
}

// gridBFS computes shortest-path distances over a cols x rows grid from
// (sx, sy); pass reports whether a cell can be entered. dist and queue are
// scratch space of at least cols*rows entries; unreachable cells get -1.
func gridBFS(cols, rows, sx, sy int, pass func(x, y int) bool, dist []int32, queue []int32) {
	for i := range dist[:cols*rows] {
		dist[i] = -1
	}
	start := int32(sy*cols + sx)
	dist[start] = 0
	queue = append(queue[:0], start)
	for h := 0; h < len(queue); h++ {
		c := queue[h]
		x, y := int(c)%cols, int(c)/cols
		for _, id := range dirs {
			dx, dy, _ := step(id)
			nx, ny := x+dx, y+dy
			if nx < 0 || ny < 0 || nx >= cols || ny >= rows {
				continue
			}
			n := int32(ny*cols + nx)
			if dist[n] >= 0 || !pass(nx, ny) {
				continue
			}
			dist[n] = dist[c] + 1
			queue = append(queue, n)
		}
	}
}

// keySet is a set of uint64 keys by open addressing, for the breadth-first
// searches of level generators: reset keeps the table, so a generator that
// searches many candidate layouts allocates once.
type keySet struct {
	slots []uint64 // key+1; 0 is an empty slot
	n     int
}

func (k *keySet) reset() {
	clear(k.slots)
	k.n = 0
}

// add inserts key and reports whether it was not in the set yet. Keys must
// be below 2^64-1.
func (k *keySet) add(key uint64) bool {
	if 2*(k.n+1) > len(k.slots) {
		k.grow()
	}
	mask := uint64(len(k.slots) - 1)
	for i := (key * 0x9e3779b97f4a7c15 >> 20) & mask; ; i = (i + 1) & mask {
		switch k.slots[i] {
		case 0:
			k.slots[i] = key + 1
			k.n++
			return true
		case key + 1:
			return false
		}
	}
}

func (k *keySet) grow() {
	old := k.slots
	k.slots = make([]uint64, max(2*len(old), 1024))
	k.n = 0
	for _, v := range old {
		if v != 0 {
			k.add(v - 1)
		}
	}
}
