package train

import (
	"bufio"
	"encoding/gob"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ErrCheckpoint is returned, wrapped, when a file is not a checkpoint of
// the expected kind and version.
var ErrCheckpoint = errors.New("train: not a checkpoint of this kind")

const checkpointMagic = "arcgym-checkpoint"

// header opens every checkpoint file.
type header struct {
	Magic   string
	Kind    string
	Version int
}

// Save writes v (any gob-encodable value) as a checkpoint of the given kind
// and version to path. The file is written beside path and renamed over it,
// so an interrupted save never leaves a half-written checkpoint.
func Save(path, kind string, version int, v any) (err error) {
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("train: checkpoint directory: %w", err)
		}
	}
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("train: checkpoint %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(f.Name())
		}
	}()
	w := bufio.NewWriter(f)
	enc := gob.NewEncoder(w)
	if err := enc.Encode(header{Magic: checkpointMagic, Kind: kind, Version: version}); err != nil {
		return fmt.Errorf("train: checkpoint %s: %w", path, err)
	}
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("train: checkpoint %s: %w", path, err)
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("train: checkpoint %s: %w", path, err)
	}
	if err := f.Chmod(0o644); err != nil {
		return fmt.Errorf("train: checkpoint %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("train: checkpoint %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("train: checkpoint %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("train: checkpoint %s: %w", path, err)
	}
	return nil
}

// Load reads the checkpoint at path into v (a pointer), after checking that
// it is of the given kind and version; a mismatch wraps ErrCheckpoint.
func Load(path, kind string, version int, v any) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("train: checkpoint: %w", err)
	}
	defer f.Close()
	dec := gob.NewDecoder(bufio.NewReader(f))
	var h header
	if err := dec.Decode(&h); err != nil || h.Magic != checkpointMagic {
		return fmt.Errorf("%w: %s has no checkpoint header", ErrCheckpoint, path)
	}
	if h.Kind != kind || h.Version != version {
		return fmt.Errorf("%w: %s holds %s v%d, want %s v%d", ErrCheckpoint, path, h.Kind, h.Version, kind, version)
	}
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("train: checkpoint %s: %w", path, err)
	}
	return nil
}
