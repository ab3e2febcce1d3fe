package vector

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/remote"
)

// Make returns a Factory of Games over new sessions of the game id (see
// env.MakeContext: a built-in local game, or a real game in a worker
// process).
func Make(id string, opts ...env.Option) Factory {
	return func(ctx context.Context, _ int) (env.Env, error) { return env.MakeContext(ctx, id, opts...) }
}

// RoundRobin returns a Factory that spreads sub-environments over several
// servers: sub-environment i is made by mk with base URL urls[i%len(urls)].
// mk is typically a remote game constructor, possibly wrapped.
func RoundRobin(urls []string, mk func(ctx context.Context, baseURL string, i int) (env.Env, error)) Factory {
	urls = append([]string(nil), urls...)
	return func(ctx context.Context, i int) (env.Env, error) {
		if len(urls) == 0 {
			return nil, fmt.Errorf("vector: no server URL for env %d", i)
		}
		return mk(ctx, urls[i%len(urls)], i)
	}
}

// Remote returns a Factory of games played on REST servers: gameID on the
// servers at urls, through a remote.Fleet that spreads the
// sub-environments over the healthy servers by load and moves those of a
// server that fails to the others at their next reset (meanwhile their
// rows report the error). opts configure the fleet's clients, scorecards
// and env options (see remote.NewFleet). The fleet is made at the first
// call, opens one scorecard per server, and closes with its last
// sub-environment, closing the scorecards; a later call makes a new one.
// Use RemoteFleet to choose the fleet's configuration or to read its health
// records.
func Remote(gameID string, urls []string, opts ...remote.Option) Factory {
	urls = append([]string(nil), urls...)
	opts = append([]remote.Option(nil), opts...)
	var mu sync.Mutex
	var fl *remote.Fleet
	return func(ctx context.Context, i int) (env.Env, error) {
		for {
			mu.Lock()
			if fl == nil || fl.Closed() {
				f, err := remote.NewFleet(urls, remote.FleetConfig{CloseWhenIdle: true}, opts...)
				if err != nil {
					mu.Unlock()
					return nil, fmt.Errorf("vector: env %d: %w", i, err)
				}
				fl = f
			}
			f := fl
			mu.Unlock()
			e, err := fleetEnv(ctx, f, gameID)
			if errors.Is(err, remote.ErrFleetClosed) {
				// The fleet closed with its last env in the meantime.
				continue
			}
			return e, err
		}
	}
}

// RemoteFleet returns a Factory of games gameID played on the servers of
// f (see remote.Fleet); the caller closes f after the vector env.
func RemoteFleet(f *remote.Fleet, gameID string) Factory {
	return func(ctx context.Context, i int) (env.Env, error) {
		if f == nil {
			return nil, fmt.Errorf("vector: nil fleet for env %d", i)
		}
		return fleetEnv(ctx, f, gameID)
	}
}

// fleetEnv returns a new env of f as an env.Env, nil on error.
func fleetEnv(ctx context.Context, f *remote.Fleet, gameID string) (env.Env, error) {
	e, err := f.Env(ctx, gameID)
	if err != nil {
		return nil, err
	}
	return e, nil
}

// Part is a run of N sub-environments made by New, which receives indices
// 0..N-1 within the part.
type Part struct {
	N   int
	New Factory
}

// Mix returns a Factory that makes the sub-environments of parts one after
// the other, local and remote ones alike, and their total number: the first
// parts[0].N come from parts[0].New, the next parts[1].N from parts[1].New,
// and so on.
func Mix(parts ...Part) (Factory, int) {
	parts = append([]Part(nil), parts...)
	total := 0
	for _, p := range parts {
		total += max(p.N, 0)
	}
	return func(ctx context.Context, i int) (env.Env, error) {
		local := i
		for _, p := range parts {
			if p.N <= 0 {
				continue
			}
			if local < p.N {
				if p.New == nil {
					return nil, fmt.Errorf("vector: nil factory for env %d", i)
				}
				return p.New(ctx, local)
			}
			local -= p.N
		}
		return nil, fmt.Errorf("vector: env index %d outside 0..%d", i, total-1)
	}, total
}
