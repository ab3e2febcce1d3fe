package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/engine"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/games"
)

// leveled is implemented by the engine's sessions.
type leveled interface{ Levels() []engine.Level }

// solutionScript returns the line-mode script that plays the recorded
// solution of the first level of game under the procedural level set seed,
// and the frame (as plain hex lines) that it leads to.
func solutionScript(t *testing.T, id string, seed int64) (script string, n int, frame string) {
	t.Helper()
	g, err := env.Make(t.Context(), id, env.Config{})
	require.NoError(t, err)
	defer g.Close()
	_, _, err = g.Reset(t.Context(), env.WithSeed(seed))
	require.NoError(t, err)
	s, ok := g.Backend().(leveled)
	require.True(t, ok, "the backend of %s exposes its levels", id)
	sol := s.Levels()[0].Solution
	var b strings.Builder
	for _, a := range sol {
		if a.ID == arc.Action6 {
			fmt.Fprintf(&b, "6 %d %d\n", a.X, a.Y)
		} else {
			fmt.Fprintf(&b, "%d\n", a.ID)
		}
		_, err := g.Step(t.Context(), a)
		require.NoError(t, err)
	}
	return b.String(), len(sol), string(appendFramePlain(nil, g.Last().Last()))
}

// lastStatus returns the last status line of play's output.
func lastStatus(t *testing.T, out string) string {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.HasPrefix(lines[i], "game=") {
			return lines[i]
		}
	}
	t.Fatalf("no status line in %q", out)
	return ""
}

func TestPlayScriptedSolutionCompletesLevel(t *testing.T) {
	played := 0
	for _, info := range games.List() {
		t.Run(info.ID, func(t *testing.T) {
			const seed = 11
			script, n, frame := solutionScript(t, info.ID, seed)
			if n == 0 {
				t.Logf("%s records no solution for its generated levels", info.ID)
				return
			}
			played++
			out, errText, code := runCmd(t, t.Context(), script+"q\n", "play", "-seed", fmt.Sprint(seed), "-color", "never", info.ID)
			require.Equal(t, exitOK, code, errText)
			assert.Empty(t, errText)
			st := lastStatus(t, out)
			assert.Contains(t, st, fmt.Sprintf("levels=1/%d", info.Levels))
			assert.Contains(t, st, fmt.Sprintf("steps=%d ", n))
			assert.Contains(t, st, "reward=1 ")
			// The frame printed before the last status is the one the same
			// moves give through the env directly.
			i := strings.LastIndex(out, st)
			require.GreaterOrEqual(t, i, len(frame))
			assert.Equal(t, frame, out[i-len(frame):i])
		})
	}
	assert.Positive(t, played, "at least one game records level solutions")
}

func TestPlayLineMode(t *testing.T) {
	tests := []struct {
		name    string
		game    string
		script  string
		status  []string // substrings of the last status line
		message string   // substring of the output
		stderr  string
	}{
		{
			name:   "moves count",
			game:   "kw01",
			script: "s\n2\nACTION4\n# comment\n\nd\n",
			status: []string{"steps=4 ", "state=NOT_FINISHED", "levels=0/5"},
		},
		{
			name:   "reset restarts",
			game:   "kw01",
			script: "s\ns\nr\n",
			status: []string{"steps=0 ", "action=RESET"},
		},
		{
			name:    "unavailable action is refused",
			game:    "kw01",
			script:  "6 3 4\n",
			status:  []string{"steps=0 "},
			message: "ACTION6(3,4) is not available",
		},
		{
			name:   "unknown command goes to stderr",
			game:   "kw01",
			script: "jump\n1\n",
			status: []string{"steps=1 "},
			stderr: `line 1: unknown command "jump"`,
		},
		{
			name:   "quit stops reading",
			game:   "kw01",
			script: "1\nq\n1\n1\n",
			status: []string{"steps=1 "},
		},
		{
			name:   "click",
			game:   "tl03",
			script: "6 10 20\n",
			status: []string{"steps=1 ", "action=ACTION6(10,20)"},
		},
		{
			name:    "game over after the budget",
			game:    "kw01",
			script:  strings.Repeat("w\n", 40),
			status:  []string{"state=GAME_OVER", "steps=30 "},
			message: "the game is over",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errText, code := runCmd(t, t.Context(), tt.script, "play", "-frames=false", tt.game)
			require.Equal(t, exitOK, code, errText)
			st := lastStatus(t, out)
			for _, s := range tt.status {
				assert.Contains(t, st, s)
			}
			assert.Contains(t, out, tt.message)
			assert.Contains(t, errText, tt.stderr)
			if tt.stderr == "" {
				assert.Empty(t, errText)
			}
		})
	}
}

func TestPlayColourFrames(t *testing.T) {
	out, errText, code := runCmd(t, t.Context(), "", "play", "-color", "always", "kw01")
	require.Equal(t, exitOK, code, errText)
	assert.Contains(t, out, "\x1b[38;2;")
	assert.Equal(t, arc.GridSize/2, strings.Count(out, "\x1b[0m\n"), "one frame of 32 lines")
	assert.Contains(t, out, "game=kw01-")
}

func TestPlayErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		err  string
	}{
		{"no game", []string{"play"}, exitUsage, "Usage"},
		{"two games", []string{"play", "kw01", "tl03"}, exitUsage, "Usage"},
		{"unknown game", []string{"play", "zz99"}, exitError, "unknown game"},
		{"bad colour", []string{"play", "-color", "pink", "kw01"}, exitUsage, "-color"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errText, code := runCmd(t, t.Context(), "", tt.args...)
			assert.Equal(t, tt.code, code)
			assert.Contains(t, errText, tt.err)
		})
	}
}

func TestKeyHelp(t *testing.T) {
	assert.Equal(t, "w/a/s/d or arrows: ACTION1-4  r: reset  q: quit", keyHelp(arc.ActionSetOf(arc.Action1, arc.Action2)))
	all := keyHelp(arc.ActionSetOf(arc.Action5, arc.Action6, arc.Action7))
	assert.Equal(t, "space/e: ACTION5  click or c: ACTION6  u/z: ACTION7  r: reset  q: quit", all)
}

func TestClickAt(t *testing.T) {
	tests := []struct {
		in   input
		want arc.Action
		ok   bool
	}{
		{input{col: 1, row: frameTop}, arc.Click(0, 0), true},
		{input{col: 1, row: frameTop, lower: true}, arc.Click(0, 1), true},
		{input{col: 64, row: frameBottom - 1, lower: true}, arc.Click(63, 63), true},
		{input{col: 20, row: 10}, arc.Click(19, 14), true},
		{input{col: 65, row: frameTop}, arc.Action{}, false},
		{input{col: 0, row: frameTop}, arc.Action{}, false},
		{input{col: 5, row: frameTop - 1}, arc.Action{}, false},
		{input{col: 5, row: frameBottom}, arc.Action{}, false},
	}
	for _, tt := range tests {
		got, ok := clickAt(tt.in)
		assert.Equal(t, tt.ok, ok, "%+v", tt.in)
		assert.Equal(t, tt.want, got, "%+v", tt.in)
	}
}

func TestPlayerDrawScreen(t *testing.T) {
	g, err := env.Make(t.Context(), "tl03", env.Config{})
	require.NoError(t, err)
	defer g.Close()
	var out strings.Builder
	p := &player{g: g, info: g.GameInfo(), io: stdio{out: &out}}
	require.NoError(t, p.reset(t.Context()))
	require.NoError(t, p.step(t.Context(), arc.Click(5, 6)))
	require.NoError(t, p.draw(g.Last().Last()))
	screen := out.String()
	require.True(t, strings.HasPrefix(screen, ansiHome))
	lines := strings.Split(screen, "\r\n")
	require.Len(t, lines, 2+arc.GridSize/2+2, "two status lines, the frame, help and message")
	assert.Contains(t, lines[0], "Tri-Lights")
	assert.Contains(t, lines[1], "last ACTION6(5,6)")
	assert.Contains(t, lines[1], "available 6")
	assert.Equal(t, arc.GridSize, strings.Count(lines[2], "\u2580"), "the frame starts on screen row %d", frameTop)
	assert.Contains(t, lines[len(lines)-2], "click or c: ACTION6")
	assert.Equal(t, strings.Count(screen, "\n"), strings.Count(screen, "\r\n"), "no bare line feeds in raw mode")
}

// TestPlayLineModeInterrupt checks that an interrupt ends line mode while
// it waits for input, as Ctrl-C does at a terminal, and quietly, as q does.
func TestPlayLineModeInterrupt(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	ctx, cancel := context.WithCancel(t.Context())
	var out, errb bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"play", "-frames=false", "kw01"}, stdio{in: pr, out: &out, err: &errb})
	}()
	_, err := io.WriteString(pw, "s\n")
	require.NoError(t, err)
	cancel()
	select {
	case code := <-done:
		assert.Equal(t, exitOK, code, errb.String())
	case <-time.After(5 * time.Second):
		t.Fatal("play still waits for input after the interrupt")
	}
}
