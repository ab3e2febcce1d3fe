//go:build unix

package arcengine

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
)

// playing returns a session of game id in p after its first RESET.
func playing(t *testing.T, p *Pool, id string) *Instance {
	t.Helper()
	s, err := p.New(ctxT(t), id)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	var fd arc.FrameData
	require.NoError(t, s.Do(ctxT(t), arc.Simple(arc.Reset), &fd))
	return s
}

// alive reports whether pid is a live process (not reaped, not a zombie
// being waited for).
func alive(pid int) bool {
	return syscall.Kill(pid, 0) == nil
}

// requireRecovers checks that a session refuses anything but RESET after a
// failure, and that RESET brings it back on a working worker.
func requireRecovers(t *testing.T, s *Instance, cause error) {
	t.Helper()
	ctx := ctxT(t)
	var fd arc.FrameData
	err := s.Do(ctx, arc.Simple(arc.Action2), &fd)
	require.ErrorIs(t, err, ErrNeedsReset)
	require.ErrorIs(t, err, cause, "the refusal names the failure")
	require.NoError(t, s.Do(ctx, arc.Simple(arc.Reset), &fd))
	assert.True(t, fd.FullReset, "the game starts anew")
	require.NoError(t, s.Do(ctx, arc.Simple(arc.Action2), &fd))
	require.NoError(t, fd.Validate())
}

func TestWorkerCrash(t *testing.T) {
	p := openPool(t, faultsDir(t))
	s := playing(t, p, "cr01")
	other := playing(t, p, "cr01")
	pid, otherPID := s.PID(), other.PID()
	require.NotEqual(t, pid, otherPID, "one worker per session by default")

	var fd arc.FrameData
	err := s.Do(ctxT(t), arc.Simple(arc.Action1), &fd)
	require.ErrorIs(t, err, ErrCrashed)
	var we *WorkerError
	require.ErrorAs(t, err, &we)
	assert.Equal(t, "cr01-9c40d2b7", we.Game)
	assert.Equal(t, pid, we.PID)
	assert.Contains(t, err.Error(), "exit status 3")
	assert.False(t, alive(pid), "the crashed worker was reaped")

	// The other session did not notice.
	require.NoError(t, other.Do(ctxT(t), arc.Simple(arc.Action2), &fd))
	assert.Equal(t, otherPID, other.PID())

	requireRecovers(t, s, ErrCrashed)
	assert.NotEqual(t, pid, s.PID(), "RESET replaced the worker")
}

func TestWorkerHang(t *testing.T) {
	p := openPool(t, faultsDir(t))
	s := playing(t, p, "hg01")
	other := playing(t, p, "hg01")
	pid := s.PID()

	// The game loops forever on ACTION1: any deadline ends the wait.
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	var fd arc.FrameData
	err := s.Do(ctx, arc.Simple(arc.Action1), &fd)
	require.ErrorIs(t, err, ErrHung)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.False(t, alive(pid), "the hung worker was killed and reaped")

	require.NoError(t, other.Do(ctxT(t), arc.Simple(arc.Action2), &fd))
	requireRecovers(t, s, ErrHung)
}

func TestWorkerCancelled(t *testing.T) {
	p := openPool(t, faultsDir(t))
	s := playing(t, p, "hg01")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var fd arc.FrameData
	// A context that ended before the command sends nothing and costs
	// nothing.
	err := s.Do(ctx, arc.Simple(arc.Action1), &fd)
	require.ErrorIs(t, err, context.Canceled)
	require.NotErrorIs(t, err, ErrHung)
	require.NoError(t, s.Do(ctxT(t), arc.Simple(arc.Action2), &fd))
}

func TestGameRaises(t *testing.T) {
	p := openPool(t, gamesDir(t))
	cmds := scripts(t)["er01-0d5b9a47"]["raise"]
	s, err := p.New(ctxT(t), "er01")
	require.NoError(t, err)
	defer s.Close()
	pid := s.PID()
	var fd arc.FrameData
	var raised error
	for _, c := range cmds {
		if raised = s.Do(ctxT(t), parseCommand(t, c), &fd); raised != nil {
			break
		}
	}
	require.ErrorIs(t, raised, ErrGameRaised)
	var we *WorkerError
	require.ErrorAs(t, raised, &we)
	assert.Contains(t, we.Detail, "Traceback (most recent call last)")
	assert.Contains(t, we.Detail, "RuntimeError")
	assert.Contains(t, we.Detail, "errwalk.py", "the traceback points into the game's file")
	requireRecovers(t, s, ErrGameRaised)
	assert.Equal(t, pid, s.PID(), "the worker survives an exception in game code")
}

func TestGarbageOnProtocol(t *testing.T) {
	p := openPool(t, faultsDir(t))
	s := playing(t, p, "gb01")
	other := playing(t, p, "gb01")
	var fd arc.FrameData
	err := s.Do(ctxT(t), arc.Simple(arc.Action1), &fd)
	require.ErrorIs(t, err, ErrProtocol)
	require.NoError(t, other.Do(ctxT(t), arc.Simple(arc.Action2), &fd))
	requireRecovers(t, s, ErrProtocol)
}

func TestColoursOutOfRange(t *testing.T) {
	p := openPool(t, faultsDir(t))
	s := playing(t, p, "bg01")
	var fd arc.FrameData
	err := s.Do(ctxT(t), arc.Simple(arc.Action1), &fd)
	require.ErrorIs(t, err, arc.ErrInvalidFrame)
	assert.Contains(t, err.Error(), "colour 99 at x=0 y=0")
	requireRecovers(t, s, arc.ErrInvalidFrame)
}

func TestGamesThatFailToLoad(t *testing.T) {
	p := openPool(t, faultsDir(t))
	for _, tc := range []struct{ id, detail string }{
		{"sy01", "SyntaxError"},
		{"nc01", "class Nc01 not found"},
		{"nf01", "no nf01.py or Nf01.py"},
	} {
		t.Run(tc.id, func(t *testing.T) {
			_, err := p.New(ctxT(t), tc.id)
			require.ErrorIs(t, err, ErrLoad)
			var we *WorkerError
			require.ErrorAs(t, err, &we)
			assert.Contains(t, we.Detail, tc.detail)
			assert.Contains(t, we.Game, tc.id)
		})
	}
	// The worker that reported the failures is still good for a game that
	// loads.
	playing(t, p, "cr01")
}

func TestMissingInterpreter(t *testing.T) {
	_, err := Open(Config{GamesDir: gamesDir(t), Python: filepath.Join(t.TempDir(), "no-python")})
	require.ErrorIs(t, err, ErrNoPython)

	// An interpreter that exists but is not Python: it dies before the
	// worker can greet.
	fake := filepath.Join(t.TempDir(), "python")
	require.NoError(t, os.WriteFile(fake, []byte("#!/bin/sh\necho not python >&2\nexit 7\n"), 0o755))
	p, err := Open(Config{GamesDir: gamesDir(t), Python: fake})
	require.NoError(t, err, "Open starts no process")
	defer p.Close()
	_, err = p.New(ctxT(t), "sd01")
	require.ErrorIs(t, err, ErrNoPython)
	assert.Contains(t, err.Error(), "not python")
}

func TestEngineMissingOrWrongVersion(t *testing.T) {
	py := testPython(t, false)
	t.Run("missing", func(t *testing.T) {
		// A package directory named arcengine that fails to import hides
		// the real one.
		dir := t.TempDir()
		require.NoError(t, os.MkdirAll(filepath.Join(dir, "arcengine"), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "arcengine", "__init__.py"), []byte("raise ImportError('no engine here')\n"), 0o644))
		p := openPool(t, gamesDir(t), func(c *Config) { c.Python = py; c.Env = []string{"PYTHONPATH=" + dir} })
		_, err := p.New(ctxT(t), "sd01")
		require.ErrorIs(t, err, ErrEngineVersion)
		assert.Contains(t, err.Error(), "no engine here")
	})
	t.Run("wrong version", func(t *testing.T) {
		dir := t.TempDir()
		require.NoError(t, os.MkdirAll(filepath.Join(dir, "arcengine"), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "arcengine", "__init__.py"), []byte("class GameAction(list): pass\n"), 0o644))
		info := filepath.Join(dir, "arcengine-0.1.0.dist-info")
		require.NoError(t, os.MkdirAll(info, 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(info, "METADATA"), []byte("Metadata-Version: 2.1\nName: arcengine\nVersion: 0.1.0\n"), 0o644))
		p := openPool(t, gamesDir(t), func(c *Config) { c.Env = []string{"PYTHONPATH=" + dir} })
		_, err := p.New(ctxT(t), "sd01")
		require.ErrorIs(t, err, ErrEngineVersion)
		assert.Contains(t, err.Error(), "0.1.0")
	})
}

func TestBadGamesDir(t *testing.T) {
	py := testPython(t, false)
	_, err := Open(Config{GamesDir: filepath.Join(t.TempDir(), "absent"), Python: py})
	require.ErrorIs(t, err, ErrGamesDir)
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	_, err = Open(Config{GamesDir: file, Python: py})
	require.ErrorIs(t, err, ErrGamesDir)
	_, err = Open(Config{GamesDir: t.TempDir(), Python: py})
	require.ErrorIs(t, err, ErrGamesDir)
}

func TestCloseLeavesNothingBehind(t *testing.T) {
	py := testPython(t, false)
	fds := openFDs(t)
	kids := children(t)
	p, err := Open(Config{GamesDir: faultsDir(t), Python: py})
	require.NoError(t, err)
	ctx := ctxT(t)
	var pids []int
	var fd arc.FrameData
	for _, id := range []string{"cr01", "cr01", "hg01", "gb01"} {
		s, err := p.New(ctx, id)
		require.NoError(t, err)
		require.NoError(t, s.Do(ctx, arc.Simple(arc.Reset), &fd))
		pids = append(pids, s.PID())
		if id == "cr01" && len(pids) == 1 {
			require.ErrorIs(t, s.Do(ctx, arc.Simple(arc.Action1), &fd), ErrCrashed)
		}
		if id == "gb01" {
			require.NoError(t, s.Close(), "a closed session's worker stays for reuse")
		}
	}
	require.Len(t, p.Workers(), 3, "three live workers: two playing, one idle")
	require.NoError(t, p.Close())
	for _, pid := range pids {
		assert.False(t, alive(pid), "worker %d is gone after Close", pid)
	}
	assert.Equal(t, kids, children(t), "no child process, zombie or not, is left")
	assert.Equal(t, fds, openFDs(t), "no descriptor is left open")
	_, err = p.New(ctx, "cr01")
	assert.ErrorIs(t, err, ErrClosed)
}

func TestIdleWorkersAreReusedAndReaped(t *testing.T) {
	p := openPool(t, gamesDir(t), func(c *Config) { c.MaxIdleWorkers = 1 })
	ctx := ctxT(t)
	a, err := p.New(ctx, "sd01")
	require.NoError(t, err)
	b, err := p.New(ctx, "sd01")
	require.NoError(t, err)
	pa, pb := a.PID(), b.PID()
	require.NoError(t, a.Close())
	require.NoError(t, b.Close())
	// One worker is kept (MaxIdleWorkers), the other was stopped.
	require.Len(t, p.Workers(), 1)
	kept := p.Workers()[0]
	assert.True(t, kept == pa || kept == pb)
	c, err := p.New(ctx, "ih01")
	require.NoError(t, err)
	assert.Equal(t, kept, c.PID(), "the idle worker serves the next session")
	require.NoError(t, c.Close())

	// The reaper stops idle workers: run it as if the timeout had passed.
	p.mu.Lock()
	for _, w := range p.workers {
		w.idleSince = w.idleSince.Add(-2 * p.cfg.IdleTimeout)
	}
	p.mu.Unlock()
	p.reap()
	assert.Empty(t, p.Workers())
	assert.False(t, alive(kept))
}

func TestSharedWorkerReplaysAfterSiblingCrash(t *testing.T) {
	p := openPool(t, faultsDir(t), func(c *Config) { c.EnvsPerWorker = 2 })
	ctx := ctxT(t)
	crash := playing(t, p, "cr01")
	sib := playing(t, p, "cr01")
	require.Equal(t, crash.PID(), sib.PID(), "two sessions share a worker")
	ref := playing(t, p, "cr01")
	require.NotEqual(t, crash.PID(), ref.PID(), "the third goes to a new worker")

	var a, b arc.FrameData
	for _, m := range []arc.ActionID{arc.Action2, arc.Action4, arc.Action2} {
		require.NoError(t, sib.Do(ctx, arc.Simple(m), &a))
		require.NoError(t, ref.Do(ctx, arc.Simple(m), &b))
	}
	require.ErrorIs(t, crash.Do(ctx, arc.Simple(arc.Action1), &a), ErrCrashed)
	// The sibling's game is rebuilt on a new worker from its commands and
	// goes on exactly as the reference game does.
	require.NoError(t, sib.Do(ctx, arc.Simple(arc.Action4), &a))
	require.NoError(t, ref.Do(ctx, arc.Simple(arc.Action4), &b))
	assert.Equal(t, b.Frames, a.Frames)
	assert.Equal(t, b.LevelsCompleted, a.LevelsCompleted)
	assert.NotEqual(t, crash.PID(), sib.PID())
	requireRecovers(t, crash, ErrCrashed)
}

func TestErrorKindsAreDistinct(t *testing.T) {
	kinds := []error{ErrNoPython, ErrEngineVersion, ErrGamesDir, ErrLoad, ErrGameRaised, ErrCrashed, ErrHung, ErrProtocol, ErrNeedsReset, ErrClosed}
	for i, k := range kinds {
		we := &WorkerError{Kind: k, Game: "ab12-00", PID: 7, Op: "ACTION1", Err: context.DeadlineExceeded, Detail: "trace"}
		for j, other := range kinds {
			assert.Equal(t, i == j, errors.Is(we, other))
		}
		assert.ErrorIs(t, we, context.DeadlineExceeded)
		msg := we.Error()
		for _, part := range []string{k.Error(), "ab12-00", "pid 7", "ACTION1", "trace"} {
			assert.Contains(t, msg, part)
		}
	}
	assert.False(t, slices.Contains(kinds, nil))
}
