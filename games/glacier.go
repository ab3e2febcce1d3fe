package games

import (
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

func init() { registerGame(func() engine.Game { return newGlacier() }) }

const maxCrates = 8

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

// Spec implements engine.Game.
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

// Load implements engine.Game.
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
		return x >= 0 && y >= 0 && x < cols && y < rows && ground[y*cols+x] != '#'
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

// Step implements engine.Game.
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

// Save implements engine.Game.
func (g *glacier) Save(dst []byte) []byte {
	dst = append(dst, byte(g.st.px), byte(g.st.py), byte(g.st.n))
	for i := range g.st.n {
		dst = append(dst, byte(g.st.cx[i]), byte(g.st.cy[i]))
	}
	return dst
}

// Restore implements engine.Game.
func (g *glacier) Restore(w *engine.World, b []byte) {
	g.st.px, g.st.py, g.st.n = int(b[0]), int(b[1]), int(b[2])
	for i := range g.st.n {
		g.st.cx[i], g.st.cy[i] = int(b[3+2*i]), int(b[4+2*i])
	}
	g.place()
}

// glacierSolve finds a shortest solution by breadth-first search over
// player and crate positions, visiting at most limit states; nil if none.
func glacierSolve(lv *engine.Level, limit int) []arc.Action {
	ground := make([]byte, len(lv.Map))
	start := glacierParse(lv, ground)
	key := func(st *glacierState) string {
		b := []byte{byte(st.px), byte(st.py)}
		cs := make([]int, st.n)
		for i := range st.n {
			cs[i] = st.cy[i]*64 + st.cx[i]
		}
		slices.Sort(cs)
		for _, c := range cs {
			b = append(b, byte(c>>8), byte(c))
		}
		return string(b)
	}
	type node struct {
		st   glacierState
		prev int
		move arc.ActionID
	}
	nodes := []node{{st: start, prev: -1}}
	seen := map[string]bool{key(&start): true}
	for h := 0; h < len(nodes) && len(nodes) < limit; h++ {
		for _, d := range dirs {
			dx, dy, _ := step(d)
			st := nodes[h].st
			m := glacierSlide(ground, lv.Cols, lv.Rows, &st, dx, dy)
			if m.steps == 0 && m.crate < 0 {
				continue
			}
			st.px, st.py = m.px, m.py
			if m.crate >= 0 {
				st.cx[m.crate], st.cy[m.crate] = m.cx, m.cy
			}
			if m.exit {
				path := []arc.Action{arc.Simple(d)}
				for k := h; nodes[k].prev >= 0; k = nodes[k].prev {
					path = append(path, arc.Simple(nodes[k].move))
				}
				slices.Reverse(path)
				return path
			}
			if k := key(&st); !seen[k] {
				seen[k] = true
				nodes = append(nodes, node{st: st, prev: h, move: d})
			}
		}
	}
	return nil
}

// Levels implements engine.Game.
func (g *glacier) Levels(seed int64) []engine.Level {
	hand := glacierHand()
	if seed == 0 {
		return hand
	}
	r := newRand(seed, 0x676c)
	out := make([]engine.Level, len(hand))
	for i := range out {
		out[i] = glacierGenerate(r, i, &hand[i])
	}
	return out
}

// glacierGenerate scatters walls, rough patches and crates in a walled room
// and keeps the first layout whose shortest solution is long enough; after
// too many tries it falls back to the hand-made level.
func glacierGenerate(r interface{ IntN(int) int }, level int, fallback *engine.Level) engine.Level {
	for range 300 {
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
		put('X')
		for range min(level, 3) {
			put('o')
		}
		lv := engine.Level{Name: "generated", W: w, H: h, Cols: w, Rows: h, Map: m}
		sol := glacierSolve(&lv, 20000)
		if len(sol) < 3+level {
			continue
		}
		lv.Solution = sol
		lv.Baseline = len(sol) + 2
		lv.Budget = 2*len(sol) + 8
		return lv
	}
	return *fallback
}

func glacierLevel(name string, budget, baseline int, rows ...string) engine.Level {
	lv := engine.Level{Name: name, Budget: budget, Baseline: baseline}
	lv.SetMap(rows...)
	lv.W, lv.H = lv.Cols, lv.Rows
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
