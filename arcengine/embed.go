package arcengine

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

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
			markUsed(path, time.Now())
			pruneScripts(filepath.Dir(dir), name, time.Now())
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
		pruneScripts(filepath.Dir(dir), name, time.Now())
		return path, nil
	}
	return "", fmt.Errorf("arcengine: cannot install the worker script: %w", lastErr)
}

// scriptTTL is how long the script of another version of arcgym is kept in
// the cache after it was last used.
const scriptTTL = 30 * 24 * time.Hour

// markUsed sets the modification time of the installed script at path to
// now when it is more than a day old, so that pruneScripts sees it in use.
func markUsed(path string, now time.Time) {
	if fi, err := os.Stat(path); err == nil && now.Sub(fi.ModTime()) > 24*time.Hour {
		_ = os.Chtimes(path, now, now)
	}
}

// pruneScripts removes, under dir, the worker scripts of other versions of
// arcgym (directories worker-<hash> other than keep) not used for
// scriptTTL. A version in use marks its script at every Open, so only
// scripts of versions no longer run go. Failures are ignored: a script
// left behind costs a few kilobytes.
func pruneScripts(dir, keep string, now time.Time) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		if name == keep || !e.IsDir() || !strings.HasPrefix(name, "worker-") {
			continue
		}
		sub := filepath.Join(dir, name)
		if now.Sub(lastModified(sub)) > scriptTTL {
			_ = os.RemoveAll(sub)
		}
	}
}

// lastModified returns the latest modification time of dir and the files
// in it (the zero time when dir cannot be read).
func lastModified(dir string) time.Time {
	var last time.Time
	fi, err := os.Stat(dir)
	if err != nil {
		return last
	}
	last = fi.ModTime()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if fi, err := e.Info(); err == nil && fi.ModTime().After(last) {
			last = fi.ModTime()
		}
	}
	return last
}
