package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
)

func readAllRecords(t testing.TB, b []byte) []Record {
	t.Helper()
	rr := NewRecordReader(bytes.NewReader(b))
	var out []Record
	for {
		var rec Record
		err := rr.Next(&rec)
		if errors.Is(err, io.EOF) {
			return out
		}
		require.NoError(t, err)
		out = append(out, rec)
	}
}

// The toolkit's own recordings read back and, written again, reproduce the
// file byte for byte.
func TestRecordingGoldenRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		file       string
		withFrames bool
		lines      int
	}{
		{"recording_ft09_no_frames.jsonl", false, 2},
		{"recording_ls20_with_frames.jsonl", true, 5},
	} {
		t.Run(tc.file, func(t *testing.T) {
			golden, err := os.ReadFile(filepath.Join("testdata", tc.file))
			require.NoError(t, err)
			recs := readAllRecords(t, golden)
			require.Len(t, recs, tc.lines)
			var out bytes.Buffer
			w := NewRecordWriter(&out, tc.withFrames)
			for i := range recs {
				require.NoError(t, w.Write(recs[i].Time, &recs[i].Data))
			}
			assert.Equal(t, string(golden), out.String())
		})
	}
}

func TestRecordingReadsFields(t *testing.T) {
	golden, err := os.ReadFile(filepath.Join("testdata", "recording_ls20_with_frames.jsonl"))
	require.NoError(t, err)
	recs := readAllRecords(t, golden)
	r0, r1 := recs[0].Data, recs[1].Data
	assert.Equal(t, "ls20-9607627b", r0.GameID)
	assert.Equal(t, "a1d22b90-7498-4989-b2ed-e5608cfaca83", r0.GUID)
	assert.Equal(t, arc.NotFinished, r0.State)
	assert.Equal(t, 7, r0.WinLevels)
	assert.True(t, r0.FullReset)
	assert.Equal(t, arc.Reset, r0.Action.ID)
	assert.Equal(t, arc.ActionSetOf(arc.Action1, arc.Action2, arc.Action3, arc.Action4), r0.Available)
	assert.Equal(t, 1, r0.NumFrames())
	assert.NoError(t, r0.Validate())
	assert.Equal(t, arc.Action1, r1.Action.ID)
	assert.JSONEq(t, `{"thought":"sample"}`, string(r1.Action.Reasoning))
	assert.Equal(t, time.Date(2026, 11, 22, 16, 48, 17, 967911000, time.UTC), recs[0].Time.UTC())

	ft, err := os.ReadFile(filepath.Join("testdata", "recording_ft09_no_frames.jsonl"))
	require.NoError(t, err)
	recs = readAllRecords(t, ft)
	assert.Equal(t, arc.Click(10, 12).String(), recs[1].Data.Action.String())
	assert.Zero(t, recs[1].Data.NumFrames())
}

func sampleFrameData(frames int) *arc.FrameData {
	fd := &arc.FrameData{
		GameID: "ab12-0123abcd", GUID: "g\"uid", State: arc.Win, LevelsCompleted: 3, WinLevels: 3,
		Action:    arc.Action{ID: arc.Action6, X: 63, Y: 7, Reasoning: json.RawMessage(`{"why":[1,2]}`)},
		Available: arc.ActionSetOf(arc.Action1, arc.Action6), FullReset: false,
	}
	for i := range frames {
		var f arc.Frame
		for c := range f {
			f[c] = uint8((c + i) % arc.NumColors)
		}
		fd.AppendFrame(f[:])
	}
	return fd
}

func TestRecordingRoundTripFrameData(t *testing.T) {
	for _, frames := range []int{0, 1, 3} {
		fd := sampleFrameData(frames)
		ts := time.Date(2025, 1, 2, 3, 4, 5, 6000, time.FixedZone("x", 3600))
		line := AppendRecord(nil, ts, fd, true)
		require.True(t, json.Valid(line))
		recs := readAllRecords(t, line)
		require.Len(t, recs, 1)
		got := recs[0]
		assert.True(t, ts.Equal(got.Time))
		assert.Equal(t, fd.GameID, got.Data.GameID)
		assert.Equal(t, fd.GUID, got.Data.GUID)
		assert.Equal(t, fd.State, got.Data.State)
		assert.Equal(t, fd.Action.String(), got.Data.Action.String())
		assert.JSONEq(t, string(fd.Action.Reasoning), string(got.Data.Action.Reasoning))
		assert.Equal(t, fd.Available, got.Data.Available)
		assert.Equal(t, frames, got.Data.NumFrames())
		assert.Equal(t, fd.Frames, got.Data.Frames)
	}
}

func TestRecordingReaderTolerance(t *testing.T) {
	const old = `{"timestamp": "2025-07-01T10:00:00+00:00", "data": {"game_id": "ls20-1", "state": "GAME_OVER", "score": 2, "win_score": 7, "action_input": {"id": 6, "data": {"x": 1, "y": 2}}, "guid": "g", "available_actions": [1, 6], "frame": null}}`
	recs := readAllRecords(t, []byte("\n\n"+old+"\n\n"))
	require.Len(t, recs, 1)
	d := recs[0].Data
	assert.Equal(t, 2, d.LevelsCompleted)
	assert.Equal(t, 7, d.WinLevels)
	assert.Equal(t, arc.GameOver, d.State)
	assert.Equal(t, arc.Click(1, 2).String(), d.Action.String())
	assert.Nil(t, d.Action.Reasoning)
}

func TestRecordingReaderErrors(t *testing.T) {
	good := string(AppendRecord(nil, time.Unix(0, 0), sampleFrameData(1), true))
	row := "[" + strings.Repeat("0, ", 63) + "0]"
	frame := func(rows ...string) string { return "[" + strings.Join(rows, ", ") + "]" }
	rows := func(n int, r string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = r
		}
		return out
	}
	withFrame := func(f string) string {
		i := strings.Index(good, `"frame": `)
		return good[:i] + `"frame": ` + f + "}}\n"
	}
	for _, tc := range []struct {
		name, line, want string
	}{
		{"not json", "{nope\n", "invalid character"},
		{"bad timestamp", strings.Replace(good, `"timestamp": "1970`, `"timestamp": "x1970`, 1), "timestamp"},
		{"bad state", strings.Replace(good, `"WIN"`, `"DONE"`, 1), "unknown game state"},
		{"no counters", strings.Replace(good, `"levels_completed"`, `"lc"`, 1), "missing"},
		{"counter range", strings.Replace(good, `"win_levels": 3`, `"win_levels": 300`, 1), "outside 0..254"},
		{"bad action", strings.Replace(good, `"ACTION6"`, `"ACTION9"`, 1), "unknown action"},
		{"bad action number", strings.Replace(good, `"ACTION6"`, `9`, 1), "neither"},
		{"click without xy", strings.Replace(good, `"x": 63, "y": 7`, ``, 1), "without x and y"},
		{"click off grid", strings.Replace(good, `"x": 63`, `"x": 64`, 1), "outside"},
		{"available range", strings.Replace(good, `"available_actions": [1, 6]`, `"available_actions": [9]`, 1), "available action 9"},
		{"frame not list", withFrame(`3`), "expected a list of frames, found a number"},
		{"short row", withFrame("[" + frame(append(rows(63, row), "[0, 1]")...) + "]"), "frame 0 row 63: 2 columns, want 64"},
		{"long row", withFrame("[" + frame(append(rows(63, row), "["+strings.Repeat("0, ", 64)+"0]")...) + "]"), "frame 0 row 63: more than 64 columns"},
		{"short frame", withFrame("[" + frame(rows(10, row)...) + "]"), "frame 0: 10 rows, want 64"},
		{"colour 16", withFrame("[" + frame(append(rows(63, row), "[16"+strings.Repeat(", 0", 63)+"]")...) + "]"), "frame 0 row 63 column 0: value 16 outside 0..15"},
		{"negative colour", withFrame("[" + frame(append(rows(63, row), "[-1"+strings.Repeat(", 0", 63)+"]")...) + "]"), "frame 0 row 63 column 0: value -1 outside 0..15"},
		{"fraction", withFrame("[" + frame(append(rows(63, row), "[1.5"+strings.Repeat(", 0", 63)+"]")...) + "]"), "frame 0 row 63 column 0: value 1.5 is not an integer colour"},
		{"exponent", withFrame("[" + frame(append(rows(62, row), "[0, 1e0"+strings.Repeat(", 0", 62)+"]", row)...) + "]"), "frame 0 row 62 column 1: value 1e0 is not an integer colour"},
		{"negative zero", withFrame("[" + frame(append(rows(63, row), "[-0"+strings.Repeat(", 0", 63)+"]")...) + "]"), "frame 0 row 63 column 0: value -0 outside 0..15"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rr := NewRecordReader(strings.NewReader(good + tc.line))
			var rec Record
			require.NoError(t, rr.Next(&rec))
			err := rr.Next(&rec)
			require.ErrorIs(t, err, ErrBadRecording)
			if strings.Contains(tc.want, "frame") {
				// A bad frame gets the frame decoder's own error, which
				// says where it is.
				assert.ErrorIs(t, err, arc.ErrInvalidFrame)
			}
			assert.Contains(t, err.Error(), "line 2")
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestRecordingReaderLineLimit(t *testing.T) {
	huge := io.MultiReader(strings.NewReader(`{"timestamp": "`), io.LimitReader(zeros{}, MaxRecordLineBytes+10))
	var rec Record
	err := NewRecordReader(huge).Next(&rec)
	require.ErrorIs(t, err, ErrBadRecording)
	assert.Contains(t, err.Error(), "longer than")
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = '0'
	}
	return len(p), nil
}

func TestRecordWriterRejectsBadReasoning(t *testing.T) {
	fd := sampleFrameData(1)
	fd.Action.Reasoning = json.RawMessage(`{"open`)
	var out bytes.Buffer
	err := NewRecordWriter(&out, true).Write(time.Now(), fd)
	require.ErrorIs(t, err, arc.ErrInvalidAction)
	assert.Zero(t, out.Len())
}

func TestRecordPath(t *testing.T) {
	assert.Equal(t, filepath.Join("rec", "local", "ls20-1-g.jsonl"), RecordPath("rec", "", "ls20-1", "g"))
	assert.Equal(t, filepath.Join("rec", "card", "ls20-1-g.jsonl"), RecordPath("rec", "card", "ls20-1", "g"))
}

func TestRecordWriterAllocs(t *testing.T) {
	fd := sampleFrameData(2)
	fd.Action.Reasoning = nil
	w := NewRecordWriter(io.Discard, true)
	ts := time.Now()
	require.NoError(t, w.Write(ts, fd))
	allocs := testing.AllocsPerRun(50, func() { _ = w.Write(ts, fd) })
	assert.Zero(t, allocs)
}

func BenchmarkRecordWriter(b *testing.B) {
	fd := sampleFrameData(1)
	fd.Action.Reasoning = nil
	w := NewRecordWriter(io.Discard, true)
	ts := time.Now()
	b.SetBytes(int64(len(fd.Frames)))
	b.ReportAllocs()
	for b.Loop() {
		_ = w.Write(ts, fd)
	}
}

func BenchmarkRecordReader(b *testing.B) {
	fd := sampleFrameData(1)
	line := AppendRecord(nil, time.Now(), fd, true)
	var rec Record
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for b.Loop() {
		if err := NewRecordReader(bytes.NewReader(line)).Next(&rec); err != nil {
			b.Fatal(err)
		}
	}
}

func ExampleRecordWriter() {
	fd := &arc.FrameData{
		GameID: "ft09-0d8bbf25", GUID: "fb3d6991", State: arc.NotFinished, WinLevels: 6,
		Action: arc.Click(10, 12), Available: arc.ActionSetOf(arc.Action6),
	}
	w := NewRecordWriter(os.Stdout, false)
	_ = w.Write(time.Date(2026, 11, 22, 16, 48, 18, 110830000, time.UTC), fd)
	// Output:
	// {"timestamp": "2026-11-22T16:48:18.110830+00:00", "data": {"game_id": "ft09-0d8bbf25", "state": "NOT_FINISHED", "levels_completed": 0, "win_levels": 6, "action_input": {"id": "ACTION6", "data": {"x": 10, "y": 12}, "reasoning": null}, "guid": "fb3d6991", "full_reset": false, "available_actions": [6]}}
}

// FuzzRecordReader checks that the reader never panics and that whatever it
// accepts survives a write and a second read unchanged.
func FuzzRecordReader(f *testing.F) {
	for _, name := range []string{"recording_ft09_no_frames.jsonl", "recording_ls20_with_frames.jsonl"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		require.NoError(f, err)
		f.Add(b)
	}
	f.Add(AppendRecord(nil, time.Unix(1, 0), sampleFrameData(2), true))
	f.Add([]byte(`{"timestamp": "2025-07-01T10:00:00Z", "data": {"state": "WIN", "score": 1, "win_score": 1, "action_input": {"id": 0}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		rr := NewRecordReader(bytes.NewReader(data))
		for range 8 {
			var rec Record
			if err := rr.Next(&rec); err != nil {
				return
			}
			line := AppendRecord(nil, rec.Time, &rec.Data, true)
			var again Record
			require.NoError(t, NewRecordReader(bytes.NewReader(line)).Next(&again), "%s", line)
			assert.True(t, rec.Time.Equal(again.Time) || rec.Time.Truncate(time.Microsecond).Equal(again.Time))
			assert.Equal(t, rec.Data.GameID, again.Data.GameID)
			assert.Equal(t, rec.Data.State, again.Data.State)
			assert.Equal(t, rec.Data.Action.String(), again.Data.Action.String())
			assert.Equal(t, rec.Data.Available&^arc.ActionSetOf(arc.Reset), again.Data.Available)
			assert.Equal(t, rec.Data.Frames, again.Data.Frames)
		}
	})
}
