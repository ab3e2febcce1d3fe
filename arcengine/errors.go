package arcengine

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors. Every failure of a worker or of game code is a
// *WorkerError whose Kind is one of them, so callers branch with errors.Is.
var (
	// ErrNoPython: the interpreter could not be found or started.
	ErrNoPython = errors.New("arcengine: no usable Python interpreter")
	// ErrEngineVersion: the interpreter lacks the arcengine package, or has
	// a version outside SupportedEngine.
	ErrEngineVersion = errors.New("arcengine: arcengine package missing or of an unsupported version")
	// ErrGamesDir: the games directory does not exist, is not a directory,
	// or holds no game.
	ErrGamesDir = errors.New("arcengine: bad games directory")
	// ErrLoad: a game's source or class could not be loaded, or its
	// constructor raised.
	ErrLoad = errors.New("arcengine: game failed to load")
	// ErrGameRaised: game code raised an exception during a command; the
	// error carries the Python traceback.
	ErrGameRaised = errors.New("arcengine: game code raised an exception")
	// ErrCrashed: the worker process exited or was killed.
	ErrCrashed = errors.New("arcengine: worker process exited")
	// ErrHung: the worker did not answer before the context ended; it was
	// killed.
	ErrHung = errors.New("arcengine: worker did not answer in time")
	// ErrProtocol: the worker sent bytes that do not follow the protocol.
	ErrProtocol = errors.New("arcengine: protocol violation")
	// ErrNeedsReset: the session lost its game to an earlier failure; only
	// RESET, which starts a new game, is accepted.
	ErrNeedsReset = errors.New("arcengine: session lost its game; send RESET")
	// ErrClosed: the pool or session was closed.
	ErrClosed = errors.New("arcengine: closed")
)

// WorkerError describes a failure of a worker process or of the game code
// it runs. It matches its Kind with errors.Is, and the context error (if
// the failure was a timeout) too.
type WorkerError struct {
	// Kind is one of the package's sentinel errors.
	Kind error
	// Game is the versioned id of the game concerned, if any.
	Game string
	// PID is the worker's process id (0 if it never started).
	PID int
	// Op describes what was being done: "start", "open", "RESET", "ACTION6"...
	Op string
	// Detail is the Python traceback for ErrGameRaised and ErrLoad, the
	// worker's last output for ErrCrashed, or a description.
	Detail string
	// Err is the underlying error, if any (an exit status, a context error).
	Err error
}

// Error formats the failure on one line followed by its detail.
func (e *WorkerError) Error() string {
	var b strings.Builder
	b.WriteString(e.Kind.Error())
	if e.Game != "" {
		fmt.Fprintf(&b, ": game %s", e.Game)
	}
	if e.Op != "" {
		fmt.Fprintf(&b, ": %s", e.Op)
	}
	if e.PID != 0 {
		fmt.Fprintf(&b, " (worker pid %d)", e.PID)
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	if d := strings.TrimSpace(e.Detail); d != "" {
		b.WriteString("\n")
		b.WriteString(d)
	}
	return b.String()
}

// Unwrap returns the kind and the underlying error.
func (e *WorkerError) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}
