package games

import (
	"sync"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/engine"
)

// Tri-Lights: a board of three-state lamps (green, yellow, red). Clicking a
// lamp advances it and its four neighbours one state (green to yellow to
// red to green). Turn every lamp green within the click budget. Some boards
// have holes, which have no lamp and pass nothing on.
//
// Map codes: '0', '1', '2' a lamp's state, '#' a hole. Each lamp is drawn as
// a 3x3 block with one-pixel gaps, so a board of c columns is 4c+1 wide.

const trilightsID = "tl03-0b6d2e87"

func init() { registerGame(func() engine.Rules { return newTrilights() }) }

const (
	lampSize  = 3
	lampPitch = lampSize + 1
	maxLamps  = 15
)

var lampColour = [3]int8{int8(engine.Green), int8(engine.Yellow), int8(engine.Red)}

type trilights struct {
	board      *engine.Sprite
	cells      [maxLamps * maxLamps]byte
	cols, rows int
}

func newTrilights() *trilights { return &trilights{board: engine.NewSprite(64, 64, 0)} }

// Spec implements engine.Rules.
func (g *trilights) Spec() engine.Spec {
	return engine.Spec{
		Info: arc.GameInfo{
			ID:         trilightsID,
			Title:      "Tri-Lights",
			Tags:       []string{"click"},
			DefaultFPS: 8,
			ClassName:  "Trilights",
			Available:  arc.ActionSetOf(arc.Action6),
		},
		Background: engine.DarkGrey,
		Letterbox:  engine.Black,
		Transition: engine.Green,
		StateSize:  maxLamps * maxLamps,
		HUD:        standardHUD(),
	}
}

// Load implements engine.Rules.
func (g *trilights) Load(w *engine.World) {
	lv := w.Level
	g.cols, g.rows = lv.Cols, lv.Rows
	copy(g.cells[:], lv.Map)
	g.board.MoveTo(0, 0)
	g.board.Resize(lv.W, lv.H, engine.Transparent)
	for i := range g.cols * g.rows {
		g.paint(i%g.cols, i/g.cols, g.colour(i))
	}
	w.Scene.Add(g.board, 0)
}

func (g *trilights) colour(i int) int8 {
	if g.cells[i] == '#' {
		return engine.Transparent
	}
	return lampColour[g.cells[i]-'0']
}

func (g *trilights) paint(cx, cy int, c int8) {
	g.board.FillRect(engine.RectWH(1+cx*lampPitch, 1+cy*lampPitch, lampSize, lampSize), c)
}

// lampAt maps a play-area cell to the lamp under it.
func lampAt(lv *engine.Level, gx, gy int) (cx, cy int, ok bool) {
	gx--
	gy--
	if gx < 0 || gy < 0 || gx%lampPitch == lampSize || gy%lampPitch == lampSize {
		return 0, 0, false
	}
	cx, cy = gx/lampPitch, gy/lampPitch
	if cx >= lv.Cols || cy >= lv.Rows || lv.Map[cy*lv.Cols+cx] == '#' {
		return 0, 0, false
	}
	return cx, cy, true
}

// press advances the lamps around (cx, cy) in cells (cols x rows).
func press(cells []byte, cols, rows, cx, cy int) {
	for _, d := range plus {
		x, y := cx+d[0], cy+d[1]
		if x < 0 || y < 0 || x >= cols || y >= rows || cells[y*cols+x] == '#' {
			continue
		}
		i := y*cols + x
		cells[i] = '0' + (cells[i]-'0'+1)%3
	}
}

// Step implements engine.Rules.
func (g *trilights) Step(w *engine.World, a arc.Action) engine.Result {
	gx, gy, ok := w.Cell(a)
	if !ok {
		return engine.Idle
	}
	cx, cy, ok := lampAt(w.Level, gx, gy)
	if !ok {
		return engine.Idle
	}
	// Flash the lamps that change, then settle.
	for _, d := range plus {
		x, y := cx+d[0], cy+d[1]
		if x >= 0 && y >= 0 && x < g.cols && y < g.rows && g.cells[y*g.cols+x] != '#' {
			g.paint(x, y, int8(engine.White))
		}
	}
	w.Emit()
	press(g.cells[:], g.cols, g.rows, cx, cy)
	solved := true
	for i := range g.cols * g.rows {
		if c := g.cells[i]; c != '#' && c != '0' {
			solved = false
		}
	}
	for _, d := range plus {
		x, y := cx+d[0], cy+d[1]
		if x >= 0 && y >= 0 && x < g.cols && y < g.rows {
			g.paint(x, y, g.colour(y*g.cols+x))
		}
	}
	if solved {
		return engine.Solved
	}
	return engine.Changed
}

// Save implements engine.Rules.
func (g *trilights) Save(dst []byte) []byte { return append(dst, g.cells[:g.cols*g.rows]...) }

// Restore implements engine.Rules.
func (g *trilights) Restore(w *engine.World, st []byte) {
	copy(g.cells[:], st)
	for i := range g.cols * g.rows {
		g.paint(i%g.cols, i/g.cols, g.colour(i))
	}
}

// trilightsLevel builds a level by scrambling a solved board: each entry of
// scramble is a lamp (x, y) pressed once. The recorded solution presses
// each scrambled lamp twice more, which undoes it (three presses are none).
func trilightsLevel(name string, cols, rows int, holes string, scramble ...[2]int) engine.Level {
	lv := engine.Level{Name: name, Cols: cols, Rows: rows, Map: make([]byte, cols*rows)}
	for i := range lv.Map {
		lv.Map[i] = '0'
		if i < len(holes) && holes[i] == '#' {
			lv.Map[i] = '#'
		}
	}
	lv.W, lv.H = cols*lampPitch+1, rows*lampPitch+1
	count := make([]int, cols*rows)
	for _, p := range scramble {
		press(lv.Map, cols, rows, p[0], p[1])
		count[p[1]*cols+p[0]]++
	}
	cam := engine.NewCamera(lv.W, lv.H, 0)
	for i, n := range count {
		for range (3 - n%3) % 3 {
			x, y := i%cols, i/cols
			lv.Solution = append(lv.Solution, cam.Click(1+x*lampPitch+1, 1+y*lampPitch+1))
		}
	}
	lv.Baseline = len(lv.Solution) + 2
	lv.Budget = 2*len(lv.Solution) + 6
	return lv
}

// Levels implements engine.Rules.
func (g *trilights) Levels(seed int64) []engine.Level {
	if seed == 0 {
		return trilightsHand()
	}
	out := make([]engine.Level, 5)
	for i := range out {
		r := levelRand(seed, 0x746c, i)
		cols, rows := 3+i/2+r.IntN(2), 3+i/2+r.IntN(2)
		holes := make([]byte, cols*rows)
		for j := range holes {
			if i >= 2 && r.IntN(8) == 0 {
				holes[j] = '#'
			}
		}
		var scramble [][2]int
		for len(scramble) < 2+i {
			x, y := r.IntN(cols), r.IntN(rows)
			if holes[y*cols+x] != '#' {
				scramble = append(scramble, [2]int{x, y})
			}
		}
		out[i] = trilightsLevel("generated", cols, rows, string(holes), scramble...)
		if trilightsSolved(out[i].Map) {
			// Presses that cancel out leave nothing to do: scramble again
			// with one more press on the first lamp.
			out[i] = trilightsLevel("generated", cols, rows, string(holes), append(scramble, scramble[0])...)
		}
	}
	return out
}

func trilightsSolved(cells []byte) bool {
	for _, c := range cells {
		if c != '#' && c != '0' {
			return false
		}
	}
	return true
}

var trilightsHand = sync.OnceValue(trilightsLevels)

func trilightsLevels() []engine.Level {
	return []engine.Level{
		trilightsLevel("first light", 3, 3, "", [2]int{1, 1}),
		trilightsLevel("corners", 4, 4, "", [2]int{0, 0}, [2]int{3, 3}, [2]int{3, 3}),
		trilightsLevel("cross talk", 5, 4, "", [2]int{1, 1}, [2]int{2, 1}, [2]int{3, 2}),
		trilightsLevel("holes", 5, 5,
			"#...#"+
				"....."+
				"..#.."+
				"....."+
				"#...#",
			[2]int{1, 0}, [2]int{3, 2}, [2]int{3, 2}, [2]int{1, 4}, [2]int{2, 3}),
		trilightsLevel("grid lock", 6, 6, "",
			[2]int{0, 1}, [2]int{2, 2}, [2]int{2, 2}, [2]int{4, 1}, [2]int{5, 5}, [2]int{3, 4}),
	}
}
