package remote

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/arcgym/arcgym/env"
)

// Factory returns a factory of envs playing gameID on the servers at
// urls, of the type vector.NewSync and vector.NewAsync take
// (vector.Factory): sub-environment i is a FleetEnv of a Fleet that
// spreads the sub-environments over the healthy servers by load and moves
// those of a server that fails to the others at their next reset
// (meanwhile their rows report the error). cfg configures the fleet's
// clients, scorecards, env.Games and probes (see NewFleet); it is
// validated once, here, and an invalid one fails every call. The fleet is
// made at the first call, opens one scorecard per server, and closes with
// its last sub-environment, closing the scorecards (cfg.CloseWhenIdle is
// always set); a later call makes a new one. Use NewFleet and
// Fleet.Factory to keep the fleet open or to read its health records.
func Factory(gameID string, urls []string, cfg FleetConfig) func(ctx context.Context, i int) (env.Env, error) {
	urls = slices.Clone(urls)
	cfg.CloseWhenIdle = true
	cfgErr := cfg.validate()
	var mu sync.Mutex
	var fl *Fleet
	return func(ctx context.Context, i int) (env.Env, error) {
		if cfgErr != nil {
			return nil, fmt.Errorf("remote: env %d: %w", i, cfgErr)
		}
		for {
			mu.Lock()
			if fl == nil || fl.Closed() {
				f, err := newFleet(urls, cfg)
				if err != nil {
					mu.Unlock()
					return nil, fmt.Errorf("remote: env %d: %w", i, err)
				}
				fl = f
			}
			f := fl
			mu.Unlock()
			e, err := fleetEnv(ctx, f, gameID)
			if errors.Is(err, ErrFleetClosed) {
				// The fleet closed with its last env in the meantime.
				continue
			}
			return e, err
		}
	}
}

// Factory returns a factory of envs playing gameID on the servers of f,
// of the type vector.NewSync and vector.NewAsync take (vector.Factory):
// each call returns a new FleetEnv (see Fleet.Env). The caller closes f
// after the vector env.
func (f *Fleet) Factory(gameID string) func(ctx context.Context, i int) (env.Env, error) {
	return func(ctx context.Context, i int) (env.Env, error) {
		if f == nil {
			return nil, fmt.Errorf("remote: nil fleet for env %d", i)
		}
		return fleetEnv(ctx, f, gameID)
	}
}

// fleetEnv returns a new env of f as an env.Env, a nil interface on error.
func fleetEnv(ctx context.Context, f *Fleet, gameID string) (env.Env, error) {
	e, err := f.Env(ctx, gameID)
	if err != nil {
		return nil, err
	}
	return e, nil
}
