package wrappers

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/wire"
)

// RecorderConfig configures a Recorder.
type RecorderConfig struct {
	// Dir is the recordings directory; files go to
	// <Dir>/<CardID or "local">/<game_id>-<guid>.jsonl (wire.RecordPath).
	Dir    string
	CardID string
	// Frames writes the frame list of every command (large, but needed to
	// check a replay frame by frame).
	Frames bool
	// Now is the clock of the timestamps; nil means time.Now.
	Now func() time.Time
}

// Recorder is a wrapper that writes a recording in the official toolkit's
// JSONL format: one line per Reset and per Step with the result as the
// wrapped Env reports it. A Reset that the Game carries out with two RESETs,
// or a Step followed by an automatic level reset after GAME_OVER, is one
// line; a Reset that sends nothing (env.ResetLevel on a pristine level) is
// none. Lines are buffered and flushed at the end of every episode and on
// Close; a new session (guid) starts a new file, an existing file is
// appended to.
type Recorder struct {
	inner
	cfg  RecorderConfig
	path string
	file *os.File
	bw   *bufio.Writer
	rw   *wire.RecordWriter
	fd   arc.FrameData
}

// NewRecorder wraps e so that its commands are recorded.
func NewRecorder(e env.Env, cfg RecorderConfig) (*Recorder, error) {
	if e == nil {
		return nil, fmt.Errorf("wrappers: recorder needs an env")
	}
	if cfg.Dir == "" {
		return nil, fmt.Errorf("wrappers: recorder needs a directory")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Recorder{inner: e, cfg: cfg}, nil
}

// Wrap implements env.Wrapper: NewRecorder(e, c).
func (c RecorderConfig) Wrap(e env.Env) (env.Env, error) { return wrapped(NewRecorder(e, c)) }

// Unwrap returns the wrapped Env.
func (r *Recorder) Unwrap() env.Env { return r.inner }

// Path returns the file being written, "" before the first Reset.
func (r *Recorder) Path() string { return r.path }

// Reset resets the wrapped Env and records the reset.
func (r *Recorder) Reset(ctx context.Context, opts env.ResetOptions) (env.Obs, env.Info, error) {
	obs, info, err := r.inner.Reset(ctx, opts)
	if err != nil {
		return obs, info, err
	}
	if info.Action.ID != arc.Reset {
		// No RESET went out (a level reset of a level still pristine): the
		// game did nothing, and a line would replay as a repeat of the
		// last action.
		return obs, info, nil
	}
	return obs, info, r.write(&info, true)
}

// Step steps the wrapped Env and records the step.
func (r *Recorder) Step(ctx context.Context, a arc.Action) (env.Step, error) {
	st, err := r.inner.Step(ctx, a)
	if err != nil {
		return st, err
	}
	return st, r.write(&st.Info, st.Done())
}

// Close flushes the recording and closes the wrapped Env.
func (r *Recorder) Close() error {
	ferr := r.closeFile()
	if err := r.inner.Close(); err != nil {
		return err
	}
	return ferr
}

func (r *Recorder) write(info *env.Info, flush bool) error {
	if r.file == nil || r.fd.GUID != info.GUID || r.fd.GameID != info.GameID {
		if err := r.open(info.GameID, info.GUID); err != nil {
			return err
		}
	}
	r.fd = arc.FrameData{
		GameID:          info.GameID,
		GUID:            info.GUID,
		State:           info.State,
		LevelsCompleted: info.LevelsCompleted,
		WinLevels:       info.WinLevels,
		Action:          info.Action,
		Available:       info.Available,
		FullReset:       info.FullReset,
		Frames:          info.Frames.Data,
	}
	if err := r.rw.Write(r.cfg.Now(), &r.fd); err != nil {
		return fmt.Errorf("wrappers: recorder: %w", err)
	}
	if flush {
		if err := r.bw.Flush(); err != nil {
			return fmt.Errorf("wrappers: recorder: %w", err)
		}
	}
	return nil
}

func (r *Recorder) open(gameID, guid string) error {
	if err := r.closeFile(); err != nil {
		return err
	}
	path := wire.RecordPath(r.cfg.Dir, r.cfg.CardID, gameID, guid)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("wrappers: recorder: %w", err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("wrappers: recorder: %w", err)
	}
	r.path, r.file = path, f
	r.bw = bufio.NewWriterSize(f, 256*1024)
	r.rw = wire.NewRecordWriter(r.bw, r.cfg.Frames)
	return nil
}

func (r *Recorder) closeFile() error {
	if r.file == nil {
		return nil
	}
	err := r.bw.Flush()
	if cerr := r.file.Close(); err == nil {
		err = cerr
	}
	r.file = nil
	if err != nil {
		return fmt.Errorf("wrappers: recorder: %w", err)
	}
	return nil
}

// ErrReplayMismatch is wrapped by the error Replay returns when the Env
// does not reproduce the recording.
var ErrReplayMismatch = errors.New("wrappers: replay does not match the recording")

// ReplayResult counts what Replay did.
type ReplayResult struct {
	// Resets and Steps count the commands replayed.
	Resets, Steps int
	// FramesChecked counts the recorded frames compared with the Env's.
	FramesChecked int
}

// Replay re-drives e with the commands of the recording read from r and
// checks that e reproduces it: state, levels completed, win levels and, for lines that
// carry frames, every frame. A RESET line with full_reset is replayed as a
// game reset, any other RESET as a level reset; ACTION lines are Steps. e
// must be configured as the recorded Env was (same game, seed and
// GAME_OVER handling). Replay stops at the first difference with an error
// wrapping ErrReplayMismatch that names the line.
func Replay(ctx context.Context, e env.Env, r io.Reader) (ReplayResult, error) {
	var res ReplayResult
	rr := wire.NewRecordReader(r)
	var rec wire.Record
	for {
		err := rr.Next(&rec)
		if errors.Is(err, io.EOF) {
			return res, nil
		}
		if err != nil {
			return res, err
		}
		var info env.Info
		want := &rec.Data
		if want.Action.ID == arc.Reset {
			mode := env.ResetLevel
			if want.FullReset {
				mode = env.ResetGame
			}
			_, info, err = e.Reset(ctx, env.ResetOptions{Mode: mode})
			res.Resets++
		} else {
			var st env.Step
			st, err = e.Step(ctx, want.Action)
			info = st.Info
			res.Steps++
		}
		if err != nil {
			return res, fmt.Errorf("wrappers: replay line %d: %s: %w", rr.Line(), want.Action, err)
		}
		if err := compareRecord(want, &info); err != nil {
			return res, fmt.Errorf("%w: line %d (%s): %w", ErrReplayMismatch, rr.Line(), want.Action, err)
		}
		res.FramesChecked += want.NumFrames()
	}
}

func compareRecord(want *arc.FrameData, got *env.Info) error {
	if want.State != got.State {
		return fmt.Errorf("state %s, recorded %s", got.State, want.State)
	}
	if want.LevelsCompleted != got.LevelsCompleted {
		return fmt.Errorf("levels completed %d, recorded %d", got.LevelsCompleted, want.LevelsCompleted)
	}
	if want.WinLevels != got.WinLevels {
		return fmt.Errorf("win levels %d, recorded %d", got.WinLevels, want.WinLevels)
	}
	if want.NumFrames() == 0 {
		return nil
	}
	if len(want.Frames) != len(got.Frames.Data) {
		return fmt.Errorf("%d frames, recorded %d", len(got.Frames.Data)/arc.FrameCells, want.NumFrames())
	}
	if !bytes.Equal(want.Frames, got.Frames.Data) {
		for i := range len(want.Frames) {
			if want.Frames[i] != got.Frames.Data[i] {
				c := i % arc.FrameCells
				return fmt.Errorf("frame %d differs at x=%d y=%d: colour %d, recorded %d",
					i/arc.FrameCells, c%arc.GridSize, c/arc.GridSize, got.Frames.Data[i], want.Frames[i])
			}
		}
	}
	return nil
}
