package arcengine

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
)

func TestClassName(t *testing.T) {
	for _, tc := range []struct{ id, class, want string }{
		{"ls20-9607627b", "", "Ls20"},
		{"ls20-9607627b", "LockSmith", "LockSmith"},
		{"ab", "", "Ab"},
		{"", "", ""},
	} {
		assert.Equal(t, tc.want, ClassName(tc.id, tc.class), "%q %q", tc.id, tc.class)
	}
}

// writeGame writes a game's metadata (and an empty source) under dir.
func writeGame(t *testing.T, dir, id, meta string) string {
	t.Helper()
	base, version := arc.SplitGameID(id)
	d := filepath.Join(dir, base, version)
	require.NoError(t, os.MkdirAll(d, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(d, "metadata.json"), []byte(meta), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(d, base+".py"), nil, 0o644))
	return d
}

func TestScan(t *testing.T) {
	dir := t.TempDir()
	writeGame(t, dir, "ab12-00000001", `{"game_id":"ab12-00000001","title":"Old","tags":["keyboard"],"baseline_actions":[3,4],"date_downloaded":"2025-01-01T00:00:00Z"}`)
	newer := writeGame(t, dir, "ab12-00000002", `{"game_id":"ab12-00000002","title":"New","default_fps":9,"date_downloaded":"2025-06-01T00:00:00+00:00"}`)
	writeGame(t, dir, "cd34-00000001", `{"game_id":"cd34-00000001","class_name":"Cloud"}`)
	writeGame(t, dir, "zz99-00000001", `{not json`)
	writeGame(t, dir, "yy88-00000001", `{"title":"no id"}`)

	games, errs := Scan(dir)
	assert.Len(t, errs, 2, "two metadata files do not parse or name no game")
	require.Len(t, games, 3)
	assert.Equal(t, "ab12-00000001", games[0].Info.ID)
	assert.Equal(t, []int{3, 4}, games[0].Info.BaselineActions)
	assert.Equal(t, []string{"keyboard"}, games[0].Info.Tags)
	assert.Equal(t, 5, games[0].Info.DefaultFPS, "the toolkit's default")
	assert.Equal(t, "Ab12", games[0].Info.ClassName)
	assert.Equal(t, 9, games[1].Info.DefaultFPS)
	assert.Equal(t, "Cloud", games[2].Info.ClassName)

	// A base id names the latest downloaded version, as in the toolkit.
	g, err := find(games, "ab12")
	require.NoError(t, err)
	assert.Equal(t, "ab12-00000002", g.Info.ID)
	assert.Equal(t, newer, g.Dir)
	g, err = find(games, "ab12-00000001")
	require.NoError(t, err)
	assert.Equal(t, "Old", g.Info.Title)
	_, err = find(games, "ab12-00000003")
	assert.ErrorIs(t, err, arc.ErrUnknownGame)
	_, err = find(games, "ef56")
	assert.ErrorIs(t, err, arc.ErrUnknownGame)
}

func TestScanTestGames(t *testing.T) {
	games, errs := Scan(gamesDir(t))
	require.Empty(t, errs)
	ids := make([]string, len(games))
	for i, g := range games {
		ids[i] = g.Info.ID
		assert.FileExists(t, g.Source)
		assert.NotEmpty(t, g.Info.BaselineActions, "%s has human baselines", g.Info.ID)
	}
	assert.Equal(t, []string{"er01-0d5b9a47", "ih01-3f9a2c1e", "lg01-7b04d5e2", "sd01-c2e81f60"}, ids)
}

func TestGamesDirResolution(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	t.Setenv(EnvGamesDir, "")
	t.Setenv(EnvToolkitGamesDir, "")
	_, err := GamesDir("")
	require.ErrorIs(t, err, ErrGamesDir)
	assert.False(t, Configured())

	t.Setenv(EnvToolkitGamesDir, b)
	got, err := GamesDir("")
	require.NoError(t, err)
	assert.Equal(t, b, got)
	assert.True(t, Configured())

	t.Setenv(EnvGamesDir, a)
	got, err = GamesDir("")
	require.NoError(t, err)
	assert.Equal(t, a, got, "ARCGYM_GAMES_DIR comes before the toolkit's variable")

	got, err = GamesDir(b)
	require.NoError(t, err)
	assert.Equal(t, b, got, "the option comes first")

	_, err = GamesDir(filepath.Join(a, "missing"))
	assert.ErrorIs(t, err, ErrGamesDir)
}

func TestPythonResolution(t *testing.T) {
	dir := t.TempDir()
	exe := func(p string) string {
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755))
		return p
	}
	opt := exe(filepath.Join(dir, "opt", "python"))
	env := exe(filepath.Join(dir, "env", "python"))
	venv := filepath.Join(dir, "venv")
	exe(filepath.Join(venv, "bin", "python"))
	cache := filepath.Join(dir, "cache")
	exe(filepath.Join(cache, "arcgym", "venv", "bin", "python"))

	t.Setenv("XDG_CACHE_HOME", cache)
	t.Setenv(EnvPython, env)
	t.Setenv("VIRTUAL_ENV", venv)
	for _, tc := range []struct {
		name, opt, env, venv, want string
	}{
		{"option first", opt, env, venv, opt},
		{"then ARCGYM_PYTHON", "", env, venv, env},
		{"then the active venv", "", "", venv, filepath.Join(venv, "bin", "python")},
		{"then the setup script's venv", "", "", "", filepath.Join(cache, "arcgym", "venv", "bin", "python")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(EnvPython, tc.env)
			t.Setenv("VIRTUAL_ENV", tc.venv)
			got, err := Python(tc.opt)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
	t.Setenv(EnvPython, filepath.Join(dir, "nothing"))
	_, err := Python("")
	assert.ErrorIs(t, err, ErrNoPython)
}

func TestCheckEngineVersion(t *testing.T) {
	for v, ok := range map[string]bool{
		"0.9.3": true, "0.9.4": true, "0.9.10": true, "0.9.3rc1": true,
		"0.9.2": false, "0.10.0": false, "1.0.0": false, "0.9": false, "": false, "x.y.z": false,
	} {
		assert.Equal(t, ok, checkEngineVersion(v) == nil, v)
	}
}

func TestConfigValidation(t *testing.T) {
	_, err := Open(Config{GamesDir: gamesDir(t), Python: "/bin/sh", EnvsPerWorker: -1})
	assert.Error(t, err)
	_, err = Open(Config{GamesDir: gamesDir(t), Python: "/bin/sh", Env: []string{"NOEQUALS"}})
	assert.Error(t, err)
}
