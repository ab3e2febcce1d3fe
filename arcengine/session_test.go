package arcengine

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
)

// scripts are the test games' command scripts (testdata/scripts.json):
// game id -> script name -> commands.
func scripts(t testing.TB) map[string]map[string][]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "scripts.json"))
	require.NoError(t, err)
	var out map[string]map[string][]string
	require.NoError(t, json.Unmarshal(b, &out))
	require.NotEmpty(t, out)
	return out
}

func TestSessionPlaysEveryScript(t *testing.T) {
	p := openPool(t, gamesDir(t))
	ctx := ctxT(t)
	seen := map[arc.GameState]bool{}
	multi, levelUp := false, false
	for id, byName := range scripts(t) {
		for name, cmds := range byName {
			t.Run(id+"/"+name, func(t *testing.T) {
				s, err := p.New(ctx, id)
				require.NoError(t, err)
				defer s.Close()
				info := s.Info()
				assert.Equal(t, id, info.ID)
				assert.NotZero(t, info.Available, "available actions come from the game")
				assert.Positive(t, info.Levels)
				var fd arc.FrameData
				prevLevels := 0
				for i, c := range cmds {
					a := parseCommand(t, c)
					err := s.Do(ctx, a, &fd)
					if err != nil {
						// The only failures a script meets: commands after
						// the end, and the game that raises on purpose.
						if errors.Is(err, arc.ErrNotStarted) {
							continue
						}
						require.ErrorIs(t, err, ErrGameRaised, "command %d %s", i, c)
						return
					}
					require.NoError(t, fd.Validate(), "command %d %s", i, c)
					assert.Equal(t, id, fd.GameID)
					assert.Equal(t, s.GUID(), fd.GUID)
					assert.Equal(t, a.ID, fd.Action.ID)
					seen[fd.State] = true
					multi = multi || fd.NumFrames() > 1
					levelUp = levelUp || fd.LevelsCompleted > prevLevels
					prevLevels = fd.LevelsCompleted
				}
			})
		}
	}
	assert.True(t, seen[arc.Win], "some script wins")
	assert.True(t, seen[arc.GameOver], "some script loses")
	assert.True(t, multi, "some command animates over several frames")
	assert.True(t, levelUp, "some script completes a level")
}

func TestSessionAfterEndRefusesAllButReset(t *testing.T) {
	p := openPool(t, gamesDir(t))
	ctx := ctxT(t)
	cmds := scripts(t)["ih01-3f9a2c1e"]["win"]
	s, err := p.New(ctx, "ih01")
	require.NoError(t, err)
	defer s.Close()
	var fd arc.FrameData
	for _, c := range cmds {
		if err := s.Do(ctx, parseCommand(t, c), &fd); err != nil {
			require.ErrorIs(t, err, arc.ErrNotStarted)
		}
		if fd.State == arc.Win {
			break
		}
	}
	require.Equal(t, arc.Win, fd.State)
	won := fd.Clone()
	err = s.Do(ctx, arc.Simple(arc.Action1), &fd)
	require.ErrorIs(t, err, arc.ErrNotStarted)
	require.NoError(t, s.Do(ctx, arc.Simple(arc.Reset), &fd))
	assert.True(t, fd.FullReset, "RESET after WIN is a full reset")
	assert.Zero(t, fd.LevelsCompleted)
	assert.Equal(t, won.WinLevels, fd.WinLevels)
}

func TestSessionSeeds(t *testing.T) {
	p := openPool(t, gamesDir(t))
	ctx := ctxT(t)
	first := func(seed int64, reseed bool) []byte {
		s, err := p.New(ctx, "sd01")
		require.NoError(t, err)
		defer s.Close()
		var fd arc.FrameData
		if reseed {
			// A seed set after a game began applies at the next RESET.
			require.NoError(t, s.Do(ctx, arc.Simple(arc.Reset), &fd))
			s.Seed(seed)
		} else if seed != 0 {
			s.Seed(seed)
		}
		require.NoError(t, s.Do(ctx, arc.Simple(arc.Reset), &fd))
		return append([]byte(nil), fd.Last()...)
	}
	a0, a1, b1 := first(0, false), first(1, false), first(1, true)
	assert.NotEqual(t, a0, a1, "seeds 0 and 1 lay out different levels")
	assert.Equal(t, a1, b1, "the same seed gives the same level")
	assert.Equal(t, a0, first(0, false))
}

func TestSessionRejectsMalformedActions(t *testing.T) {
	p := openPool(t, gamesDir(t))
	ctx := ctxT(t)
	s, err := p.New(ctx, "lg01")
	require.NoError(t, err)
	defer s.Close()
	var fd arc.FrameData
	require.NoError(t, s.Do(ctx, arc.Simple(arc.Reset), &fd))
	before := fd.Clone()
	assert.ErrorIs(t, s.Do(ctx, arc.Action{ID: 9}, &fd), arc.ErrInvalidAction)
	assert.ErrorIs(t, s.Do(ctx, arc.Action{ID: arc.Action6, X: 64}, &fd), arc.ErrInvalidAction)
	// Reasoning that is not JSON is refused by the engine before the game
	// sees the action; the session goes on.
	err = s.Do(ctx, arc.Action{ID: arc.Action6, X: 1, Y: 1, Reasoning: json.RawMessage("{not json")}, &fd)
	assert.ErrorIs(t, err, arc.ErrInvalidAction)
	require.NoError(t, s.Do(ctx, arc.Action{ID: arc.Action6, X: 1, Y: 1, Reasoning: json.RawMessage(`{"why":"probe"}`)}, &fd))
	assert.Equal(t, before.Available, fd.Available)
}

func TestUnknownGame(t *testing.T) {
	p := openPool(t, gamesDir(t))
	_, err := p.New(ctxT(t), "zz99")
	assert.ErrorIs(t, err, arc.ErrUnknownGame)
	_, err = p.New(ctxT(t), "ih01-00000000")
	assert.ErrorIs(t, err, arc.ErrUnknownGame)
}

func TestStepAllocatesNothing(t *testing.T) {
	p := openPool(t, gamesDir(t))
	ctx := ctxT(t)
	s, err := p.New(ctx, "sd01")
	require.NoError(t, err)
	defer s.Close()
	var fd arc.FrameData
	require.NoError(t, s.Do(ctx, arc.Simple(arc.Reset), &fd))
	moves := []arc.Action{arc.Simple(arc.Action1), arc.Simple(arc.Action2), arc.Simple(arc.Action3), arc.Simple(arc.Action4)}
	i := 0
	step := func() {
		a := moves[i%len(moves)]
		i++
		if err := s.Do(ctx, a, &fd); err != nil {
			require.ErrorIs(t, err, arc.ErrNotStarted)
			require.NoError(t, s.Do(ctx, arc.Simple(arc.Reset), &fd))
		}
	}
	for range 20 {
		step() // grow the frame buffer to the largest answer
	}
	assert.Zero(t, testing.AllocsPerRun(200, step))
}
