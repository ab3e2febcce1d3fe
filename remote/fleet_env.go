package remote

import (
	"context"
	"fmt"
	"time"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/spaces"
)

// FleetEnv is the env.Env a Fleet hands out: an env.Game playing on one
// server of the fleet, which Reset moves to another server when its own
// failed or when the fleet is uneven (see Fleet). Like env.Game it is not
// safe for concurrent use.
type FleetEnv struct {
	f      *Fleet
	gameID string
	// srv and g are nil while the session is lost.
	srv *fleetServer
	g   *env.Game
	// lost is the failure that dropped the session, or that kept the last
	// Reset from starting a new one.
	lost     error
	obsSpace spaces.Space
	actSpace spaces.Space
	moves    int
	closed   bool
}

var (
	_ env.Env         = (*FleetEnv)(nil)
	_ env.StepperInto = (*FleetEnv)(nil)
)

// lostError is the error of a step whose session was dropped.
type lostError struct {
	url string
	err error
}

func (e *lostError) Error() string {
	if e.url == "" {
		return fmt.Sprintf("remote: no session (reset to start one): %v", e.err)
	}
	return fmt.Sprintf("remote: session on %s lost (reset to start a new one): %v", e.url, e.err)
}

// Unwrap returns the sentinels the error matches and its cause.
func (e *lostError) Unwrap() []error { return []error{ErrSessionLost, env.ErrNeedsReset, e.err} }

// Reset starts a new episode. A full game reset first moves the env to a
// less loaded server if there is one (see Fleet); a reset that fails
// because the server or the session is gone starts a new session on the
// next healthy server within the same call, up to
// FleetConfig.MaxStartAttempts servers. A moved env starts a new run at
// level one whatever opts.Mode says: the progress was on the old server.
func (e *FleetEnv) Reset(ctx context.Context, opts env.ResetOptions) (env.Obs, env.Info, error) {
	if e.closed {
		return env.Obs{}, env.Info{}, env.ErrClosed
	}
	if e.f.Closed() {
		return env.Obs{}, env.Info{}, ErrFleetClosed
	}
	if e.g != nil && opts.Mode == env.ResetGame {
		if to := e.f.moveTarget(e.srv); to != nil {
			// The env's share left its server with the move: drop the
			// session only.
			e.srv = nil
			e.drop()
			return e.restart(ctx, opts, to)
		}
	}
	if e.g != nil {
		start := time.Now()
		obs, info, err := e.g.Reset(ctx, opts)
		if !e.settle(ctx, start, err) {
			return obs, info, err
		}
	}
	return e.restart(ctx, opts, nil)
}

// settle records the outcome of a call to the session made at start: its
// latency on success, else what err says about the server. When the server
// or the session is gone it drops the session and reports true.
func (e *FleetEnv) settle(ctx context.Context, start time.Time, err error) bool {
	if err == nil {
		e.f.succeeded(e.srv, time.Since(start))
		return false
	}
	switch classify(ctx, err) {
	case faultNone:
		return false
	case faultServer:
		e.f.failed(e.srv, err)
	}
	e.drop()
	e.lost = err
	return true
}

// restart starts a session on first, or on the best server, and resets it.
func (e *FleetEnv) restart(ctx context.Context, opts env.ResetOptions, first *fleetServer) (env.Obs, env.Info, error) {
	s, g, err := e.f.start(ctx, e.gameID, first)
	if err != nil {
		e.lost = err
		return env.Obs{}, env.Info{}, err
	}
	e.srv, e.g, e.lost = s, g, nil
	e.moves++
	// The first Reset of a new session uses the RESET that created it.
	obs, info, err := g.Reset(ctx, opts)
	if err != nil {
		e.drop()
		e.lost = err
		return env.Obs{}, env.Info{}, err
	}
	return obs, info, nil
}

// Step applies one action. When it fails because the server or the
// session is gone, the session is dropped and the error matches
// ErrSessionLost and env.ErrNeedsReset (a vector env then resets the
// row); so does every Step until Reset starts a new session.
func (e *FleetEnv) Step(ctx context.Context, a arc.Action) (env.Step, error) {
	var st env.Step
	err := e.StepInto(ctx, a, &st)
	return st, err
}

// StepInto is Step with the result left in *st (see env.StepperInto).
func (e *FleetEnv) StepInto(ctx context.Context, a arc.Action, st *env.Step) error {
	if e.closed {
		*st = env.Step{}
		return env.ErrClosed
	}
	if e.g == nil {
		*st = env.Step{}
		return &lostError{err: e.lost}
	}
	start := time.Now()
	url := e.srv.url
	err := e.g.StepInto(ctx, a, st)
	if e.settle(ctx, start, err) {
		return &lostError{url: url, err: err}
	}
	return err
}

// drop closes the current session, if any, and unassigns the env from its
// server. The session's scorecard belongs to the fleet, so closing it
// sends nothing.
func (e *FleetEnv) drop() {
	if e.g != nil {
		_ = e.g.Close()
		e.g = nil
	}
	if e.srv != nil {
		e.f.release(e.srv)
		e.srv = nil
	}
}

// ObservationSpace describes Obs.Grid, as env.Game does.
func (e *FleetEnv) ObservationSpace() spaces.Space { return e.obsSpace }

// ActionSpace is the action space of the current session's game (of the
// first session while none is running).
func (e *FleetEnv) ActionSpace() spaces.Space {
	if e.g != nil {
		return e.g.ActionSpace()
	}
	return e.actSpace
}

// Server returns the base URL of the server the env plays on, "" while
// its session is lost.
func (e *FleetEnv) Server() string {
	if e.srv == nil {
		return ""
	}
	return e.srv.url
}

// Moves counts the sessions the env started after its first one.
func (e *FleetEnv) Moves() int { return e.moves }

// Unwrap returns the env.Game of the current session, nil while the
// session is lost.
func (e *FleetEnv) Unwrap() env.Env {
	if e.g == nil {
		return nil
	}
	return e.g
}

// Close closes the env's session and releases its place on the server;
// the scorecard stays open until Fleet.Close. It is safe to call more than
// once.
func (e *FleetEnv) Close() error {
	if e.closed {
		return nil
	}
	e.closed = true
	e.drop()
	e.f.envClosed()
	return nil
}
