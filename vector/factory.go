package vector

import (
	"context"
	"fmt"

	"github.com/arcgym/arcgym/env"
)

// Make returns a Factory of Games configured by cfg over new sessions of the
// game id (see env.Make: a built-in local game, or a real game in a worker
// process).
func Make(id string, cfg env.Config) Factory {
	return func(ctx context.Context, _ int) (env.Env, error) { return env.Make(ctx, id, cfg) }
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
