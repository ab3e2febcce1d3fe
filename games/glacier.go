package games

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/engine"
)

// Glacier: the floor is ice. A move slides the player until something stops
// it: a wall, a crate, or a patch of rough ground, on which it stops. A
// crate the player slides into is knocked away and slides on its own until
// it is stopped (crates never slide onto the exit), leaving the player beside
// its old place. Come to rest on the green exit: sliding over it is not
// enough. ACTION7 undoes the last move; each level has a step budget.
//
// Map codes: '#' wall, '.' ice, '_' rough ground, 'P' start, 'X' exit,
// 'o' crate on ice, 'O' crate on rough ground.

const glacierID = "gl02-a47c0e19"

func init() { registerGame(func() engine.Rules { return newGlacier() }) }

// maxCrates is the most crates a level may hold.
const maxCrates = 4

type glacier struct {
	floor, player *engine.Sprite
	crates        [maxCrates]*engine.Sprite
	st            glacierState
	ground        [64 * 64]byte
	cols, rows    int
}

// glacierState is everything a move changes.
type glacierState struct {
	px, py int
	n      int
	cx, cy [maxCrates]int
}

func newGlacier() *glacier {
	g := &glacier{floor: engine.NewSprite(64, 64, 0), player: engine.NewSprite(1, 1, int8(engine.Red))}
	for i := range g.crates {
		g.crates[i] = engine.NewSprite(1, 1, int8(engine.Orange))
	}
	return g
}

// Spec implements engine.Rules.
func (g *glacier) Spec() engine.Spec {
	return engine.Spec{
		Info: arc.GameInfo{
			ID:         glacierID,
			Title:      "Glacier",
			Tags:       []string{"keyboard"},
			DefaultFPS: 12,
			ClassName:  "Glacier",
			Available:  arc.ActionSetOf(arc.Action1, arc.Action2, arc.Action3, arc.Action4, arc.Action7),
		},
		Background: engine.White,
		Letterbox:  engine.Black,
		Transition: engine.LightBlue,
		StateSize:  3 + 2*maxCrates,
		HUD:        standardHUD(),
	}
}

func glacierTile(c byte) int8 {
	switch c {
	case '#':
		return int8(engine.Blue)
	case '_':
		return int8(engine.LightGrey)
	case 'X':
		return int8(engine.Green)
	}
	return int8(engine.White)
}

// glacierParse splits a level map into ground codes and the movable pieces.
func glacierParse(lv *engine.Level, ground []byte) glacierState {
	var st glacierState
	for i, c := range lv.Map {
		x, y := i%lv.Cols, i/lv.Cols
		switch c {
		case 'P':
			st.px, st.py = x, y
			c = '.'
		case 'o', 'O':
			if st.n < maxCrates {
				st.cx[st.n], st.cy[st.n] = x, y
				st.n++
			}
			if c == 'o' {
				c = '.'
			} else {
				c = '_'
			}
		}
		ground[i] = c
	}
	return st
}

// Load implements engine.Rules.
func (g *glacier) Load(w *engine.World) {
	lv := w.Level
	g.cols, g.rows = lv.Cols, lv.Rows
	g.st = glacierParse(lv, g.ground[:])
	g.floor.MoveTo(0, 0)
	g.floor.Resize(g.cols, g.rows, 0)
	px := g.floor.Pixels()
	for i := range g.cols * g.rows {
		px[i] = glacierTile(g.ground[i])
	}
	w.Scene.Add(g.floor, 0)
	for i := range g.st.n {
		w.Scene.Add(g.crates[i], 1)
	}
	w.Scene.Add(g.player, 2)
	g.place()
}

// place moves the sprites to the state's positions.
func (g *glacier) place() {
	g.player.MoveTo(g.st.px, g.st.py)
	for i := range g.st.n {
		g.crates[i].MoveTo(g.st.cx[i], g.st.cy[i])
	}
}

// glacierMove is the outcome of one move: where the player and the struck
// crate (index crate, or -1) end up.
type glacierMove struct {
	px, py       int
	crate        int
	cx, cy       int
	steps, cstep int
	exit         bool
}

func crateAt(st *glacierState, x, y int) int {
	for i := range st.n {
		if st.cx[i] == x && st.cy[i] == y {
			return i
		}
	}
	return -1
}

// glacierSlide computes a move without changing anything.
func glacierSlide(ground []byte, cols, rows int, st *glacierState, dx, dy int) glacierMove {
	m := glacierMove{px: st.px, py: st.py, crate: -1}
	free := func(x, y int) bool {
		return uint(x) < uint(cols) && uint(y) < uint(rows) && ground[y*cols+x] != '#'
	}
	for {
		nx, ny := m.px+dx, m.py+dy
		if !free(nx, ny) {
			break
		}
		if c := crateAt(st, nx, ny); c >= 0 {
			cx, cy := nx, ny
			for {
				tx, ty := cx+dx, cy+dy
				if !free(tx, ty) || ground[ty*cols+tx] == 'X' || crateAt(st, tx, ty) >= 0 {
					break
				}
				cx, cy = tx, ty
				m.cstep++
				if ground[ty*cols+tx] == '_' {
					break
				}
			}
			if m.cstep > 0 {
				m.crate, m.cx, m.cy = c, cx, cy
			}
			break
		}
		m.px, m.py = nx, ny
		m.steps++
		if ground[ny*cols+nx] == '_' {
			break
		}
	}
	m.exit = ground[m.py*cols+m.px] == 'X'
	return m
}

// Step implements engine.Rules.
func (g *glacier) Step(w *engine.World, a arc.Action) engine.Result {
	dx, dy, ok := step(a.ID)
	if !ok {
		return engine.Idle
	}
	m := glacierSlide(g.ground[:], g.cols, g.rows, &g.st, dx, dy)
	if m.steps == 0 && m.crate < 0 {
		return engine.Idle
	}
	// Animate the slide one cell per frame, then the struck crate.
	for range m.steps - 1 {
		g.player.Move(dx, dy)
		w.Emit()
	}
	g.st.px, g.st.py = m.px, m.py
	g.player.MoveTo(m.px, m.py)
	if m.crate >= 0 {
		if m.steps > 0 {
			w.Emit()
		}
		s := g.crates[m.crate]
		for range m.cstep - 1 {
			s.Move(dx, dy)
			w.Emit()
		}
		g.st.cx[m.crate], g.st.cy[m.crate] = m.cx, m.cy
		s.MoveTo(m.cx, m.cy)
	}
	if m.exit {
		return engine.Solved
	}
	return engine.Changed
}

// Save implements engine.Rules.
func (g *glacier) Save(dst []byte) []byte {
	dst = append(dst, byte(g.st.px), byte(g.st.py), byte(g.st.n))
	for i := range g.st.n {
		dst = append(dst, byte(g.st.cx[i]), byte(g.st.cy[i]))
	}
	return dst
}

// Restore implements engine.Rules.
func (g *glacier) Restore(w *engine.World, b []byte) {
	g.st.px, g.st.py, g.st.n = int(b[0]), int(b[1]), int(b[2])
	for i := range g.st.n {
		g.st.cx[i], g.st.cy[i] = int(b[3+2*i]), int(b[4+2*i])
	}
	g.place()
}

// glacierSearch is a breadth-first search over glacier states (player and
// crate positions) with storage reused from search to search, so that
// generating levels costs little more than the moves it tries.
type glacierSearch struct {
	ground     []byte
	cols, rows int
	crates     int
	nodes      []glacierNode
	seen       keySet
	// rest[c] is the first node (in breadth-first order) whose player rests
	// on cell c, or -1.
	rest []int32
}

// glacierNode is a state reached by the search, packed by glacierKey.
type glacierNode struct {
	key   uint64
	prev  int32
	depth int16
	move  arc.ActionID
}

// glacierKey packs a state into 64 bits: the sorted crate cells (crates are
// interchangeable) and the player's cell, 12 bits each, the player lowest.
func glacierKey(st *glacierState, cols int) uint64 {
	var cs [maxCrates]uint64
	for i := range st.n {
		cs[i] = uint64(st.cy[i]*cols + st.cx[i])
	}
	slices.Sort(cs[:st.n])
	var k uint64
	for _, c := range cs[:st.n] {
		k = k<<12 | c
	}
	return k<<12 | uint64(st.py*cols+st.px)
}

// unpack is the inverse of glacierKey.
func (s *glacierSearch) unpack(k uint64) glacierState {
	st := glacierState{n: s.crates}
	c := int(k & 0xfff)
	st.px, st.py = c%s.cols, c/s.cols
	for i := s.crates - 1; i >= 0; i-- {
		k >>= 12
		c := int(k & 0xfff)
		st.cx[i], st.cy[i] = c%s.cols, c/s.cols
	}
	return st
}

// reset prepares a search of lv and returns its start state.
func (s *glacierSearch) reset(lv *engine.Level) glacierState {
	n := len(lv.Map)
	if cap(s.ground) < n {
		s.ground = make([]byte, n, 64*64)
		s.rest = make([]int32, n, 64*64)
	}
	s.ground, s.rest = s.ground[:n], s.rest[:n]
	for i := range s.rest {
		s.rest[i] = -1
	}
	s.cols, s.rows = lv.Cols, lv.Rows
	s.seen.reset()
	s.nodes = s.nodes[:0]
	st := glacierParse(lv, s.ground)
	s.crates = st.n
	return st
}

// run searches breadth first from start, visiting at most limit states. It
// returns the first node whose player comes to rest on the exit, or -1;
// with no exit in the ground it explores up to limit and fills rest.
func (s *glacierSearch) run(start glacierState, limit int) int {
	k := glacierKey(&start, s.cols)
	s.nodes = append(s.nodes, glacierNode{key: k, prev: -1})
	s.seen.add(k)
	s.rest[start.py*s.cols+start.px] = 0
	for h := 0; h < len(s.nodes) && len(s.nodes) < limit; h++ {
		from := s.unpack(s.nodes[h].key)
		for _, d := range dirs {
			dx, dy, _ := step(d)
			m := glacierSlide(s.ground, s.cols, s.rows, &from, dx, dy)
			if m.steps == 0 && m.crate < 0 {
				continue
			}
			st := from
			st.px, st.py = m.px, m.py
			if m.crate >= 0 {
				st.cx[m.crate], st.cy[m.crate] = m.cx, m.cy
			}
			k := glacierKey(&st, s.cols)
			if !s.seen.add(k) {
				continue
			}
			i := len(s.nodes)
			s.nodes = append(s.nodes, glacierNode{key: k, prev: int32(h), depth: s.nodes[h].depth + 1, move: d})
			if m.exit {
				return i
			}
			if c := st.py*s.cols + st.px; s.rest[c] < 0 {
				s.rest[c] = int32(i)
			}
		}
	}
	return -1
}

// path returns the moves that lead from the start to node i.
func (s *glacierSearch) path(i int) []arc.Action {
	out := make([]arc.Action, s.nodes[i].depth)
	for k := i; s.nodes[k].prev >= 0; k = int(s.nodes[k].prev) {
		out[s.nodes[k].depth-1] = arc.Simple(s.nodes[k].move)
	}
	return out
}

// glacierSolve finds a shortest solution by breadth-first search over
// player and crate positions, visiting at most limit states; nil if none.
func glacierSolve(lv *engine.Level, limit int) []arc.Action {
	var s glacierSearch
	if i := s.run(s.reset(lv), limit); i >= 0 {
		return s.path(i)
	}
	return nil
}

// glacierReplay reports whether moves complete lv on their last move and
// not before.
func glacierReplay(lv *engine.Level, ground []byte, moves []arc.Action) bool {
	st := glacierParse(lv, ground)
	for i, a := range moves {
		dx, dy, _ := step(a.ID)
		m := glacierSlide(ground, lv.Cols, lv.Rows, &st, dx, dy)
		st.px, st.py = m.px, m.py
		if m.crate >= 0 {
			st.cx[m.crate], st.cy[m.crate] = m.cx, m.cy
		}
		if m.exit {
			return i == len(moves)-1
		}
	}
	return false
}

// Levels implements engine.Rules.
func (g *glacier) Levels(seed int64) []engine.Level {
	hand := glacierHand()
	if seed == 0 {
		return hand
	}
	var s glacierSearch
	out := make([]engine.Level, len(hand))
	for i := range out {
		out[i] = glacierGenerate(&s, levelRand(seed, 0x676c, i), i, &hand[i])
	}
	return out
}

// glacierExplore bounds the states explored per generated layout.
const glacierExplore = 300

// glacierGenerate scatters walls, rough patches and crates in a walled
// room, explores the moves from the start without an exit and puts the exit
// on a cell where the player first comes to rest after enough moves: the
// moves that lead there are the level's solution, replayed with the exit in
// place to make sure. After too many tries it falls back to the hand-made
// level.
func glacierGenerate(s *glacierSearch, r *rand.Rand, level int, fallback *engine.Level) engine.Level {
	minLen := 3 + level
	var cand []int
	for range 200 {
		w := 8 + r.IntN(3) + level
		h := 8 + r.IntN(3) + level
		m := make([]byte, w*h)
		for i := range m {
			x, y := i%w, i/w
			switch {
			case x == 0 || y == 0 || x == w-1 || y == h-1:
				m[i] = '#'
			case r.IntN(100) < 10:
				m[i] = '#'
			case r.IntN(100) < 6:
				m[i] = '_'
			default:
				m[i] = '.'
			}
		}
		put := func(c byte) {
			for {
				i := r.IntN(w * h)
				if m[i] == '.' {
					m[i] = c
					return
				}
			}
		}
		put('P')
		for range min(level, 3) {
			put('o')
		}
		lv := engine.Level{Name: "generated", W: w, H: h, Cols: w, Rows: h, Map: m}
		s.run(s.reset(&lv), glacierExplore)
		cand = cand[:0]
		for c, n := range s.rest {
			if n >= 0 && m[c] == '.' && int(s.nodes[n].depth) >= minLen {
				cand = append(cand, c)
			}
		}
		// A few candidates in random order: a crate that would have slid
		// across the exit can spoil one.
		for range min(len(cand), 3) {
			j := r.IntN(len(cand))
			c := cand[j]
			cand[j] = cand[len(cand)-1]
			cand = cand[:len(cand)-1]
			sol := s.path(int(s.rest[c]))
			m[c] = 'X'
			if !glacierReplay(&lv, s.ground, sol) {
				m[c] = '.'
				continue
			}
			lv.Solution = sol
			lv.Baseline = len(sol) + 2
			lv.Budget = 2*len(sol) + 8
			return lv
		}
	}
	return *fallback
}

func glacierLevel(name string, budget, baseline int, rows ...string) engine.Level {
	lv := engine.Level{Name: name, Budget: budget, Baseline: baseline}
	lv.SetMap(rows...)
	lv.W, lv.H = lv.Cols, lv.Rows
	if n := bytes.Count(lv.Map, []byte("o")) + bytes.Count(lv.Map, []byte("O")); n > maxCrates {
		panic(fmt.Sprintf("games: glacier level %q has %d crates, at most %d fit", name, n, maxCrates))
	}
	lv.Solution = glacierSolve(&lv, 1<<20)
	return lv
}

var glacierHand = sync.OnceValue(glacierLevels)

func glacierLevels() []engine.Level {
	return []engine.Level{
		glacierLevel("thin ice", 16, 6,
			"########",
			"#P....##",
			"#......#",
			"#.#....#",
			"#......#",
			"#....#.#",
			"##X....#",
			"########",
		),
		glacierLevel("rough patch", 24, 10,
			"##########",
			"#P.......#",
			"#........#",
			"#...#....#",
			"#.......##",
			"#..._....#",
			"#........#",
			"#.#......#",
			"#......X.#",
			"##########",
		),
		glacierLevel("knock-on", 20, 8,
			"###########",
			"#P....#...#",
			"#.........#",
			"#....o....#",
			"#.........#",
			"#.#.......#",
			"#.........#",
			"#...#.....#",
			"#......X..#",
			"###########",
		),
		glacierLevel("crate line", 60, 30,
			"############",
			"#P.........#",
			"#..........#",
			"#...#......#",
			"#....o.....#",
			"#..........#",
			"#......_...#",
			"#.o..#.....#",
			"##.........#",
			"#.....#..#.#",
			"#....._..X.#",
			"############",
		),
		glacierLevel("white-out", 64, 32,
			"##############",
			"#P...........#",
			"#............#",
			"#..#.....o...#",
			"#............#",
			"#.....#......#",
			"#.........####",
			"#.._.........#",
			"#........#...#",
			"#..o.........#",
			"#............#",
			"#.#..._......#",
			"#.........X..#",
			"##############",
		),
	}
}
