package main

import (
	"bufio"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
)

func TestReadKey(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []input
	}{
		{"wasd", "wasd", []input{act(arc.Action1), act(arc.Action3), act(arc.Action2), act(arc.Action4)}},
		{"arrows", "\x1b[A\x1b[B\x1b[C\x1b[D", []input{act(arc.Action1), act(arc.Action2), act(arc.Action4), act(arc.Action3)}},
		{"application arrows", "\x1bOA", []input{act(arc.Action1)}},
		{"space e u z", " euz", []input{act(arc.Action5), act(arc.Action5), act(arc.Action7), act(arc.Action7)}},
		{"digits", "157", []input{act(arc.Action1), act(arc.Action5), act(arc.Action7)}},
		{"click prompt", "6c", []input{{kind: inPrompt}, {kind: inPrompt}}},
		{"reset quit ctrl-c", "rq\x03", []input{{kind: inReset}, {kind: inQuit}, {kind: inQuit}}},
		{"escape then key", "\x1bw", []input{act(arc.Action1)}},
		{"left click", "\x1b[<0;10;5M", []input{{kind: inMouse, col: 10, row: 5}}},
		{"right click", "\x1b[<2;64;34M", []input{{kind: inMouse, col: 64, row: 34, lower: true}}},
		{"release ignored", "\x1b[<0;10;5m", []input{{}}},
		{"wheel ignored", "\x1b[<64;10;5M", []input{{}}},
		{"motion ignored", "\x1b[<32;10;5M", []input{{}}},
		{"middle ignored", "\x1b[<1;10;5M", []input{{}}},
		{"other CSI skipped", "\x1b[15~w", []input{{}, act(arc.Action1)}},
		{"unbound key", "x", []input{{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := bufio.NewReader(strings.NewReader(tt.in))
			for i, want := range tt.want {
				got, err := readKey(r)
				require.NoError(t, err, "key %d", i)
				assert.Equal(t, want, got, "key %d", i)
			}
			_, err := readKey(r)
			assert.Error(t, err, "all input consumed")
		})
	}
}

func TestReadKeyTruncatedSequences(t *testing.T) {
	for _, in := range []string{"\x1b", "\x1b[", "\x1b[<0;1", "\x1b[1;5"} {
		_, err := readKey(bufio.NewReader(strings.NewReader(in)))
		assert.Error(t, err, "%q", in)
	}
}

func TestParseLine(t *testing.T) {
	tests := []struct {
		line    string
		want    input
		wantErr bool
	}{
		{"1", act(arc.Action1), false},
		{"  7 ", act(arc.Action7), false},
		{"ACTION3", act(arc.Action3), false},
		{"action5", act(arc.Action5), false},
		{"w", act(arc.Action1), false},
		{"d", act(arc.Action4), false},
		{"6 12 40", input{kind: inAction, action: arc.Click(12, 40)}, false},
		{"c 0 63", input{kind: inAction, action: arc.Click(0, 63)}, false},
		{"r", input{kind: inReset}, false},
		{"reset", input{kind: inReset}, false},
		{"q", input{kind: inQuit}, false},
		{"", input{}, false},
		{"# a comment", input{}, false},
		{"6", input{}, true},
		{"6 64 0", input{}, true},
		{"6 -1 0", input{}, true},
		{"6 a b", input{}, true},
		{"0", input{}, true},
		{"RESET now", input{}, true},
		{"1 2", input{}, true},
		{"jump", input{}, true},
		{"x", input{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			got, err := parseLine(tt.line)
			if tt.wantErr {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func FuzzParseLine(f *testing.F) {
	for _, s := range []string{"1", "6 1 2", "c 63 63", "reset", "ACTION7", "# x", "6 99999999999999999999 1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		in, err := parseLine(line)
		if err != nil || in.kind != inAction {
			return
		}
		require.NoError(t, in.action.Validate(), "line %q", line)
		require.NotEqual(t, arc.Reset, in.action.ID)
	})
}

func FuzzReadKey(f *testing.F) {
	for _, s := range []string{"w", "\x1b[A", "\x1b[<0;10;5M", "\x1b[<2;99999999999;5M", "\x1b[15~"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := bufio.NewReader(strings.NewReader(string(data)))
		for {
			in, err := readKey(r)
			if err != nil {
				return
			}
			if in.kind == inAction {
				require.NoError(t, in.action.Validate())
			}
		}
	})
}
