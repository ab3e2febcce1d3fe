package arcengine

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPruneScriptsRemovesOnlyStaleVersions(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	write := func(name string, age time.Duration) string {
		sub := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(sub, 0o755))
		f := filepath.Join(sub, "arcgym_worker.py")
		require.NoError(t, os.WriteFile(f, []byte("# script\n"), 0o644))
		when := now.Add(-age)
		require.NoError(t, os.Chtimes(f, when, when))
		require.NoError(t, os.Chtimes(sub, when, when))
		return sub
	}
	keep := write("worker-0000000000000001", 90*24*time.Hour)  // this version: kept however old
	recent := write("worker-0000000000000002", 2*24*time.Hour) // another version, used lately
	stale := write("worker-0000000000000003", 40*24*time.Hour) // another version, long unused
	other := filepath.Join(dir, "gotch")                       // not a worker script: left alone
	require.NoError(t, os.MkdirAll(other, 0o755))
	old := now.Add(-400 * 24 * time.Hour)
	require.NoError(t, os.Chtimes(other, old, old))

	pruneScripts(dir, filepath.Base(keep), now)

	assert.DirExists(t, keep)
	assert.DirExists(t, recent)
	assert.NoDirExists(t, stale)
	assert.DirExists(t, other)
}

func TestMarkUsedRefreshesOldScripts(t *testing.T) {
	f := filepath.Join(t.TempDir(), "arcgym_worker.py")
	require.NoError(t, os.WriteFile(f, []byte("# script\n"), 0o644))
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	hourAgo, weekAgo := now.Add(-time.Hour), now.Add(-7*24*time.Hour)

	require.NoError(t, os.Chtimes(f, hourAgo, hourAgo))
	markUsed(f, now)
	fi, err := os.Stat(f)
	require.NoError(t, err)
	assert.True(t, fi.ModTime().Equal(hourAgo), "a script used within the day is not touched")

	require.NoError(t, os.Chtimes(f, weekAgo, weekAgo))
	markUsed(f, now)
	fi, err = os.Stat(f)
	require.NoError(t, err)
	assert.True(t, fi.ModTime().Equal(now), "an older one is marked as used now")
}

func TestInstallScriptWritesTheEmbeddedScript(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	path, err := installScript()
	require.NoError(t, err)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, WorkerSource(), b)
	again, err := installScript()
	require.NoError(t, err)
	assert.Equal(t, path, again, "a second install reuses the file")
}
