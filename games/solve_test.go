package games

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/engine"
)

// playLevels plays one action script per level from a fresh game and checks
// that every level completes on its script's last action, with the expected
// levels_completed sequence, and that the last one wins.
func playLevels(t *testing.T, id string, seed int64, scripts func(s *engine.Instance, level int) []arc.Action) {
	t.Helper()
	sess, err := New(id)
	require.NoError(t, err)
	es := sess.(*engine.Instance)
	if seed != 0 {
		es.Seed(seed)
	}
	var out arc.FrameData
	ctx := t.Context()
	require.NoError(t, es.Do(ctx, arc.Simple(arc.Reset), &out))
	require.True(t, out.FullReset)
	info := es.Info()
	for lv := range info.Levels {
		acts := scripts(es, lv)
		require.NotEmpty(t, acts, "level %d has no solution", lv)
		for i, a := range acts {
			require.NoError(t, es.Do(ctx, a, &out), "level %d action %d", lv, i)
			require.NoError(t, out.Validate())
			last := i == len(acts)-1
			if !last {
				require.Equal(t, arc.NotFinished, out.State, "level %d ended early at action %d (%s)", lv, i, a)
				require.Equal(t, lv, out.LevelsCompleted, "level %d action %d", lv, i)
				continue
			}
			require.Equal(t, lv+1, out.LevelsCompleted, "level %d not completed by its script", lv)
			if lv+1 == info.Levels {
				assert.Equal(t, arc.Win, out.State)
				assert.Equal(t, info.Levels, out.WinLevels)
			} else {
				assert.Equal(t, arc.NotFinished, out.State)
				assert.GreaterOrEqual(t, out.NumFrames(), 2, "a level transition animates")
			}
		}
	}
}

// scripted returns the hand-written solutions of a game's hand-made levels.
func scripted(sols []string) func(*engine.Instance, int) []arc.Action {
	return func(_ *engine.Instance, lv int) []arc.Action { return keys(sols[lv]) }
}

// recorded returns the solutions recorded in the level set in play.
func recorded(s *engine.Instance, lv int) []arc.Action { return s.Levels()[lv].Solution }

func TestKeywayScripted(t *testing.T) {
	playLevels(t, keywayID, 0, scripted([]string{
		"DDDDDRRRUUL",
		"RRRDDLDDRRRDDRRUUUULLUURRLLDDRRDDDDLLUULLLUURUULLLDDDDDDRRRDDLLL",
		"RRDDLLDDRRRRDDDLLULLRDRRRUURRRUUULDRDDLLLDDRRRRDDLLL",
		"RRRDDRRUURRRRDDRRUURRLLDDLLUULLLLDDLLUULLLDDRDDRRRRRDDLDDRRDDLLLLLLLUURRRUULLLRRRDDLLLDDRRRRRRRDDLLLLDLLULDRRRURRRRRRRRRR",
		"DDDDRRDDDDDDLLDDRRRRRRDDRRDDDDLLLLLLUULLRRDDRRRRRRRRRRRRRRRRUULLUULLDDLLLLUUUULLUURRRRUULLUUUUUURRDDRRRRUURRUULLLLLLLLLLDDLLUULLDDDDRRDDLLDDDDRRUURRUUUU",
	}))
}

func TestKeywayProcedural(t *testing.T) {
	for seed := range int64(100) {
		playLevels(t, keywayID, seed+1, recorded)
	}
}

func TestGlacierScripted(t *testing.T) {
	playLevels(t, glacierID, 0, scripted([]string{
		"DUZRDL", // a move undone on the way
		"DRULURD",
		"DRULD",
		"RDLLURULUULDRURRURDULDRR",
		"DRULDDRURURULLDLDRRULDRDL",
	}))
}

func TestGlacierProcedural(t *testing.T) {
	for seed := range int64(100) {
		playLevels(t, glacierID, seed+1, recorded)
	}
}

// lamps returns clicks on the named lamps of the level in play.
func lamps(s *engine.Instance, lv int, cells ...[2]int) []arc.Action {
	l := &s.Levels()[lv]
	cam := engine.NewCamera(l.W, l.H, 0)
	out := make([]arc.Action, len(cells))
	for i, c := range cells {
		out[i] = cam.Click(1+c[0]*lampPitch+1, 1+c[1]*lampPitch+1)
	}
	return out
}

func TestTrilightsScripted(t *testing.T) {
	sols := [][][2]int{
		{{1, 1}, {1, 1}},
		{{0, 0}, {0, 0}, {3, 3}},
		{{1, 1}, {2, 1}, {3, 2}, {1, 1}, {2, 1}, {3, 2}},
		{{1, 0}, {1, 0}, {3, 2}, {1, 4}, {1, 4}, {2, 3}, {2, 3}},
		{{0, 1}, {0, 1}, {2, 2}, {4, 1}, {4, 1}, {5, 5}, {5, 5}, {3, 4}, {3, 4}},
	}
	playLevels(t, trilightsID, 0, func(s *engine.Instance, lv int) []arc.Action { return lamps(s, lv, sols[lv]...) })
}

func TestTrilightsProcedural(t *testing.T) {
	for seed := range int64(100) {
		playLevels(t, trilightsID, seed+1, recorded)
	}
}

// swatches returns clicks on the named palette swatches of the level in
// play.
func swatches(s *engine.Instance, lv int, picks string) []arc.Action {
	l := &s.Levels()[lv]
	cam := engine.NewCamera(l.W, l.H, 0)
	out := make([]arc.Action, len(picks))
	for i, c := range picks {
		out[i] = cam.Click(2*int(c-'0'), l.Rows+1)
	}
	return out
}

func TestSpillScripted(t *testing.T) {
	sols := []string{"12102", "12301230123012", "1320301", "01210342013", "12340125401324501324"}
	playLevels(t, spillID, 0, func(s *engine.Instance, lv int) []arc.Action { return swatches(s, lv, sols[lv]) })
}

func TestSpillProcedural(t *testing.T) {
	for seed := range int64(100) {
		playLevels(t, spillID, seed+1, recorded)
	}
}

// walks parses a script of "x,y" clicks on play-area cells and "E" lever
// pulls for the level in play; anything else is read by keys.
func walks(s *engine.Instance, lv int, script string) []arc.Action {
	l := &s.Levels()[lv]
	cam := engine.NewCamera(l.W, l.H, 0)
	var out []arc.Action
	for _, f := range strings.Fields(script) {
		var x, y int
		if _, err := fmt.Sscanf(f, "%d,%d", &x, &y); err == nil {
			out = append(out, cam.Click(x, y))
			continue
		}
		out = append(out, keys(f)...)
	}
	return out
}

func TestLeverScripted(t *testing.T) {
	sols := []string{
		"DDDDRRDDRRUUEDDLLUUUURRRRRDDDDDDRDR",
		"4,9 E 1,11 E 13,13",
		"9,9 E 8,19 E 19,9 E 5,3",
		"5,1 E 16,7 E 11,11 E 5,21 E 3,17",
		"1,7 E 1,26 E 25,24 E 26,7 E 15,11",
	}
	playLevels(t, leverID, 0, func(s *engine.Instance, lv int) []arc.Action { return walks(s, lv, sols[lv]) })
}

func TestLeverProcedural(t *testing.T) {
	for seed := range int64(100) {
		playLevels(t, leverID, seed+1, recorded)
	}
}

// TestLeverKeyboardSolutions checks that every hand-made and generated level
// can also be solved with the keyboard alone within its budget.
func TestLeverKeyboardSolutions(t *testing.T) {
	g := newLever()
	for seed := range int64(10) {
		for i, lv := range g.Levels(seed) {
			k := leverSolveKeys(&lv)
			require.NotNil(t, k, "seed %d level %d", seed, i)
			assert.Less(t, len(k), lv.Budget, "seed %d level %d", seed, i)
		}
	}
}

// TestLeverGeneratedSolutionsAreShortest checks the generator's claim that
// its levels are solved by construction: the recorded click solution is as
// short as the click search finds, and the budget leaves ten actions over
// the shortest keyboard solution.
func TestLeverGeneratedSolutionsAreShortest(t *testing.T) {
	g := newLever()
	for seed := range int64(200) {
		for i, lv := range g.Levels(seed + 1) {
			assert.Len(t, lv.Solution, len(leverSolveClicks(&lv)), "seed %d level %d", seed+1, i)
			assert.Equal(t, len(leverSolveKeys(&lv))+10, lv.Budget, "seed %d level %d", seed+1, i)
		}
	}
}

// TestGlacierGeneratedLevelsAreNotTrivial checks that no shortcut makes a
// generated level shorter than its place in the set asks for.
func TestGlacierGeneratedLevelsAreNotTrivial(t *testing.T) {
	g := newGlacier()
	for seed := range int64(200) {
		for i, lv := range g.Levels(seed + 1) {
			require.Equal(t, "generated", lv.Name, "seed %d level %d fell back to the hand-made level", seed+1, i)
			best := glacierSolve(&lv, 1<<20)
			require.NotNil(t, best, "seed %d level %d", seed+1, i)
			assert.GreaterOrEqual(t, len(best), 3+i, "seed %d level %d", seed+1, i)
			assert.LessOrEqual(t, len(best), len(lv.Solution), "seed %d level %d", seed+1, i)
		}
	}
}
