package wire

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"time"

	"github.com/arcgym/arcgym/arc"
)

// Recordings are the JSONL files the official toolkit writes: one line per
// command, {"timestamp": ..., "data": {...}}, where data is the frame object
// with the action id written as its name and the frame list optional.

// RecordTimeLayout is the timestamp layout of recordings: ISO 8601 in UTC
// with microseconds and a numeric offset, as Python's isoformat writes it.
const RecordTimeLayout = "2006-01-02T15:04:05.000000-07:00"

// MaxRecordLineBytes bounds one line of a recording: MaxFrames frames in the
// widest text form, with room to spare for the other fields.
const MaxRecordLineBytes = arc.MaxFrames*(arc.FrameCells*4+arc.GridSize*4+8) + 64*1024

// ErrBadRecording is returned by RecordReader for a line that is not a
// well-formed recording entry; match it with errors.Is.
var ErrBadRecording = errors.New("wire: malformed recording")

// Record is one entry of a recording: when the command ran and its result.
// Data.Frames is empty when the entry was written without frames.
type Record struct {
	Time time.Time
	Data arc.FrameData
}

// RecordPath returns where the toolkit keeps the recording of one session:
// <dir>/<cardID>/<gameID>-<guid>.jsonl, with "local" standing in for an
// empty card id.
func RecordPath(dir, cardID, gameID, guid string) string {
	if cardID == "" {
		cardID = "local"
	}
	return filepath.Join(dir, cardID, gameID+"-"+guid+".jsonl")
}

// AppendRecord appends the recording line of fd at time t, newline
// included, to dst and returns the extended slice. Keys, separators and
// timestamps follow the toolkit's writer byte for byte. The frame list is
// written only when withFrames is set. fd.Action.Reasoning must be valid
// JSON or empty (written as null). AppendRecord allocates nothing once dst
// has room.
func AppendRecord(dst []byte, t time.Time, fd *arc.FrameData, withFrames bool) []byte {
	dst = append(dst, `{"timestamp": "`...)
	dst = t.UTC().AppendFormat(dst, RecordTimeLayout)
	dst = append(dst, `", "data": {"game_id": `...)
	dst = AppendString(dst, fd.GameID)
	dst = append(dst, `, "state": "`...)
	dst = append(dst, stateName(fd.State)...)
	dst = append(dst, `", "levels_completed": `...)
	dst = strconv.AppendInt(dst, int64(fd.LevelsCompleted), 10)
	dst = append(dst, `, "win_levels": `...)
	dst = strconv.AppendInt(dst, int64(fd.WinLevels), 10)
	dst = append(dst, `, "action_input": {"id": "`...)
	dst = append(dst, recActionName(fd.Action.ID)...)
	dst = append(dst, `", "data": {`...)
	if fd.Action.ID == arc.Action6 {
		dst = append(dst, `"x": `...)
		dst = strconv.AppendUint(dst, uint64(fd.Action.X), 10)
		dst = append(dst, `, "y": `...)
		dst = strconv.AppendUint(dst, uint64(fd.Action.Y), 10)
	}
	dst = append(dst, `}, "reasoning": `...)
	if len(fd.Action.Reasoning) == 0 {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, fd.Action.Reasoning...)
	}
	dst = append(dst, `}, "guid": `...)
	dst = AppendString(dst, fd.GUID)
	dst = append(dst, `, "full_reset": `...)
	dst = strconv.AppendBool(dst, fd.FullReset)
	dst = append(dst, `, "available_actions": [`...)
	first := true
	for id := arc.Action1; id < arc.NumActionIDs; id++ {
		if !fd.Available.Has(id) {
			continue
		}
		if !first {
			dst = append(dst, ", "...)
		}
		first = false
		dst = append(dst, '0'+byte(id))
	}
	dst = append(dst, ']')
	if withFrames && fd.NumFrames() > 0 {
		dst = append(dst, `, "frame": [`...)
		for i := range fd.NumFrames() {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = recAppendGrid(dst, fd.Frame(i))
		}
		dst = append(dst, ']')
	}
	return append(dst, "}}\n"...)
}

// recAppendGrid writes one frame as 64 rows in Python's list notation.
func recAppendGrid(dst []byte, cells []uint8) []byte {
	dst = append(dst, '[')
	for y := range arc.GridSize {
		if y > 0 {
			dst = append(dst, ", "...)
		}
		dst = append(dst, '[')
		for x, c := range cells[y*arc.GridSize : (y+1)*arc.GridSize] {
			if x > 0 {
				dst = append(dst, ", "...)
			}
			if c >= 10 {
				dst = append(dst, '0'+c/10%10)
			}
			dst = append(dst, '0'+c%10)
		}
		dst = append(dst, ']')
	}
	return append(dst, ']')
}

func recActionName(id arc.ActionID) string {
	if !id.Valid() {
		return arc.Reset.String()
	}
	return id.String()
}

// RecordWriter appends recording lines to an io.Writer, one Write per
// command. It reuses one line buffer, so writing allocates nothing once the
// buffer has grown. It is not safe for concurrent use.
type RecordWriter struct {
	w          io.Writer
	buf        []byte
	withFrames bool
}

// NewRecordWriter returns a writer of recording lines to w; withFrames
// selects whether the frame list is written.
func NewRecordWriter(w io.Writer, withFrames bool) *RecordWriter {
	return &RecordWriter{w: w, withFrames: withFrames}
}

// Write appends the line of fd at time t. It refuses a reasoning value that
// is not valid JSON, which would corrupt the line.
func (rw *RecordWriter) Write(t time.Time, fd *arc.FrameData) error {
	if len(fd.Action.Reasoning) > 0 && !json.Valid(fd.Action.Reasoning) {
		return fmt.Errorf("%w: reasoning of %s is not valid JSON", arc.ErrInvalidAction, fd.Action)
	}
	rw.buf = AppendRecord(rw.buf[:0], t, fd, rw.withFrames)
	_, err := rw.w.Write(rw.buf)
	return err
}

// RecordReader reads a recording one entry at a time, holding only the
// current line in memory. Blank lines are skipped. Both wire spellings are
// accepted: levels_completed/win_levels or the older score/win_score, and
// action ids as names ("ACTION6") or integers.
type RecordReader struct {
	r    *bufio.Reader
	line int
	buf  []byte
	raw  recLine
}

// NewRecordReader returns a reader of the recording in r.
func NewRecordReader(r io.Reader) *RecordReader {
	return &RecordReader{r: bufio.NewReaderSize(r, 64*1024)}
}

// Line returns the 1-based number of the line read last.
func (rr *RecordReader) Line() int { return rr.line }

// Next reads the next entry into rec, reusing rec.Data.Frames. It returns
// io.EOF after the last entry, and an error wrapping ErrBadRecording, with
// the line number, for a malformed line.
func (rr *RecordReader) Next(rec *Record) error {
	for {
		line, err := rr.readLine()
		if err != nil {
			return err
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		if err := rr.decode(line, rec); err != nil {
			return fmt.Errorf("%w: line %d: %w", ErrBadRecording, rr.line, err)
		}
		return nil
	}
}

// readLine returns the next line without its newline; the slice is valid
// until the next call.
func (rr *RecordReader) readLine() ([]byte, error) {
	rr.buf = rr.buf[:0]
	for {
		chunk, err := rr.r.ReadSlice('\n')
		if len(rr.buf)+len(chunk) > MaxRecordLineBytes {
			rr.line++
			return nil, fmt.Errorf("%w: line %d is longer than %d bytes", ErrBadRecording, rr.line, MaxRecordLineBytes)
		}
		switch {
		case err == nil:
			rr.line++
			if len(rr.buf) == 0 {
				return chunk, nil
			}
			rr.buf = append(rr.buf, chunk...)
			return rr.buf, nil
		case errors.Is(err, bufio.ErrBufferFull):
			rr.buf = append(rr.buf, chunk...)
		case errors.Is(err, io.EOF):
			rr.buf = append(rr.buf, chunk...)
			if len(rr.buf) == 0 {
				return nil, io.EOF
			}
			rr.line++
			return rr.buf, nil
		default:
			return nil, err
		}
	}
}

type recLine struct {
	Timestamp string `json:"timestamp"`
	Data      struct {
		GameID          string `json:"game_id"`
		State           string `json:"state"`
		LevelsCompleted *int   `json:"levels_completed"`
		WinLevels       *int   `json:"win_levels"`
		Score           *int   `json:"score"`
		WinScore        *int   `json:"win_score"`
		ActionInput     struct {
			ID   json.RawMessage `json:"id"`
			Data struct {
				X *int `json:"x"`
				Y *int `json:"y"`
			} `json:"data"`
			Reasoning json.RawMessage `json:"reasoning"`
		} `json:"action_input"`
		GUID             string          `json:"guid"`
		FullReset        bool            `json:"full_reset"`
		AvailableActions []int           `json:"available_actions"`
		Frame            json.RawMessage `json:"frame"`
	} `json:"data"`
}

func (rr *RecordReader) decode(line []byte, rec *Record) error {
	raw := &rr.raw
	*raw = recLine{}
	if err := json.Unmarshal(line, raw); err != nil {
		return err
	}
	d := &raw.Data
	t, err := time.Parse(time.RFC3339Nano, raw.Timestamp)
	if err != nil {
		return fmt.Errorf("timestamp %q: %w", raw.Timestamp, err)
	}
	state, err := arc.ParseGameState(d.State)
	if err != nil {
		return err
	}
	levels, win := d.LevelsCompleted, d.WinLevels
	if levels == nil {
		levels = d.Score
	}
	if win == nil {
		win = d.WinScore
	}
	if levels == nil || win == nil {
		return errors.New("levels_completed or win_levels missing")
	}
	if *levels < 0 || *levels > 254 || *win < 0 || *win > 254 {
		return fmt.Errorf("counters %d/%d outside 0..254", *levels, *win)
	}
	act, err := recParseAction(d.ActionInput.ID, d.ActionInput.Data.X, d.ActionInput.Data.Y)
	if err != nil {
		return err
	}
	if r := d.ActionInput.Reasoning; len(r) > 0 && !bytes.Equal(r, []byte("null")) {
		if len(r) > arc.MaxReasoningBytes {
			return fmt.Errorf("reasoning is %d bytes, limit %d", len(r), arc.MaxReasoningBytes)
		}
		act.Reasoning = append(json.RawMessage(nil), r...)
	}
	var avail arc.ActionSet
	for _, id := range d.AvailableActions {
		if id < 0 || id >= arc.NumActionIDs {
			return fmt.Errorf("available action %d outside 0..7", id)
		}
		avail = avail.With(arc.ActionID(id))
	}
	frames := rec.Data.Frames
	if f := d.Frame; len(f) > 0 && !bytes.Equal(f, []byte("null")) {
		if frames, err = recParseFrames(frames[:0], f); err != nil {
			return err
		}
	} else {
		frames = frames[:0]
	}
	rec.Time = t
	rec.Data = arc.FrameData{
		GameID:          d.GameID,
		GUID:            d.GUID,
		State:           state,
		LevelsCompleted: *levels,
		WinLevels:       *win,
		Action:          act,
		Available:       avail,
		FullReset:       d.FullReset,
		Frames:          frames,
	}
	return nil
}

func recParseAction(id json.RawMessage, x, y *int) (arc.Action, error) {
	var a arc.Action
	var name string
	if err := json.Unmarshal(id, &name); err == nil {
		v, err := arc.ParseActionID(name)
		if err != nil {
			return a, err
		}
		a.ID = v
	} else {
		var n int
		if err := json.Unmarshal(id, &n); err != nil || n < 0 || n >= arc.NumActionIDs {
			return a, fmt.Errorf("action id %s is neither a name nor 0..7", id)
		}
		a.ID = arc.ActionID(n)
	}
	if a.ID == arc.Action6 {
		if x == nil || y == nil {
			return a, errors.New("ACTION6 without x and y")
		}
		if *x < 0 || *x >= arc.GridSize || *y < 0 || *y >= arc.GridSize {
			return a, fmt.Errorf("ACTION6 at (%d,%d) is outside 0..%d", *x, *y, arc.GridSize-1)
		}
		a.X, a.Y = uint8(*x), uint8(*y)
	}
	return a, nil
}

// recParseFrames reads a list of 64x64 frames of colours 0..15 from its
// JSON text, already checked to be well formed, with the frame decoder's
// own loop, and appends the cells to dst.
func recParseFrames(dst []uint8, b []byte) ([]uint8, error) {
	d := decoder{scanner{data: b}}
	fd := arc.FrameData{Frames: dst}
	if err := d.frames(&fd); err != nil {
		return fd.Frames, err
	}
	return fd.Frames, d.end()
}
