package vector

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/spaces"
)

// Env is a batch of sub-environments stepped together. Sync and Async
// implement it.
//
// The first call must be Reset. Results are views into buffers the Env owns
// and stay valid until the next call on it.
type Env interface {
	// Reset resets every sub-environment. With opts.HasSeed, sub-environment
	// i is seeded with opts.Seed+i.
	Reset(ctx context.Context, opts env.ResetOptions) (*Batch, error)
	// ResetMask resets the sub-environments whose mask entry is true and
	// leaves the rows of the others untouched.
	ResetMask(ctx context.Context, mask []bool, opts env.ResetOptions) (*Batch, error)
	// Step applies actions[i] to sub-environment i, autoresetting ended
	// episodes as Metadata().Autoreset says.
	Step(ctx context.Context, actions []arc.Action) (*Batch, error)
	// Metadata describes the vector env.
	Metadata() Metadata
	// SingleObservationSpace is the observation space of one
	// sub-environment: a Batch row of Obs.
	SingleObservationSpace() spaces.Space
	// SingleActionSpace is the action space of sub-environment 0.
	SingleActionSpace() spaces.Space
	// Close closes every sub-environment and stops any worker.
	Close() error
}

// Factory makes sub-environment i (0-based) under ctx, which bounds the
// making (a remote session's requests, a worker process's start).
type Factory func(ctx context.Context, i int) (env.Env, error)

// AutoresetMode says when a sub-environment whose episode ended is reset,
// with the meaning of Gymnasium's vector autoreset modes.
type AutoresetMode uint8

const (
	// NextStep resets on the step after the one that ended the episode: the
	// ending step returns the final observation with terminated or
	// truncated set; the next step ignores its action, resets, and returns
	// the first observation with reward 0, both flags false and First set.
	NextStep AutoresetMode = iota
	// SameStep resets within the step that ends the episode: the row holds
	// the ending step's reward and flags but the new episode's first
	// observation and reset info; the ending step's observation and info
	// are kept in FinalObs and FinalInfos, flagged by HasFinal.
	SameStep
	// Disabled never resets: the caller resets ended sub-environments with
	// ResetMask; stepping one before that reports env.ErrNeedsReset in its
	// row.
	Disabled
)

// String returns Gymnasium's name of the mode.
func (m AutoresetMode) String() string {
	switch m {
	case NextStep:
		return "NEXT_STEP"
	case SameStep:
		return "SAME_STEP"
	case Disabled:
		return "DISABLED"
	}
	return fmt.Sprintf("AutoresetMode(%d)", uint8(m))
}

// Metadata describes a vector env.
type Metadata struct {
	// Autoreset is the autoreset mode.
	Autoreset AutoresetMode
	// NumEnvs is the number of sub-environments.
	NumEnvs int
	// BatchSize is the number of rows Recv returns (NumEnvs for Sync).
	BatchSize int
	// Workers is the number of worker goroutines (0 for Sync).
	Workers int
	// ObsShape is the shape of one sub-environment's Obs.Grid.
	ObsShape []int
	// Timeout is the per-command deadline of each sub-environment (0: none).
	Timeout time.Duration
}

// Config configures a vector env. The zero value is NextStep autoreset, one
// worker per sub-environment, full batches and no deadline.
type Config struct {
	// Autoreset selects the autoreset mode.
	Autoreset AutoresetMode
	// Workers is the number of goroutines of an Async env that run
	// commands at once: the caller of Step and Workers-1 workers, or, for
	// Send, Workers workers. 0 means one per sub-environment, the right
	// choice for remote games whose steps wait on the network. For local
	// games, whose steps take well under a microsecond, use
	// runtime.GOMAXPROCS(0) workers: then idle workers spin briefly for the
	// next Step instead of being woken, which would cost more than the
	// steps. Sync ignores it.
	Workers int
	// BatchSize is the number of sub-environments Async.Recv returns; 0
	// means all of them.
	BatchSize int
	// Timeout, when positive, bounds each command (step or reset) of a
	// sub-environment; a command that exceeds it fails with ErrDeadline in
	// that sub-environment's row. It costs a timer per command.
	Timeout time.Duration
}

func (c *Config) validate(n int) error {
	if n <= 0 {
		return fmt.Errorf("vector: %d sub-environments, want at least 1", n)
	}
	if c.Autoreset > Disabled {
		return fmt.Errorf("vector: unknown autoreset mode %d", c.Autoreset)
	}
	if c.Workers < 0 {
		return fmt.Errorf("vector: %d workers, want 0 or more", c.Workers)
	}
	if c.BatchSize < 0 || c.BatchSize > n {
		return fmt.Errorf("vector: batch size %d outside 0..%d", c.BatchSize, n)
	}
	if c.Timeout < 0 {
		return fmt.Errorf("vector: negative timeout %v", c.Timeout)
	}
	if c.Workers == 0 || c.Workers > n {
		c.Workers = n
	}
	if c.BatchSize == 0 {
		c.BatchSize = n
	}
	return nil
}

// Errors of vector envs; match them with errors.Is. Closed vector envs
// return env.ErrClosed.
var (
	// ErrDeadline is reported in a row whose command exceeded
	// Config.Timeout.
	ErrDeadline = errors.New("vector: sub-environment deadline exceeded")
	// ErrShape is reported in a row whose observation does not fit the
	// batch: a grid or float tensor of another size than the others.
	ErrShape = errors.New("vector: observation shape differs from the batch")
	// ErrBusy is returned when a call needs sub-environments that are still
	// running a command sent by Async.Send.
	ErrBusy = errors.New("vector: sub-environment busy")
	// ErrNotEnough is returned by Async.Recv when fewer sub-environments
	// are running or done than the batch size, so the call could never
	// complete.
	ErrNotEnough = errors.New("vector: fewer sub-environments in flight than the batch size")
)

// errNilContext is returned for a nil context, which no command could run
// under.
var errNilContext = errors.New("vector: nil context")

// EnvError is the failure of one sub-environment's command. It sits in
// Batch.Errs at the row of that sub-environment; the others are unaffected.
type EnvError struct {
	// Env is the index of the sub-environment.
	Env int
	// Op is "step", "reset" or "autoreset".
	Op string
	// Err is the cause.
	Err error
}

// Error describes the failure.
func (e *EnvError) Error() string { return fmt.Sprintf("vector: env %d %s: %v", e.Env, e.Op, e.Err) }

// Unwrap returns the cause.
func (e *EnvError) Unwrap() error { return e.Err }
