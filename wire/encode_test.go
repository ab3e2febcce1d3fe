package wire

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
)

// sampleFrame is an independent reading of a frame object with
// encoding/json, used to rebuild the FrameData a server would have held.
type sampleFrame struct {
	ActionInput struct {
		Data      map[string]json.RawMessage `json:"data"`
		ID        int                        `json:"id"`
		Reasoning json.RawMessage            `json:"reasoning"`
	} `json:"action_input"`
	Available       []int       `json:"available_actions"`
	Frame           [][][]uint8 `json:"frame"`
	FullReset       bool        `json:"full_reset"`
	GameID          string      `json:"game_id"`
	GUID            string      `json:"guid"`
	LevelsCompleted int         `json:"levels_completed"`
	State           string      `json:"state"`
	WinLevels       int         `json:"win_levels"`
}

func frameDataFromSample(t testing.TB, raw []byte) (*arc.FrameData, FrameOptions) {
	t.Helper()
	var s sampleFrame
	require.NoError(t, json.Unmarshal(raw, &s))
	state, err := arc.ParseGameState(s.State)
	require.NoError(t, err)
	fd := &arc.FrameData{
		GameID:          s.GameID,
		GUID:            s.GUID,
		State:           state,
		LevelsCompleted: s.LevelsCompleted,
		WinLevels:       s.WinLevels,
		FullReset:       s.FullReset,
		Action:          arc.Action{ID: arc.ActionID(s.ActionInput.ID)},
	}
	if string(s.ActionInput.Reasoning) != "null" {
		fd.Action.Reasoning = s.ActionInput.Reasoning
	}
	if x, ok := s.ActionInput.Data["x"]; ok {
		require.NoError(t, json.Unmarshal(x, &fd.Action.X))
		require.NoError(t, json.Unmarshal(s.ActionInput.Data["y"], &fd.Action.Y))
	}
	for _, id := range s.Available {
		fd.Available = fd.Available.With(arc.ActionID(id))
	}
	for _, f := range s.Frame {
		require.Len(t, f, arc.GridSize)
		var cells arc.Frame
		for y, row := range f {
			require.Len(t, row, arc.GridSize)
			copy(cells[y*arc.GridSize:], row)
		}
		fd.AppendFrame(cells[:])
	}
	return fd, FrameOptions{EmptyData: len(s.ActionInput.Data) == 0}
}

// TestAppendFrameGolden re-encodes frame objects recorded from the reference
// server and expects the very same bytes.
func TestAppendFrameGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "encode", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			want, err := os.ReadFile(file)
			require.NoError(t, err)
			want = bytes.TrimSpace(want)
			fd, opt := frameDataFromSample(t, want)
			got := AppendFrame(nil, fd, opt)
			assert.Equal(t, string(want), string(got))
		})
	}
}

func TestAppendFrameFields(t *testing.T) {
	fd := &arc.FrameData{
		GameID:          "ab12-00ff",
		GUID:            `g"1`,
		State:           arc.Win,
		LevelsCompleted: 3,
		WinLevels:       3,
		FullReset:       true,
		Action:          arc.Action{ID: arc.Action6, X: 63, Y: 0, Reasoning: json.RawMessage(`{"a":[1,2]}`)},
		Available:       arc.ActionSetOf(arc.Reset, arc.Action6, arc.Action7),
	}
	frame := fd.SetFrames(2)
	for i := range frame {
		frame[i] = uint8(i % arc.NumColors)
	}
	frame[5] = 200 // out of range colours are still written as numbers
	tests := []struct {
		name string
		opt  FrameOptions
		data string
	}{
		{"echo", FrameOptions{}, `{"game_id":"ab12-00ff","x":63,"y":0}`},
		{"empty", FrameOptions{EmptyData: true}, `{}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := AppendFrame([]byte("prefix"), fd, tt.opt)
			require.True(t, bytes.HasPrefix(out, []byte("prefix")))
			out = out[len("prefix"):]
			require.True(t, json.Valid(out), "invalid JSON")
			var s struct {
				ActionInput struct {
					Data      json.RawMessage `json:"data"`
					ID        int             `json:"id"`
					Reasoning json.RawMessage `json:"reasoning"`
				} `json:"action_input"`
				Available       []int     `json:"available_actions"`
				Frame           [][][]int `json:"frame"`
				FullReset       bool      `json:"full_reset"`
				GameID          string    `json:"game_id"`
				GUID            string    `json:"guid"`
				LevelsCompleted int       `json:"levels_completed"`
				State           string    `json:"state"`
				WinLevels       int       `json:"win_levels"`
			}
			require.NoError(t, json.Unmarshal(out, &s))
			assert.JSONEq(t, tt.data, string(s.ActionInput.Data))
			assert.Equal(t, 6, s.ActionInput.ID)
			assert.JSONEq(t, `{"a":[1,2]}`, string(s.ActionInput.Reasoning))
			assert.Equal(t, []int{6, 7}, s.Available, "RESET is implicit and never listed")
			require.Len(t, s.Frame, 2)
			for i := range 2 {
				require.Len(t, s.Frame[i], arc.GridSize)
				for y := range arc.GridSize {
					require.Len(t, s.Frame[i][y], arc.GridSize)
					for x := range arc.GridSize {
						assert.Equal(t, int(frame[i*arc.FrameCells+y*arc.GridSize+x]), s.Frame[i][y][x])
					}
				}
			}
			assert.True(t, s.FullReset)
			assert.Equal(t, fd.GameID, s.GameID)
			assert.Equal(t, fd.GUID, s.GUID)
			assert.Equal(t, 3, s.LevelsCompleted)
			assert.Equal(t, "WIN", s.State)
			assert.Equal(t, 3, s.WinLevels)
		})
	}
}

func TestAppendFrameNoFrames(t *testing.T) {
	fd := &arc.FrameData{GameID: "ab12-00ff", GUID: "g"}
	out := AppendFrame(nil, fd, FrameOptions{})
	assert.JSONEq(t, `{"action_input":{"data":{"game_id":"ab12-00ff"},"id":0,"reasoning":null},
		"available_actions":[],"frame":[],"full_reset":false,"game_id":"ab12-00ff","guid":"g",
		"levels_completed":0,"state":"NOT_PLAYED","win_levels":0}`, string(out))
}

func TestAppendString(t *testing.T) {
	tests := []string{
		"", "plain", `q"uote`, `back\slash`, "tab\tnl\ncr\r", "\x00\x01\x1f", "héllo ✓",
		"bad \xff utf8", "line\u2028sep\u2029", "<html>&",
	}
	for _, s := range tests {
		out := AppendString(nil, s)
		require.True(t, json.Valid(out), "%q -> %s", s, out)
		var back string
		require.NoError(t, json.Unmarshal(out, &back))
		want, err := json.Marshal(s)
		require.NoError(t, err)
		var wantBack string
		require.NoError(t, json.Unmarshal(want, &wantBack))
		assert.Equal(t, wantBack, back, "%q", s)
	}
}

func TestAppendFrameAllocs(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "encode", "21_ft09_action6.json"))
	require.NoError(t, err)
	fd, opt := frameDataFromSample(t, raw)
	buf := AppendFrame(nil, fd, opt)
	allocs := testing.AllocsPerRun(100, func() {
		buf = AppendFrame(buf[:0], fd, opt)
	})
	assert.Zero(t, allocs)
}

func BenchmarkAppendFrame(b *testing.B) {
	for _, name := range []string{"10_ls20_reset_new.json", "21_ft09_action6.json"} {
		b.Run(name, func(b *testing.B) {
			raw, err := os.ReadFile(filepath.Join("testdata", "encode", name))
			require.NoError(b, err)
			fd, opt := frameDataFromSample(b, raw)
			buf := AppendFrame(nil, fd, opt)
			b.SetBytes(int64(len(buf)))
			b.ReportAllocs()
			for b.Loop() {
				buf = AppendFrame(buf[:0], fd, opt)
			}
		})
	}
	// Baseline: encoding/json on the nested-list form of the same frame.
	b.Run("baseline_encoding_json", func(b *testing.B) {
		raw, err := os.ReadFile(filepath.Join("testdata", "encode", "21_ft09_action6.json"))
		require.NoError(b, err)
		var s sampleFrame
		require.NoError(b, json.Unmarshal(raw, &s))
		// []uint8 rows would encode as base64; use ints as a JSON server would.
		rows := make([][][]int, len(s.Frame))
		for i, f := range s.Frame {
			rows[i] = make([][]int, len(f))
			for y, r := range f {
				rows[i][y] = make([]int, len(r))
				for x, c := range r {
					rows[i][y][x] = int(c)
				}
			}
		}
		b.SetBytes(int64(len(raw)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(rows); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func TestAppendError(t *testing.T) {
	tests := []struct {
		code, msg string
		want      string
	}{
		{CodeValidation, "missing `game_id`", `{"error":"VALIDATION_ERROR","message":"missing ` + "`game_id`" + `"}`},
		{"request body must be a JSON object", "", `{"error":"request body must be a JSON object"}`},
		{CodeServer, `game "x" not found`, `{"error":"SERVER_ERROR","message":"game \"x\" not found"}`},
	}
	for _, tt := range tests {
		got := AppendError(nil, tt.code, tt.msg)
		assert.Equal(t, tt.want, string(got))
		var body ErrorBody
		require.NoError(t, json.Unmarshal(got, &body))
		assert.Equal(t, ErrorBody{Error: tt.code, Message: tt.msg}, body)
	}
}

// TestAppendFrameDecodeRoundTrip encodes results and reads them back with
// DecodeFrame, the client's decoder.
func TestAppendFrameDecodeRoundTrip(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "encode", "*.json"))
	require.NoError(t, err)
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			raw, err := os.ReadFile(file)
			require.NoError(t, err)
			fd, opt := frameDataFromSample(t, raw)
			fd.FullReset = !fd.FullReset // both values travel
			var back arc.FrameData
			require.NoError(t, DecodeFrame(AppendFrame(nil, fd, opt), &back))
			assert.Equal(t, fd.GameID, back.GameID)
			assert.Equal(t, fd.GUID, back.GUID)
			assert.Equal(t, fd.State, back.State)
			assert.Equal(t, fd.LevelsCompleted, back.LevelsCompleted)
			assert.Equal(t, fd.WinLevels, back.WinLevels)
			assert.Equal(t, fd.FullReset, back.FullReset)
			assert.Equal(t, fd.Available, back.Available)
			assert.Equal(t, fd.Action.ID, back.Action.ID)
			assert.Equal(t, fd.Action.X, back.Action.X)
			assert.Equal(t, fd.Action.Y, back.Action.Y)
			if len(fd.Action.Reasoning) > 0 {
				assert.JSONEq(t, string(fd.Action.Reasoning), string(back.Action.Reasoning))
			}
			assert.Equal(t, fd.Frames, back.Frames)
		})
	}
}
