package engine_test

import (
	"bytes"
	"context"
	"math/rand/v2"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/engine"
)

// walker is a small test game: walk the player (ACTION1..4) around walls to
// the goal, or dash right three cells with an animation (ACTION5).
// ACTION7 is undo; ACTION6 is not offered.
type walker struct {
	walls, player, goal *engine.Sprite
	// depth is Spec.UndoDepth; generated counts the calls of Levels;
	// oversave makes Save write more than Spec.StateSize.
	depth     int
	generated int
	oversave  bool
}

func newWalker() *walker {
	w := &walker{
		walls:  engine.NewSprite(64, 64, engine.Transparent),
		player: engine.NewSprite(1, 1, int8(engine.Red)),
		goal:   engine.NewSprite(1, 1, int8(engine.Green)),
	}
	w.walls.Block = engine.BlockPixel
	w.player.Block = engine.BlockBox
	return w
}

var walkerActions = arc.ActionSetOf(arc.Action1, arc.Action2, arc.Action3, arc.Action4, arc.Action5, arc.Action7)

func (g *walker) Spec() engine.Spec {
	return engine.Spec{
		Info:       arc.GameInfo{ID: "wk00-00000001", Title: "Walker", Available: walkerActions},
		Background: engine.White,
		Letterbox:  engine.Black,
		Transition: engine.Yellow,
		StateSize:  2,
		UndoDepth:  g.depth,
		HUD: []engine.Overlay{
			engine.BudgetBar{Row: 63, Full: engine.Blue, Empty: engine.Red},
			engine.LevelPips{Row: 0, Done: engine.Green, Current: engine.Yellow, Todo: engine.Grey},
		},
	}
}

func walkerLevel(budget int, rows ...string) engine.Level {
	lv := engine.Level{Budget: budget, Baseline: 3}
	lv.SetMap(rows...)
	lv.W, lv.H = lv.Cols, lv.Rows
	return lv
}

func (g *walker) Levels(seed int64) []engine.Level {
	g.generated++
	levels := []engine.Level{
		walkerLevel(0,
			"P...G",
		),
		walkerLevel(6,
			"P.#.....",
			"..#.....",
			"....G...",
		),
		walkerLevel(0,
			"P#G",
			".#.",
			"...",
		),
	}
	if seed != 0 {
		// Move the first level's goal to a seed-chosen cell.
		r := rand.New(rand.NewPCG(uint64(seed), 0))
		m := []byte("P...." + ".....")
		m[1+r.IntN(9)] = 'G'
		levels[0] = walkerLevel(0, string(m[:5]), string(m[5:]))
	}
	return levels
}

func (g *walker) Load(w *engine.World) {
	lv := w.Level
	g.walls.MoveTo(0, 0)
	g.walls.Resize(lv.W, lv.H, engine.Transparent)
	for i, c := range lv.Map {
		x, y := i%lv.Cols, i/lv.Cols
		switch c {
		case '#':
			g.walls.Set(x, y, int8(engine.Grey))
		case 'P':
			g.player.MoveTo(x, y)
		case 'G':
			g.goal.MoveTo(x, y)
		}
	}
	w.Scene.Add(g.walls, 0)
	w.Scene.Add(g.goal, 1)
	w.Scene.Add(g.player, 2)
}

func (g *walker) Step(w *engine.World, a arc.Action) engine.Result {
	moved := false
	switch a.ID {
	case arc.Action1:
		moved = w.Scene.TryMove(g.player, 0, -1)
	case arc.Action2:
		moved = w.Scene.TryMove(g.player, 0, 1)
	case arc.Action3:
		moved = w.Scene.TryMove(g.player, -1, 0)
	case arc.Action4:
		moved = w.Scene.TryMove(g.player, 1, 0)
	case arc.Action5:
		for i := range 3 {
			if i > 0 {
				w.Emit()
			}
			if !w.Scene.TryMove(g.player, 1, 0) {
				break
			}
			moved = true
			if engine.Overlaps(g.player, g.goal) {
				break
			}
		}
	}
	switch {
	case engine.Overlaps(g.player, g.goal):
		return engine.Solved
	case moved:
		return engine.Changed
	}
	return engine.Idle
}

func (g *walker) Save(dst []byte) []byte {
	if g.oversave {
		dst = append(dst, 0, 0, 0)
	}
	return append(dst, byte(g.player.X()), byte(g.player.Y()))
}

func (g *walker) Restore(w *engine.World, st []byte) { g.player.MoveTo(int(st[0]), int(st[1])) }

var (
	reset = arc.Simple(arc.Reset)
	up    = arc.Simple(arc.Action1)
	down  = arc.Simple(arc.Action2)
	left  = arc.Simple(arc.Action3)
	right = arc.Simple(arc.Action4)
	dash  = arc.Simple(arc.Action5)
	undo  = arc.Simple(arc.Action7)
)

// run sends acts in order, requiring each to succeed, and returns the
// result of the last one.
func run(t *testing.T, s *engine.Instance, acts ...arc.Action) *arc.FrameData {
	t.Helper()
	out := new(arc.FrameData)
	for _, a := range acts {
		require.NoError(t, s.Do(t.Context(), a, out), "%s", a)
		require.NoError(t, out.Validate())
		var ref arc.Frame
		s.Redraw(ref[:])
		require.True(t, bytes.Equal(ref[:], out.Last()), "incremental frame after %s differs from a full redraw", a)
	}
	return out
}

func TestFirstResetStartsTheGame(t *testing.T) {
	s := engine.NewInstance(newWalker())
	var out arc.FrameData
	err := s.Do(t.Context(), right, &out)
	require.ErrorIs(t, err, arc.ErrNotStarted)
	assert.Zero(t, out.NumFrames())

	fd := run(t, s, reset)
	assert.True(t, fd.FullReset)
	assert.Equal(t, arc.NotFinished, fd.State)
	assert.Equal(t, 0, fd.LevelsCompleted)
	assert.Equal(t, 3, fd.WinLevels)
	assert.Equal(t, "wk00-00000001", fd.GameID)
	assert.Regexp(t, regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`), fd.GUID)
	assert.Equal(t, walkerActions, fd.Available)
	assert.Equal(t, reset, fd.Action)
	assert.Equal(t, 1, fd.NumFrames())
	assert.Equal(t, s.GUID(), fd.GUID)
	assert.Equal(t, []int{3, 3, 3}, s.Info().BaselineActions)
	assert.Equal(t, 3, s.Info().Levels)
}

func TestResetSemantics(t *testing.T) {
	start := run(t, engine.NewInstance(newWalker()), reset).Clone()
	level2 := run(t, engine.NewInstance(newWalker()), reset, dash, right).Clone()
	require.Equal(t, 1, level2.LevelsCompleted)

	tests := []struct {
		name      string
		acts      []arc.Action
		full      bool
		completed int
		want      *arc.FrameData // settled frame expected, when set
	}{
		{"reset twice in a row", []arc.Action{reset, reset}, true, 0, start},
		{"reset after an action", []arc.Action{reset, right, reset}, false, 0, start},
		{"reset after a wall bump", []arc.Action{reset, up, reset}, false, 0, start},
		{"reset after a level reset", []arc.Action{reset, right, reset, reset}, true, 0, start},
		{"reset at a fresh level", []arc.Action{reset, dash, right, reset}, true, 0, start},
		{"reset in level two", []arc.Action{reset, dash, right, down, reset}, false, 1, level2},
		{"reset twice in level two", []arc.Action{reset, dash, right, down, reset, reset}, true, 0, start},
		{"reset after an unavailable action", []arc.Action{reset, arc.Click(1, 1), reset}, false, 0, start},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fd := run(t, engine.NewInstance(newWalker()), tt.acts...)
			assert.Equal(t, tt.full, fd.FullReset)
			assert.Equal(t, tt.completed, fd.LevelsCompleted)
			assert.Equal(t, arc.NotFinished, fd.State)
			assert.True(t, bytes.Equal(tt.want.Last(), fd.Last()), "settled frame")
		})
	}
}

func TestWinAndGameOver(t *testing.T) {
	s := engine.NewInstance(newWalker())
	var out arc.FrameData
	fd := run(t, s, reset, dash, right)
	assert.Equal(t, 1, fd.LevelsCompleted)
	assert.Equal(t, arc.NotFinished, fd.State)
	assert.Equal(t, 3, fd.NumFrames(), "settled level, transition, next level")

	// Level two has a budget of 6; bumping into walls spends it too.
	fd = run(t, s, right, up, left, up, up)
	assert.Equal(t, arc.NotFinished, fd.State)
	fd = run(t, s, up)
	assert.Equal(t, arc.GameOver, fd.State)
	assert.Equal(t, 1, fd.LevelsCompleted)
	assert.Equal(t, 1, fd.NumFrames())
	require.ErrorIs(t, s.Do(t.Context(), right, &out), arc.ErrNotStarted)
	assert.Zero(t, out.NumFrames())

	fd = run(t, s, reset)
	assert.False(t, fd.FullReset, "GAME_OVER followed by RESET restarts the level")
	assert.Equal(t, 1, fd.LevelsCompleted)

	fd = run(t, s, down, down, right, right, right, right)
	require.Equal(t, 2, fd.LevelsCompleted, "the last step of the budget may still solve the level")
	fd = run(t, s, down, down, right, right, up, up)
	assert.Equal(t, arc.Win, fd.State)
	assert.Equal(t, 3, fd.LevelsCompleted)
	assert.Equal(t, 3, fd.WinLevels)
	assert.Equal(t, 1, fd.NumFrames())
	require.ErrorIs(t, s.Do(t.Context(), undo, &out), arc.ErrNotStarted)

	fd = run(t, s, reset)
	assert.True(t, fd.FullReset, "RESET after WIN is a full reset")
	assert.Equal(t, 0, fd.LevelsCompleted)
}

func TestUnavailableActionIsCountedButChangesNothing(t *testing.T) {
	s := engine.NewInstance(newWalker())
	before := run(t, s, reset, dash, right, right).Clone()
	fd := run(t, s, arc.Click(30, 30))
	assert.True(t, bytes.Equal(before.Last(), fd.Last()), "no visible change, budget bar included")
	assert.Equal(t, arc.Click(30, 30), fd.Action)
	assert.Equal(t, 1, s.World().Steps, "not charged to the game's budget")
}

func TestAnimationFrames(t *testing.T) {
	s := engine.NewInstance(newWalker())
	fd := run(t, s, reset, dash)
	assert.Equal(t, 3, fd.NumFrames())
	for i := 1; i < fd.NumFrames(); i++ {
		assert.False(t, bytes.Equal(fd.Frame(i-1), fd.Frame(i)), "frame %d moves on", i)
	}
}

func TestUndo(t *testing.T) {
	s := engine.NewInstance(newWalker())
	one := run(t, s, reset, right).Clone()
	fd := run(t, s, right, right, undo, undo)
	assert.True(t, bytes.Equal(one.Last(), fd.Last()), "two undos go back two moves")
	assert.Equal(t, 1, s.World().Scene.Sprites()[2].X())

	// A bump into the edge changes nothing, so there is nothing to undo.
	s = engine.NewInstance(newWalker())
	run(t, s, reset, up, undo, undo)
	assert.Equal(t, 0, s.World().Scene.Sprites()[2].X())
	assert.Equal(t, 3, s.World().Steps)
}

func TestSeedSelectsLevelsFromNextFullReset(t *testing.T) {
	frames := func(seed int64) []uint8 {
		s := engine.NewInstance(newWalker())
		s.Seed(seed)
		return run(t, s, reset, right, down, dash).Clone().Frames
	}
	assert.True(t, bytes.Equal(frames(7), frames(7)), "same seed and actions, same frames")
	differ := false
	for seed := range int64(8) {
		if string(frames(seed+1)) != string(frames(0)) {
			differ = true
		}
	}
	assert.True(t, differ, "seeds change the levels")

	s := engine.NewInstance(newWalker())
	plain := run(t, s, reset).Clone()
	s.Seed(3)
	assert.True(t, bytes.Equal(plain.Last(), run(t, s, right, reset).Last()), "a level reset keeps the level set")
	s.Seed(0)
	assert.True(t, bytes.Equal(plain.Last(), run(t, s, reset).Last()))
}

func TestCommandErrors(t *testing.T) {
	s := engine.NewInstance(newWalker())
	var out arc.FrameData
	err := s.Do(t.Context(), arc.Action{ID: arc.Action6, X: 64}, &out)
	assert.ErrorIs(t, err, arc.ErrInvalidAction)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	assert.ErrorIs(t, s.Do(ctx, reset, &out), context.Canceled)
	require.NoError(t, s.Close())
	assert.ErrorIs(t, s.Do(t.Context(), reset, &out), engine.ErrClosed)
}

func TestDoAllocatesNothing(t *testing.T) {
	s := engine.NewInstance(newWalker())
	var out arc.FrameData
	ctx := context.Background()
	acts := []arc.Action{reset, dash, right, right, undo, down, arc.Click(3, 3), left, reset, reset}
	for _, a := range acts {
		require.NoError(t, s.Do(ctx, a, &out))
	}
	i := 0
	allocs := testing.AllocsPerRun(200, func() {
		_ = s.Do(ctx, acts[i%len(acts)], &out)
		i++
	})
	assert.Zero(t, allocs)
}

func TestUndoHistoryKeptOnIdleAction(t *testing.T) {
	g := newWalker()
	g.depth = 2
	s := engine.NewInstance(g)
	start := run(t, s, reset).Clone()
	// Two moves fill the two-deep history; a bump into the top edge changes
	// nothing and must not push the first state out.
	run(t, s, right, right, up)
	fd := run(t, s, undo, undo)
	assert.Equal(t, 0, s.World().Scene.Sprites()[2].X(), "back at the start")
	play := 63 * arc.GridSize
	assert.True(t, bytes.Equal(start.Last()[:play], fd.Last()[:play]))

	// A full history drops its oldest state to make room.
	run(t, s, right, right, right, undo, undo, undo)
	assert.Equal(t, 1, s.World().Scene.Sprites()[2].X(), "two undos kept of three moves")
}

func TestSaveBeyondStateSizePanics(t *testing.T) {
	g := newWalker()
	g.oversave = true
	s := engine.NewInstance(g)
	var out arc.FrameData
	require.NoError(t, s.Do(t.Context(), reset, &out))
	assert.PanicsWithValue(t, "engine: game wk00-00000001 saved 5 bytes of state, Spec.StateSize is 2", func() {
		_ = s.Do(t.Context(), right, &out)
	})
}

func TestRedrawKeepsPendingChanges(t *testing.T) {
	s := engine.NewInstance(newWalker())
	run(t, s, reset)
	// A change made between commands (here through the inspection view) is
	// drawn by the next command even when Redraw ran in between.
	s.World().Scene.Sprites()[1].SetHidden(true)
	var ref arc.Frame
	s.Redraw(ref[:])
	fd := run(t, s, up)
	assert.True(t, bytes.Equal(ref[:63*arc.GridSize], fd.Last()[:63*arc.GridSize]))
}

func TestSeedBuildsLevelsOnceAtFullReset(t *testing.T) {
	g := newWalker()
	s := engine.NewInstance(g)
	require.Equal(t, 1, g.generated, "the hand-made set")
	run(t, s, reset)
	s.Seed(0)
	run(t, s, reset)
	assert.Equal(t, 1, g.generated, "seed 0 is the set in play")

	s.Seed(4)
	s.Seed(5)
	assert.Equal(t, 1, g.generated, "nothing is built before the reset")
	run(t, s, right, reset)
	assert.Equal(t, 1, g.generated, "a level reset keeps the set")
	run(t, s, reset)
	assert.Equal(t, 2, g.generated, "only the last seed is built")
	for range 3 {
		s.Seed(5)
		run(t, s, right, reset, reset)
	}
	assert.Equal(t, 2, g.generated, "reseeding with the seed in play reuses its levels")
	want := run(t, engine.NewInstance(newWalker()), reset).Clone()
	s.Seed(0)
	fd := run(t, s, reset)
	assert.Equal(t, 3, g.generated)
	assert.True(t, bytes.Equal(want.Last(), fd.Last()), "back to the hand-made levels")
}

// Do checks everything before it writes: a failing command leaves out as it
// was, which lets env.Game receive responses in place (FailsClean).
func TestDoFailsClean(t *testing.T) {
	s := engine.NewInstance(newWalker())
	require.True(t, s.FailsClean())
	var out arc.FrameData
	ctx := context.Background()
	require.NoError(t, s.Do(ctx, arc.Simple(arc.Reset), &out))
	want := out
	want.Frames = bytes.Clone(out.Frames)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	for name, do := range map[string]func() error{
		"cancelled":      func() error { return s.Do(cancelled, arc.Simple(arc.Action1), &out) },
		"invalid action": func() error { return s.Do(ctx, arc.Action{ID: arc.Action6, X: 64}, &out) },
	} {
		require.Error(t, do(), name)
		assert.Equal(t, want, out, name)
	}
	fresh := engine.NewInstance(newWalker())
	require.ErrorIs(t, fresh.Do(ctx, arc.Simple(arc.Action1), &out), arc.ErrNotStarted)
	assert.Equal(t, want, out, "an action before the first RESET")
	require.NoError(t, s.Close())
	require.Error(t, s.Do(ctx, arc.Simple(arc.Action1), &out))
	assert.Equal(t, want, out, "closed")
}
