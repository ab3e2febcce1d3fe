package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/games"
)

func TestListShowsEveryGame(t *testing.T) {
	want := games.List()
	require.NotEmpty(t, want)
	out, errText, code := runCmd(t, t.Context(), "", "list")
	require.Equal(t, exitOK, code, errText)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, len(want)+2, "header, one line per game, count")
	assert.Equal(t, fmt.Sprintf("%d games", len(want)), lines[len(lines)-1])
	for i, g := range want {
		f := strings.Fields(lines[i+1])
		assert.Equal(t, g.ID, f[0])
		assert.Contains(t, lines[i+1], g.Title)
		assert.Contains(t, lines[i+1], strings.Join(g.Tags, ","))
		assert.Contains(t, lines[i+1], actionNames(g.Available))
	}
}

func TestListJSON(t *testing.T) {
	out, errText, code := runCmd(t, t.Context(), "", "list", "-json")
	require.Equal(t, exitOK, code, errText)
	var got []gameJSON
	require.NoError(t, json.Unmarshal([]byte(out), &got))
	want := games.List()
	require.Len(t, got, len(want))
	for i, g := range want {
		assert.Equal(t, g.ID, got[i].ID)
		assert.Equal(t, g.Levels, got[i].Levels)
		assert.Equal(t, g.Available.Ints(), got[i].AvailableActions)
		assert.Equal(t, g.BaselineActions, got[i].BaselineActions)
	}
}
