package arcengine

import (
	"context"
	"sync"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/games"
)

var dflt struct {
	mu sync.Mutex
	p  *Pool
}

// Default returns the process-wide Pool configured from the environment
// (see Config), opening it on first use. It fails with ErrGamesDir when no
// games directory is configured. The Pool lives as long as the program;
// its workers exit with it.
func Default() (*Pool, error) {
	dflt.mu.Lock()
	defer dflt.mu.Unlock()
	if dflt.p != nil && !dflt.p.closed.Load() {
		return dflt.p, nil
	}
	p, err := Open(Config{})
	if err != nil {
		return nil, err
	}
	dflt.p = p
	return p, nil
}

// HasDefault reports whether Default has a pool to return without
// failing for lack of configuration: one set by SetDefault, or a games
// directory named by the environment.
func HasDefault() bool {
	dflt.mu.Lock()
	set := dflt.p != nil && !dflt.p.closed.Load()
	dflt.mu.Unlock()
	return set || Configured()
}

// SetDefault makes p the pool that Default returns, in place of one
// configured from the environment (a program with its own flags for the
// games directory and interpreter calls it once at start). A nil p goes
// back to the environment.
func SetDefault(p *Pool) {
	dflt.mu.Lock()
	defer dflt.mu.Unlock()
	dflt.p = p
}

// NewDefault starts a session of game id in the Default pool.
func NewDefault(ctx context.Context, id string) (*Instance, error) {
	p, err := Default()
	if err != nil {
		return nil, err
	}
	return p.New(ctx, id)
}

// Catalog serves a Pool's games where a games.Instance is wanted (the REST
// server's catalog). New starts sessions under context.Background: the
// pool's StartTimeout bounds them.
type Catalog struct{ Pool *Pool }

// List returns the pool's games; their Info has Available and Levels for
// the games probed or played so far (see Pool.Probe).
func (c Catalog) List() []arc.GameInfo {
	gs := c.Pool.Games()
	out := make([]arc.GameInfo, len(gs))
	for i, g := range gs {
		out[i] = g.Info
	}
	return out
}

// New starts a session of game id.
func (c Catalog) New(id string) (games.Instance, error) {
	s, err := c.Pool.New(context.Background(), id)
	if err != nil {
		return nil, err
	}
	return s, nil
}
