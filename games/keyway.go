package games

import (
	"sync"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/engine"
)

// Keyway: walk a maze to the green exit. Coloured doors open only for the
// matching key, which is picked up by stepping on it and kept for the rest
// of the level. Each level has a step budget.
//
// Map codes: '#' wall, '.' floor, 'P' start, 'X' exit, 'a'..'c' keys,
// 'A'..'C' the doors they open.

const keywayID = "kw01-5e3a91c4"

func init() { registerGame(func() engine.Rules { return newKeyway() }) }

var (
	keyColour  = [3]int8{int8(engine.Red), int8(engine.Blue), int8(engine.Purple)}
	doorColour = [3]int8{int8(engine.Maroon), int8(engine.LightBlue), int8(engine.Magenta)}
)

type keyway struct {
	tiles, player *engine.Sprite
	cells         [64 * 64]byte
	cols, rows    int
	px, py        int
	keys          uint8
}

func newKeyway() *keyway {
	return &keyway{tiles: engine.NewSprite(64, 64, 0), player: engine.NewSprite(1, 1, int8(engine.Orange))}
}

// Spec implements engine.Rules.
func (g *keyway) Spec() engine.Spec {
	return engine.Spec{
		Info: arc.GameInfo{
			ID:         keywayID,
			Title:      "Keyway",
			Tags:       []string{"keyboard"},
			DefaultFPS: 10,
			ClassName:  "Keyway",
			Available:  arc.ActionSetOf(arc.Action1, arc.Action2, arc.Action3, arc.Action4),
		},
		Background: engine.VeryLightGrey,
		Letterbox:  engine.Black,
		Transition: engine.Green,
		StateSize:  3 + 64*64,
		HUD:        standardHUD(),
	}
}

func keywayTile(c byte) int8 {
	switch {
	case c == '#':
		return int8(engine.DarkGrey)
	case c == 'X':
		return int8(engine.Green)
	case c >= 'a' && c <= 'c':
		return keyColour[c-'a']
	case c >= 'A' && c <= 'C':
		return doorColour[c-'A']
	}
	return int8(engine.VeryLightGrey)
}

// Load implements engine.Rules.
func (g *keyway) Load(w *engine.World) {
	lv := w.Level
	g.cols, g.rows = lv.Cols, lv.Rows
	copy(g.cells[:], lv.Map)
	g.keys = 0
	g.px, g.py, _ = lv.Find('P')
	g.cells[g.py*g.cols+g.px] = '.'
	g.tiles.MoveTo(0, 0)
	g.tiles.Resize(g.cols, g.rows, 0)
	g.redraw()
	w.Scene.Add(g.tiles, 0)
	g.player.MoveTo(g.px, g.py)
	w.Scene.Add(g.player, 1)
}

func (g *keyway) redraw() {
	for i := range g.cols * g.rows {
		g.tiles.Set(i%g.cols, i/g.cols, keywayTile(g.cells[i]))
	}
}

// Step implements engine.Rules.
func (g *keyway) Step(w *engine.World, a arc.Action) engine.Result {
	dx, dy, ok := step(a.ID)
	if !ok {
		return engine.Idle
	}
	nx, ny := g.px+dx, g.py+dy
	if nx < 0 || ny < 0 || nx >= g.cols || ny >= g.rows {
		return engine.Idle
	}
	i := ny*g.cols + nx
	switch c := g.cells[i]; {
	case c == '#':
		return engine.Idle
	case c >= 'A' && c <= 'C':
		if g.keys&(1<<(c-'A')) == 0 {
			return engine.Idle
		}
		g.open(i, nx, ny)
	case c >= 'a' && c <= 'c':
		g.keys |= 1 << (c - 'a')
		g.open(i, nx, ny)
	}
	g.px, g.py = nx, ny
	g.player.MoveTo(nx, ny)
	if g.cells[i] == 'X' {
		return engine.Solved
	}
	return engine.Changed
}

func (g *keyway) open(i, x, y int) {
	g.cells[i] = '.'
	g.tiles.Set(x, y, keywayTile('.'))
}

// Save implements engine.Rules.
func (g *keyway) Save(dst []byte) []byte {
	dst = append(dst, byte(g.px), byte(g.py), g.keys)
	return append(dst, g.cells[:g.cols*g.rows]...)
}

// Restore implements engine.Rules.
func (g *keyway) Restore(w *engine.World, st []byte) {
	g.px, g.py, g.keys = int(st[0]), int(st[1]), st[2]
	copy(g.cells[:], st[3:])
	g.redraw()
	g.player.MoveTo(g.px, g.py)
}

// keywaySolve returns a shortest action sequence that completes lv, or nil.
func keywaySolve(lv *engine.Level) []arc.Action {
	sx, sy, ok := lv.Find('P')
	if !ok {
		return nil
	}
	type node struct{ x, y, keys int }
	n := lv.Cols * lv.Rows
	id := func(s node) int { return s.keys*n + s.y*lv.Cols + s.x }
	prev := make([]int32, 8*n)
	move := make([]arc.ActionID, 8*n)
	for i := range prev {
		prev[i] = -2
	}
	start := node{sx, sy, 0}
	prev[id(start)] = -1
	queue := []node{start}
	for h := 0; h < len(queue); h++ {
		s := queue[h]
		for _, d := range dirs {
			dx, dy, _ := step(d)
			t := node{s.x + dx, s.y + dy, s.keys}
			c := lv.At(t.x, t.y)
			switch {
			case c == 0 || c == '#':
				continue
			case c >= 'A' && c <= 'C':
				if s.keys&(1<<(c-'A')) == 0 {
					continue
				}
			case c >= 'a' && c <= 'c':
				t.keys |= 1 << (c - 'a')
			}
			if prev[id(t)] != -2 {
				continue
			}
			prev[id(t)] = int32(id(s))
			move[id(t)] = d
			if c == 'X' {
				var path []arc.Action
				for k := id(t); prev[k] >= 0; k = int(prev[k]) {
					path = append(path, arc.Simple(move[k]))
				}
				for i, j := 0, len(path)-1; i < j; i, j = i+1, j-1 {
					path[i], path[j] = path[j], path[i]
				}
				return path
			}
			queue = append(queue, t)
		}
	}
	return nil
}

// Levels implements engine.Rules.
func (g *keyway) Levels(seed int64) []engine.Level {
	return levelSet(seed, 0x6b77, keywayHand, keywayGenerate)
}

// keywayGenerate carves a perfect maze, puts the exit at the cell farthest
// from the start and locks doors along the way, each key reachable before
// its door; the solver then checks it and sets budget and baseline.
func keywayGenerate(r intner, level int) engine.Level {
	k := 3 + level + r.IntN(2) // maze of (2k+1) cells a side: 7..17
	size := 2*k + 1
	m := make([]byte, size*size)
	for i := range m {
		m[i] = '#'
	}
	at := func(x, y int) *byte { return &m[y*size+x] }
	carve(m, size, r)
	// A few extra openings make loops, so there is more than one way round.
	for range level {
		x, y := 1+r.IntN(size-2), 1+r.IntN(size-2)
		if (x+y)%2 == 1 {
			*at(x, y) = '.'
		}
	}
	dist := make([]int32, size*size)
	queue := make([]int32, 0, size*size)
	floor := func(x, y int) bool { return *at(x, y) != '#' }
	gridBFS(size, size, 1, 1, floor, dist, queue)
	far := 0
	for i, d := range dist {
		if d > dist[far] {
			far = i
		}
	}
	*at(1, 1) = 'P'
	m[far] = 'X'
	path := mazePath(dist, size, far)
	doors := min(level, 3)
	for d := range doors {
		// Door d sits on the path, nearer the exit for later doors.
		lo := len(path) * (doors - d) / (doors + 1)
		idx := max(1, min(len(path)-2, lo))
		cell := path[idx]
		if m[cell] != '.' {
			continue
		}
		m[cell] = byte('A' + d)
		blocked := func(x, y int) bool {
			c := *at(x, y)
			return c != '#' && !(c >= 'A' && c <= 'C' && c-'A' >= byte(d))
		}
		gridBFS(size, size, 1, 1, blocked, dist, queue)
		var cand []int
		for i, dd := range dist {
			if dd > 0 && m[i] == '.' {
				cand = append(cand, i)
			}
		}
		if len(cand) == 0 {
			m[cell] = '.'
			continue
		}
		m[cand[r.IntN(len(cand))]] = byte('a' + d)
	}
	lv := engine.Level{Name: "generated", W: size, H: size, Cols: size, Rows: size, Map: m}
	sol := keywaySolve(&lv)
	lv.Solution = sol
	lv.Baseline = len(sol) + len(sol)/4 + 2
	lv.Budget = 2*len(sol) + 12
	return lv
}

func keywayLevel(name string, budget, baseline int, rows ...string) engine.Level {
	lv := engine.Level{Name: name, Budget: budget, Baseline: baseline}
	lv.SetMap(rows...)
	lv.W, lv.H = lv.Cols, lv.Rows
	lv.Solution = keywaySolve(&lv)
	return lv
}

// keywayHand is the hand-made level set, built once and shared: sessions
// never modify levels.
var keywayHand = sync.OnceValue(keywayLevels)

func keywayLevels() []engine.Level {
	return []engine.Level{
		keywayLevel("first steps", 30, 12,
			"########",
			"#P.....#",
			"#.####.#",
			"#.#..#.#",
			"#.#X.#.#",
			"#.##.#.#",
			"#....#.#",
			"########",
		),
		keywayLevel("red key", 100, 70,
			"##########",
			"#P...#..a#",
			"#.##.#.###",
			"#.#..#...#",
			"#.#.####.#",
			"#.#....#.#",
			"#.####.#.#",
			"#....#...#",
			"####A#####",
			"#X.......#",
		),
		keywayLevel("two doors", 110, 60,
			"############",
			"#P..#......#",
			"###.#.####.#",
			"#...#.#b.#.#",
			"#.###.#..#.#",
			"#.....##A#.#",
			"#####......#",
			"#a..#.######",
			"##.........#",
			"#....####B##",
			"#.##.#X....#",
			"############",
		),
		keywayLevel("locked rooms", 200, 135,
			"################",
			"#P...#.....#..a#",
			"#.##.#.###.#.###",
			"#..#...#.#...#.#",
			"##.#####.#####.#",
			"#..............#",
			"#######A########",
			"#b...#.....#...#",
			"####.#.###.#.#.#",
			"#....#...#...#.#",
			"#.######.#####.#",
			"#........#.....#",
			"########B#######",
			"#c.#......C...X#",
			"#....####.#...##",
			"################",
		),
		keywayLevel("the long way", 260, 170,
			"#####################",
			"#P#.#...#.C.........#",
			"#.#.#.#.#.#####.###.#",
			"#.#...#...#...#.#...#",
			"#.###.#####.#.###.#.#",
			"#...#...#X#.#.....#.#",
			"###.###.#.#.#######.#",
			"#.#.#...#.#.#.......#",
			"#.#.#.###.#.###.#####",
			"#.#.#.#...#...#.....#",
			"#.#.#.#.#####.#####.#",
			"#...#...#....B#...#.#",
			"#.#######.#####.#.###",
			"#.......#.b.#...#...#",
			"#######.###.#.###.#.#",
			"#.....#...#...#...#.#",
			"#.###.###.#.###.#.#.#",
			"#c..#...#.#.....#...#",
			"#.#.#####.#########.#",
			"#.#.a.......A.......#",
			"#####################",
		),
	}
}
