package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"runtime"
	"slices"
	"strings"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/arcengine"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/games"
)

// sourceBuiltin is the SOURCE of the built-in games in listings and
// summaries; a real game's source is its games directory.
const sourceBuiltin = "built-in"

// gameFlags are the flags that bring in the real ARC-AGI-3 games, shared
// by list, run, play, serve and render.
type gameFlags struct {
	dir, python string
}

// addGameFlags defines -games and -python on fs.
func addGameFlags(fs *flag.FlagSet) *gameFlags {
	f := &gameFlags{}
	fs.StringVar(&f.dir, "games", "", "directory of real ARC-AGI-3 games in the toolkit's layout (<game>/<version>/metadata.json)\n"+
		"(default: $"+arcengine.EnvGamesDir+" or $"+arcengine.EnvToolkitGamesDir+"; neither: the built-in games only)")
	fs.StringVar(&f.python, "python", "", "Python interpreter with arcengine "+arcengine.SupportedEngine+" that runs the real games\n"+
		"(default: $"+arcengine.EnvPython+", the active virtual environment, the venv of scripts/setup-python.sh, or python3)")
	return f
}

// open returns the games the command sees. With -games or -python it opens
// a pool of real games with them and installs it as arcengine's default
// pool; otherwise, when the environment names a games directory, it uses
// arcengine.Default; otherwise there are only the built-in games. The
// caller closes the catalog when the command ends.
func (f *gameFlags) open() (*catalog, error) {
	switch {
	case f.dir != "" || f.python != "":
		p, err := arcengine.Open(arcengine.Config{GamesDir: f.dir, Python: f.python})
		if err != nil {
			if f.dir == "" && errors.Is(err, arcengine.ErrGamesDir) {
				return nil, fmt.Errorf("-python %s needs a games directory: %w", f.python, err)
			}
			return nil, flagError{err}
		}
		arcengine.SetDefault(p)
		return &catalog{pool: p, installed: true}, nil
	case arcengine.Configured():
		p, err := arcengine.Default()
		if err != nil {
			return nil, err
		}
		return &catalog{pool: p}, nil
	}
	return &catalog{}, nil
}

// flagError is an error of arcengine.Open that names the options by their
// flags.
type flagError struct{ err error }

// optionNames maps arcengine's names of the options to the flags.
var optionNames = strings.NewReplacer("the GamesDir option", "-games", "the Python option", "-python")

// Error is arcengine's message with the options named by their flags.
func (e flagError) Error() string { return optionNames.Replace(e.err.Error()) }

// Unwrap returns arcengine's error, for errors.Is.
func (e flagError) Unwrap() error { return e.err }

// catalog is the set of games a command can play: the built-in games and,
// when a games directory is configured, the real ARC-AGI-3 games of pool,
// run by the official engine in Python worker processes. Built-in ids come
// first: a real game whose id is a built-in game's is left out. A nil
// *catalog has the built-in games only.
type catalog struct {
	pool *arcengine.Pool // nil: built-in games only
	// installed is set when the pool was opened from the flags and
	// installed as arcengine's default.
	installed bool
}

// Close stops the pool's worker processes. It is safe on a nil catalog
// and safe to call more than once.
func (c *catalog) Close() error {
	if c == nil || c.pool == nil {
		return nil
	}
	err := c.pool.Close()
	if c.installed {
		arcengine.SetDefault(nil)
		c.installed = false
	}
	return err
}

// hasReal reports whether real games are configured.
func (c *catalog) hasReal() bool { return c != nil && c.pool != nil }

// gamesDir is the directory of the real games ("" without).
func (c *catalog) gamesDir() string {
	if !c.hasReal() {
		return ""
	}
	return c.pool.GamesDir()
}

// builtinIDs is the set of the built-in games' ids.
func builtinIDs() map[string]bool {
	ids := map[string]bool{}
	for _, g := range games.List() {
		ids[g.ID] = true
	}
	return ids
}

// realGames returns the real games, sorted by id, without those a
// built-in game shadows (same id).
func (c *catalog) realGames() []arcengine.Game {
	if !c.hasReal() {
		return nil
	}
	builtin := builtinIDs()
	return slices.DeleteFunc(c.pool.Games(), func(g arcengine.Game) bool { return builtin[g.Info.ID] })
}

// shadowed returns the ids of the real games left out because a built-in
// game has the same id.
func (c *catalog) shadowed() []string {
	if !c.hasReal() {
		return nil
	}
	builtin := builtinIDs()
	var out []string
	for _, g := range c.pool.Games() {
		if builtin[g.Info.ID] {
			out = append(out, g.Info.ID)
		}
	}
	return out
}

// isReal reports whether id (versioned or base) names a real game, not a
// built-in one.
func (c *catalog) isReal(id string) bool {
	if _, err := games.Lookup(id); err == nil {
		return false
	}
	if !c.hasReal() {
		return false
	}
	_, err := c.pool.Lookup(id)
	return err == nil
}

// source returns the SOURCE of game id: "built-in" or the games directory.
func (c *catalog) source(id string) string {
	if c.isReal(id) {
		return c.gamesDir()
	}
	return sourceBuiltin
}

// lookup returns the metadata of the game named by id, a built-in game
// first. A real game's Available and Levels are known once it has been
// started (see probe).
func (c *catalog) lookup(id string) (arc.GameInfo, error) {
	info, err := games.Lookup(id)
	if err == nil || !errors.Is(err, arc.ErrUnknownGame) {
		return info, err
	}
	if !c.hasReal() {
		return arc.GameInfo{}, fmt.Errorf("%w: %q is not a built-in game (\"arcgym list\" lists them; for the real ARC-AGI-3 games give -games DIR or set %s)",
			arc.ErrUnknownGame, id, arcengine.EnvGamesDir)
	}
	g, err := c.pool.Lookup(id)
	if err != nil {
		return arc.GameInfo{}, fmt.Errorf("%w: %q is neither a built-in game nor in %s (\"arcgym list\" lists the games)",
			arc.ErrUnknownGame, id, c.pool.GamesDir())
	}
	return g.Info, nil
}

// refresh returns list with what is known of the real games by now: their
// available actions and level count once a session of them has started.
func (c *catalog) refresh(list []arc.GameInfo) []arc.GameInfo {
	out := slices.Clone(list)
	if !c.hasReal() {
		return out
	}
	for i, info := range out {
		if !c.isReal(info.ID) {
			continue
		}
		if g, err := c.pool.Lookup(info.ID); err == nil {
			out[i].Available, out[i].Levels = g.Info.Available, g.Info.Levels
		}
	}
	return out
}

// make returns an env over a new session of game id: a built-in game, or a
// real game of the pool, whose worker start ctx bounds.
func (c *catalog) make(ctx context.Context, id string) (*env.Game, error) {
	if _, err := c.lookup(id); err != nil {
		return nil, err
	}
	// The catalog's pool is arcengine's default (see open), which
	// env.Make plays real games from.
	return env.Make(ctx, id, env.Config{})
}

// selectors of -game and of render's arguments.
const (
	selectAll     = "all"
	selectBuiltin = "builtin"
	selectReal    = "real"
)

// selectGames resolves a comma-separated list of game ids (base or
// versioned) and selectors to the metadata of the games, in order and
// without repeats: "all" (or an empty spec) is every game, built-in then
// real; "builtin" the built-in games; "real" the real games.
func selectGames(c *catalog, spec string) ([]arc.GameInfo, error) {
	if strings.TrimSpace(spec) == "" {
		spec = selectAll
	}
	var out []arc.GameInfo
	add := func(infos ...arc.GameInfo) {
		for _, info := range infos {
			if !slices.ContainsFunc(out, func(g arc.GameInfo) bool { return g.ID == info.ID }) {
				out = append(out, info)
			}
		}
	}
	for item := range strings.SplitSeq(spec, ",") {
		switch item = strings.TrimSpace(item); item {
		case selectAll, selectBuiltin:
			list := games.List()
			if len(list) == 0 {
				return nil, errors.New("no built-in games are registered")
			}
			add(list...)
			if item == selectBuiltin {
				continue
			}
			for _, g := range c.realGames() {
				add(g.Info)
			}
		case selectReal:
			if !c.hasReal() {
				return nil, fmt.Errorf("no real games: give -games DIR or set %s (or the toolkit's %s) to a folder of ARC-AGI-3 games",
					arcengine.EnvGamesDir, arcengine.EnvToolkitGamesDir)
			}
			for _, g := range c.realGames() {
				add(g.Info)
			}
		case "":
		default:
			info, err := c.lookup(item)
			if err != nil {
				return nil, err
			}
			add(info)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("-game %q selects no game", spec)
	}
	return out, nil
}

// probe starts every real game once, as many at a time as there are CPUs,
// so that their available actions and level counts are known, and returns
// the games that failed to load, by id. It fails when the interpreter
// itself is unusable (no Python, no or the wrong arcengine): then no game
// can run. A cancelled ctx fails the games not probed yet.
func (c *catalog) probe(ctx context.Context) (map[string]error, error) {
	list := c.realGames()
	if len(list) == 0 {
		return map[string]error{}, nil
	}
	// One game first: an unusable interpreter is reported once, without
	// starting it once per game.
	if _, err := c.pool.Probe(ctx, list[0].Info.ID); err != nil && (fatalPoolError(err) || ctx.Err() != nil) {
		return nil, err
	}
	failed := c.pool.ProbeAll(ctx, runtime.NumCPU())
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, id := range c.shadowed() {
		delete(failed, id)
	}
	for _, err := range failed {
		if fatalPoolError(err) {
			return nil, err
		}
	}
	return failed, nil
}

// fatalPoolError reports whether err means that no real game can run: the
// interpreter is missing or unusable, or lacks a supported arcengine.
func fatalPoolError(err error) bool {
	return errors.Is(err, arcengine.ErrNoPython) || errors.Is(err, arcengine.ErrEngineVersion) ||
		errors.Is(err, arcengine.ErrGamesDir) || errors.Is(err, arcengine.ErrClosed)
}

// summarize shortens an error to one line: its first line and, for a
// Python traceback, its last line (the exception).
func summarize(err error) string {
	lines := strings.Split(strings.TrimSpace(err.Error()), "\n")
	s := strings.TrimSpace(lines[0])
	if len(lines) > 1 {
		if last := strings.TrimSpace(lines[len(lines)-1]); last != "" && last != s {
			s += ": " + last
		}
	}
	return s
}
