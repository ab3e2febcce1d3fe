package wire

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
)

// decodeSampleDir holds responses recorded from the reference server; its
// INDEX.tsv lists file, method, route and status.
var decodeSampleDir = filepath.Join("testdata", "decode")

type decodeSample struct {
	file, method, route string
	status              int
	body                []byte
}

func loadDecodeSamples(t testing.TB) []decodeSample {
	t.Helper()
	f, err := os.Open(filepath.Join(decodeSampleDir, "INDEX.tsv"))
	require.NoError(t, err)
	defer f.Close()
	var out []decodeSample
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		require.Len(t, cols, 4, "INDEX line %q", sc.Text())
		status, err := strconv.Atoi(cols[3])
		require.NoError(t, err)
		body, err := os.ReadFile(filepath.Join(decodeSampleDir, cols[0]))
		require.NoError(t, err)
		out = append(out, decodeSample{file: cols[0], method: cols[1], route: cols[2], status: status, body: body})
	}
	require.NoError(t, sc.Err())
	require.NotEmpty(t, out)
	return out
}

func readDecodeSample(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(decodeSampleDir, name))
	require.NoError(t, err)
	return b
}

// refDecodeFrame is an independent, slow reading of a frame object with
// encoding/json and the checks of arc.FrameData.Validate, used as the
// reference the fast decoder must agree with.
func refDecodeFrame(data []byte) (*arc.FrameData, error) {
	var r FrameResponse
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, err
	}
	state, err := arc.ParseGameState(r.State)
	if err != nil {
		return nil, err
	}
	fd := &arc.FrameData{GameID: r.GameID, GUID: r.GUID, State: state, FullReset: r.FullReset}
	fd.LevelsCompleted, fd.WinLevels = r.LevelsCompleted, r.WinLevels
	if !bytes.Contains(data, []byte(`"levels_completed"`)) && r.Score != nil {
		fd.LevelsCompleted = *r.Score
	}
	if !bytes.Contains(data, []byte(`"win_levels"`)) && r.WinScore != nil {
		fd.WinLevels = *r.WinScore
	}
	if r.ActionInput.ID < 0 || r.ActionInput.ID >= arc.NumActionIDs {
		return nil, fmt.Errorf("action id %d", r.ActionInput.ID)
	}
	fd.Action.ID = arc.ActionID(r.ActionInput.ID)
	if fd.Action.ID == arc.Action6 && r.ActionInput.Data.X != nil && r.ActionInput.Data.Y != nil {
		fd.Action.X, fd.Action.Y = uint8(*r.ActionInput.Data.X), uint8(*r.ActionInput.Data.Y)
	}
	if len(r.ActionInput.Reasoning) > 0 && string(r.ActionInput.Reasoning) != "null" {
		fd.Action.Reasoning = r.ActionInput.Reasoning
	}
	for _, id := range r.AvailableActions {
		if id < 0 || id >= arc.NumActionIDs {
			return nil, fmt.Errorf("available action %d", id)
		}
		fd.Available = fd.Available.With(arc.ActionID(id))
	}
	for i, f := range r.Frame {
		if len(f) != arc.GridSize {
			return nil, fmt.Errorf("frame %d: %d rows", i, len(f))
		}
		var cells arc.Frame
		for y, row := range f {
			if len(row) != arc.GridSize {
				return nil, fmt.Errorf("frame %d row %d: %d columns", i, y, len(row))
			}
			for x, v := range row {
				if v < 0 || v >= arc.NumColors {
					return nil, fmt.Errorf("frame %d row %d column %d: %d", i, y, x, v)
				}
				cells[y*arc.GridSize+x] = uint8(v)
			}
		}
		fd.AppendFrame(cells[:])
	}
	if err := fd.Validate(); err != nil {
		return nil, err
	}
	return fd, nil
}

func isFrameRoute(route string) bool { return strings.HasPrefix(route, "/api/cmd/") }

// TestDecodeFrameSamples decodes every recorded command response: the
// successful ones must agree with encoding/json field by field, the error
// bodies must be refused with an error, not a panic.
func TestDecodeFrameSamples(t *testing.T) {
	var decoded, refused int
	for _, s := range loadDecodeSamples(t) {
		if !isFrameRoute(s.route) {
			continue
		}
		t.Run(s.file, func(t *testing.T) {
			var got arc.FrameData
			err := DecodeFrame(s.body, &got)
			if s.status != 200 {
				refused++
				require.Error(t, err)
				if bytes.HasPrefix(s.body, []byte("<")) {
					_, ok := errors.AsType[*SyntaxError](err)
					assert.True(t, ok, "an HTML page is a syntax error: %v", err)
					return
				}
				assert.ErrorIs(t, err, arc.ErrInvalidFrame, "an error body is valid JSON but not a frame object")
				return
			}
			decoded++
			require.NoError(t, err)
			want, err := refDecodeFrame(s.body)
			require.NoError(t, err)
			assert.Equal(t, want, &got)
			assert.NoError(t, got.Validate())
		})
	}
	assert.GreaterOrEqual(t, decoded, 30)
	assert.GreaterOrEqual(t, refused, 10)
}

// TestDecodeFrameFields pins the fields of a few samples to values read
// from the files with another JSON reader.
func TestDecodeFrameFields(t *testing.T) {
	tests := []struct {
		file       string
		gameID     string
		guid       string
		state      arc.GameState
		levels     int
		win        int
		action     arc.Action
		available  arc.ActionSet
		frames     int
		lastCorner uint8 // colour of cell (0,0) of the last frame
	}{
		{"10_ls20_reset_new.json", "ls20-9607627b", "e2f1d294-3070-4ae9-adcd-60c582a298e9", arc.NotFinished, 0, 7,
			arc.Action{ID: arc.Reset}, arc.ActionSetOf(1, 2, 3, 4), 1, 5},
		{"13_ls20_action3_reasoning.json", "ls20-9607627b", "e2f1d294-3070-4ae9-adcd-60c582a298e9", arc.NotFinished, 0, 7,
			arc.Action{ID: arc.Action3, Reasoning: json.RawMessage(`{"why":"sample"}`)}, arc.ActionSetOf(1, 2, 3, 4), 1, 5},
		{"21_ft09_action6.json", "ft09-0d8bbf25", "e9a65e80-d32d-410b-940c-a2cc809a8f6a", arc.NotFinished, 0, 6,
			arc.Click(32, 32), arc.ActionSetOf(6), 5, 5},
		{"22_ft09_action6_corner.json", "ft09-0d8bbf25", "e9a65e80-d32d-410b-940c-a2cc809a8f6a", arc.NotFinished, 0, 6,
			arc.Click(0, 63), arc.ActionSetOf(6), 5, 5},
		{"30_short_id_reset.json", "ls20", "bc21f6f7-bf30-4897-8494-c9562a864df1", arc.NotFinished, 0, 7,
			arc.Action{ID: arc.Reset}, arc.ActionSetOf(1, 2, 3, 4), 1, 5},
		{"B3_level1_complete.json", "bt11-fd9df0622a1a", "d39f8f4d-c12e-4500-97fa-9bc77d6a19f9", arc.NotFinished, 1, 5,
			arc.Action{ID: arc.Action3}, arc.ActionSetOf(3, 4), 2, 5},
		{"B4_win.json", "bt11-fd9df0622a1a", "d39f8f4d-c12e-4500-97fa-9bc77d6a19f9", arc.Win, 5, 5,
			arc.Action{ID: arc.Action3}, arc.ActionSetOf(3, 4), 1, 3},
		{"A2_last_action_game_over.json", "ls20-9607627b", "6c0d1d74-d8a7-471a-b488-e6c5b0fb176e", arc.GameOver, 0, 7,
			arc.Action{ID: arc.Action1}, arc.ActionSetOf(1, 2, 3, 4), 1, 5},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			body := readDecodeSample(t, tc.file)
			var fd arc.FrameData
			require.NoError(t, DecodeFrame(body, &fd))
			assert.Equal(t, tc.gameID, fd.GameID)
			assert.Equal(t, tc.guid, fd.GUID)
			assert.Equal(t, tc.state, fd.State)
			assert.Equal(t, tc.levels, fd.LevelsCompleted)
			assert.Equal(t, tc.win, fd.WinLevels)
			assert.Equal(t, tc.action, fd.Action)
			assert.Equal(t, tc.available, fd.Available)
			assert.Equal(t, tc.frames, fd.NumFrames())
			assert.Equal(t, tc.lastCorner, fd.Last()[0])
			assert.False(t, fd.FullReset)
		})
	}
}

// frameBody builds a frame object with n frames all of colour c, followed
// by the extra members.
func frameBody(n int, c int, extra string) []byte {
	var b bytes.Buffer
	b.WriteString(`{"frame":[`)
	for f := range n {
		if f > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('[')
		for y := range arc.GridSize {
			if y > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('[')
			for x := range arc.GridSize {
				if x > 0 {
					b.WriteByte(',')
				}
				b.WriteString(strconv.Itoa(c))
			}
			b.WriteByte(']')
		}
		b.WriteByte(']')
	}
	b.WriteString(`],"state":"NOT_FINISHED"`)
	b.WriteString(extra)
	b.WriteByte('}')
	return b.Bytes()
}

// setCell replaces the text of cell (x, y) of frame f in a body made by
// frameBody with a one-character colour.
func setCell(body []byte, f, x, y int, text string) []byte {
	// Each one-digit frame is '[' + 64 rows of (2*64+1) bytes + 63 commas + ']'.
	const rowLen = 2*arc.GridSize + 1
	const frameLen = 2 + arc.GridSize*rowLen + arc.GridSize - 1
	off := len(`{"frame":[`) + f*(frameLen+1) + 1 + y*(rowLen+1) + 1 + 2*x
	out := append([]byte(nil), body[:off]...)
	out = append(out, text...)
	return append(out, body[off+1:]...)
}

func TestDecodeFrameBuilt(t *testing.T) {
	body := frameBody(3, 7, `,"game_id":"g","guid":"u","levels_completed":2,"win_levels":4`)
	var fd arc.FrameData
	require.NoError(t, DecodeFrame(body, &fd))
	assert.Equal(t, 3, fd.NumFrames())
	assert.Equal(t, bytes.Repeat([]byte{7}, 3*arc.FrameCells), fd.Frames)
	assert.Equal(t, 2, fd.LevelsCompleted)
	assert.Equal(t, 4, fd.WinLevels)

	body = setCell(frameBody(2, 3, ""), 1, 63, 5, "9")
	require.NoError(t, DecodeFrame(body, &fd))
	assert.Equal(t, uint8(9), fd.Frame(1)[5*arc.GridSize+63])
	assert.Equal(t, uint8(3), fd.Frame(1)[5*arc.GridSize+62])
}

func TestDecodeFrameInvalid(t *testing.T) {
	good := frameBody(2, 1, "")
	// Frame 0's first row with 63 and with 65 columns.
	short := bytes.Replace(good, []byte("1,1]"), []byte("1]"), 1)
	long := bytes.Replace(good, []byte("1,1]"), []byte("1,1,1]"), 1)
	tests := []struct {
		name string
		body []byte
		// want is a substring of the error message.
		want     string
		frameErr *FrameError // expected location when the error is a FrameError
	}{
		{"short row", short, "frame 0 row 0: 63 columns, want 64", &FrameError{Frame: 0, Row: 0, Column: -1}},
		{"long row", long, "frame 0 row 0: more than 64 columns", &FrameError{Frame: 0, Row: 0, Column: -1}},
		{"colour 16", setCell(good, 1, 7, 3, "16"), "value 16 outside 0..15", &FrameError{Frame: 1, Row: 3, Column: 7}},
		{"colour 99", setCell(good, 0, 0, 0, "99"), "value 99 outside 0..15", &FrameError{Frame: 0, Row: 0, Column: 0}},
		{"colour 123", setCell(good, 0, 63, 63, "123"), "value 123 outside", &FrameError{Frame: 0, Row: 63, Column: 63}},
		{"negative colour", setCell(good, 1, 2, 4, "-1"), "value -1 outside", &FrameError{Frame: 1, Row: 4, Column: 2}},
		{"fraction", setCell(good, 0, 5, 6, "1.5"), "value 1.5 is not an integer", &FrameError{Frame: 0, Row: 6, Column: 5}},
		{"exponent", setCell(good, 0, 5, 6, "1e0"), "value 1e0 is not an integer", &FrameError{Frame: 0, Row: 6, Column: 5}},
		{"string colour", setCell(good, 1, 9, 9, `"1"`), "expected a colour 0..15, found a string", &FrameError{Frame: 1, Row: 9, Column: 9}},
		{"null colour", setCell(good, 1, 9, 9, `null`), "found null", &FrameError{Frame: 1, Row: 9, Column: 9}},
		{"no frames", []byte(`{"frame":[],"state":"WIN"}`), "no frames in a WIN result", &FrameError{Frame: -1, Row: -1, Column: -1}},
		{"missing frame", []byte(`{"state":"WIN"}`), "frame: missing", nil},
		{"missing state", []byte(`{"frame":[]}`), "state: missing", nil},
		{"unknown state", []byte(`{"frame":[],"state":"PAUSED"}`), `unknown game state "PAUSED"`, nil},
		{"state not string", []byte(`{"frame":[],"state":3}`), "state: expected a string, found a number", nil},
		{"frame not list", []byte(`{"frame":{},"state":"WIN"}`), "expected a list of frames, found an object", nil},
		{"frame of numbers", []byte(`{"frame":[1],"state":"WIN"}`), "frame 0: expected a list of rows, found a number", nil},
		{"empty frame", []byte(`{"frame":[[]],"state":"WIN"}`), "frame 0: 0 rows, want 64", nil},
		{"empty row", []byte(`{"frame":[[[]]],"state":"WIN"}`), "frame 0 row 0: 0 columns, want 64", nil},
		{"row not list", []byte(`{"frame":[[3]],"state":"WIN"}`), "frame 0 row 0: expected a list of 64 colours, found a number", nil},
		{"levels too big", []byte(`{"frame":[],"state":"NOT_PLAYED","levels_completed":255}`), "levels_completed: value 255 outside 0..254", nil},
		{"levels negative", []byte(`{"frame":[],"state":"NOT_PLAYED","win_levels":-3}`), "win_levels: value -3 outside 0..254", nil},
		{"levels huge", []byte(`{"frame":[],"state":"NOT_PLAYED","score":123456789012345678901234}`), "score: value 123456789012345678901234 outside", nil},
		{"levels fraction", []byte(`{"frame":[],"state":"NOT_PLAYED","levels_completed":1.0}`), "levels_completed: value 1.0 is not an integer", nil},
		{"available out of range", []byte(`{"frame":[],"state":"NOT_PLAYED","available_actions":[1,8]}`), "available_actions: value 8 outside 0..7", nil},
		{"action id out of range", []byte(`{"frame":[],"state":"NOT_PLAYED","action_input":{"id":9}}`), "action_input.id: value 9 outside 0..7", nil},
		{"click off grid", []byte(`{"frame":[],"state":"NOT_PLAYED","action_input":{"id":6,"data":{"x":64,"y":0}}}`), "action_input.data.x: value 64 outside 0..63", nil},
		{"guid not string", []byte(`{"frame":[],"state":"NOT_PLAYED","guid":7}`), "guid: expected a string, found a number", nil},
		{"full_reset not bool", []byte(`{"frame":[],"state":"NOT_PLAYED","full_reset":"yes"}`), "full_reset: expected a boolean, found a string", nil},
		{"body not object", []byte(`[1,2]`), "expected an object, found a list", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var fd arc.FrameData
			err := DecodeFrame(tc.body, &fd)
			require.Error(t, err)
			assert.ErrorIs(t, err, arc.ErrInvalidFrame)
			assert.Contains(t, err.Error(), tc.want)
			fe, ok := errors.AsType[*FrameError](err)
			require.True(t, ok, "%T", err)
			if tc.frameErr != nil {
				assert.Equal(t, tc.frameErr.Frame, fe.Frame, "frame")
				assert.Equal(t, tc.frameErr.Row, fe.Row, "row")
				assert.Equal(t, tc.frameErr.Column, fe.Column, "column")
			}
			assert.True(t, fe.Offset >= 0 && fe.Offset <= len(tc.body), "offset %d", fe.Offset)
		})
	}
}

func TestDecodeFrameRowCount(t *testing.T) {
	// Drop the last row of frame 1 and add a 65th row to frame 0.
	good := frameBody(2, 2, "")
	row := "[" + strings.TrimSuffix(strings.Repeat("2,", arc.GridSize), ",") + "]"
	missing := bytes.Replace(good, []byte(","+row+"]]"), []byte("]]"), 1)
	var fd arc.FrameData
	err := DecodeFrame(missing, &fd)
	require.ErrorIs(t, err, arc.ErrInvalidFrame)
	assert.Contains(t, err.Error(), "frame 1: 63 rows, want 64")

	extra := bytes.Replace(good, []byte(row+"],["), []byte(row+","+row+"],["), 1)
	err = DecodeFrame(extra, &fd)
	require.ErrorIs(t, err, arc.ErrInvalidFrame)
	assert.Contains(t, err.Error(), "frame 0: more than 64 rows")
}

func TestDecodeFrameTooManyFrames(t *testing.T) {
	var fd arc.FrameData
	err := DecodeFrame(frameBody(arc.MaxFrames+1, 0, ""), &fd)
	require.ErrorIs(t, err, arc.ErrInvalidFrame)
	assert.Contains(t, err.Error(), "more than 1000 frames")
}

func TestDecodeFrameSyntax(t *testing.T) {
	good := frameBody(1, 4, "")
	tests := []struct {
		name   string
		body   []byte
		offset int
		want   string
	}{
		{"empty", nil, 0, "empty body"},
		{"spaces", []byte("  \n"), 3, "empty body"},
		{"truncated", good[:5000], 5000, "unexpected end of input in row"},
		{"truncated after frames", good[:len(good)-10], len(good) - 10, "unterminated string"},
		{"missing colon", []byte(`{"frame" []}`), 9, "expected ':' after object key"},
		{"bad separator", []byte(`{"frame":[];"state":"WIN"}`), 11, "expected ',' or '}'"},
		{"cell separator", bytes.Replace(good, []byte("4,4,4"), []byte("4;4,4"), 1), len(`{"frame":[[[4`), "expected ',' or ']' after column 0 of row 0 of frame 0, found ';'"},
		{"leading zero", bytes.Replace(good, []byte("4,4,4"), []byte("04,4"), 1), len(`{"frame":[[[0`), "leading zero"},
		{"trailing garbage", append(append([]byte(nil), good...), " x"...), len(good) + 1, "unexpected 'x' after the top-level value"},
		{"bad literal", []byte(`{"full_reset":tru}`), 14, `invalid literal "tru}", expected true`},
		{"bad null", []byte(`{"guid":nul`), 8, `invalid literal "nul", expected null`},
		{"trailing NUL", []byte("{\"frame\":[],\"state\":\"NOT_PLAYED\"}\x00"), 33, "unexpected '\\x00' after the top-level value"},
		{"NUL body", []byte("\x00"), 0, "expected a value, found '\\x00'"},
		{"bad escape", []byte(`{"guid":"a\qb"}`), 11, "invalid escape"},
		{"control char", []byte("{\"guid\":\"a\x01\"}"), 10, "control character"},
		{"unknown field bad", []byte(`{"x":[1,2,}`), 10, "expected a value"},
		{"bad number", []byte(`{"x":-}`), 6, "invalid number"},
		{"deep nesting", []byte(`{"x":` + strings.Repeat("[", 2000)), 5 + maxDepth, "nesting deeper than"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var fd arc.FrameData
			err := DecodeFrame(tc.body, &fd)
			require.Error(t, err)
			se, ok := errors.AsType[*SyntaxError](err)
			require.True(t, ok, "%T: %v", err, err)
			assert.Contains(t, se.Msg, tc.want)
			assert.Equal(t, tc.offset, se.Offset, "%v", err)
			assert.Contains(t, err.Error(), fmt.Sprintf("at byte %d", tc.offset))
			assert.NotErrorIs(t, err, arc.ErrInvalidFrame)
		})
	}
}

func TestDecodeFrameTolerance(t *testing.T) {
	base := readDecodeSample(t, "11_ls20_action1.json")
	want, err := refDecodeFrame(base)
	require.NoError(t, err)

	t.Run("indented", func(t *testing.T) {
		var ind bytes.Buffer
		require.NoError(t, json.Indent(&ind, base, " ", "\t"))
		var got arc.FrameData
		require.NoError(t, DecodeFrame(ind.Bytes(), &got))
		assert.Equal(t, want, &got)
	})
	t.Run("old counters", func(t *testing.T) {
		old := bytes.Replace(base, []byte(`"levels_completed":0`), []byte(`"score":3`), 1)
		old = bytes.Replace(old, []byte(`"win_levels":7`), []byte(`"win_score":254`), 1)
		var got arc.FrameData
		require.NoError(t, DecodeFrame(old, &got))
		assert.Equal(t, 3, got.LevelsCompleted)
		assert.Equal(t, 254, got.WinLevels)
	})
	t.Run("new counters win over old", func(t *testing.T) {
		both := bytes.Replace(base, []byte(`"levels_completed":0`), []byte(`"score":3,"levels_completed":2`), 1)
		var got arc.FrameData
		require.NoError(t, DecodeFrame(both, &got))
		assert.Equal(t, 2, got.LevelsCompleted)
	})
	t.Run("unknown fields and escapes", func(t *testing.T) {
		odd := bytes.Replace(base, []byte(`"full_reset":false`),
			[]byte(`"extra":{"a":[1,{"b":null}],"c":"\u00e9\"","d":-1.5e+3,"e":true},"full_reset":true`), 1)
		odd = bytes.Replace(odd, []byte(`"guid":"`), []byte(`"g\u0075id":"\u0041`), 1)
		var got arc.FrameData
		require.NoError(t, DecodeFrame(odd, &got))
		assert.True(t, got.FullReset)
		assert.Equal(t, "A"+want.GUID, got.GUID)
		assert.Equal(t, want.Frames, got.Frames)
	})
	t.Run("not started", func(t *testing.T) {
		var got arc.FrameData
		require.NoError(t, DecodeFrame([]byte(`{"frame":[],"state":"NOT_STARTED","guid":null,"action_input":null,"available_actions":null}`), &got))
		assert.Equal(t, arc.NotPlayed, got.State)
		assert.Zero(t, got.NumFrames())
	})
	t.Run("reuse clears old fields", func(t *testing.T) {
		var got arc.FrameData
		require.NoError(t, DecodeFrame(readDecodeSample(t, "21_ft09_action6.json"), &got))
		require.NoError(t, DecodeFrame(readDecodeSample(t, "13_ls20_action3_reasoning.json"), &got))
		require.NoError(t, DecodeFrame(base, &got))
		assert.Equal(t, want, &got)
	})
}

// TestDecodeFrameAllocs checks the steady state: decoding into a reused
// FrameData allocates nothing, for one-frame and five-frame responses.
func TestDecodeFrameAllocs(t *testing.T) {
	for _, name := range []string{"11_ls20_action1.json", "21_ft09_action6.json", "13_ls20_action3_reasoning.json"} {
		t.Run(name, func(t *testing.T) {
			body := readDecodeSample(t, name)
			var fd arc.FrameData
			require.NoError(t, DecodeFrame(body, &fd))
			allocs := testing.AllocsPerRun(100, func() {
				if err := DecodeFrame(body, &fd); err != nil {
					t.Fatal(err)
				}
			})
			assert.Zero(t, allocs)
		})
	}
	t.Run("alternating sessions", func(t *testing.T) {
		// Two buffers alternately filled, as env.Game does: ids interned.
		a, b := readDecodeSample(t, "11_ls20_action1.json"), readDecodeSample(t, "12_ls20_action2.json")
		var x, y arc.FrameData
		require.NoError(t, DecodeFrame(a, &x))
		require.NoError(t, DecodeFrame(b, &y))
		allocs := testing.AllocsPerRun(100, func() {
			_ = DecodeFrame(a, &x)
			_ = DecodeFrame(b, &y)
		})
		assert.Zero(t, allocs)
	})
}

func BenchmarkDecodeFrame(b *testing.B) {
	for _, name := range []string{"11_ls20_action1.json", "21_ft09_action6.json"} {
		body, err := os.ReadFile(filepath.Join(decodeSampleDir, name))
		require.NoError(b, err)
		b.Run(name+"/wire", func(b *testing.B) {
			var fd arc.FrameData
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if err := DecodeFrame(body, &fd); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/encoding_json", func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				var r FrameResponse
				if err := json.Unmarshal(body, &r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// FuzzDecodeFrame checks that DecodeFrame never panics, that what it accepts
// is valid JSON and a valid result, and that it agrees with the
// encoding/json reference whenever both accept.
func FuzzDecodeFrame(f *testing.F) {
	for _, s := range loadDecodeSamples(f) {
		if isFrameRoute(s.route) && len(s.body) < 10000 {
			f.Add(s.body)
		}
	}
	f.Add([]byte(`{"frame":[],"state":"NOT_PLAYED","score":1,"win_score":2,"action_input":{"id":6,"data":{"x":1,"y":2},"reasoning":[1,"\u00e9"]}}`))
	f.Add(frameBody(1, 15, `,"x":{"y":[true,false,null]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var fd arc.FrameData
		err := DecodeFrame(data, &fd)
		if err != nil {
			_, syn := errors.AsType[*SyntaxError](err)
			_, frm := errors.AsType[*FrameError](err)
			if !syn && !frm {
				t.Fatalf("error of type %T: %v", err, err)
			}
			if syn && json.Valid(data) {
				t.Fatalf("syntax error on valid JSON: %v", err)
			}
			return
		}
		if !json.Valid(data) {
			t.Fatalf("accepted invalid JSON")
		}
		if err := fd.Validate(); err != nil {
			t.Fatalf("accepted an invalid result: %v", err)
		}
		if fd.Action.Reasoning != nil && !json.Valid(fd.Action.Reasoning) {
			t.Fatalf("reasoning %q is not JSON", fd.Action.Reasoning)
		}
		if want, err := refDecodeFrame(data); err == nil {
			if !bytes.Equal(want.Frames, fd.Frames) || want.State != fd.State || want.Available != fd.Available {
				t.Fatalf("disagrees with encoding/json")
			}
		}
	})
}

func TestDecodeBodies(t *testing.T) {
	for _, s := range loadDecodeSamples(t) {
		if s.status != 200 || isFrameRoute(s.route) {
			continue
		}
		t.Run(s.file, func(t *testing.T) {
			switch {
			case s.route == "/api/healthcheck":
				assert.Equal(t, "okay", string(s.body))
			case s.route == "/api/games":
				games, err := DecodeGames(s.body)
				require.NoError(t, err)
				require.NotEmpty(t, games)
				for _, g := range games {
					assert.NoError(t, arc.ValidateGameID(g.GameID))
					assert.NotEmpty(t, g.Title)
				}
			case strings.HasPrefix(s.route, "/api/games/"):
				g, err := DecodeGameInfo(s.body)
				require.NoError(t, err)
				assert.Equal(t, "ls20-9607627b", g.GameID)
				assert.Equal(t, 30, g.DefaultFPS)
				assert.Equal(t, []string{"keyboard"}, g.Tags)
				assert.Equal(t, "Ls20", g.Arc().ClassName)
			case s.route == "/api/scorecard/open":
				id, err := DecodeOpenScorecard(s.body)
				require.NoError(t, err)
				assert.Len(t, id, 36)
			case strings.Count(s.route, "/") == 4: // /api/scorecard/{card}/{game}
				sg, err := DecodeScorecardGame(s.body)
				require.NoError(t, err)
				require.NotNil(t, sg.Aggregate)
				assert.Nil(t, sg.Summary)
			default: // summaries from GET and close
				sc, err := DecodeScorecard(s.body)
				require.NoError(t, err)
				assert.Len(t, sc.CardID, 36)
				assert.Len(t, sc.Environments, sc.TotalEnvironments)
				actions := 0
				for _, e := range sc.Environments {
					actions += e.Actions
					for _, r := range e.Runs {
						assert.Len(t, r.LevelActions, len(r.LevelBaselineActions))
						assert.Len(t, r.LevelScores, len(r.LevelBaselineActions))
					}
				}
				assert.Equal(t, sc.TotalActions, actions)
			}
		})
	}
}

func TestDecodeScorecardDetails(t *testing.T) {
	sc, err := DecodeScorecard(readDecodeSample(t, "70_scorecard_get.json"))
	require.NoError(t, err)
	assert.Equal(t, "852e9ca3-5f38-4363-890e-50c9b0e40c90", sc.CardID)
	assert.Equal(t, "https://example.invalid/agent", sc.SourceURL)
	assert.Equal(t, []string{"ref-sample", "agent"}, sc.Tags)
	assert.JSONEq(t, `{"note":"golden sample run"}`, string(sc.Opaque))
	require.Len(t, sc.Environments, 3)
	assert.Len(t, sc.Environments[0].Runs, 3)
	assert.Equal(t, []int{21, 123, 39, 92, 54, 108, 109}, sc.Environments[0].Runs[0].LevelBaselineActions)
	assert.Equal(t, "keyboard", sc.TagsScores[0].ID)

	comp, err := DecodeScorecard(readDecodeSample(t, "C6_close_competition.json"))
	require.NoError(t, err)
	assert.True(t, comp.CompetitionMode)
	assert.InDelta(t, 3.3333, comp.Score, 1e-3)

	inproc, err := DecodeScorecard(readDecodeSample(t, "inprocess_close_scorecard.json"))
	require.NoError(t, err)
	assert.Equal(t, "25371f03-9ce5-4d86-a2f8-9e6d630cfa73", inproc.CardID)

	sg, err := DecodeScorecardGame(readDecodeSample(t, "B10_scorecard_game.json"))
	require.NoError(t, err)
	card := sg.Aggregate.Cards["bt11-fd9df0622a1a"]
	assert.Equal(t, [][][2]int{{{1, 4}, {2, 12}, {3, 28}, {4, 48}, {5, 72}}, {{1, 8}}}, card.ActionsByLevel)
	assert.Equal(t, []string{"WIN", "GAME_OVER"}, card.States)
	assert.Equal(t, 1, sg.Aggregate.Won)

	short, err := DecodeScorecardGame(readDecodeSample(t, "72_scorecard_get_game_short.json"))
	require.NoError(t, err)
	assert.Empty(t, short.Aggregate.Cards)

	// The hosted service answers the per-game route with a summary.
	hosted, err := DecodeScorecardGame(readDecodeSample(t, "99_scorecard_after_edge_cases.json"))
	require.NoError(t, err)
	require.NotNil(t, hosted.Summary)
	assert.Nil(t, hosted.Aggregate)
}

func TestDecodeErrorBodies(t *testing.T) {
	for _, s := range loadDecodeSamples(t) {
		if s.status == 200 {
			continue
		}
		t.Run(s.file, func(t *testing.T) {
			body, ok := DecodeError(s.body)
			if bytes.HasPrefix(s.body, []byte("<!doctype html>")) {
				assert.False(t, ok)
				return
			}
			require.True(t, ok, "%s", s.body)
			assert.NotEmpty(t, body.Error)
			if body.Message != "" {
				assert.Contains(t, []string{CodeValidation, CodeServer, CodeGameNotStarted}, body.Error)
			}
		})
	}
	for _, bad := range []string{"", "okay", "[]", `{"message":"x"}`, `{"error":3}`, "{"} {
		_, ok := DecodeError([]byte(bad))
		assert.False(t, ok, "%q", bad)
	}
}

func TestDecodeBodiesErrors(t *testing.T) {
	_, err := DecodeGames([]byte(`[{"game_id":1}]`))
	assert.ErrorContains(t, err, "wire: decode game list")
	_, err = DecodeGameInfo([]byte(`{}`))
	assert.ErrorContains(t, err, "missing game_id")
	_, err = DecodeOpenScorecard([]byte(`{"card_id":""}`))
	assert.ErrorContains(t, err, "missing card_id")
	_, err = DecodeScorecard([]byte(`{"card_id":`))
	assert.ErrorContains(t, err, "decode scorecard")
	_, err = DecodeScorecard([]byte(`{"card_id":x}`))
	se, ok := errors.AsType[*SyntaxError](err)
	require.True(t, ok, "%T", err)
	assert.Equal(t, 11, se.Offset)
	_, err = DecodeAnonKey([]byte(`{"api_key":"k"}`))
	assert.NoError(t, err)
	_, err = DecodeAnonKey([]byte(`{}`))
	assert.Error(t, err)
}

// FuzzDecodeBodies runs the encoding/json based decoders on arbitrary
// input: they must return errors, never panic.
func FuzzDecodeBodies(f *testing.F) {
	for _, s := range loadDecodeSamples(f) {
		if !isFrameRoute(s.route) {
			f.Add(s.body)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = DecodeGames(data)
		_, _ = DecodeGameInfo(data)
		_, _ = DecodeOpenScorecard(data)
		_, _ = DecodeAnonKey(data)
		_, _ = DecodeScorecard(data)
		if sg, err := DecodeScorecardGame(data); err == nil && (sg.Aggregate == nil) == (sg.Summary == nil) {
			t.Fatalf("exactly one of Aggregate and Summary must be set")
		}
		if b, ok := DecodeError(data); ok && b.Error == "" {
			t.Fatalf("ok without an error code")
		}
	})
}
