package games

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"

	"github.com/arcgym/arcgym/arc"
)

// Instance is one running local game. It speaks the ARC command protocol
// in-process: Do takes RESET or ACTION1..ACTION7 and writes the resulting
// frames and state into out, reusing out's frame buffer, with the RESET
// semantics of the REST API (level reset when actions were taken in the
// current level, full reset otherwise or after WIN).
type Instance interface {
	// Info returns the game's metadata.
	Info() arc.GameInfo
	// Do runs one command. It allocates nothing once out's buffer is grown.
	Do(ctx context.Context, a arc.Action, out *arc.FrameData) error
	// Seed selects the procedural level set used from the next full reset on.
	Seed(seed int64)
	// Close releases the session.
	Close() error
}

// Factory makes a new session of one game.
type Factory func() Instance

type entry struct {
	info arc.GameInfo
	new  Factory
}

var (
	mu       sync.RWMutex
	registry = map[string]entry{}
)

// Register adds a game under its versioned id (info.ID). It panics on a
// malformed or duplicate id: registration happens at init and such an error
// is a programming error.
func Register(info arc.GameInfo, f Factory) {
	if err := arc.ValidateGameID(info.ID); err != nil {
		panic(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if _, dup := registry[info.ID]; dup {
		panic(fmt.Sprintf("games: %s registered twice", info.ID))
	}
	registry[info.ID] = entry{info: info, new: f}
}

// Lookup finds a game by versioned id or by base id and returns its metadata.
func Lookup(id string) (arc.GameInfo, error) {
	e, err := find(id)
	if err != nil {
		return arc.GameInfo{}, err
	}
	return cloneInfo(e.info), nil
}

// New starts a session of the game named by id (versioned or base id).
func New(id string) (Instance, error) {
	e, err := find(id)
	if err != nil {
		return nil, err
	}
	return e.new(), nil
}

// List returns the metadata of every registered game, sorted by id.
func List() []arc.GameInfo {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]arc.GameInfo, 0, len(registry))
	for _, e := range registry {
		out = append(out, cloneInfo(e.info))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func find(id string) (entry, error) {
	mu.RLock()
	defer mu.RUnlock()
	if e, ok := registry[id]; ok {
		return e, nil
	}
	for full, e := range registry {
		if arc.MatchGameID(full, id) {
			return e, nil
		}
	}
	return entry{}, fmt.Errorf("%w: %q", arc.ErrUnknownGame, id)
}

func cloneInfo(in arc.GameInfo) arc.GameInfo {
	in.Tags = slices.Clone(in.Tags)
	in.BaselineActions = slices.Clone(in.BaselineActions)
	return in
}
