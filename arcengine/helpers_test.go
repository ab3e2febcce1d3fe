package arcengine

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
)

// EnvRequirePython, when set, turns the skips of bridge tests without a
// usable Python into failures (CI sets it).
const EnvRequirePython = "ARCGYM_REQUIRE_PYTHON"

var pythonProbe struct {
	once    sync.Once
	path    string
	toolkit bool
	err     string
}

// testPython returns the interpreter for tests that run workers. Without
// one that imports arcengine it skips the test, saying how to enable it, or
// fails under ARCGYM_REQUIRE_PYTHON. With toolkit set it also needs the
// official toolkit (arc_agi).
func testPython(t testing.TB, toolkit bool) string {
	t.Helper()
	pythonProbe.once.Do(func() {
		py, err := Python("")
		if err != nil {
			pythonProbe.err = err.Error()
			return
		}
		out, err := exec.Command(py, "-c", "import arcengine, importlib.metadata as m; print(m.version('arcengine'))").CombinedOutput()
		if err != nil {
			pythonProbe.err = py + " cannot import arcengine: " + strings.TrimSpace(string(out))
			return
		}
		if err := checkEngineVersion(strings.TrimSpace(string(out))); err != nil {
			pythonProbe.err = py + ": arcengine " + err.Error()
			return
		}
		pythonProbe.path = py
		pythonProbe.toolkit = exec.Command(py, "-c", "import arc_agi").Run() == nil
	})
	msg := pythonProbe.err
	if msg == "" && toolkit && !pythonProbe.toolkit {
		msg = pythonProbe.path + " lacks the official toolkit (arc_agi)"
	}
	if msg != "" {
		msg = "bridge tests need Python 3.12+ with arcengine " + SupportedEngine +
			" (and arc-agi for fidelity tests): run scripts/setup-python.sh or set ARCGYM_PYTHON; " + msg
		if os.Getenv(EnvRequirePython) != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return pythonProbe.path
}

// gamesDir and faultsDir are the test games, in the toolkit's layout.
func gamesDir(t testing.TB) string { return absTestdata(t, "games") }

func faultsDir(t testing.TB) string { return absTestdata(t, "faults") }

func absTestdata(t testing.TB, name string) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("testdata", name))
	require.NoError(t, err)
	return dir
}

// openPool opens a pool over dir with the test interpreter; it is closed
// when the test ends.
func openPool(t testing.TB, dir string, edit ...func(*Config)) *Pool {
	t.Helper()
	cfg := Config{GamesDir: dir, Python: testPython(t, false), Output: testOutput(t)}
	for _, e := range edit {
		e(&cfg)
	}
	p, err := Open(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, p.Close()) })
	return p
}

// testOutput is where workers' prints go in tests: nowhere, unless
// ARCGYM_TEST_VERBOSE is set.
func testOutput(testing.TB) *os.File {
	if os.Getenv("ARCGYM_TEST_VERBOSE") != "" {
		return os.Stderr
	}
	return nil
}

// ctxT returns a context bounded well beyond what any test step needs: it
// only stops a broken test from hanging.
func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// parseCommand reads "RESET", "ACTIONn" or "ACTION6 x y".
func parseCommand(t testing.TB, s string) arc.Action {
	t.Helper()
	f := strings.Fields(s)
	require.NotEmpty(t, f, "empty command")
	id, err := arc.ParseActionID(f[0])
	require.NoError(t, err)
	a := arc.Action{ID: id}
	if id == arc.Action6 {
		require.Len(t, f, 3, "ACTION6 needs x and y: %q", s)
		x, err := strconv.Atoi(f[1])
		require.NoError(t, err)
		y, err := strconv.Atoi(f[2])
		require.NoError(t, err)
		a.X, a.Y = uint8(x), uint8(y)
	}
	return a
}

// children returns the pids of this process's live child processes
// (zombies included: a zombie is a child nobody waited for).
func children(t testing.TB) []int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Skip("no /proc")
	}
	self := os.Getpid()
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// The command name is in parentheses and may hold spaces.
		s := string(b)
		rest := s[strings.LastIndexByte(s, ')')+2:]
		f := strings.Fields(rest)
		if len(f) > 1 {
			if ppid, _ := strconv.Atoi(f[1]); ppid == self {
				pids = append(pids, pid)
			}
		}
	}
	return pids
}

// openFDs counts this process's open file descriptors.
func openFDs(t testing.TB) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd")
	}
	return len(entries)
}
