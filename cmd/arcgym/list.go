package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/games"
)

const listSummary = `List prints the games: id, title, tags, levels, available actions, default
frame rate and source. The built-in games come first (source "built-in"),
then the real ARC-AGI-3 games of the games directory (-games, or
$ARCGYM_GAMES_DIR or $ENVIRONMENTS_DIR), whose source is that directory.

Only a game's own code knows its levels and actions: list starts every real
game once (as many at a time as there are CPUs) to show them. A game that
fails to load is listed all the same, without levels and actions, and a
warning on standard error says why.`

// runList is the list command.
func runList(ctx context.Context, args []string, io stdio) error {
	fs := newFlagSet("list", "", listSummary, io)
	asJSON := fs.Bool("json", false, "print a JSON array instead of a table")
	gf := addGameFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return errUsage
	}
	cat, err := gf.open()
	if err != nil {
		return err
	}
	defer cat.Close()
	list, err := listGames(ctx, cat, io)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeGamesJSON(io, list)
	}
	tw := tabwriter.NewWriter(io.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTITLE\tTAGS\tLEVELS\tACTIONS\tFPS\tSOURCE")
	for _, g := range list {
		levels, actions := fmt.Sprint(g.Levels), actionNames(g.Available)
		if g.err != nil {
			levels, actions = "?", "?"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\n", g.ID, g.Title, strings.Join(g.Tags, ","), levels, actions, g.DefaultFPS, g.source)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err = fmt.Fprintf(io.out, "%d games\n", len(list))
	return err
}

// listedGame is one game of the listing.
type listedGame struct {
	arc.GameInfo
	// source is "built-in" or the real game's games directory.
	source string
	// err is why a real game failed to load.
	err error
}

// listGames returns the built-in games and the real games of cat, probed,
// warning on io.err about the games that failed to load or were left out.
func listGames(ctx context.Context, cat *catalog, io stdio) ([]listedGame, error) {
	var list []listedGame
	for _, g := range games.List() {
		list = append(list, listedGame{GameInfo: g, source: sourceBuiltin})
	}
	if !cat.hasReal() {
		return list, nil
	}
	for _, err := range cat.pool.ScanErrors() {
		fmt.Fprintf(io.err, "arcgym list: warning: skipped %s\n", summarize(err))
	}
	for _, id := range cat.shadowed() {
		fmt.Fprintf(io.err, "arcgym list: warning: real game %s is left out: a built-in game has the same id\n", id)
	}
	failed, err := cat.probe(ctx)
	if err != nil {
		return nil, err
	}
	for _, g := range cat.realGames() {
		lg := listedGame{GameInfo: g.Info, source: cat.gamesDir(), err: failed[g.Info.ID]}
		if lg.err != nil {
			fmt.Fprintf(io.err, "arcgym list: warning: %s failed to load: %s\n", g.Info.ID, summarize(lg.err))
		}
		list = append(list, lg)
	}
	return list, nil
}

// gameJSON is one game in the -json listing.
type gameJSON struct {
	ID               string   `json:"id"`
	Title            string   `json:"title"`
	Tags             []string `json:"tags"`
	Levels           int      `json:"levels"`
	AvailableActions []int    `json:"available_actions"`
	BaselineActions  []int    `json:"baseline_actions"`
	DefaultFPS       int      `json:"default_fps"`
	// Source is "built-in" or the games directory of a real game.
	Source string `json:"source"`
	// Error is why a real game failed to load (its levels and actions
	// are then unknown).
	Error string `json:"error,omitempty"`
}

// writeGamesJSON prints list as the JSON array of -json.
func writeGamesJSON(io stdio, list []listedGame) error {
	out := make([]gameJSON, len(list))
	for i, g := range list {
		out[i] = gameJSON{
			ID: g.ID, Title: g.Title, Tags: g.Tags, Levels: g.Levels,
			AvailableActions: g.Available.Ints(), BaselineActions: g.BaselineActions, DefaultFPS: g.DefaultFPS,
			Source: g.source,
		}
		if out[i].Tags == nil {
			out[i].Tags = []string{}
		}
		if g.err != nil {
			out[i].Error = summarize(g.err)
		}
	}
	enc := json.NewEncoder(io.out)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// actionNames lists the actions of a set in short form, "1,2,3,4,6".
func actionNames(s arc.ActionSet) string {
	var b strings.Builder
	for _, id := range s.IDs(nil) {
		if id == arc.Reset {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%d", id)
	}
	return b.String()
}
