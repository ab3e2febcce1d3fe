package arcengine

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"

	_ "embed"
)

// workerSource is the worker script, run by every worker process.
//
//go:embed python/arcgym_worker.py
var workerSource []byte

// WorkerSource returns the worker script that this package runs.
func WorkerSource() []byte { return bytes.Clone(workerSource) }

// installScript writes the embedded worker script to a per-version file
// under the user's cache directory (or the temporary directory) and returns
// its path. The file name carries the script's hash, so versions of arcgym
// side by side never overwrite each other's script.
func installScript() (string, error) {
	sum := sha256.Sum256(workerSource)
	name := "worker-" + hex.EncodeToString(sum[:8])
	var dirs []string
	if c, err := os.UserCacheDir(); err == nil {
		dirs = append(dirs, filepath.Join(c, "arcgym", name))
	}
	dirs = append(dirs, filepath.Join(os.TempDir(), "arcgym-"+name))
	var lastErr error
	for _, dir := range dirs {
		path := filepath.Join(dir, "arcgym_worker.py")
		if b, err := os.ReadFile(path); err == nil && bytes.Equal(b, workerSource) {
			return path, nil
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			lastErr = err
			continue
		}
		f, err := os.CreateTemp(dir, "arcgym_worker-*.py")
		if err != nil {
			lastErr = err
			continue
		}
		_, werr := f.Write(workerSource)
		cerr := f.Close()
		if werr == nil {
			werr = cerr
		}
		if werr == nil {
			werr = os.Rename(f.Name(), path)
		}
		if werr != nil {
			os.Remove(f.Name())
			lastErr = werr
			continue
		}
		return path, nil
	}
	return "", fmt.Errorf("arcengine: cannot install the worker script: %w", lastErr)
}
