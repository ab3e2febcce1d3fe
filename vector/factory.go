package vector

import (
	"context"
	"fmt"

	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/remote"
)

// Make returns a Factory of Games over new sessions of the built-in local
// game id (see env.Make).
func Make(id string, opts ...env.Option) Factory {
	return func(int) (env.Env, error) { return env.Make(id, opts...) }
}

// RoundRobin returns a Factory that spreads sub-environments over several
// servers: sub-environment i is made by mk with base URL urls[i%len(urls)].
// mk is typically a remote game constructor, possibly wrapped.
func RoundRobin(urls []string, mk func(baseURL string, i int) (env.Env, error)) Factory {
	urls = append([]string(nil), urls...)
	return func(i int) (env.Env, error) {
		if len(urls) == 0 {
			return nil, fmt.Errorf("vector: no server URL for env %d", i)
		}
		return mk(urls[i%len(urls)], i)
	}
}

// Remote returns a Factory of games played on REST servers, spread over
// urls round-robin: sub-environment i plays gameID on urls[i%len(urls)]
// through remote.Make with opts (API key, scorecard, env options...). Each
// sub-environment has its own client, hence its own connections and
// cookies. ctx bounds the making of each sub-environment.
func Remote(ctx context.Context, gameID string, urls []string, opts ...remote.Option) Factory {
	return RoundRobin(urls, func(url string, _ int) (env.Env, error) {
		o := append(append(make([]remote.Option, 0, len(opts)+1), opts...), remote.WithBaseURL(url))
		return remote.Make(ctx, gameID, o...)
	})
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
	return func(i int) (env.Env, error) {
		local := i
		for _, p := range parts {
			if p.N <= 0 {
				continue
			}
			if local < p.N {
				if p.New == nil {
					return nil, fmt.Errorf("vector: nil factory for env %d", i)
				}
				return p.New(local)
			}
			local -= p.N
		}
		return nil, fmt.Errorf("vector: env index %d outside 0..%d", i, total-1)
	}, total
}
