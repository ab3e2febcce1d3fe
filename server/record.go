package server

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/wire"
)

// recorder writes one session's recording in the toolkit's JSONL format.
type recorder struct {
	f *os.File
	w *wire.RecordWriter
}

func newRecorder(dir, cardID, gameID, guid string, withFrames bool) (*recorder, error) {
	path := wire.RecordPath(dir, cardID, gameID, guid)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("server: recording directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("server: recording: %w", err)
	}
	return &recorder{f: f, w: wire.NewRecordWriter(f, withFrames)}, nil
}

func (r *recorder) write(fd *arc.FrameData) error {
	return r.w.Write(time.Now(), fd)
}

func (r *recorder) close() error {
	if err := r.f.Close(); err != nil && !errors.Is(err, os.ErrClosed) {
		return fmt.Errorf("server: closing recording: %w", err)
	}
	return nil
}
