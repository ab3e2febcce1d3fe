package arcengine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/arcengine"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/env/envtest"
	"github.com/arcgym/arcgym/remote"
	"github.com/arcgym/arcgym/scorecard"
	"github.com/arcgym/arcgym/server"
	"github.com/arcgym/arcgym/vector"
	"github.com/arcgym/arcgym/wrappers"
)

// python returns an interpreter with arcengine, or skips (fails under
// ARCGYM_REQUIRE_PYTHON), like the package's internal tests.
func python(t testing.TB) string {
	t.Helper()
	py, err := arcengine.Python("")
	if err == nil {
		err = exec.Command(py, "-c", "import arcengine").Run()
	}
	if err != nil {
		msg := "bridge tests need Python 3.12+ with arcengine " + arcengine.SupportedEngine +
			": run scripts/setup-python.sh or set ARCGYM_PYTHON (" + err.Error() + ")"
		if os.Getenv("ARCGYM_REQUIRE_PYTHON") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return py
}

func testPool(t testing.TB, dir string) *arcengine.Pool {
	t.Helper()
	abs, err := filepath.Abs(filepath.Join("testdata", dir))
	require.NoError(t, err)
	p, err := arcengine.Open(arcengine.Config{GamesDir: abs, Python: python(t)})
	require.NoError(t, err)
	t.Cleanup(func() { p.Close() })
	return p
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func TestEnvMakeFindsRealGames(t *testing.T) {
	p := testPool(t, "games")
	// A pool given to SetDefault is enough: no environment variable.
	t.Setenv(arcengine.EnvGamesDir, "")
	t.Setenv(arcengine.EnvToolkitGamesDir, "")
	arcengine.SetDefault(p)
	t.Cleanup(func() { arcengine.SetDefault(nil) })

	g, err := env.Make(t.Context(), "sd01", env.Config{})
	require.NoError(t, err)
	defer g.Close()
	info := g.GameInfo()
	assert.Equal(t, "sd01-c2e81f60", info.ID)
	assert.Equal(t, []int{12, 18, 24}, info.BaselineActions, "human baselines come from metadata.json")
	obs, inf, err := g.Reset(ctxT(t), env.WithSeed(3))
	require.NoError(t, err)
	assert.Equal(t, []int{64, 64}, obs.Grid.Shape)
	assert.Equal(t, info.Available, inf.Available)

	// Built-in games come first and still need nothing else.
	k, err := env.Make(t.Context(), "kw01", env.Config{})
	require.NoError(t, err)
	require.NoError(t, k.Close())

	_, err = env.Make(t.Context(), "zz99", env.Config{})
	assert.ErrorIs(t, err, arc.ErrUnknownGame)
}

func TestUnknownGameSaysHowToConfigure(t *testing.T) {
	t.Setenv(arcengine.EnvGamesDir, "")
	t.Setenv(arcengine.EnvToolkitGamesDir, "")
	_, err := env.Make(t.Context(), "ls20", env.Config{})
	require.ErrorIs(t, err, arc.ErrUnknownGame)
	assert.Contains(t, err.Error(), arcengine.EnvGamesDir)
}

func TestRealGamePassesTheEnvChecker(t *testing.T) {
	p := testPool(t, "games")
	for _, id := range []string{"sd01", "ih01"} {
		t.Run(id, func(t *testing.T) {
			mk := func() (env.Env, error) {
				s, err := p.New(ctxT(t), id)
				if err != nil {
					return nil, err
				}
				return env.New(s, env.Config{})
			}
			e, err := mk()
			require.NoError(t, err)
			envtest.CheckT(t, e, envtest.CheckOptions{New: mk, Steps: 120})
		})
	}
}

func TestEpisodeStatsGiveTheOfficialScore(t *testing.T) {
	p := testPool(t, "games")
	s, err := p.New(ctxT(t), "sd01")
	require.NoError(t, err)
	g, err := env.New(s, env.Config{})
	require.NoError(t, err)
	e, err := wrappers.NewEpisodeStats(g, wrappers.EpisodeStatsConfig{})
	require.NoError(t, err)
	defer e.Close()
	cmds := scriptOf(t, "sd01-c2e81f60", "win")
	ctx := ctxT(t)
	_, _, err = e.Reset(ctx, env.ResetOptions{})
	require.NoError(t, err)
	var last env.Step
	perLevel := []int{0}
	for _, c := range cmds[1:] {
		if c == "RESET" {
			break
		}
		last, err = e.Step(ctx, action(t, c))
		require.NoError(t, err)
		perLevel[len(perLevel)-1]++
		if last.Info.LevelsCompleted == len(perLevel) && !last.Done() {
			perLevel = append(perLevel, 0)
		}
		if last.Done() {
			break
		}
	}
	require.Equal(t, arc.Win, last.Info.State)
	require.NotNil(t, last.Info.Episode)
	want := scorecard.Score([]int{12, 18, 24}, perLevel, 3)
	assert.Greater(t, want, 0.0)
	assert.InDelta(t, want, last.Info.Episode.Score, 1e-9, "the official formula over metadata.json's baselines")
}

func TestVectorEnvOverRealGames(t *testing.T) {
	p := testPool(t, "faults")
	ctx := ctxT(t)
	require.NoError(t, p.Warm(ctx, 3))
	v, err := vector.NewAsync(t.Context(), 3, func(_ context.Context, i int) (env.Env, error) {
		s, err := p.New(ctx, "cr01")
		if err != nil {
			return nil, err
		}
		return env.New(s, env.Config{})
	}, vector.Config{Workers: 2})
	require.NoError(t, err)
	defer v.Close()
	_, err = v.Reset(ctx, env.WithSeed(1))
	require.NoError(t, err)
	moves := []arc.Action{arc.Simple(arc.Action2), arc.Simple(arc.Action1), arc.Simple(arc.Action4)}
	// Env 1 crashes its worker (cr01 exits on ACTION1); the others step on.
	b, err := v.Step(ctx, moves)
	require.NoError(t, err)
	assert.NoError(t, b.Errs[0])
	require.Error(t, b.Errs[1])
	assert.ErrorIs(t, b.Errs[1], arcengine.ErrCrashed)
	assert.NoError(t, b.Errs[2])

	// The row recovers at its next reset, on a new worker.
	b, err = v.ResetMask(ctx, []bool{false, true, false}, env.ResetOptions{})
	require.NoError(t, err)
	require.NoError(t, b.Errs[1])
	b, err = v.Step(ctx, []arc.Action{arc.Simple(arc.Action2), arc.Simple(arc.Action2), arc.Simple(arc.Action2)})
	require.NoError(t, err)
	for i, e := range b.Errs {
		assert.NoError(t, e, "row %d", i)
	}
}

func TestServerServesRealAndBuiltInGames(t *testing.T) {
	p := testPool(t, "games")
	ctx := ctxT(t)
	require.Empty(t, p.ProbeAll(ctx, 2))
	srv, err := server.New(server.Config{Games: server.Join(server.Builtin{}, arcengine.Catalog{Pool: p}), IdleTimeout: -1})
	require.NoError(t, err)
	defer srv.Close()
	hs := httptest.NewServer(srv)
	defer hs.Close()
	c, err := remote.NewClient(hs.URL, remote.ClientConfig{})
	require.NoError(t, err)
	defer c.Close()
	list, err := c.Games(ctx)
	require.NoError(t, err)
	var ids []string
	for _, g := range list {
		ids = append(ids, g.GameID)
	}
	assert.Contains(t, ids, "kw01-5e3a91c4")
	assert.Contains(t, ids, "lg01-7b04d5e2")

	card, err := c.OpenScorecard(ctx, remote.OpenOptions{})
	require.NoError(t, err)
	var fd arc.FrameData
	require.NoError(t, c.Reset(ctx, "lg01-7b04d5e2", card, "", &fd))
	require.NoError(t, fd.Validate())
	guid := fd.GUID
	for _, cmd := range scriptOf(t, "lg01-7b04d5e2", "win")[1:] {
		a := action(t, cmd)
		if a.ID == arc.Reset {
			break
		}
		require.NoError(t, c.Action(ctx, "lg01-7b04d5e2", guid, a, &fd))
		if fd.State == arc.Win {
			break
		}
	}
	assert.Equal(t, arc.Win, fd.State)
	sum, err := c.CloseScorecard(ctx, card)
	require.NoError(t, err)
	require.Len(t, sum.Environments, 1)
	assert.Greater(t, sum.Environments[0].Score, 0.0, "scored with metadata.json's baselines")
}

// scriptOf returns a command script of testdata/scripts.json.
func scriptOf(t testing.TB, game, name string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "scripts.json"))
	require.NoError(t, err)
	var all map[string]map[string][]string
	require.NoError(t, json.Unmarshal(b, &all))
	cmds := all[game][name]
	require.NotEmpty(t, cmds, "%s/%s", game, name)
	return cmds
}

func action(t testing.TB, c string) arc.Action {
	t.Helper()
	f := strings.Fields(c)
	id, err := arc.ParseActionID(f[0])
	require.NoError(t, err)
	a := arc.Action{ID: id}
	if id == arc.Action6 {
		var x, y int
		_, err := fmt.Sscan(f[1]+" "+f[2], &x, &y)
		require.NoError(t, err)
		a.X, a.Y = uint8(x), uint8(y)
	}
	return a
}
