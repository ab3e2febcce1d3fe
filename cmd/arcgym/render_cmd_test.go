package main

import (
	"image/gif"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/games"
)

func TestRenderSheet(t *testing.T) {
	all := games.List()
	tests := []struct {
		name       string
		args       []string
		rows, cols int
		scale      int
	}{
		{"all games", nil, len(all), 5, 3},
		{"one game at scale 1", []string{"-scale", "1", "tl03"}, 1, 5, 1},
		{"two games, generated levels", []string{"-seed", "7", "-scale", "2", "kw01", "sp04"}, 2, 5, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "sheet.png")
			out, errText, code := runCmd(t, t.Context(), "", append([]string{"render", "-o", path}, tt.args...)...)
			require.Equal(t, exitOK, code, errText)
			assert.Contains(t, out, path)
			f, err := os.Open(path)
			require.NoError(t, err)
			defer f.Close()
			img, err := png.Decode(f)
			require.NoError(t, err)
			cell, gap := arc.GridSize*tt.scale, sheetGap*tt.scale
			assert.Equal(t, gap+tt.cols*(cell+gap), img.Bounds().Dx())
			assert.Equal(t, gap+tt.rows*(cell+gap), img.Bounds().Dy())
		})
	}
}

func TestLevelStartsDiffer(t *testing.T) {
	for _, g := range games.List() {
		frames, err := levelStarts(t.Context(), nil, g.ID, 0)
		require.NoError(t, err, g.ID)
		require.Len(t, frames, g.Levels, g.ID)
		for i := 1; i < len(frames); i++ {
			assert.NotEqual(t, frames[i-1], frames[i], "%s levels %d and %d start alike", g.ID, i, i+1)
		}
	}
}

func TestRenderGIF(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		minFrames int
	}{
		{"random", []string{"-game", "kw01", "-seed", "1", "-max-steps", "20"}, 21},
		{"explore", []string{"-game", "gl02", "-agent", "explore", "-max-steps", "20"}, 21},
		// The 11 moves of kw01's first level, then a level transition.
		{"solution", []string{"-game", "kw01", "-agent", "solution", "-max-steps", "11", "-scale", "1"}, 14},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "episode.gif")
			_, errText, code := runCmd(t, t.Context(), "", append([]string{"render", "-gif", path}, tt.args...)...)
			require.Equal(t, exitOK, code, errText)
			f, err := os.Open(path)
			require.NoError(t, err)
			defer f.Close()
			g, err := gif.DecodeAll(f)
			require.NoError(t, err)
			assert.GreaterOrEqual(t, len(g.Image), tt.minFrames)
			assert.Len(t, g.Delay, len(g.Image))
			assert.Positive(t, g.Delay[0])
		})
	}
}

func TestRenderBadFlags(t *testing.T) {
	dir := t.TempDir()
	png, gifPath := filepath.Join(dir, "a.png"), filepath.Join(dir, "a.gif")
	tests := []struct {
		name    string
		args    []string
		code    int
		errText string
	}{
		{"nothing to render", nil, exitError, "give -o"},
		{"both outputs", []string{"-o", png, "-gif", gifPath, "-game", "kw01"}, exitError, "exclude each other"},
		{"gif without game", []string{"-gif", gifPath}, exitError, "-gif needs -game"},
		{"game with sheet", []string{"-o", png, "-game", "kw01"}, exitError, `-game "kw01" is for -gif`},
		{"arguments with gif", []string{"-gif", gifPath, "-game", "kw01", "tl03"}, exitError, "unexpected arguments"},
		{"scale zero", []string{"-o", png, "-scale", "0"}, exitError, "-scale 0"},
		{"scale too big", []string{"-o", png, "-scale", "65"}, exitError, "-scale 65"},
		{"max steps", []string{"-gif", gifPath, "-game", "kw01", "-max-steps", "0"}, exitError, "-max-steps 0"},
		{"unknown agent", []string{"-gif", gifPath, "-game", "kw01", "-agent", "oracle"}, exitError, `unknown agent "oracle"`},
		{"unknown game", []string{"-o", png, "zz99"}, exitError, "zz99"},
		{"unknown gif game", []string{"-gif", gifPath, "-game", "zz99"}, exitError, "zz99"},
		{"unwritable output", []string{"-o", filepath.Join(dir, "missing", "a.png"), "tl03"}, exitError, "missing"},
		{"undefined flag", []string{"-nope"}, exitUsage, "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errText, code := runCmd(t, t.Context(), "", append([]string{"render"}, tt.args...)...)
			assert.Equal(t, tt.code, code, errText)
			assert.Contains(t, errText, tt.errText)
		})
	}
	_, err := os.Stat(png)
	assert.ErrorIs(t, err, os.ErrNotExist, "a failed render writes nothing")
}
