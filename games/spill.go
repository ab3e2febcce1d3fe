package games

import (
	"slices"
	"sync"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/engine"
)

// Spill: paint spreads from the top-left corner. Clicking a colour (a
// swatch of the palette under the board, or any board cell showing it)
// repaints the corner's region with it, so the region grows over every
// neighbouring cell of that colour. Make the whole board one colour within
// the click budget.
//
// Map codes: '0'..'5' palette colours. The palette has as many swatches as
// the highest code used plus one (at least three).

const spillID = "sp04-d19f6a30"

func init() { registerGame(func() engine.Rules { return newSpill() }) }

var spillPalette = [6]int8{
	int8(engine.Red), int8(engine.Blue), int8(engine.Yellow),
	int8(engine.Green), int8(engine.Purple), int8(engine.Orange),
}

type spill struct {
	board, swatches *engine.Sprite
	cells           [64 * 64]byte
	n, k            int
	queue           [64 * 64]int16
	seen            [64 * 64]uint32
	stamp           uint32
}

func newSpill() *spill {
	return &spill{board: engine.NewSprite(64, 64, 0), swatches: engine.NewSprite(64, 1, 0)}
}

// Spec implements engine.Rules.
func (g *spill) Spec() engine.Spec {
	return engine.Spec{
		Info: arc.GameInfo{
			ID:         spillID,
			Title:      "Spill",
			Tags:       []string{"click"},
			DefaultFPS: 6,
			ClassName:  "Spill",
			Available:  arc.ActionSetOf(arc.Action6),
		},
		Background: engine.Black,
		Letterbox:  engine.DarkGrey,
		Transition: engine.White,
		StateSize:  64 * 64,
		HUD:        standardHUD(),
	}
}

// spillColours returns the palette size of a board.
func spillColours(m []byte) int {
	k := 3
	for _, c := range m {
		k = max(k, int(c-'0')+1)
	}
	return k
}

// Load implements engine.Rules.
func (g *spill) Load(w *engine.World) {
	lv := w.Level
	g.n = lv.Cols
	g.k = spillColours(lv.Map)
	copy(g.cells[:], lv.Map)
	g.board.MoveTo(0, 0)
	g.board.Resize(g.n, g.n, 0)
	g.repaint()
	w.Scene.Add(g.board, 0)
	g.swatches.MoveTo(0, g.n+1)
	g.swatches.Resize(2*g.k-1, 1, engine.Transparent)
	for i := range g.k {
		g.swatches.Set(2*i, 0, spillPalette[i])
	}
	w.Scene.Add(g.swatches, 0)
}

func (g *spill) repaint() {
	px := g.board.Pixels()
	for i := range g.n * g.n {
		px[i] = spillPalette[g.cells[i]-'0']
	}
	g.board.CopyPixels(px)
}

// spillPick returns the colour code a click on play-area cell (gx, gy)
// chooses.
func spillPick(cells []byte, n, k, gx, gy int) (byte, bool) {
	switch {
	case gx < n && gy < n:
		return cells[gy*n+gx], true
	case gy == n+1 && gx%2 == 0 && gx/2 < k:
		return byte('0' + gx/2), true
	}
	return 0, false
}

// flood repaints the corner region with colour c and returns the size of
// the corner region afterwards. It reuses the game's scratch buffers and
// redraws the changed cells when draw is set.
func (g *spill) flood(c byte, draw bool) int {
	old := g.cells[0]
	if old != c {
		q := g.region(old)
		for _, i := range q {
			g.cells[i] = c
			if draw {
				g.board.Set(int(i)%g.n, int(i)/g.n, spillPalette[c-'0'])
			}
		}
	}
	return len(g.region(c))
}

// region returns the cells of colour c connected to the corner, which must
// have colour c (a view of the scratch queue).
func (g *spill) region(c byte) []int16 {
	g.stamp++
	if g.stamp == 0 {
		clear(g.seen[:])
		g.stamp = 1
	}
	q := append(g.queue[:0], 0)
	g.seen[0] = g.stamp
	for h := 0; h < len(q); h++ {
		x, y := int(q[h])%g.n, int(q[h])/g.n
		for _, d := range plus[1:] {
			nx, ny := x+d[0], y+d[1]
			if nx < 0 || ny < 0 || nx >= g.n || ny >= g.n {
				continue
			}
			j := ny*g.n + nx
			if g.seen[j] != g.stamp && g.cells[j] == c {
				g.seen[j] = g.stamp
				q = append(q, int16(j))
			}
		}
	}
	return q
}

// Step implements engine.Rules.
func (g *spill) Step(w *engine.World, a arc.Action) engine.Result {
	gx, gy, ok := w.Cell(a)
	if !ok {
		return engine.Idle
	}
	c, ok := spillPick(g.cells[:], g.n, g.k, gx, gy)
	if !ok || c == g.cells[0] {
		return engine.Idle
	}
	if g.flood(c, true) == g.n*g.n {
		return engine.Solved
	}
	return engine.Changed
}

// Save implements engine.Rules.
func (g *spill) Save(dst []byte) []byte { return append(dst, g.cells[:g.n*g.n]...) }

// Restore implements engine.Rules.
func (g *spill) Restore(w *engine.World, st []byte) {
	copy(g.cells[:], st)
	g.repaint()
}

// spillGreedy plays lv by always picking the colour that leaves the largest
// corner region (lowest colour on ties) and returns the swatch clicks.
//
// Cells outside the corner region keep their colours, so it plays on the
// board's same-colour components: picking colour c absorbs every component
// of colour c that touches the region, and the choice only needs the
// components on the region's border.
func spillGreedy(lv *engine.Level) []arc.Action {
	n, k := lv.Cols, spillColours(lv.Map)
	cells := lv.Map[:n*n]
	cam := engine.NewCamera(lv.W, lv.H, 0)

	// Label the components.
	comp := make([]int16, len(cells))
	for i := range comp {
		comp[i] = -1
	}
	var size []int
	var colour []byte
	queue := make([]int, 0, len(cells))
	for i := range cells {
		if comp[i] >= 0 {
			continue
		}
		id := int16(len(size))
		comp[i] = id
		queue = append(queue[:0], i)
		for h := 0; h < len(queue); h++ {
			x, y := queue[h]%n, queue[h]/n
			for _, d := range plus[1:] {
				nx, ny := x+d[0], y+d[1]
				if j := ny*n + nx; uint(nx) < uint(n) && uint(ny) < uint(n) && comp[j] < 0 && cells[j] == cells[i] {
					comp[j] = id
					queue = append(queue, j)
				}
			}
		}
		size = append(size, len(queue))
		colour = append(colour, cells[i])
	}
	// Neighbouring components, each pair once per side.
	adj := make([][]int16, len(size))
	for i := range cells {
		x, y := i%n, i/n
		for _, d := range [2][2]int{{1, 0}, {0, 1}} {
			nx, ny := x+d[0], y+d[1]
			if nx >= n || ny >= n {
				continue
			}
			a, b := comp[i], comp[ny*n+nx]
			if a != b && !slices.Contains(adj[a], b) {
				adj[a] = append(adj[a], b)
				adj[b] = append(adj[b], a)
			}
		}
	}

	in := make([]bool, len(size))     // absorbed into the region
	border := make([]bool, len(size)) // touching the region, not in it
	var edge []int16
	absorb := func(c int16) {
		in[c] = true
		for _, o := range adj[c] {
			if !in[o] && !border[o] {
				border[o] = true
				edge = append(edge, o)
			}
		}
	}
	region, cur := size[0], colour[0]
	absorb(0)
	var out []arc.Action
	var gain [len(spillPalette)]int
	for region < n*n {
		clear(gain[:])
		for _, c := range edge {
			gain[colour[c]-'0'] += size[c]
		}
		best := -1
		for c := range k {
			if byte('0'+c) != cur && (best < 0 || gain[c] > gain[best]) {
				best = c
			}
		}
		cur = byte('0' + best)
		out = append(out, cam.Click(2*best, n+1))
		// Absorb the border components of the chosen colour; the rest stay
		// on the border.
		rest := edge[:0]
		var taken []int16
		for _, c := range edge {
			if colour[c] == cur {
				taken = append(taken, c)
			} else {
				rest = append(rest, c)
			}
		}
		edge = rest
		for _, c := range taken {
			border[c] = false
			region += size[c]
			absorb(c)
		}
	}
	return out
}

func spillLevel(name string, slack int, rows ...string) engine.Level {
	lv := engine.Level{Name: name}
	lv.SetMap(rows...)
	k := spillColours(lv.Map)
	lv.W, lv.H = max(lv.Cols, 2*k-1), lv.Rows+2
	lv.Solution = spillGreedy(&lv)
	lv.Baseline = len(lv.Solution)
	lv.Budget = len(lv.Solution) + slack
	return lv
}

// Levels implements engine.Rules.
func (g *spill) Levels(seed int64) []engine.Level {
	if seed == 0 {
		return spillHand()
	}
	out := make([]engine.Level, 5)
	for i := range out {
		r := levelRand(seed, 0x7370, i)
		n := 6 + 2*i + r.IntN(2)
		k := 3 + min(i, 3)
		rows := make([]string, n)
		for y := range rows {
			b := make([]byte, n)
			for x := range b {
				// Runs of equal colours make regions worth aiming for.
				if x > 0 && r.IntN(3) == 0 {
					b[x] = b[x-1]
				} else if y > 0 && r.IntN(3) == 0 {
					b[x] = rows[y-1][x]
				} else {
					b[x] = byte('0' + r.IntN(k))
				}
			}
			rows[y] = string(b)
		}
		out[i] = spillLevel("generated", 2, rows...)
	}
	return out
}

var spillHand = sync.OnceValue(spillLevels)

func spillLevels() []engine.Level {
	return []engine.Level{
		spillLevel("puddle", 3,
			"001122",
			"001122",
			"220011",
			"220011",
			"112200",
			"112200",
		),
		spillLevel("stripes", 3,
			"01230123",
			"12301230",
			"23012301",
			"30123012",
			"01230123",
			"12301230",
			"23012301",
			"30123012",
		),
		spillLevel("rooms", 3,
			"0000111122",
			"0333311122",
			"0322231122",
			"0321231100",
			"0322231100",
			"0333331100",
			"0000002222",
			"1111102333",
			"2222202300",
			"3333302300",
		),
		spillLevel("rings", 2,
			"100001000010",
			"011121111210",
			"012322223210",
			"013333343210",
			"022344043211",
			"112341043220",
			"012300043310",
			"012444444210",
			"013333343210",
			"022222322211",
			"111112111120",
			"000010000100",
		),
		spillLevel("patchwork", 2,
			"00112233445500",
			"01313434040101",
			"24430551103224",
			"22334455001122",
			"45151212424545",
			"40052113325440",
			"00112233445500",
			"01313434040101",
			"24430551103224",
			"22334455001122",
			"45151212424545",
			"40052113325440",
			"00112233445500",
			"01313434040101",
		),
	}
}
