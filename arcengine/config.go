package arcengine

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// Environment variables read when the matching Config field is empty.
const (
	// EnvGamesDir names the games directory; the toolkit's ENVIRONMENTS_DIR
	// is read after it.
	EnvGamesDir = "ARCGYM_GAMES_DIR"
	// EnvToolkitGamesDir is the official toolkit's variable for the same.
	EnvToolkitGamesDir = "ENVIRONMENTS_DIR"
	// EnvPython names the interpreter; an active virtual environment
	// (VIRTUAL_ENV) is used after it.
	EnvPython = "ARCGYM_PYTHON"
)

// SupportedEngine is the range of arcengine versions the worker speaks to:
// 0.9.x from 0.9.3, the version the public games were released for.
const SupportedEngine = ">=0.9.3,<0.10"

// Defaults applied to zero fields of Config.
const (
	DefaultStartTimeout = 60 * time.Second
	DefaultIdleTimeout  = 30 * time.Second
)

// Config configures a Pool. The zero value finds everything from the
// environment: games from ARCGYM_GAMES_DIR or ENVIRONMENTS_DIR, the
// interpreter from ARCGYM_PYTHON, an active virtual environment, the venv
// made by scripts/setup-python.sh, or python3 on PATH.
type Config struct {
	// GamesDir is a directory in the toolkit's layout:
	// <base>/<version>/metadata.json and the game's source beside it. All
	// metadata.json files below it are found.
	GamesDir string
	// Python is the interpreter to run workers with.
	Python string
	// EnvsPerWorker is how many games one worker process hosts; 0 means 1.
	// One game per process runs every game on its own core and confines a
	// crash or hang to that game. More games per process save memory; the
	// games of a process then take turns, and when the process is lost
	// the other games are restored on a new one by replaying their
	// commands since their last full reset.
	EnvsPerWorker int
	// MaxIdleWorkers bounds the started workers kept for reuse after their
	// sessions close; 0 means the number of CPUs, negative keeps none.
	MaxIdleWorkers int
	// IdleTimeout stops a worker that has been idle this long; 0 means
	// DefaultIdleTimeout.
	IdleTimeout time.Duration
	// StartTimeout bounds the start of a worker (interpreter start and
	// imports); 0 means DefaultStartTimeout.
	StartTimeout time.Duration
	// Env is added to the workers' environment (KEY=value entries).
	Env []string
	// Output, when set, receives whatever workers and games print. It is
	// always kept in part for error messages.
	Output io.Writer
	// NoSpin makes every wait for a worker sleep in the kernel. By
	// default a wait, and a worker waiting for its next command, spin for
	// a few hundred microseconds when a core is free: on virtual machines
	// that saves a costly wake-up and cold caches per step (see the
	// package documentation). Set it when other programs need every core.
	NoSpin bool
	// AnyEngineVersion accepts any arcengine version instead of
	// SupportedEngine.
	AnyEngineVersion bool
	// WorkerScript, when set, is the path of the worker script to run
	// instead of the one embedded in this package.
	WorkerScript string
}

// resolve fills in defaults and finds the games directory and interpreter.
func (c Config) resolve() (Config, error) {
	if c.EnvsPerWorker < 0 {
		return c, fmt.Errorf("arcengine: EnvsPerWorker %d is negative", c.EnvsPerWorker)
	}
	if c.EnvsPerWorker == 0 {
		c.EnvsPerWorker = 1
	}
	if c.MaxIdleWorkers == 0 {
		c.MaxIdleWorkers = runtime.NumCPU()
	}
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = DefaultIdleTimeout
	}
	if c.StartTimeout <= 0 {
		c.StartTimeout = DefaultStartTimeout
	}
	for i, kv := range c.Env {
		if !strings.Contains(kv, "=") {
			return c, fmt.Errorf("arcengine: Env[%d] %q is not KEY=value", i, kv)
		}
	}
	dir, err := GamesDir(c.GamesDir)
	if err != nil {
		return c, err
	}
	c.GamesDir = dir
	py, err := Python(c.Python)
	if err != nil {
		return c, err
	}
	c.Python = py
	return c, nil
}

// GamesDir returns the games directory: dir if not empty, else
// ARCGYM_GAMES_DIR, else ENVIRONMENTS_DIR. The result is absolute and is
// checked to be a directory.
func GamesDir(dir string) (string, error) {
	from := "the GamesDir option"
	if dir == "" {
		dir, from = os.Getenv(EnvGamesDir), EnvGamesDir
	}
	if dir == "" {
		dir, from = os.Getenv(EnvToolkitGamesDir), EnvToolkitGamesDir
	}
	if dir == "" {
		return "", fmt.Errorf("%w: none configured; set %s (or the toolkit's %s) to a folder of games in the toolkit's layout",
			ErrGamesDir, EnvGamesDir, EnvToolkitGamesDir)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("%w: %s %q: %v", ErrGamesDir, from, dir, err)
	}
	st, err := os.Stat(abs)
	if err != nil {
		return "", fmt.Errorf("%w: %s %q: %v", ErrGamesDir, from, dir, err)
	}
	if !st.IsDir() {
		return "", fmt.Errorf("%w: %s %q is not a directory", ErrGamesDir, from, dir)
	}
	return abs, nil
}

// Configured reports whether a games directory is named by the environment
// (ARCGYM_GAMES_DIR or ENVIRONMENTS_DIR); it does not check it.
func Configured() bool {
	return os.Getenv(EnvGamesDir) != "" || os.Getenv(EnvToolkitGamesDir) != ""
}

// DefaultVenv is where scripts/setup-python.sh makes its virtual
// environment: $XDG_CACHE_HOME/arcgym/venv, or ~/.cache/arcgym/venv.
func DefaultVenv() string {
	base := os.Getenv("XDG_CACHE_HOME")
	if base == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		base = filepath.Join(home, ".cache")
	}
	return filepath.Join(base, "arcgym", "venv")
}

// Python returns the interpreter to run workers with: py if not empty,
// else ARCGYM_PYTHON, else the active virtual environment's, else the venv
// made by scripts/setup-python.sh (DefaultVenv), else python3 on PATH.
// It checks that the file exists and is executable, not that it has
// arcengine: a worker reports that when it starts.
func Python(py string) (string, error) {
	from := "the Python option"
	if py == "" {
		py, from = os.Getenv(EnvPython), EnvPython
	}
	if py == "" {
		if venv := os.Getenv("VIRTUAL_ENV"); venv != "" {
			py, from = filepath.Join(venv, "bin", "python"), "VIRTUAL_ENV"
		}
	}
	if py == "" {
		if v := DefaultVenv(); v != "" {
			if p := filepath.Join(v, "bin", "python"); isExecutable(p) {
				py, from = p, "the default venv"
			}
		}
	}
	if py == "" {
		py, from = "python3", "PATH"
	}
	path, err := exec.LookPath(py)
	if err != nil {
		return "", fmt.Errorf("%w: %s names %q: %v (run scripts/setup-python.sh, or set %s)", ErrNoPython, from, py, err, EnvPython)
	}
	return path, nil
}

func isExecutable(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}

// checkEngineVersion reports whether v is within SupportedEngine.
func checkEngineVersion(v string) error {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 3 {
		return fmt.Errorf("version %q is not major.minor.patch", v)
	}
	nums := make([]int, 3)
	for i, p := range parts {
		// Keep the leading digits: "3rc1" counts as 3.
		end := 0
		for end < len(p) && p[end] >= '0' && p[end] <= '9' {
			end++
		}
		n, err := strconv.Atoi(p[:end])
		if err != nil {
			return fmt.Errorf("version %q is not major.minor.patch", v)
		}
		nums[i] = n
	}
	if nums[0] != 0 || nums[1] != 9 || nums[2] < 3 {
		return fmt.Errorf("version %s is outside %s", v, SupportedEngine)
	}
	return nil
}
