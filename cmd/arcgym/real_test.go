package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image/gif"
	"image/png"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/arcengine"
	"github.com/arcgym/arcgym/games"
	"github.com/arcgym/arcgym/wire"
)

// TestMain clears the games directory of the environment, so that every
// test sees only the games it asks for with -games (or sets itself).
func TestMain(m *testing.M) {
	os.Unsetenv(arcengine.EnvGamesDir)
	os.Unsetenv(arcengine.EnvToolkitGamesDir)
	os.Exit(m.Run())
}

// envRequirePython, when set, turns the skips of the tests of real games
// without a usable Python into failures (CI sets it).
const envRequirePython = "ARCGYM_REQUIRE_PYTHON"

var pythonProbe struct {
	once sync.Once
	path string
	err  string
}

// testPython returns the interpreter for tests that run real games. Without
// one that imports arcengine it skips the test, saying how to enable it, or
// fails under ARCGYM_REQUIRE_PYTHON. The interpreter is checked once.
func testPython(t testing.TB) string {
	t.Helper()
	pythonProbe.once.Do(func() {
		py, err := arcengine.Python("")
		if err != nil {
			pythonProbe.err = err.Error()
			return
		}
		if out, err := exec.Command(py, "-c", "import arcengine").CombinedOutput(); err != nil {
			lines := strings.Split(strings.TrimSpace(string(out)), "\n")
			pythonProbe.err = py + " cannot import arcengine: " + lines[len(lines)-1]
			return
		}
		pythonProbe.path = py
	})
	if msg := pythonProbe.err; msg != "" {
		msg = "tests of real games need Python 3.12+ with arcengine " + arcengine.SupportedEngine +
			": run scripts/setup-python.sh or set " + arcengine.EnvPython + "; " + msg
		if os.Getenv(envRequirePython) != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return pythonProbe.path
}

// realDir is arcengine's directory of test games, in the toolkit's layout:
// ih01-3f9a2c1e, lg01-7b04d5e2, sd01-c2e81f60 and er01-0d5b9a47.
func realDir(t testing.TB) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "arcengine", "testdata", "games"))
	require.NoError(t, err)
	return dir
}

// realArgs returns the flags that bring in the test games with the test
// interpreter (skipping the test without one).
func realArgs(t testing.TB) []string {
	t.Helper()
	return []string{"-games", realDir(t), "-python", testPython(t)}
}

// realIDs are the test games, sorted.
var realIDs = []string{"er01-0d5b9a47", "ih01-3f9a2c1e", "lg01-7b04d5e2", "sd01-c2e81f60"}

// copyGame copies the version directory of a test game (src is
// <base>/<version> under dir) into dst, in the same layout.
func copyGame(t *testing.T, dir, src, dst string) {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, src))
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Join(dst, src), 0o755))
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, src, e.Name()))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dst, src, e.Name()), b, 0o644))
	}
}

func TestListRealGames(t *testing.T) {
	args := realArgs(t)
	dir := realDir(t)
	out, errText, code := runCmd(t, t.Context(), "", append([]string{"list"}, args...)...)
	require.Equal(t, exitOK, code, errText)
	assert.Empty(t, errText)
	builtin := games.List()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, len(builtin)+len(realIDs)+2, "header, one line per game, count")
	assert.Equal(t, []string{"ID", "TITLE", "TAGS", "LEVELS", "ACTIONS", "FPS", "SOURCE"}, strings.Fields(lines[0]))
	assert.Equal(t, fmt.Sprintf("%d games", len(builtin)+len(realIDs)), lines[len(lines)-1])
	for i, g := range builtin {
		f := strings.Fields(lines[i+1])
		assert.Equal(t, g.ID, f[0])
		assert.Equal(t, sourceBuiltin, f[len(f)-1])
	}
	want := map[string][2]string{ // levels, actions
		"ih01-3f9a2c1e": {"3", "1,2,3,4,5,7"},
		"lg01-7b04d5e2": {"3", "6"},
		"sd01-c2e81f60": {"3", "1,2,3,4,6"},
		"er01-0d5b9a47": {"2", "1,2,3,4,5"},
	}
	for i, id := range realIDs {
		f := strings.Fields(lines[len(builtin)+1+i])
		require.GreaterOrEqual(t, len(f), 5, lines[len(builtin)+1+i])
		assert.Equal(t, id, f[0])
		assert.Equal(t, dir, f[len(f)-1], "source")
		assert.Equal(t, want[id][0], f[len(f)-4], "%s levels", id)
		assert.Equal(t, want[id][1], f[len(f)-3], "%s actions", id)
	}
}

func TestListRealGamesJSON(t *testing.T) {
	args := realArgs(t)
	out, errText, code := runCmd(t, t.Context(), "", append([]string{"list", "-json"}, args...)...)
	require.Equal(t, exitOK, code, errText)
	var got []gameJSON
	require.NoError(t, json.Unmarshal([]byte(out), &got))
	builtin := games.List()
	require.Len(t, got, len(builtin)+len(realIDs))
	for i, g := range got {
		if i < len(builtin) {
			assert.Equal(t, sourceBuiltin, g.Source)
			continue
		}
		assert.Equal(t, realIDs[i-len(builtin)], g.ID)
		assert.Equal(t, realDir(t), g.Source)
		assert.Positive(t, g.Levels, g.ID)
		assert.NotEmpty(t, g.AvailableActions, g.ID)
		assert.NotEmpty(t, g.BaselineActions, "%s: baselines from metadata.json", g.ID)
		assert.Empty(t, g.Error)
	}
}

// TestListGameThatFailsToLoad lists a game whose source has a syntax
// error: it is listed, with a warning, and list succeeds.
func TestListGameThatFailsToLoad(t *testing.T) {
	py := testPython(t)
	dir := t.TempDir()
	copyGame(t, realDir(t), filepath.Join("sd01", "c2e81f60"), dir)
	copyGame(t, filepath.Join(realDir(t), "..", "faults"), filepath.Join("sy01", "4a1c7e90"), dir)
	out, errText, code := runCmd(t, t.Context(), "", "list", "-games", dir, "-python", py)
	require.Equal(t, exitOK, code, errText)
	assert.Contains(t, errText, "warning: sy01-4a1c7e90 failed to load")
	assert.Contains(t, errText, "SyntaxError")
	assert.Equal(t, 1, strings.Count(strings.TrimSpace(errText), "\n")+1, "one warning line: %q", errText)
	var sy, sd string
	for l := range strings.SplitSeq(out, "\n") {
		switch {
		case strings.HasPrefix(l, "sy01-"):
			sy = l
		case strings.HasPrefix(l, "sd01-"):
			sd = l
		}
	}
	assert.Contains(t, sy, " ? ", "levels and actions unknown")
	assert.Contains(t, sd, "1,2,3,4,6")

	out, _, code = runCmd(t, t.Context(), "", "list", "-json", "-games", dir, "-python", py)
	require.Equal(t, exitOK, code)
	var got []gameJSON
	require.NoError(t, json.Unmarshal([]byte(out), &got))
	last := got[len(got)-1]
	assert.Equal(t, "sy01-4a1c7e90", last.ID)
	assert.Contains(t, last.Error, "failed to load")
}

// TestListRealGamesFromEnvironment finds the games through the
// environment (arcengine.Default) instead of flags.
func TestListRealGamesFromEnvironment(t *testing.T) {
	py := testPython(t)
	t.Setenv(arcengine.EnvGamesDir, realDir(t))
	t.Setenv(arcengine.EnvPython, py)
	out, errText, code := runCmd(t, t.Context(), "", "list")
	require.Equal(t, exitOK, code, errText)
	for _, id := range realIDs {
		assert.Contains(t, out, id)
	}
	assert.Contains(t, out, fmt.Sprintf("%d games", len(games.List())+len(realIDs)))
}

func TestRunRealGames(t *testing.T) {
	args := realArgs(t)
	r := runJSON(t, append([]string{"-game", "sd01,ih01-3f9a2c1e", "-episodes", "2", "-max-steps", "40", "-workers", "2"}, args...)...)
	require.Len(t, r.Games, 2)
	for i, id := range []string{"sd01-c2e81f60", "ih01-3f9a2c1e"} {
		g := r.Games[i]
		assert.Equal(t, id, g.Game)
		assert.Equal(t, realDir(t), g.Source)
		assert.Equal(t, 2, g.Episodes)
		assert.Equal(t, 2, g.Wins+g.Lost+g.Truncated)
		assert.Positive(t, g.Steps)
		assert.LessOrEqual(t, g.Steps, 2*40)
		assert.Equal(t, 3, g.Levels, "level count learned from the game")
		assert.GreaterOrEqual(t, g.Score, 0.0)
		assert.GreaterOrEqual(t, g.MeanScore, 0.0)
		assert.LessOrEqual(t, g.Score, 100.0)
	}
	assert.Equal(t, 4, r.Total.Episodes)
	assert.GreaterOrEqual(t, r.Score, 0.0)
}

// TestRunRealGamesDeterministic checks that the results on a real game do
// not depend on the number of goroutines, with and without -procedural
// (sd01's constructor takes the seed).
func TestRunRealGamesDeterministic(t *testing.T) {
	args := realArgs(t)
	for _, procedural := range []bool{false, true} {
		t.Run(fmt.Sprint("procedural=", procedural), func(t *testing.T) {
			base := append([]string{"-game", "sd01", "-episodes", "3", "-max-steps", "30", fmt.Sprint("-procedural=", procedural)}, args...)
			a := runJSON(t, append(base, "-workers", "1")...)
			b := runJSON(t, append(base, "-workers", "2")...)
			assert.Equal(t, procedural, a.Procedural)
			assert.Equal(t, withoutTimings(a), withoutTimings(b))
		})
	}
}

// TestRunTableRealGames checks the table and the progress of a run of a
// real game.
func TestRunTableRealGames(t *testing.T) {
	args := realArgs(t)
	out, errText, code := runCmd(t, t.Context(), "", append([]string{"run", "-game", "sd01", "-episodes", "2", "-max-steps", "10", "-procedural", "-progress", "1ms"}, args...)...)
	require.Equal(t, exitOK, code, errText)
	assert.Contains(t, out, "sd01-c2e81f60")
	assert.Contains(t, out, "real games: a seed per episode")
	last := strings.Split(strings.TrimSpace(errText), "\n")
	assert.Contains(t, last[len(last)-1], "progress: 2/2 episodes  20 steps")
}

// TestRunWorkerKeepsOneRealGame checks that a run goroutine closes its
// real game before it opens another, so that it holds one worker process.
func TestRunWorkerKeepsOneRealGame(t *testing.T) {
	py := testPython(t)
	cat, err := (&gameFlags{dir: realDir(t), python: py}).open()
	require.NoError(t, err)
	defer cat.Close()
	list, err := selectGames(cat, "sd01,kw01,ih01")
	require.NoError(t, err)
	w, err := newWorker(runConfig{agent: "random", maxSteps: 5, seed: 1}, cat, list)
	require.NoError(t, err)
	defer w.close()
	assert.Equal(t, []bool{true, false, true}, w.real)
	prog := newProgress(nil, 4, -1)
	for _, j := range []job{{game: 0}, {game: 1}, {game: 0, episode: 1}} {
		_, err := w.play(t.Context(), j, prog)
		require.NoError(t, err)
	}
	require.NotNil(t, w.games[0])
	require.NotNil(t, w.games[1])
	_, err = w.play(t.Context(), job{game: 2}, prog)
	require.NoError(t, err)
	assert.Nil(t, w.games[0], "sd01 closed before ih01 opened")
	assert.NotNil(t, w.games[1], "built-in games stay open")
	assert.Equal(t, 2, w.open)
	assert.Len(t, cat.pool.Workers(), 1, "ih01 took over sd01's worker process")
}

func TestScheduler(t *testing.T) {
	tests := []struct {
		games, episodes, goroutines int
	}{
		{1, 5, 3},
		{3, 4, 2},
		{4, 3, 4},
		{2, 1, 5},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%dx%d over %d", tt.games, tt.episodes, tt.goroutines), func(t *testing.T) {
			s := newScheduler(tt.games, tt.episodes)
			cur := make([]int, tt.goroutines)
			for i := range cur {
				cur[i] = -1
			}
			seen := map[job]bool{}
			switches := 0
			for done := 0; done < tt.goroutines; {
				done = 0
				for g := range cur {
					if cur[g] == -2 {
						done++
						continue
					}
					j, ok := s.take(cur[g])
					if !ok {
						cur[g] = -2
						continue
					}
					assert.False(t, seen[j], "%v handed out twice", j)
					seen[j] = true
					if cur[g] >= 0 && j.game != cur[g] {
						// A goroutine leaves its game only when the game
						// has no episode left.
						assert.Equal(t, tt.episodes, s.next[cur[g]])
						switches++
					}
					cur[g] = j.game
				}
			}
			assert.Len(t, seen, tt.games*tt.episodes)
			assert.LessOrEqual(t, switches, tt.games+tt.goroutines)
		})
	}
}

// TestSelectGames checks the selectors of -game. Opening a pool starts no
// process: any executable does as the interpreter.
func TestSelectGames(t *testing.T) {
	exe, err := os.Executable()
	require.NoError(t, err)
	cat, err := (&gameFlags{dir: realDir(t), python: exe}).open()
	require.NoError(t, err)
	defer cat.Close()
	var builtin []string
	for _, g := range games.List() {
		builtin = append(builtin, g.ID)
	}
	tests := []struct {
		spec string
		want []string
	}{
		{"", append(append([]string(nil), builtin...), realIDs...)},
		{"all", append(append([]string(nil), builtin...), realIDs...)},
		{"builtin", builtin},
		{"real", realIDs},
		{"sd01,kw01,sd01-c2e81f60", []string{"sd01-c2e81f60", mustLookup(t, "kw01")}},
		{"real, builtin", append(append([]string(nil), realIDs...), builtin...)},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			list, err := selectGames(cat, tt.spec)
			require.NoError(t, err)
			var got []string
			for _, g := range list {
				got = append(got, g.ID)
			}
			assert.Equal(t, tt.want, got)
		})
	}
	_, err = selectGames(cat, "zz99")
	require.ErrorIs(t, err, arc.ErrUnknownGame)
	assert.Contains(t, err.Error(), realDir(t))
	_, err = selectGames(nil, "real")
	assert.ErrorContains(t, err, "no real games")
	_, err = selectGames(nil, "sd01")
	assert.ErrorContains(t, err, "-games")
}

func TestServeRealGames(t *testing.T) {
	args := realArgs(t)
	base, stop := startServe(t, args...)
	status, body := get(t, base+"/api/games", "")
	require.Equal(t, http.StatusOK, status)
	var list []struct {
		GameID string `json:"game_id"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &list))
	var ids []string
	for _, g := range list {
		ids = append(ids, g.GameID)
	}
	for _, g := range games.List() {
		assert.Contains(t, ids, g.ID)
	}
	for _, id := range realIDs {
		assert.Contains(t, ids, id)
	}

	post := func(path string, req map[string]any) []byte {
		t.Helper()
		b, err := json.Marshal(req)
		require.NoError(t, err)
		hr, err := http.NewRequestWithContext(t.Context(), http.MethodPost, base+path, bytes.NewReader(b))
		require.NoError(t, err)
		hr.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(hr)
		require.NoError(t, err)
		defer resp.Body.Close()
		out, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, resp.StatusCode, "%s: %s", path, out)
		return out
	}
	card, err := wire.DecodeOpenScorecard(post("/api/scorecard/open", map[string]any{}))
	require.NoError(t, err)
	var fd arc.FrameData
	require.NoError(t, wire.DecodeFrame(post("/api/cmd/RESET", map[string]any{"game_id": "sd01-c2e81f60", "card_id": card}), &fd))
	assert.Equal(t, arc.NotFinished, fd.State)
	assert.Equal(t, 3, fd.WinLevels)
	assert.True(t, fd.Available.Has(arc.Action6))
	guid := fd.GUID
	require.NotEmpty(t, guid)
	require.NoError(t, wire.DecodeFrame(post("/api/cmd/ACTION1", map[string]any{"game_id": "sd01-c2e81f60", "guid": guid}), &fd))
	assert.Equal(t, guid, fd.GUID)
	assert.Equal(t, arc.Action1, fd.Action.ID)
	assert.Equal(t, 1, fd.NumFrames())

	code, out := stop()
	assert.Equal(t, exitOK, code)
	assert.Contains(t, out, fmt.Sprintf("serving %d games", len(games.List())+len(realIDs)))
	assert.Contains(t, out, fmt.Sprintf("%d real from %s: %s", len(realIDs), realDir(t), strings.Join(realIDs, ", ")))
}

func TestPlayRealGame(t *testing.T) {
	args := realArgs(t)
	out, errText, code := runCmd(t, t.Context(), "w\n4\n6 0 0\nq\n", append([]string{"play", "-color", "never"}, append(args, "sd01")...)...)
	require.Equal(t, exitOK, code, errText)
	assert.Empty(t, errText)
	st := lastStatus(t, out)
	assert.Contains(t, st, "game=sd01-c2e81f60 ")
	assert.Contains(t, st, "levels=0/3 ")
	assert.Contains(t, st, "steps=3 ")
	assert.Contains(t, st, "available=1,2,3,4,6 ")
	// Four frames (the RESET and three actions) of 64 lines of 64 cells.
	assert.Equal(t, 4*arc.GridSize+4, strings.Count(out, "\n"))

	_, errText, code = runCmd(t, t.Context(), "q\n", append([]string{"play"}, append(args, "zz99")...)...)
	assert.Equal(t, exitError, code)
	assert.Contains(t, errText, "arcgym list")
}

func TestRenderRealGames(t *testing.T) {
	args := realArgs(t)
	dir := t.TempDir()

	path := filepath.Join(dir, "ih01.gif")
	out, errText, code := runCmd(t, t.Context(), "", append([]string{"render", "-gif", path, "-game", "ih01", "-max-steps", "8", "-seed", "2"}, args...)...)
	require.Equal(t, exitOK, code, errText)
	assert.Contains(t, out, path)
	f, err := os.Open(path)
	require.NoError(t, err)
	g, err := gif.DecodeAll(f)
	f.Close()
	require.NoError(t, err)
	assert.GreaterOrEqual(t, len(g.Image), 9, "the RESET frame and one frame per action at least")
	assert.Equal(t, 100/12, g.Delay[0], "ih01's 12 frames per second")

	// A real game's row of the contact sheet is its first frame.
	path = filepath.Join(dir, "sheet.png")
	_, errText, code = runCmd(t, t.Context(), "", append(append([]string{"render", "-o", path, "-scale", "1"}, args...), "kw01", "sd01")...)
	require.Equal(t, exitOK, code, errText)
	f, err = os.Open(path)
	require.NoError(t, err)
	img, err := png.Decode(f)
	f.Close()
	require.NoError(t, err)
	cell, gap := arc.GridSize, sheetGap
	assert.Equal(t, gap+5*(cell+gap), img.Bounds().Dx(), "kw01's five levels")
	assert.Equal(t, gap+2*(cell+gap), img.Bounds().Dy())

	_, errText, code = runCmd(t, t.Context(), "", append([]string{"render", "-gif", filepath.Join(dir, "x.gif"), "-game", "sd01", "-agent", "solution"}, args...)...)
	assert.Equal(t, exitError, code)
	assert.Contains(t, errText, "-agent solution needs a built-in game")
}

// fakePython writes an executable that exits at once, as an interpreter
// that cannot run the worker.
func fakePython(t *testing.T) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("needs a shell script")
	}
	p := filepath.Join(t.TempDir(), "python")
	require.NoError(t, os.WriteFile(p, []byte("#!/bin/sh\necho 'not a python' >&2\nexit 3\n"), 0o755))
	return p
}

// TestRealGamesBadSetup checks that a bad games directory or interpreter
// fails every command with a clear message and exit code 1. It needs no
// Python.
func TestRealGamesBadSetup(t *testing.T) {
	dir := realDir(t)
	missing := filepath.Join(t.TempDir(), "missing")
	empty := t.TempDir()
	fake := fakePython(t)
	gif := filepath.Join(t.TempDir(), "a.gif")
	tests := []struct {
		name string
		args []string
		err  string
	}{
		{"list: missing dir", []string{"list", "-games", missing}, "bad games directory: -games \"" + missing},
		{"list: empty dir", []string{"list", "-games", empty}, "holds no metadata.json"},
		{"run: missing dir", []string{"run", "-quiet", "-games", missing}, "bad games directory"},
		{"play: missing dir", []string{"play", "-games", missing, "sd01"}, "bad games directory"},
		{"render: missing dir", []string{"render", "-gif", gif, "-game", "sd01", "-games", missing}, "bad games directory"},
		{"serve: missing dir", []string{"serve", "-addr", "127.0.0.1:0", "-games", missing}, "bad games directory"},
		{"list: missing python", []string{"list", "-games", dir, "-python", missing}, "no usable Python interpreter: -python names"},
		{"run: missing python", []string{"run", "-quiet", "-games", dir, "-python", missing, "-game", "sd01"}, "no usable Python"},
		{"list: broken python", []string{"list", "-games", dir, "-python", fake}, "no usable Python"},
		{"run: broken python", []string{"run", "-quiet", "-games", dir, "-python", fake, "-game", "sd01"}, "no usable Python"},
		{"play: broken python", []string{"play", "-games", dir, "-python", fake, "sd01"}, "no usable Python"},
		{"render: broken python", []string{"render", "-gif", gif, "-game", "sd01", "-games", dir, "-python", fake}, "no usable Python"},
		{"serve: broken python", []string{"serve", "-addr", "127.0.0.1:0", "-games", dir, "-python", fake}, "no usable Python"},
		{"python without games dir", []string{"list", "-python", fake}, "-python " + fake + " needs a games directory"},
		{"real without games dir", []string{"run", "-quiet", "-game", "real"}, "no real games: give -games DIR"},
		{"real game without games dir", []string{"play", "sd01"}, "-games DIR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errText, code := runCmd(t, t.Context(), "q\n", tt.args...)
			assert.Equal(t, exitError, code, "stdout %q", out)
			assert.Contains(t, errText, tt.err)
		})
	}
	_, err := os.Stat(gif)
	assert.ErrorIs(t, err, os.ErrNotExist)
}

// TestRealGamesWithoutArcengine runs an interpreter that cannot import
// arcengine (the test Python without its site-packages).
func TestRealGamesWithoutArcengine(t *testing.T) {
	py := testPython(t)
	wrapper := filepath.Join(t.TempDir(), "python")
	require.NoError(t, os.WriteFile(wrapper, fmt.Appendf(nil, "#!/bin/sh\nexec %q -S \"$@\"\n", py), 0o755))
	for _, cmd := range [][]string{{"list"}, {"run", "-quiet", "-game", "sd01"}} {
		t.Run(cmd[0], func(t *testing.T) {
			_, errText, code := runCmd(t, t.Context(), "", append(cmd, "-games", realDir(t), "-python", wrapper)...)
			assert.Equal(t, exitError, code)
			assert.Contains(t, errText, "cannot import arcengine")
		})
	}
}

// TestRunRealGameRaises runs er01, which raises on some ACTION5: the
// episodes it ends count as failed, the others are played, the summary is
// printed and the run exits with status 1 and the traceback.
func TestRunRealGameRaises(t *testing.T) {
	args := realArgs(t)
	out, errText, code := runCmd(t, t.Context(), "", append([]string{"run", "-json", "-quiet", "-game", "er01,sd01", "-episodes", "3", "-max-steps", "50"}, args...)...)
	assert.Equal(t, exitError, code)
	assert.Contains(t, errText, "ended on an error of their game")
	assert.Contains(t, errText, "RuntimeError: deliberate failure in step")
	var r report
	require.NoError(t, json.Unmarshal([]byte(out), &r), out)
	require.Len(t, r.Games, 2)
	er, sd := r.Games[0], r.Games[1]
	assert.Equal(t, 3, er.Episodes)
	assert.Positive(t, er.Failed)
	assert.Equal(t, 3, er.Wins+er.Lost+er.Truncated+er.Failed)
	assert.Zero(t, sd.Failed)
	assert.Equal(t, 3, sd.Truncated+sd.Wins)
	assert.Equal(t, er.Failed, r.Total.Failed)

	out, _, code = runCmd(t, t.Context(), "", append([]string{"run", "-quiet", "-game", "er01", "-episodes", "3", "-max-steps", "50"}, args...)...)
	assert.Equal(t, exitError, code)
	assert.Equal(t, []string{"GAME", "EPISODES", "WINS", "OVER", "CUT", "FAIL", "LEVELS", "BEST", "STEPS", "STEPS/S", "RETURN", "SCORE"},
		strings.Fields(strings.SplitN(out, "\n", 2)[0]))
}

// TestRunRealGameHangs runs hg01, whose ACTION1 never returns: the
// command times out, the worker is killed, the episode fails and the run
// goes on to sd01.
func TestRunRealGameHangs(t *testing.T) {
	py := testPython(t)
	dir := t.TempDir()
	copyGame(t, realDir(t), filepath.Join("sd01", "c2e81f60"), dir)
	copyGame(t, filepath.Join(realDir(t), "..", "faults"), filepath.Join("hg01", "5e11a0c3"), dir)
	defer func(d time.Duration) { realTimeout = d }(realTimeout)
	realTimeout = 2 * time.Second
	out, errText, code := runCmd(t, t.Context(), "", "run", "-json", "-quiet", "-games", dir, "-python", py,
		"-game", "hg01,sd01", "-episodes", "1", "-max-steps", "20", "-workers", "1")
	assert.Equal(t, exitError, code)
	assert.Contains(t, errText, "did not answer in time")
	var r report
	require.NoError(t, json.Unmarshal([]byte(out), &r), out)
	require.Len(t, r.Games, 2)
	assert.Equal(t, 1, r.Games[0].Failed)
	assert.Equal(t, 1, r.Games[1].Episodes)
	assert.Zero(t, r.Games[1].Failed)
}
