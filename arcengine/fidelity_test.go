package arcengine

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/internal/cells"
)

// The fidelity tests play the same commands through an Instance and through
// the official toolkit's own in-process local mode (python/arcgym_oracle.py)
// and compare every result: every frame cell, state, levels completed, win
// levels, available actions and the full-reset flag.
//
// EnvFidelityGamesDir points the same tests at any games folder, such as
// the public games downloaded with the toolkit; EnvFidelitySteps sets the
// length of their random scripts.
const (
	EnvFidelityGamesDir = "ARCGYM_FIDELITY_GAMES_DIR"
	EnvFidelitySteps    = "ARCGYM_FIDELITY_STEPS"
)

// oracleRecord is one toolkit result.
type oracleRecord struct {
	Kind            string `json:"kind"`
	State           string `json:"state"`
	LevelsCompleted int    `json:"levels_completed"`
	WinLevels       int    `json:"win_levels"`
	FullReset       bool   `json:"full_reset"`
	Available       []int  `json:"available_actions"`
	N               int    `json:"n"`
	Frames          string `json:"frames"`
}

// runOracle plays commands on the toolkit.
func runOracle(t *testing.T, dir, gameID string, seed int64, commands []string) []oracleRecord {
	t.Helper()
	py := testPython(t, true)
	req, err := json.Marshal(map[string]any{"games_dir": dir, "game_id": gameID, "seed": seed, "commands": commands})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), timeoutFor(len(commands)))
	defer cancel()
	cmd := exec.CommandContext(ctx, py, filepath.Join("python", "arcgym_oracle.py"))
	cmd.Stdin = bytes.NewReader(req)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "oracle: %s", stderr.String())
	var recs []oracleRecord
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		var r oracleRecord
		require.NoError(t, json.Unmarshal(sc.Bytes(), &r))
		recs = append(recs, r)
	}
	require.NoError(t, sc.Err())
	require.Len(t, recs, len(commands), "one toolkit result per command")
	return recs
}

// timeoutFor bounds an oracle run of n commands, only against hangs.
func timeoutFor(n int) time.Duration { return time.Duration(60+n/10) * time.Second }

// compareStep checks one Instance result (fd, err) against the toolkit's.
// It returns false when the script cannot be compared further: after game
// code raised, the toolkit keeps the half-stepped game while an Instance
// starts a new one.
func compareStep(t *testing.T, i int, cmd string, rec oracleRecord, fd *arc.FrameData, err error) bool {
	t.Helper()
	where := fmt.Sprintf("command %d (%s)", i, cmd)
	switch {
	case rec.Kind == "none":
		require.ErrorIs(t, err, ErrGameRaised, "%s: the toolkit got no result (game code raised)", where)
		return false
	case rec.N == 0:
		// After WIN or GAME_OVER the engine answers with no frames.
		require.ErrorIs(t, err, arc.ErrNotStarted, "%s: the toolkit answered with no frames in %s", where, rec.State)
		assert.Contains(t, []string{"WIN", "GAME_OVER"}, rec.State, where)
		return true
	}
	require.NoError(t, err, where)
	assert.Equal(t, rec.State, fd.State.String(), "%s: state", where)
	assert.Equal(t, rec.LevelsCompleted, fd.LevelsCompleted, "%s: levels_completed", where)
	assert.Equal(t, rec.WinLevels, fd.WinLevels, "%s: win_levels", where)
	assert.Equal(t, rec.FullReset, fd.FullReset, "%s: full_reset", where)
	want := slices.Clone(rec.Available)
	sort.Ints(want)
	want = slices.Compact(want)
	assert.Equal(t, want, fd.Available.Ints(), "%s: available_actions", where)
	frames, derr := base64.StdEncoding.DecodeString(rec.Frames)
	require.NoError(t, derr)
	require.Equal(t, rec.N, fd.NumFrames(), "%s: number of frames", where)
	if !bytes.Equal(frames, fd.Frames) {
		for k := range frames {
			if frames[k] != fd.Frames[k] {
				cell := k % arc.FrameCells
				t.Fatalf("%s: frame %d differs first at x=%d y=%d: toolkit %d, arcgym %d", where,
					k/arc.FrameCells, cell%arc.GridSize, cell/arc.GridSize, frames[k], fd.Frames[k])
			}
		}
	}
	return true
}

// playAndCompare plays commands on a new Instance and on the toolkit.
func playAndCompare(t *testing.T, p *Pool, gameID string, seed int64, commands []string) {
	t.Helper()
	recs := runOracle(t, p.GamesDir(), gameID, seed, commands)
	ctx := ctxT(t)
	s, err := p.New(ctx, gameID)
	require.NoError(t, err)
	defer s.Close()
	s.Seed(seed)
	var fd arc.FrameData
	for i, c := range commands {
		err := s.Do(ctx, parseCommand(t, c), &fd)
		if !compareStep(t, i, c, recs[i], &fd, err) {
			return
		}
	}
}

func TestFidelityScripts(t *testing.T) {
	testPython(t, true)
	p := openPool(t, gamesDir(t))
	all := scripts(t)
	ids := slices.Sorted(maps.Keys(all))
	for _, id := range ids {
		for _, name := range slices.Sorted(maps.Keys(all[id])) {
			t.Run(id+"/"+name, func(t *testing.T) {
				playAndCompare(t, p, id, 0, all[id][name])
			})
		}
	}
}

func TestFidelitySeeded(t *testing.T) {
	testPython(t, true)
	p := openPool(t, gamesDir(t))
	for _, seed := range []int64{1, 7} {
		cmds := randomScript(t, p, "sd01", seed, 150, uint64(seed))
		t.Run(strconv.FormatInt(seed, 10), func(t *testing.T) { playAndCompare(t, p, "sd01", seed, cmds) })
	}
}

func TestFidelityRandom(t *testing.T) {
	testPython(t, true)
	p := openPool(t, gamesDir(t))
	for _, g := range p.Games() {
		id := g.Info.ID
		t.Run(id, func(t *testing.T) {
			cmds := randomScript(t, p, id, 0, 300, 42)
			playAndCompare(t, p, id, 0, cmds)
		})
	}
}

// TestFidelityUserGames checks the games of any folder (such as the public
// games downloaded with the toolkit) against the toolkit. It runs only
// when ARCGYM_FIDELITY_GAMES_DIR names the folder.
func TestFidelityUserGames(t *testing.T) {
	dir := os.Getenv(EnvFidelityGamesDir)
	if dir == "" {
		t.Skipf("set %s to a games folder (such as the toolkit's environment_files) to check its games against the toolkit", EnvFidelityGamesDir)
	}
	testPython(t, true)
	steps := 300
	if s := os.Getenv(EnvFidelitySteps); s != "" {
		n, err := strconv.Atoi(s)
		require.NoError(t, err, EnvFidelitySteps)
		steps = n
	}
	p := openPool(t, dir)
	for _, g := range p.Games() {
		id := g.Info.ID
		t.Run(id, func(t *testing.T) {
			cmds := randomScript(t, p, id, 0, steps, 42)
			playAndCompare(t, p, id, 0, cmds)
		})
	}
}

// randomScript plays a random agent on an Instance and returns its commands:
// mostly available actions, with clicks on the cells that stand out, a few
// unavailable actions, RESETs at random (level resets and, in pairs, full
// resets), and commands sent after WIN or GAME_OVER before the RESET.
func randomScript(t *testing.T, p *Pool, id string, seed int64, n int, rngSeed uint64) []string {
	t.Helper()
	ctx := ctxT(t)
	s, err := p.New(ctx, id)
	require.NoError(t, err)
	defer s.Close()
	s.Seed(seed)
	rng := rand.New(rand.NewPCG(rngSeed, 99))
	var fd arc.FrameData
	cmds := []string{"RESET"}
	require.NoError(t, s.Do(ctx, arc.Simple(arc.Reset), &fd))
	avail := fd.Available.IDs(nil)
	ended := 0
	for len(cmds) < n {
		var a arc.Action
		switch r := rng.Float64(); {
		case fd.State.Terminal() && ended >= 2, r < 0.03:
			a = arc.Simple(arc.Reset)
		case r < 0.05:
			a = arc.Action{ID: arc.ActionID(1 + rng.IntN(7)), X: uint8(rng.IntN(64)), Y: uint8(rng.IntN(64))}
		default:
			if len(avail) == 0 {
				a = arc.Simple(arc.Reset)
				break
			}
			a = arc.Action{ID: avail[rng.IntN(len(avail))]}
			if a.ID == arc.Action6 {
				a.X, a.Y = cells.Standout(rng, fd.Last())
			}
		}
		err := s.Do(ctx, a, &fd)
		switch {
		case err == nil:
		case errors.Is(err, arc.ErrNotStarted):
		case errors.Is(err, ErrGameRaised):
			cmds = append(cmds, formatCommand(a))
			return cmds
		default:
			require.NoError(t, err)
		}
		cmds = append(cmds, formatCommand(a))
		if fd.State.Terminal() && a.ID != arc.Reset {
			ended++
		} else {
			ended = 0
		}
		if len(fd.Frames) > 0 {
			avail = fd.Available.IDs(avail[:0])
		}
	}
	return cmds
}

func formatCommand(a arc.Action) string {
	if a.ID == arc.Action6 {
		return fmt.Sprintf("ACTION6 %d %d", a.X, a.Y)
	}
	return a.ID.String()
}
