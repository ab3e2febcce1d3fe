package games

import (
	"bytes"
	"context"
	"hash/fnv"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/engine"
)

func TestRegistry(t *testing.T) {
	list := List()
	require.GreaterOrEqual(t, len(list), 5)
	var all arc.ActionSet
	tags := map[string]bool{}
	for _, info := range list {
		t.Run(info.ID, func(t *testing.T) {
			require.NoError(t, arc.ValidateGameID(info.ID))
			base, version := arc.SplitGameID(info.ID)
			assert.Len(t, base, 4)
			assert.Len(t, version, 8)
			assert.NotEmpty(t, info.Title)
			assert.Positive(t, info.DefaultFPS)
			assert.GreaterOrEqual(t, info.Levels, 5)
			assert.Len(t, info.BaselineActions, info.Levels)
			for _, b := range info.BaselineActions {
				assert.Positive(t, b)
			}
			require.Len(t, info.Tags, 1)
			assert.Contains(t, []string{"keyboard", "click", "keyboard_click"}, info.Tags[0])
			tags[info.Tags[0]] = true
			got, err := Lookup(base)
			require.NoError(t, err)
			assert.Equal(t, info.ID, got.ID)
			s, err := New(base)
			require.NoError(t, err)
			assert.Equal(t, info, s.Info())
			require.NoError(t, s.Close())
		})
		all |= info.Available
	}
	for id := arc.Action1; id <= arc.Action7; id++ {
		assert.True(t, all.Has(id), "%s is used by some game", id)
	}
	assert.Len(t, tags, 3, "every tag is used")
	_, err := New("zz99")
	assert.ErrorIs(t, err, arc.ErrUnknownGame)
}

// TestRandomPlay drives every game with random actions, on the hand-made
// and on generated levels, and checks every result: valid frames, the
// incremental picture equal to a full redraw, counters in range.
func TestRandomPlay(t *testing.T) {
	for _, info := range List() {
		for _, seed := range []int64{0, 3} {
			p := newPlayer(t, info.ID)
			es := p.s.(*engine.Instance)
			es.Seed(seed)
			require.NoError(t, p.s.Do(t.Context(), arc.Simple(arc.Reset), &p.out))
			maxFrames, levels := 0, 0
			var ref arc.Frame
			for range 1500 {
				require.NoError(t, p.step(t.Context()))
				require.NoError(t, p.out.Validate(), "%s", info.ID)
				es.Redraw(ref[:])
				require.True(t, bytes.Equal(ref[:], p.out.Last()), "%s: incremental frame differs from a full redraw", info.ID)
				require.LessOrEqual(t, p.out.LevelsCompleted, info.Levels)
				maxFrames = max(maxFrames, p.out.NumFrames())
				levels = max(levels, p.out.LevelsCompleted)
			}
			t.Logf("%s seed %d: up to %d frames per command, %d levels by chance", info.ID, seed, maxFrames, levels)
		}
	}
}

func frameHash(fd *arc.FrameData) uint64 {
	h := fnv.New64a()
	h.Write(fd.Frames)
	h.Write([]byte{byte(fd.State), byte(fd.LevelsCompleted)})
	return h.Sum64()
}

func TestDeterminism(t *testing.T) {
	trace := func(id string, seed int64) []uint64 {
		p := newPlayer(t, id)
		p.s.Seed(seed)
		require.NoError(t, p.s.Do(t.Context(), arc.Simple(arc.Reset), &p.out))
		var out []uint64
		for range 500 {
			require.NoError(t, p.step(t.Context()))
			out = append(out, frameHash(&p.out))
		}
		return out
	}
	for _, info := range List() {
		a := trace(info.ID, 11)
		assert.Equal(t, a, trace(info.ID, 11), "%s: same seed, same actions, same frames", info.ID)
		assert.NotEqual(t, a[:1], trace(info.ID, 12)[:1], "%s: another seed, another first level", info.ID)
		assert.NotEqual(t, a[:1], trace(info.ID, 0)[:1], "%s: generated levels differ from the hand-made ones", info.ID)
	}
}

func TestProceduralLevelsAreValid(t *testing.T) {
	for _, newGame := range []func() engine.Rules{
		func() engine.Rules { return newKeyway() },
		func() engine.Rules { return newGlacier() },
		func() engine.Rules { return newTrilights() },
		func() engine.Rules { return newSpill() },
		func() engine.Rules { return newLever() },
	} {
		g := newGame()
		id := g.Spec().Info.ID
		sizes := map[[2]int]bool{}
		for seed := range int64(300) {
			levels := g.Levels(seed)
			require.Len(t, levels, 5, "%s seed %d", id, seed)
			for i := range levels {
				lv := &levels[i]
				require.NoError(t, lv.Validate(), "%s seed %d level %d", id, seed, i)
				require.NotEmpty(t, lv.Solution, "%s seed %d level %d", id, seed, i)
				assert.Less(t, len(lv.Solution), lv.Budget, "%s seed %d level %d: the solution fits the budget", id, seed, i)
				// A human baseline cannot beat a shortest solution, and is
				// not many times longer than a good one.
				assert.GreaterOrEqual(t, lv.Baseline, len(lv.Solution), "%s seed %d level %d", id, seed, i)
				assert.LessOrEqual(t, lv.Baseline, 2*len(lv.Solution)+2, "%s seed %d level %d", id, seed, i)
				sizes[[2]int{lv.W, lv.H}] = true
			}
		}
		assert.Greater(t, len(sizes), 3, "%s: play-area sizes vary", id)
	}
}

// idleAction returns an action that changes nothing at the start of the
// first hand-made level of each game.
func idleAction(info arc.GameInfo) arc.Action {
	if info.Available.Has(arc.Action1) {
		return arc.Simple(arc.Action1) // every first level starts under a wall
	}
	return arc.Click(0, 0) // in the letterbox
}

func TestBudgetEndsInGameOver(t *testing.T) {
	for _, info := range List() {
		t.Run(info.ID, func(t *testing.T) {
			s, err := New(info.ID)
			require.NoError(t, err)
			es := s.(*engine.Instance)
			var out arc.FrameData
			ctx := t.Context()
			require.NoError(t, s.Do(ctx, arc.Simple(arc.Reset), &out))
			budget := es.Levels()[0].Budget
			require.Positive(t, budget)
			start := slices.Clone(out.Last())
			a := idleAction(info)
			for i := range budget {
				require.NoError(t, s.Do(ctx, a, &out))
				if i < budget-1 {
					require.Equal(t, arc.NotFinished, out.State, "step %d", i)
					// Only the budget bar on the bottom row changes.
					require.True(t, bytes.Equal(start[:63*64], out.Last()[:63*64]), "step %d", i)
				}
			}
			assert.Equal(t, arc.GameOver, out.State)
			assert.Equal(t, 0, out.LevelsCompleted)
			assert.Equal(t, 1, out.NumFrames())
			err = s.Do(ctx, a, &out)
			assert.ErrorIs(t, err, arc.ErrNotStarted)
			require.NoError(t, s.Do(ctx, arc.Simple(arc.Reset), &out))
			assert.False(t, out.FullReset, "the fatal action was taken in the level")
			assert.Equal(t, arc.NotFinished, out.State)
			assert.True(t, bytes.Equal(start, out.Last()), "the level starts over")
		})
	}
}

func TestResetKinds(t *testing.T) {
	for _, info := range List() {
		t.Run(info.ID, func(t *testing.T) {
			s, err := New(info.ID)
			require.NoError(t, err)
			var out arc.FrameData
			ctx := t.Context()
			for i, want := range []bool{true, true} {
				require.NoError(t, s.Do(ctx, arc.Simple(arc.Reset), &out), "reset %d", i)
				assert.Equal(t, want, out.FullReset, "reset %d", i)
			}
			require.NoError(t, s.Do(ctx, idleAction(info), &out))
			require.NoError(t, s.Do(ctx, arc.Simple(arc.Reset), &out))
			assert.False(t, out.FullReset, "an action, even one that changes nothing, makes RESET a level reset")
			require.NoError(t, s.Do(ctx, arc.Simple(arc.Reset), &out))
			assert.True(t, out.FullReset)
		})
	}
}

func TestUnavailableActionChangesNothing(t *testing.T) {
	for _, info := range List() {
		for id := arc.Action1; id <= arc.Action7; id++ {
			if info.Available.Has(id) {
				continue
			}
			s, err := New(info.ID)
			require.NoError(t, err)
			var out arc.FrameData
			require.NoError(t, s.Do(t.Context(), arc.Simple(arc.Reset), &out))
			before := slices.Clone(out.Last())
			a := arc.Simple(id)
			if id == arc.Action6 {
				a = arc.Click(32, 32)
			}
			require.NoError(t, s.Do(t.Context(), a, &out), "%s %s", info.ID, a)
			assert.True(t, bytes.Equal(before, out.Last()), "%s %s", info.ID, a)
			assert.Equal(t, a, out.Action)
			require.NoError(t, s.Do(t.Context(), arc.Simple(arc.Reset), &out))
			assert.False(t, out.FullReset, "%s %s is counted as an action", info.ID, a)
		}
	}
}

func TestAnimations(t *testing.T) {
	tests := []struct {
		id   string
		acts []arc.Action
		min  int
	}{
		{glacierID, keys("D"), 3},                         // slides four cells
		{trilightsID, []arc.Action{arc.Click(26, 26)}, 2}, // flash, then settle
		{leverID, []arc.Action{arc.Click(29, 29), arc.Simple(arc.Action5)}, 2},
		{leverID, []arc.Action{arc.Click(29, 29)}, 3}, // a walk shows its steps
		{keywayID, keys("DDDDDRRRUUL"), 3},            // settled, transition, next level
	}
	for _, tt := range tests {
		s, err := New(tt.id)
		require.NoError(t, err)
		var out arc.FrameData
		require.NoError(t, s.Do(t.Context(), arc.Simple(arc.Reset), &out))
		for _, a := range tt.acts {
			require.NoError(t, s.Do(t.Context(), a, &out))
		}
		assert.GreaterOrEqual(t, out.NumFrames(), tt.min, "%s after %v", tt.id, tt.acts)
		for i := range out.NumFrames() {
			require.NoError(t, arc.ValidateFrame(out.Frame(i)))
		}
	}
}

func TestGlacierUndo(t *testing.T) {
	s, err := New(glacierID)
	require.NoError(t, err)
	var out arc.FrameData
	ctx := t.Context()
	require.NoError(t, s.Do(ctx, arc.Simple(arc.Reset), &out))
	start := slices.Clone(out.Last())
	require.NoError(t, s.Do(ctx, arc.Simple(arc.Action2), &out))
	moved := slices.Clone(out.Last())
	require.NoError(t, s.Do(ctx, arc.Simple(arc.Action4), &out))
	require.NoError(t, s.Do(ctx, arc.Simple(arc.Action7), &out))
	play := 63 * arc.GridSize // the budget bar on the last row keeps counting
	assert.True(t, bytes.Equal(moved[:play], out.Last()[:play]), "one undo")
	require.NoError(t, s.Do(ctx, arc.Simple(arc.Action7), &out))
	assert.True(t, bytes.Equal(start[:play], out.Last()[:play]), "two undos")
	require.NoError(t, s.Do(ctx, arc.Simple(arc.Action7), &out))
	assert.True(t, bytes.Equal(start[:play], out.Last()[:play]), "nothing left to undo")
}

func TestClickOnBoardCellPicksItsColour(t *testing.T) {
	s, err := New(spillID)
	require.NoError(t, err)
	es := s.(*engine.Instance)
	var out arc.FrameData
	require.NoError(t, s.Do(t.Context(), arc.Simple(arc.Reset), &out))
	lv := &es.Levels()[0]
	cam := engine.NewCamera(lv.W, lv.H, 0)
	// Clicking a cell of the board is the same as clicking its swatch.
	require.NoError(t, s.Do(t.Context(), cam.Click(2, 0), &out))
	viaCell := slices.Clone(out.Last())
	require.NoError(t, s.Do(t.Context(), arc.Simple(arc.Reset), &out))
	require.NoError(t, s.Do(t.Context(), arc.Simple(arc.Reset), &out))
	require.NoError(t, s.Do(t.Context(), cam.Click(2, lv.Rows+1), &out))
	assert.True(t, bytes.Equal(viaCell, out.Last()))
}

func TestDoAllocatesNothing(t *testing.T) {
	for _, info := range List() {
		p := newPlayer(t, info.ID)
		ctx := context.Background()
		for range 5000 {
			require.NoError(t, p.step(ctx))
		}
		allocs := testing.AllocsPerRun(2000, func() { _ = p.step(ctx) })
		assert.Zero(t, allocs, info.ID)
		// Level transitions, WIN, undo and resets allocate nothing either, on
		// hand-made and on generated levels.
		for _, seed := range []int64{0, 5} {
			p.s.Seed(seed)
			require.NoError(t, p.s.Do(ctx, arc.Simple(arc.Reset), &p.out))
			require.NoError(t, p.s.Do(ctx, arc.Simple(arc.Reset), &p.out))
			levels := p.s.(*engine.Instance).Levels()
			var sols [][]arc.Action
			for _, lv := range levels {
				sols = append(sols, lv.Solution)
			}
			allocs = testing.AllocsPerRun(1, func() {
				_ = p.s.Do(ctx, arc.Simple(arc.Reset), &p.out)
				_ = p.s.Do(ctx, arc.Simple(arc.Reset), &p.out)
				for _, sol := range sols {
					for _, a := range sol {
						_ = p.s.Do(ctx, a, &p.out)
					}
				}
			})
			assert.Equal(t, arc.Win, p.out.State, "%s seed %d", info.ID, seed)
			assert.Zero(t, allocs, "%s seed %d: solving every level", info.ID, seed)
			allocs = testing.AllocsPerRun(1, func() {
				_ = p.s.Do(ctx, arc.Simple(arc.Reset), &p.out)
				_ = p.s.Do(ctx, arc.Simple(arc.Action7), &p.out)
				_ = p.s.Do(ctx, arc.Simple(arc.Reset), &p.out)
			})
			assert.Zero(t, allocs, "%s seed %d: reset after WIN, undo or an unavailable action, level reset", info.ID, seed)
		}
	}
}
