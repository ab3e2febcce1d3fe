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

// recorder writes one session's recording in the toolkit's JSONL format,
// up to a size limit.
type recorder struct {
	f *os.File
	w *wire.RecordWriter
	// size is the file's size, limit its bound.
	size, limit int64
}

// errRecordingFull refuses an entry that would take a recording past its
// size limit; the entry is not written.
var errRecordingFull = errors.New("server: recording size limit reached")

func newRecorder(dir, cardID, gameID, guid string, withFrames bool, limit int64) (*recorder, error) {
	path := wire.RecordPath(dir, cardID, gameID, guid)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("server: recording directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("server: recording: %w", err)
	}
	r := &recorder{f: f, limit: limit}
	if fi, err := f.Stat(); err == nil {
		r.size = fi.Size()
	}
	r.w = wire.NewRecordWriter(r, withFrames)
	return r, nil
}

// Write writes one entry, whole, or nothing when it would pass the limit.
func (r *recorder) Write(p []byte) (int, error) {
	if r.size+int64(len(p)) > r.limit {
		return 0, errRecordingFull
	}
	n, err := r.f.Write(p)
	r.size += int64(n)
	return n, err
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
