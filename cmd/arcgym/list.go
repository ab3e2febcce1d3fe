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

func runList(_ context.Context, args []string, io stdio) error {
	fs := newFlagSet("list", "", "List prints the built-in games: id, title, tags, levels and available actions.", io)
	asJSON := fs.Bool("json", false, "print a JSON array instead of a table")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return errUsage
	}
	list := games.List()
	if *asJSON {
		return writeGamesJSON(io, list)
	}
	tw := tabwriter.NewWriter(io.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTITLE\tTAGS\tLEVELS\tACTIONS\tFPS")
	for _, g := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%d\n", g.ID, g.Title, strings.Join(g.Tags, ","), g.Levels, actionNames(g.Available), g.DefaultFPS)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(io.out, "%d games\n", len(list))
	return err
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
}

func writeGamesJSON(io stdio, list []arc.GameInfo) error {
	out := make([]gameJSON, len(list))
	for i, g := range list {
		out[i] = gameJSON{
			ID: g.ID, Title: g.Title, Tags: g.Tags, Levels: g.Levels,
			AvailableActions: g.Available.Ints(), BaselineActions: g.BaselineActions, DefaultFPS: g.DefaultFPS,
		}
		if out[i].Tags == nil {
			out[i].Tags = []string{}
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
