package games

import (
	"slices"
	"sync"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/engine"
)

// Lever: a walled compound with red and blue gates. Red gates start closed,
// blue gates open; pulling a lever (ACTION5 while standing on it) swaps
// them. Walk with ACTION1..ACTION4, or click a cell (ACTION6) to walk there
// along the shortest open path in one action. Reach the green exit within
// the step budget.
//
// Map codes: '#' wall, '.' floor, 'P' start, 'X' exit, 'L' lever, 'r' red
// gate, 'b' blue gate.

const leverID = "lv05-73c8b2fe"

func init() { registerGame(func() engine.Rules { return newLever() }) }

const walkFrames = 8

type lever struct {
	ground, player *engine.Sprite
	cells          [64 * 64]byte
	cols, rows     int
	px, py         int
	swapped        bool

	// Scratch space of the click walk's breadth-first search.
	prev  [64 * 64]int16
	seen  [64 * 64]uint32
	stamp uint32
	queue [64 * 64]int16
	path  [64 * 64]int16
}

func newLever() *lever {
	return &lever{ground: engine.NewSprite(64, 64, 0), player: engine.NewSprite(1, 1, int8(engine.Magenta))}
}

// Spec implements engine.Rules.
func (g *lever) Spec() engine.Spec {
	return engine.Spec{
		Info: arc.GameInfo{
			ID:         leverID,
			Title:      "Lever",
			Tags:       []string{"keyboard_click"},
			DefaultFPS: 15,
			ClassName:  "Lever",
			Available:  arc.ActionSetOf(arc.Action1, arc.Action2, arc.Action3, arc.Action4, arc.Action5, arc.Action6),
		},
		Background: engine.White,
		Letterbox:  engine.Black,
		Transition: engine.Yellow,
		StateSize:  3,
		HUD:        standardHUD(),
	}
}

// open reports whether a cell can be entered with the levers as they are.
func leverOpen(c byte, swapped bool) bool {
	switch c {
	case '#', 0:
		return false
	case 'r':
		return swapped
	case 'b':
		return !swapped
	}
	return true
}

func (g *lever) tile(c byte) int8 {
	switch c {
	case '#':
		return int8(engine.Grey)
	case 'X':
		return int8(engine.Green)
	case 'L':
		if g.swapped {
			return int8(engine.Orange)
		}
		return int8(engine.Yellow)
	case 'r':
		if g.swapped {
			return int8(engine.Pink)
		}
		return int8(engine.Red)
	case 'b':
		if g.swapped {
			return int8(engine.Blue)
		}
		return int8(engine.LightBlue)
	}
	return int8(engine.White)
}

// Load implements engine.Rules.
func (g *lever) Load(w *engine.World) {
	lv := w.Level
	g.cols, g.rows = lv.Cols, lv.Rows
	copy(g.cells[:], lv.Map)
	g.px, g.py, _ = lv.Find('P')
	g.cells[g.py*g.cols+g.px] = '.'
	g.swapped = false
	g.ground.MoveTo(0, 0)
	g.ground.Resize(g.cols, g.rows, 0)
	g.redraw(false)
	w.Scene.Add(g.ground, 0)
	g.player.MoveTo(g.px, g.py)
	w.Scene.Add(g.player, 1)
}

// redraw repaints the ground; with onlyGates set, only levers and gates.
func (g *lever) redraw(onlyGates bool) {
	for i := range g.cols * g.rows {
		c := g.cells[i]
		if onlyGates && c != 'r' && c != 'b' && c != 'L' {
			continue
		}
		g.ground.Set(i%g.cols, i/g.cols, g.tile(c))
	}
}

// Step implements engine.Rules.
func (g *lever) Step(w *engine.World, a arc.Action) engine.Result {
	switch a.ID {
	case arc.Action5:
		if g.cells[g.py*g.cols+g.px] != 'L' {
			return engine.Idle
		}
		// The gates grind: one frame with every gate half-way.
		for i := range g.cols * g.rows {
			if c := g.cells[i]; c == 'r' || c == 'b' {
				g.ground.Set(i%g.cols, i/g.cols, int8(engine.DarkGrey))
			}
		}
		w.Emit()
		g.swapped = !g.swapped
		g.redraw(true)
		return engine.Changed
	case arc.Action6:
		gx, gy, ok := w.Cell(a)
		if !ok {
			return engine.Idle
		}
		return g.walk(w, gx, gy)
	}
	dx, dy, ok := step(a.ID)
	if !ok {
		return engine.Idle
	}
	nx, ny := g.px+dx, g.py+dy
	if nx < 0 || ny < 0 || nx >= g.cols || ny >= g.rows || !leverOpen(g.cells[ny*g.cols+nx], g.swapped) {
		return engine.Idle
	}
	return g.moveTo(nx, ny)
}

func (g *lever) moveTo(x, y int) engine.Result {
	g.px, g.py = x, y
	g.player.MoveTo(x, y)
	if g.cells[y*g.cols+x] == 'X' {
		return engine.Solved
	}
	return engine.Changed
}

// walk moves the player along a shortest open path to (tx, ty), showing up
// to walkFrames steps on the way; the walk ends early on the exit.
func (g *lever) walk(w *engine.World, tx, ty int) engine.Result {
	if tx >= g.cols || ty >= g.rows || (tx == g.px && ty == g.py) {
		return engine.Idle
	}
	target := int16(ty*g.cols + tx)
	if !leverOpen(g.cells[target], g.swapped) {
		return engine.Idle
	}
	g.stamp++
	if g.stamp == 0 {
		clear(g.seen[:])
		g.stamp = 1
	}
	start := int16(g.py*g.cols + g.px)
	q := append(g.queue[:0], start)
	g.seen[start] = g.stamp
	found := false
	for h := 0; h < len(q) && !found; h++ {
		x, y := int(q[h])%g.cols, int(q[h])/g.cols
		for _, d := range plus[1:] {
			nx, ny := x+d[0], y+d[1]
			if nx < 0 || ny < 0 || nx >= g.cols || ny >= g.rows {
				continue
			}
			j := int16(ny*g.cols + nx)
			if g.seen[j] == g.stamp || !leverOpen(g.cells[j], g.swapped) {
				continue
			}
			g.seen[j] = g.stamp
			g.prev[j] = q[h]
			if j == target {
				found = true
				break
			}
			q = append(q, j)
		}
	}
	if !found {
		return engine.Idle
	}
	path := g.path[:0]
	for c := target; c != start; c = g.prev[c] {
		path = append(path, c)
	}
	slices.Reverse(path)
	for i, c := range path {
		x, y := int(c)%g.cols, int(c)/g.cols
		if g.cells[c] == 'X' || i == len(path)-1 {
			return g.moveTo(x, y)
		}
		g.player.MoveTo(x, y)
		if (i+1)%max(1, (len(path)+walkFrames-1)/walkFrames) == 0 {
			w.Emit()
		}
	}
	return engine.Changed
}

// Save implements engine.Rules.
func (g *lever) Save(dst []byte) []byte {
	s := byte(0)
	if g.swapped {
		s = 1
	}
	return append(dst, byte(g.px), byte(g.py), s)
}

// Restore implements engine.Rules.
func (g *lever) Restore(w *engine.World, st []byte) {
	g.px, g.py, g.swapped = int(st[0]), int(st[1]), st[2] == 1
	g.player.MoveTo(g.px, g.py)
	g.redraw(true)
}

// leverSolveKeys returns a shortest keyboard-only solution (ACTION1..5) by
// breadth-first search over position and lever state; nil if none.
func leverSolveKeys(lv *engine.Level) []arc.Action {
	sx, sy, ok := lv.Find('P')
	if !ok {
		return nil
	}
	n := lv.Cols * lv.Rows
	// A state is s*n + cell, with s = 1 once the gates are swapped.
	prev := make([]int32, 2*n)
	move := make([]arc.ActionID, 2*n)
	for i := range prev {
		prev[i] = -2
	}
	start := int32(sy*lv.Cols + sx)
	prev[start] = -1
	q := make([]int32, 1, 2*n)
	q[0] = start
	for h := 0; h < len(q); h++ {
		u := int(q[h])
		sw, c := u/n, u%n
		x, y := c%lv.Cols, c/lv.Cols
		for _, d := range [5]arc.ActionID{arc.Action1, arc.Action2, arc.Action3, arc.Action4, arc.Action5} {
			v := u
			if d == arc.Action5 {
				if lv.Map[c] != 'L' {
					continue
				}
				v = (1-sw)*n + c
			} else {
				dx, dy, _ := step(d)
				if !leverOpen(lv.At(x+dx, y+dy), sw == 1) {
					continue
				}
				v = sw*n + (y+dy)*lv.Cols + x + dx
			}
			if prev[v] != -2 {
				continue
			}
			prev[v] = int32(u)
			move[v] = d
			if lv.Map[v%n] == 'X' {
				var path []arc.Action
				for k := v; prev[k] >= 0; k = int(prev[k]) {
					path = append(path, arc.Simple(move[k]))
				}
				slices.Reverse(path)
				return path
			}
			q = append(q, int32(v))
		}
	}
	return nil
}

// leverSolveClicks returns a shortest solution in which every walk is one
// click: walks between the start, levers and the exit, and lever pulls.
//
// With the gates in one position a click reaches exactly the cells of the
// walker's open region, so the search labels the regions of both gate
// positions once and then moves between the start, the levers and the exit.
func leverSolveClicks(lv *engine.Level) []arc.Action {
	sx, sy, ok := lv.Find('P')
	if !ok {
		return nil
	}
	cam := engine.NewCamera(lv.W, lv.H, 0)
	n := lv.Cols * lv.Rows
	var region [2][]int32
	queue := make([]int32, 0, n)
	for sw := range 2 {
		r := make([]int32, n)
		for i := range r {
			r[i] = -1
		}
		for i := range r {
			if r[i] >= 0 || !leverOpen(lv.Map[i], sw == 1) {
				continue
			}
			r[i] = int32(i)
			queue = append(queue[:0], int32(i))
			for h := 0; h < len(queue); h++ {
				c := int(queue[h])
				x, y := c%lv.Cols, c/lv.Cols
				for _, d := range plus[1:] {
					if j := (y+d[1])*lv.Cols + x + d[0]; leverOpen(lv.At(x+d[0], y+d[1]), sw == 1) && r[j] < 0 {
						r[j] = int32(i)
						queue = append(queue, int32(j))
					}
				}
			}
		}
		region[sw] = r
	}
	// The places a plan stops at: the start, then levers and the exit in
	// cell order. A node is 2*place + gate position.
	places := []int{sy*lv.Cols + sx}
	for c, m := range lv.Map {
		if m == 'L' || m == 'X' {
			places = append(places, c)
		}
	}
	prev := make([]int, 2*len(places))
	act := make([]arc.Action, 2*len(places))
	for i := range prev {
		prev[i] = -2
	}
	prev[0] = -1
	q := []int{0}
	for h := 0; h < len(q); h++ {
		u := q[h]
		p, sw := u/2, u%2
		c := places[p]
		visit := func(v int, a arc.Action) bool {
			if prev[v] != -2 {
				return false
			}
			prev[v], act[v] = u, a
			q = append(q, v)
			return lv.Map[places[v/2]] == 'X'
		}
		var done int = -1
		if lv.Map[c] == 'L' && visit(2*p+1-sw, arc.Simple(arc.Action5)) {
			done = 2*p + 1 - sw
		}
		for t := 1; t < len(places) && done < 0; t++ {
			tc := places[t]
			if tc != c && region[sw][tc] >= 0 && region[sw][tc] == region[sw][c] && visit(2*t+sw, cam.Click(tc%lv.Cols, tc/lv.Cols)) {
				done = 2*t + sw
			}
		}
		if done >= 0 {
			var path []arc.Action
			for v := done; prev[v] >= 0; v = prev[v] {
				path = append(path, act[v])
			}
			slices.Reverse(path)
			return path
		}
	}
	return nil
}

// Levels implements engine.Rules.
func (g *lever) Levels(seed int64) []engine.Level {
	return levelSet(seed, 0x6c76, leverHand, leverGenerate)
}

// leverFinish fills in the solution, baseline and budget of a level.
func leverFinish(lv *engine.Level) bool {
	keys := leverSolveKeys(lv)
	clicks := leverSolveClicks(lv)
	if keys == nil || clicks == nil {
		return false
	}
	lv.Solution = clicks
	lv.Baseline = len(clicks) + 2
	lv.Budget = len(keys) + 10
	return true
}

// leverGenerate carves a perfect maze, puts the exit on the cell farthest
// from the start and gates of alternating colour along the way, with the
// lever of each gate in the stretch of maze between the previous gate and
// this one, so every gate needs one pull.
//
// A perfect maze is a tree, which makes the solution known by construction:
// walk to each lever in turn and pull it, then walk to the exit. That is a
// shortest click solution (every gate needs a pull at its own lever, and
// reaching a lever or the exit takes at least one action), and the
// keyboard walk along the tree's unique paths is a shortest keyboard
// solution, which sets the budget.
func leverGenerate(r intner, level int) engine.Level {
	for {
		k := 6 + 2*level + r.IntN(3) // 13..29 cells a side
		size := 2*k + 1
		m := make([]byte, size*size)
		for i := range m {
			m[i] = '#'
		}
		carve(m, size, r)
		dist := make([]int32, size*size)
		queue := make([]int32, 0, size*size)
		gridBFS(size, size, 1, 1, func(x, y int) bool { return m[y*size+x] != '#' }, dist, queue)
		far := 0
		for i, d := range dist {
			if d > dist[far] {
				far = i
			}
		}
		path := mazePath(dist, size, far)
		start := size + 1
		m[start] = 'P'
		m[far] = 'X'
		// seg[c] counts the gates between the start and cell c.
		seg := make([]int8, size*size)
		gates := 1 + min(level, 3)
		stops := []int{start}
		var cand []int
		for j := range gates {
			// A gate goes in a corridor near its share of the way: at a
			// junction, a lever in the side branch would lie behind the
			// gate that its pull closes.
			idx := len(path) * (gates - j) / (gates + 1)
			cell := -1
			for _, o := range [...]int{0, 1, -1, 2, -2} {
				if i := idx + o; i >= 1 && i <= len(path)-2 && m[path[i]] == '.' && openSides(m, size, path[i]) == 2 {
					cell = path[i]
					break
				}
			}
			if cell < 0 {
				break
			}
			m[cell] = "rb"[j%2]
			// The cells beyond the gate are its subtree: the cells reached
			// from it going away from the start.
			queue = append(queue[:0], int32(cell))
			for h := 0; h < len(queue); h++ {
				c := int(queue[h])
				seg[c] = int8(j + 1)
				for _, d := range plus[1:] {
					if nb := c + d[1]*size + d[0]; m[nb] != '#' && dist[nb] == dist[c]+1 {
						queue = append(queue, int32(nb))
					}
				}
			}
			cand = cand[:0]
			for i, c := range m {
				if c == '.' && seg[i] == int8(j) {
					cand = append(cand, i)
				}
			}
			if len(cand) == 0 {
				break
			}
			lever := cand[r.IntN(len(cand))]
			m[lever] = 'L'
			stops = append(stops, lever)
		}
		if len(stops) != gates+1 {
			continue
		}
		stops = append(stops, far)
		lv := engine.Level{Name: "generated", W: size, H: size, Cols: size, Rows: size, Map: m}
		cam := engine.NewCamera(lv.W, lv.H, 0)
		walk := 0
		for i, c := range stops[1:] {
			walk += treeDist(dist, size, stops[i], c)
			lv.Solution = append(lv.Solution, cam.Click(c%size, c/size))
			if i < gates {
				lv.Solution = append(lv.Solution, arc.Simple(arc.Action5))
			}
		}
		lv.Baseline = len(lv.Solution) + 2
		lv.Budget = walk + gates + 10
		return lv
	}
}

// openSides counts the neighbours of cell c that are not walls.
func openSides(m []byte, size, c int) int {
	n := 0
	for _, d := range plus[1:] {
		if m[c+d[1]*size+d[0]] != '#' {
			n++
		}
	}
	return n
}

// treeDist returns the length of the path between cells a and b of a
// perfect maze of the given size, whose cells carry their distance from the
// root in dist: up from the deeper one until the paths meet.
func treeDist(dist []int32, size, a, b int) int {
	up := func(c int) int {
		for _, d := range plus[1:] {
			if nb := c + d[1]*size + d[0]; dist[nb] == dist[c]-1 {
				return nb
			}
		}
		return c
	}
	n := 0
	for a != b {
		if dist[a] < dist[b] {
			a, b = b, a
		}
		a = up(a)
		n++
	}
	return n
}

func leverLevel(name string, rows ...string) engine.Level {
	lv := engine.Level{Name: name}
	lv.SetMap(rows...)
	lv.W, lv.H = lv.Cols, lv.Rows
	if !leverFinish(&lv) {
		panic("games: lever level " + name + " has no solution")
	}
	return lv
}

var leverHand = sync.OnceValue(leverLevels)

func leverLevels() []engine.Level {
	return []engine.Level{
		leverLevel("pull",
			"############",
			"#P.........#",
			"#.########.#",
			"#.#......#.#",
			"#.#.####.#.#",
			"#...#L.#.#.#",
			"###.#..#.#.#",
			"#.....##...#",
			"########r###",
			"#.#........#",
			"#...#####.X#",
			"############",
		),
		leverLevel("two gates",
			"###################",
			"#P#...#.....#.....#",
			"#.#.###.#.#.#.#.###",
			"#.#...#.#.#.#.#...#",
			"#.#.#.#.#.#r#.###.#",
			"#.#.#...#.#.#...#.#",
			"#.#.#####.#.###.#.#",
			"#.#.#...#.#.#...#.#",
			"#.###.#.#.#.###.#.#",
			"#...L.#...#...#.#.#",
			"#############.#.#b#",
			"#L........#...#.#.#",
			"#.#####.###.###.#.#",
			"#.....#.#...#X#.#.#",
			"###.###.#.###.#.#.#",
			"#...#...#...#...#.#",
			"#.###.#####.#####.#",
			"#...#.............#",
			"###################",
		),
		leverLevel("back and forth",
			"#####################",
			"#P..#...#...#.......#",
			"###.#.#.#.#.#.#####.#",
			"#.#.#X#...#...#...#.#",
			"#.#.#####.#####.#.#.#",
			"#.#.#...#.#.....#.#.#",
			"#.#.#.#.###.#####.#.#",
			"#.#...#...#.....#..r#",
			"#.#######.#.###.#####",
			"#.....#.#L#...#....L#",
			"#.###.#.#.#.#######.#",
			"#...#...#.#.#.....#.#",
			"#.#.#####.###.###.#.#",
			"#.#.....#.#r..#.#.#.#",
			"#.#####.#.#.###.#.#b#",
			"#.#...#.#...#.....#.#",
			"#.#.###.#####.#####.#",
			"#.#.#...#...#.#.....#",
			"#.#.#.###.#.#.###.#.#",
			"#...#...L.#.......#.#",
			"#####################",
		),
		leverLevel("switchyard",
			"#########################",
			"#P#..L....#.......#.....#",
			"#.#.###.#.#.#.#.###.###.#",
			"#.#.#...#.#.#.#.#...#.#.#",
			"#.###.###.#.#.###.###.#.#",
			"#.#...#.#.#.#.#...#...#.#",
			"#.#.###.#.#.#.#.#####.#.#",
			"#...#...#.#.#...L.....#.#",
			"#######.#.###########.#.#",
			"#...#...#...r.......#.#.#",
			"#.#.#.#.###########.###.#",
			"#.#...#...#L......#.....#",
			"#.#####.###.#####.#####.#",
			"#...#.#.#...#...b.....#.#",
			"###.#.#.#.###.#########.#",
			"#.b.#...#...#...........#",
			"#.###.#####.#############",
			"#.#X..#.....#...........#",
			"#.###.#.#######.#######.#",
			"#...#.#.......#...#.....#",
			"###.#########r###.#.#####",
			"#...#L......#.#...#...#.#",
			"#.###.#####.#.#.#####.#.#",
			"#.........#.....#.......#",
			"#########################",
		),
		leverLevel("the compound",
			"#############################",
			"#P#.....#.............#.....#",
			"#.#.#####.###########.#.###.#",
			"#.#.....#.b.#.......#.....#.#",
			"#.#.###.###.#.#####.#######.#",
			"#.#...#.....#.#...#.....#...#",
			"#.#######.#####.#.#.###.#.###",
			"#L#.....#.....#.#...#...#.L.#",
			"#.#.###.#####.#.#####.#####.#",
			"#...#.#.....#...#.....#.....#",
			"#####.#####.#####.#####.#####",
			"#...#.....#...#X..#...#..r..#",
			"#.#.#.###.###.#####.#.#####.#",
			"#.#.#.#.#r..#...#...#...#...#",
			"#.#.#.#.###.###.#.#####.#.#.#",
			"#.#.#.#...#.#...#...#.#...#.#",
			"###.#.#.#.#.#.###.#.#.#####.#",
			"#...#...#.#...#.#.#.#.....#.#",
			"#.#######.#####.#.#.###.#.#.#",
			"#.......#...#.....#...#.#.#.#",
			"#.#.#.#####.#####.###.###.#.#",
			"#.#.#.#...#.....#...#.#...#.#",
			"###.###.#.#####.#####.#.#.#.#",
			"#...#...#.....#...#...#.#.#.#",
			"#.###.###.#.#####.#.###.#L#.#",
			"#.....#.#.#.#.....#.#...#.#.#",
			"#L#####.#.###.#####.#.#####.#",
			"#.......#.......b...#.......#",
			"#############################",
		),
	}
}
