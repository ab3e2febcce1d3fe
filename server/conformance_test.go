package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/engine"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/games"
	"github.com/arcgym/arcgym/remote"
	"github.com/arcgym/arcgym/scorecard"
	"github.com/arcgym/arcgym/wire"
)

// The conformance suite drives this server with arcgym's own REST client,
// remote.Client, over real HTTP on loopback.

// remoteClient returns a client of url sending key (none when key is
// empty), with fast retries.
func remoteClient(t *testing.T, url, key string) *remote.Client {
	t.Helper()
	return remoteClientWith(t, url, remote.ClientConfig{APIKey: key, NoAPIKey: key == ""})
}

// remoteClientWith returns a client of url configured by cfg, with fast
// retries unless cfg sets the backoff.
func remoteClientWith(t *testing.T, url string, cfg remote.ClientConfig) *remote.Client {
	t.Helper()
	if cfg.BackoffBase == 0 && cfg.BackoffMax == 0 {
		cfg.BackoffBase, cfg.BackoffMax = time.Millisecond, 5*time.Millisecond
	}
	c, err := remote.NewClient(url, cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// apiErr asserts err is an *remote.APIError with the given status and code.
func apiErr(t *testing.T, err error, status int, code string) *remote.APIError {
	t.Helper()
	var ae *remote.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, status, ae.Status, ae.Error())
	assert.Equal(t, code, ae.Code, ae.Error())
	assert.NotEmpty(t, ae.Message)
	return ae
}

func TestConformanceRoutes(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	ctx := t.Context()
	c := remoteClient(t, ts.URL, "")

	require.NoError(t, c.Healthcheck(ctx))
	list, err := c.Games(ctx)
	require.NoError(t, err)
	require.Len(t, list, 2)
	gi, err := c.Game(ctx, "tt01")
	require.NoError(t, err)
	assert.Equal(t, ttInfo.ID, gi.GameID)
	assert.Equal(t, ttInfo.BaselineActions, gi.BaselineActions)
	_, err = c.Game(ctx, "zz99")
	apiErr(t, err, http.StatusNotFound, wire.CodeServer)
	assert.ErrorIs(t, err, remote.ErrNotFound)

	card, err := c.OpenScorecard(ctx, remote.OpenOptions{SourceURL: "https://example.invalid/a", Tags: []string{"conf"}, Opaque: json.RawMessage(`{"k": [1, 2]}`)})
	require.NoError(t, err)
	var fd arc.FrameData
	require.NoError(t, c.Reset(ctx, ttInfo.ID, card, "", &fd))
	guid := fd.GUID
	require.True(t, fd.FullReset)
	for id := arc.Action1; id <= arc.Action7; id++ {
		a := arc.Action{ID: id, Reasoning: json.RawMessage(`{"step":1}`)}
		if id == arc.Action6 {
			a.X, a.Y = 63, 0
		}
		if id == arc.Action2 || id == arc.Action1 {
			continue // ACTION2 loses; ACTION1 is played below
		}
		require.NoError(t, c.Action(ctx, ttInfo.ID, guid, a, &fd), "%s", a)
		assert.Equal(t, a.ID, fd.Action.ID)
		assert.Equal(t, a.X, fd.Action.X)
		assert.JSONEq(t, `{"step":1}`, string(fd.Action.Reasoning))
		assert.Equal(t, ttInfo.Available, fd.Available)
	}
	require.NoError(t, c.Action(ctx, ttInfo.ID, guid, arc.Simple(arc.Action1), &fd))

	s, err := c.GetScorecard(ctx, card)
	require.NoError(t, err)
	assert.Equal(t, []string{"conf", "agent"}, s.Tags)
	assert.Equal(t, "https://example.invalid/a", s.SourceURL)
	assert.JSONEq(t, `{"k":[1,2]}`, string(s.Opaque))
	assert.Equal(t, 6, s.TotalActions)
	g, err := c.GetScorecardGame(ctx, card, ttInfo.ID)
	require.NoError(t, err)
	require.NotNil(t, g.Aggregate)
	assert.Equal(t, []int{6}, g.Aggregate.Cards[ttInfo.ID].Actions)
	final, err := c.CloseScorecard(ctx, card)
	require.NoError(t, err)
	assert.Equal(t, s.Environments, final.Environments)
	_, err = c.GetScorecard(ctx, card)
	assert.ErrorIs(t, err, remote.ErrNotFound)
}

// TestConformanceErrors checks the error rows a client can provoke, as the
// client sees them.
func TestConformanceErrors(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	ctx := t.Context()
	c := remoteClient(t, ts.URL, "")
	other := remoteClient(t, ts.URL, "other")
	card, err := c.OpenScorecard(ctx, remote.OpenOptions{})
	require.NoError(t, err)
	var tt01, uu02 arc.FrameData
	require.NoError(t, c.Reset(ctx, ttInfo.ID, card, "", &tt01))
	require.NoError(t, c.Reset(ctx, uuInfo.ID, card, "", &uu02))
	var fd arc.FrameData

	err = c.Reset(ctx, "zz99-00000000", card, "", &fd)
	apiErr(t, err, http.StatusBadRequest, wire.CodeServer)
	assert.ErrorIs(t, err, remote.ErrBadRequest)
	apiErr(t, c.Reset(ctx, ttInfo.ID, "00000000-0000-0000-0000-000000000000", "", &fd), http.StatusBadRequest, wire.CodeServer)
	apiErr(t, c.Action(ctx, ttInfo.ID, "not-a-real-guid", arc.Simple(arc.Action1), &fd), http.StatusBadRequest, wire.CodeServer)
	apiErr(t, c.Action(ctx, ttInfo.ID, uu02.GUID, arc.Simple(arc.Action1), &fd), http.StatusBadRequest, wire.CodeServer)
	apiErr(t, other.Action(ctx, ttInfo.ID, tt01.GUID, arc.Simple(arc.Action1), &fd), http.StatusBadRequest, wire.CodeValidation)
	_, err = other.GetScorecard(ctx, card)
	apiErr(t, err, http.StatusNotFound, wire.CodeServer)
	_, err = other.CloseScorecard(ctx, card)
	apiErr(t, err, http.StatusNotFound, wire.CodeValidation)

	// WIN and GAME_OVER: later actions are GAME_NOT_STARTED_ERROR, which
	// the client maps to arc.ErrNotStarted.
	require.NoError(t, c.Action(ctx, ttInfo.ID, tt01.GUID, arc.Simple(arc.Action2), &fd))
	require.Equal(t, arc.GameOver, fd.State)
	err = c.Action(ctx, ttInfo.ID, tt01.GUID, arc.Simple(arc.Action1), &fd)
	apiErr(t, err, http.StatusBadRequest, wire.CodeGameNotStarted)
	assert.ErrorIs(t, err, arc.ErrNotStarted)
	for range 2 {
		require.NoError(t, c.Action(ctx, uuInfo.ID, uu02.GUID, arc.Simple(arc.Action1), &fd))
	}
	for range 3 {
		require.NoError(t, c.Action(ctx, uuInfo.ID, uu02.GUID, arc.Simple(arc.Action1), &fd))
	}
	require.Equal(t, arc.Win, fd.State)
	assert.ErrorIs(t, c.Action(ctx, uuInfo.ID, uu02.GUID, arc.Click(1, 1), &fd), arc.ErrNotStarted)

	// After close, sessions are gone.
	_, err = c.CloseScorecard(ctx, card)
	require.NoError(t, err)
	apiErr(t, c.Reset(ctx, ttInfo.ID, card, tt01.GUID, &fd), http.StatusBadRequest, wire.CodeServer)
	_, err = c.CloseScorecard(ctx, card)
	apiErr(t, err, http.StatusNotFound, wire.CodeValidation)
}

func TestConformanceRequiredKeys(t *testing.T) {
	_, ts := newTestServer(t, Config{APIKeys: []string{"secret"}})
	ctx := t.Context()
	_, err := remoteClient(t, ts.URL, "").OpenScorecard(ctx, remote.OpenOptions{})
	apiErr(t, err, http.StatusUnauthorized, wire.CodeValidation)
	assert.ErrorIs(t, err, remote.ErrUnauthorized)
	_, err = remoteClient(t, ts.URL, "wrong").Games(ctx)
	assert.ErrorIs(t, err, remote.ErrUnauthorized)
	_, err = remoteClient(t, ts.URL, "secret").OpenScorecard(ctx, remote.OpenOptions{})
	require.NoError(t, err)
}

func TestConformanceResetSemantics(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	ctx := t.Context()
	c := remoteClient(t, ts.URL, "")
	card, err := c.OpenScorecard(ctx, remote.OpenOptions{})
	require.NoError(t, err)
	var fd arc.FrameData
	require.NoError(t, c.Reset(ctx, ttInfo.ID, card, "", &fd))
	guid := fd.GUID
	act := func(id arc.ActionID, n int) {
		for range n {
			require.NoError(t, c.Action(ctx, ttInfo.ID, guid, arc.Simple(id), &fd))
		}
	}
	reset := func() {
		require.NoError(t, c.Reset(ctx, ttInfo.ID, card, guid, &fd))
	}
	act(arc.Action1, 4)
	act(arc.Action3, 1)
	reset()
	assert.False(t, fd.FullReset, "level reset")
	assert.Equal(t, 1, fd.LevelsCompleted)
	reset()
	assert.True(t, fd.FullReset, "twice in a row: full reset")
	assert.Zero(t, fd.LevelsCompleted)
	act(arc.Action1, 4)
	act(arc.Action2, 1)
	require.Equal(t, arc.GameOver, fd.State)
	reset()
	assert.False(t, fd.FullReset, "after GAME_OVER: level reset")
	assert.Equal(t, 1, fd.LevelsCompleted)
	for _, b := range ttInfo.BaselineActions[1:] {
		act(arc.Action1, b)
	}
	require.Equal(t, arc.Win, fd.State)
	reset()
	assert.True(t, fd.FullReset, "after WIN: full reset")
	s, err := c.GetScorecard(ctx, card)
	require.NoError(t, err)
	require.Len(t, s.Environments[0].Runs, 3)
	assert.Equal(t, []int{4, 2, 0, 0, 0}, s.Environments[0].Runs[0].LevelActions)
}

func TestConformanceCompetition(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	ctx := t.Context()
	c := remoteClient(t, ts.URL, "")
	card, err := c.OpenScorecard(ctx, remote.OpenOptions{CompetitionMode: true})
	require.NoError(t, err)
	var fd, lvl arc.FrameData
	require.NoError(t, c.Reset(ctx, ttInfo.ID, card, "", &fd))
	guid := fd.GUID
	for range 4 {
		require.NoError(t, c.Action(ctx, ttInfo.ID, guid, arc.Simple(arc.Action1), &lvl))
	}
	require.NoError(t, c.Reset(ctx, ttInfo.ID, card, guid, &fd))
	assert.Equal(t, lvl.Frames, fd.Frames, "RESET at a level start repeats the last answer")
	assert.Equal(t, 1, fd.LevelsCompleted)
	apiErr(t, c.Reset(ctx, ttInfo.ID, card, "", &fd), http.StatusBadRequest, wire.CodeServer)
	_, err = c.GetScorecard(ctx, card)
	apiErr(t, err, http.StatusForbidden, wire.CodeServer)
	assert.ErrorIs(t, err, remote.ErrForbidden)
	s, err := c.CloseScorecard(ctx, card)
	require.NoError(t, err)
	assert.True(t, s.CompetitionMode)
	require.Len(t, s.Environments, 2)
	assert.Equal(t, 5, s.Environments[0].Actions)
	assert.InDelta(t, (100.0/15+0)/2, s.Score, 1e-9)
}

// TestConformanceCookiesAndRetries puts the server behind a front that
// pins sessions with a load-balancer cookie and refuses every other request
// with 503, Retry-After and Arcgym-Not-Applied (it never forwarded them):
// the client must send the cookie back and retry, and no command may be
// applied twice.
func TestConformanceCookiesAndRetries(t *testing.T) {
	srv, err := New(Config{Games: newTestCatalog()})
	require.NoError(t, err)
	var requests, refused, missingCookie, passed atomic.Int64
	front := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := requests.Add(1)
		if n > 1 {
			if ck, err := r.Cookie("AWSALB"); err != nil || ck.Value != "backend-7" {
				missingCookie.Add(1)
			}
		}
		http.SetCookie(w, &http.Cookie{Name: "AWSALB", Value: "backend-7", Path: "/"})
		if n%2 == 0 {
			refused.Add(1)
			w.Header().Set("Retry-After", "0")
			w.Header().Set(wire.HeaderNotApplied, "1")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`{"error":"SERVER_ERROR","message":"try again"}`))
			return
		}
		passed.Add(1)
		srv.ServeHTTP(w, r)
	})
	ts := httptest.NewServer(front)
	t.Cleanup(func() {
		ts.Close()
		_ = srv.Close()
	})
	ctx := t.Context()
	c := remoteClientWith(t, ts.URL, remote.ClientConfig{NoAPIKey: true, MaxAttempts: 3})
	card, err := c.OpenScorecard(ctx, remote.OpenOptions{})
	require.NoError(t, err)
	var fd arc.FrameData
	require.NoError(t, c.Reset(ctx, ttInfo.ID, card, "", &fd))
	for range 5 {
		require.NoError(t, c.Action(ctx, ttInfo.ID, fd.GUID, arc.Simple(arc.Action3), &fd))
	}
	s, err := c.CloseScorecard(ctx, card)
	require.NoError(t, err)
	assert.Equal(t, 5, s.TotalActions, "each command applied once")
	assert.Positive(t, refused.Load())
	assert.Equal(t, int64(8), passed.Load(), "open, reset, 5 actions, close reached the server once each")
	assert.Zero(t, missingCookie.Load(), "the client sends the cookie back")
}

// builtinWithSolutions returns a built-in game whose every level carries a
// recorded solution, and those solutions.
func builtinWithSolutions(t *testing.T) (arc.GameInfo, [][]arc.Action) {
	t.Helper()
	for _, info := range games.List() {
		sess, err := games.New(info.ID)
		require.NoError(t, err)
		es, ok := sess.(*engine.Instance)
		if !ok {
			continue
		}
		var sols [][]arc.Action
		for _, lv := range es.Levels() {
			if len(lv.Solution) == 0 {
				break
			}
			sols = append(sols, lv.Solution)
		}
		_ = sess.Close()
		if len(sols) == info.Levels && len(info.BaselineActions) == info.Levels {
			return info, sols
		}
	}
	t.Fatal("no built-in game records a solution for every level")
	return arc.GameInfo{}, nil
}

// TestConformanceScoringBuiltin plays the contract's worked example on a
// built-in game with its own baselines: a clear along the recorded
// solutions, then a run that wastes actions and a level reset on level 1.
func TestConformanceScoringBuiltin(t *testing.T) {
	info, sols := builtinWithSolutions(t)
	_, ts := newTestServer(t, Config{Games: Builtin{}})
	ctx := t.Context()
	c := remoteClient(t, ts.URL, "")
	card, err := c.OpenScorecard(ctx, remote.OpenOptions{})
	require.NoError(t, err)

	var fd arc.FrameData
	require.NoError(t, c.Reset(ctx, info.ID, card, "", &fd))
	clear := make([]int, len(sols))
	for i, sol := range sols {
		for _, a := range sol {
			require.NoError(t, c.Action(ctx, info.ID, fd.GUID, a, &fd))
		}
		clear[i] = len(sol)
		require.Equal(t, i+1, fd.LevelsCompleted)
	}
	require.Equal(t, arc.Win, fd.State)

	// Second run: two actions of the solution, a level reset (undoing
	// them), then the solution of level 1.
	var fd2 arc.FrameData
	require.NoError(t, c.Reset(ctx, info.ID, card, "", &fd2))
	guid := fd2.GUID
	for _, a := range sols[0][:min(2, len(sols[0]))] {
		require.NoError(t, c.Action(ctx, info.ID, guid, a, &fd2))
	}
	require.Equal(t, 0, fd2.LevelsCompleted, "the solution is longer than 2 actions")
	require.NoError(t, c.Reset(ctx, info.ID, card, guid, &fd2))
	require.False(t, fd2.FullReset)
	for _, a := range sols[0] {
		require.NoError(t, c.Action(ctx, info.ID, guid, a, &fd2))
	}
	require.Equal(t, 1, fd2.LevelsCompleted)
	spent := min(2, len(sols[0])) + 1 + len(sols[0])

	s, err := c.CloseScorecard(ctx, card)
	require.NoError(t, err)
	require.Len(t, s.Environments, 1)
	runs := s.Environments[0].Runs
	require.Len(t, runs, 2)
	want1, levels1 := scorecard.RunScore(info.BaselineActions, clear, len(clear))
	assert.Equal(t, clear, runs[0].LevelActions)
	assert.InDeltaSlice(t, levels1, runs[0].LevelScores, 1e-9)
	assert.InDelta(t, want1, runs[0].Score, 1e-9)
	assert.True(t, runs[0].Completed)
	wantLevel1 := scorecard.LevelScore(info.BaselineActions[0], spent)
	assert.Equal(t, spent, runs[1].LevelActions[0])
	assert.InDelta(t, wantLevel1, runs[1].LevelScores[0], 1e-9)
	n := float64(len(info.BaselineActions))
	assert.InDelta(t, min(wantLevel1, 100)/(n*(n+1)/2), runs[1].Score, 1e-9)
	assert.InDelta(t, max(want1, runs[1].Score), s.Score, 1e-9)
	if equal(clear, info.BaselineActions) {
		assert.InDelta(t, 100, want1, 1e-9, "solutions at the baseline clear with 100")
	}
}

func equal(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestConformanceEnvEquivalence plays every built-in game through env.Game
// twice, locally (env.Make) and over REST against this server
// (remote.NewGame), with the same actions, and expects the same frames,
// rewards, flags and counters at every step.
func TestConformanceEnvEquivalence(t *testing.T) {
	_, ts := newTestServer(t, Config{Games: Builtin{}})
	ctx := t.Context()
	c := remoteClient(t, ts.URL, "")
	for _, info := range games.List() {
		t.Run(info.ID, func(t *testing.T) {
			local, err := env.Make(t.Context(), info.ID, env.Config{})
			require.NoError(t, err)
			defer local.Close()
			rem, err := remote.NewGame(ctx, c, info.ID, remote.GameConfig{})
			require.NoError(t, err)
			defer rem.Close()
			assert.Equal(t, local.GameInfo().Available, rem.GameInfo().Available)
			assert.Equal(t, local.GameInfo().BaselineActions, rem.GameInfo().BaselineActions)

			rng := rand.New(rand.NewPCG(uint64(len(info.ID)), 7))
			ids := info.Available.IDs(nil)
			compareReset := func(opts env.ResetOptions) {
				lo, li, err := local.Reset(ctx, opts)
				require.NoError(t, err)
				ro, ri, err := rem.Reset(ctx, opts)
				require.NoError(t, err)
				assert.Equal(t, lo.Grid.Data, ro.Grid.Data)
				assert.Equal(t, li.FullReset, ri.FullReset)
				assert.Equal(t, li.LevelsCompleted, ri.LevelsCompleted)
				assert.Equal(t, li.Frames.Data, ri.Frames.Data)
			}
			compareReset(env.ResetOptions{})
			for i := range 150 {
				a := arc.Simple(ids[rng.IntN(len(ids))])
				if a.ID == arc.Action6 {
					a = arc.Click(rng.IntN(arc.GridSize), rng.IntN(arc.GridSize))
				}
				ls, err := local.Step(ctx, a)
				require.NoError(t, err)
				rs, err := rem.Step(ctx, a)
				require.NoError(t, err)
				require.Equal(t, ls.Obs.Grid.Data, rs.Obs.Grid.Data, "step %d %s", i, a)
				require.Equal(t, ls.Info.Frames.Data, rs.Info.Frames.Data, "step %d", i)
				require.Equal(t, ls.Reward, rs.Reward, "step %d", i)
				require.Equal(t, ls.Terminated, rs.Terminated, "step %d", i)
				require.Equal(t, ls.Info.State, rs.Info.State, "step %d", i)
				require.Equal(t, ls.Info.LevelsCompleted, rs.Info.LevelsCompleted, "step %d", i)
				require.Equal(t, ls.Info.ScoreActions, rs.Info.ScoreActions, "step %d", i)
				if ls.Done() {
					compareReset(env.ResetOptions{})
				} else if i%40 == 39 {
					compareReset(env.ResetOptions{Mode: env.ResetLevel})
				}
			}
		})
	}
}

// TestConformanceConcurrentClients plays many remote sessions at once.
func TestConformanceConcurrentClients(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	ctx := t.Context()
	c := remoteClient(t, ts.URL, "")
	card, err := c.OpenScorecard(ctx, remote.OpenOptions{})
	require.NoError(t, err)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			var fd arc.FrameData
			if err := c.Reset(ctx, ttInfo.ID, card, "", &fd); err != nil {
				errs <- err
				return
			}
			for range 25 {
				if err := c.Action(ctx, ttInfo.ID, fd.GUID, arc.Simple(arc.Action3), &fd); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	s, err := c.GetScorecard(ctx, card)
	require.NoError(t, err)
	assert.Equal(t, 200, s.TotalActions)
	assert.Len(t, s.Environments[0].Runs, 8)
}

// readSample returns a response of the reference server kept in
// testdata/samples.
func readSample(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "samples", name))
	require.NoError(t, err)
	return b
}

// sameShape checks that got has the JSON shape of want, the reference
// server's answer: the same keys (keys in extra may be added), the same
// types at every level, telling integers from floats and null from absent,
// and keys in sorted order in every object, as the reference server writes
// them. Array elements are compared pairwise, the extra elements of got
// against the first of want.
func sameShape(t *testing.T, want, got []byte, extra ...string) {
	t.Helper()
	parse := func(b []byte) any {
		d := json.NewDecoder(bytes.NewReader(b))
		d.UseNumber()
		var v any
		require.NoError(t, d.Decode(&v), "%s", b)
		return v
	}
	var problems []string
	walkShape(parse(want), parse(got), "$", extra, &problems)
	problems = append(problems, unsortedKeys(t, got)...)
	require.Empty(t, unsortedKeys(t, want), "the sample itself")
	assert.Empty(t, problems, "got %s", got)
}

func kindOf(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "bool"
	case string:
		return "string"
	case json.Number:
		if strings.ContainsAny(string(x), ".eE") {
			return "float"
		}
		return "int"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

func walkShape(want, got any, path string, extra []string, problems *[]string) {
	if wk, gk := kindOf(want), kindOf(got); wk != gk {
		*problems = append(*problems, fmt.Sprintf("%s: %s, want %s", path, gk, wk))
		return
	}
	switch w := want.(type) {
	case map[string]any:
		g := got.(map[string]any)
		for k, wv := range w {
			if gv, ok := g[k]; ok {
				walkShape(wv, gv, path+"."+k, extra, problems)
			} else {
				*problems = append(*problems, fmt.Sprintf("%s: key %q missing", path, k))
			}
		}
		for k := range g {
			if _, ok := w[k]; !ok && !slices.Contains(extra, k) {
				*problems = append(*problems, fmt.Sprintf("%s: extra key %q", path, k))
			}
		}
	case []any:
		if len(w) == 0 {
			return
		}
		for i, gv := range got.([]any) {
			walkShape(w[min(i, len(w)-1)], gv, fmt.Sprintf("%s[%d]", path, i), extra, problems)
		}
	}
}

// unsortedKeys reports the objects of b whose keys are not in sorted order.
func unsortedKeys(t *testing.T, b []byte) []string {
	t.Helper()
	type level struct {
		object, wantKey bool
		last            string
	}
	var stack []level
	var problems []string
	valueDone := func() {
		if n := len(stack); n > 0 && stack[n-1].object {
			stack[n-1].wantKey = true
		}
	}
	d := json.NewDecoder(bytes.NewReader(b))
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return problems
		}
		require.NoError(t, err)
		if key, isStr := tok.(string); isStr && len(stack) > 0 && stack[len(stack)-1].object && stack[len(stack)-1].wantKey {
			n := len(stack)
			if key < stack[n-1].last {
				problems = append(problems, fmt.Sprintf("key %q after %q", key, stack[n-1].last))
			} else {
				stack[n-1].last = key
			}
			stack[n-1].wantKey = false
			continue
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, level{object: true, wantKey: true})
		case json.Delim('['):
			stack = append(stack, level{})
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			valueDone()
		default:
			valueDone()
		}
	}
}

// TestConformanceShapes plays the reference sample session on the test
// games and compares every answer with the reference server's in shape.
func TestConformanceShapes(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	c := newClient(t, ts, "")
	ok := func(r reply) []byte {
		t.Helper()
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		return r.body
	}
	sameShape(t, readSample(t, "01_games.json"), ok(c.get("/api/games")))
	// The single-game route adds the baselines, as the hosted service does.
	sameShape(t, readSample(t, "02_game_info_ls20.json"), ok(c.get("/api/games/tt01")), "baseline_actions")

	body := ok(c.post("/api/scorecard/open", map[string]any{"tags": []string{"ref-sample"}, "source_url": "https://example.invalid/agent", "opaque": map[string]any{"note": "golden sample run"}}))
	sameShape(t, readSample(t, "03_scorecard_open.json"), body)
	card, err := wire.DecodeOpenScorecard(body)
	require.NoError(t, err)

	body = ok(c.post("/api/cmd/RESET", map[string]any{"game_id": ttInfo.ID, "card_id": card}))
	sameShape(t, readSample(t, "10_ls20_reset_new.json"), body)
	var fd arc.FrameData
	require.NoError(t, wire.DecodeFrame(body, &fd))
	cmd := func(name string, extra map[string]any) []byte {
		req := map[string]any{"game_id": ttInfo.ID, "guid": fd.GUID}
		maps.Copy(req, extra)
		return ok(c.post("/api/cmd/"+name, req))
	}
	sameShape(t, readSample(t, "11_ls20_action1.json"), cmd("ACTION1", nil))
	sameShape(t, readSample(t, "13_ls20_action3_reasoning.json"), cmd("ACTION3", map[string]any{"reasoning": map[string]any{"why": "sample"}}))
	sameShape(t, readSample(t, "15_ls20_action6_not_available.json"), cmd("ACTION6", map[string]any{"x": 10, "y": 20}))

	sameShape(t, readSample(t, "70_scorecard_get.json"), ok(c.get("/api/scorecard/"+card)))
	perGame := bytes.ReplaceAll(readSample(t, "71_scorecard_get_game_ls20.json"), []byte("ls20-9607627b"), []byte(ttInfo.ID))
	sameShape(t, perGame, ok(c.get("/api/scorecard/"+card+"/"+ttInfo.ID)))
	sameShape(t, readSample(t, "72_scorecard_get_game_short.json"), ok(c.get("/api/scorecard/"+card+"/"+uuInfo.ID)))

	r := c.post("/api/cmd/RESET", map[string]any{"game_id": "zz99-00000000", "card_id": card})
	require.Equal(t, http.StatusBadRequest, r.status)
	sameShape(t, readSample(t, "41_err_reset_unknown_game.json"), r.body)
	cmd("ACTION2", nil) // loses
	r = c.post("/api/cmd/ACTION1", map[string]any{"game_id": ttInfo.ID, "guid": fd.GUID})
	require.Equal(t, http.StatusBadRequest, r.status)
	sameShape(t, readSample(t, "A3_action_after_game_over.json"), r.body)

	sameShape(t, readSample(t, "73_scorecard_close.json"), ok(c.post("/api/scorecard/close", map[string]any{"card_id": card})))
}

// TestConformanceScorecardSamples replays the reference server's bt11
// session on tt01, which has bt11's baselines and tags, and expects the
// reference answers byte for byte once ids are swapped: the per-game
// aggregate (B10) and the closing summary (B11) of a card with a perfect
// clear and a run that spends 8 actions on level 1 (4 moves, 2 wasted, 2
// level resets) before losing on level 2; then the competition card of C6.
func TestConformanceScorecardSamples(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	c := newClient(t, ts, "")
	swap := func(sample []byte, card, guid string) string {
		return strings.NewReplacer(
			"4847915c-02e8-45d3-adcd-affc53434e70", card,
			"01164331-729b-44c3-8922-2ea91a12c24c", card,
			"d39f8f4d-c12e-4500-97fa-9bc77d6a19f9", guid,
			"90ae4cb0-fc21-48fb-bf74-3d38369fb998", guid,
			"bt11-fd9df0622a1a", ttInfo.ID,
		).Replace(string(sample))
	}

	card := c.open(map[string]any{"tags": []string{"terminal-bt11"}})
	p := c.start(ttInfo.ID, card)
	p.do("ACTION1", 72)
	require.Equal(t, arc.Win, p.last.State)
	status, _ := c.fail("ACTION3", map[string]any{"game_id": ttInfo.ID, "guid": p.guid})
	require.Equal(t, http.StatusBadRequest, status, "refused after WIN, not counted")
	require.True(t, p.reset().FullReset)
	for range 2 {
		p.do("ACTION3", 1)
		require.False(t, p.reset().FullReset)
	}
	p.do("ACTION1", 4)
	require.Equal(t, 1, p.last.LevelsCompleted)
	p.do("ACTION3", 7)
	require.Equal(t, arc.GameOver, p.do("ACTION2", 1).State)

	r := c.get("/api/scorecard/" + card + "/" + ttInfo.ID)
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, swap(readSample(t, "B10_scorecard_game.json"), card, p.guid), string(r.body))
	r = c.post("/api/scorecard/close", map[string]any{"card_id": card})
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, swap(readSample(t, "B11_close.json"), card, p.guid), string(r.body))

	// Competition: level 1 in 4 actions, then two RESETs at the start of
	// level 2 that change nothing and are charged as the last action.
	card = c.open(map[string]any{"competition_mode": true})
	p = c.start(ttInfo.ID, card)
	p.do("ACTION1", 4)
	p.reset()
	p.reset()
	r = c.post("/api/scorecard/close", map[string]any{"card_id": card})
	require.Equal(t, http.StatusOK, r.status)
	want := []byte(swap(readSample(t, "C6_close_competition.json"), card, p.guid))
	sameShape(t, want, r.body)
	var wantSum, gotSum wire.Scorecard
	require.NoError(t, json.Unmarshal(want, &wantSum))
	require.NoError(t, json.Unmarshal(r.body, &gotSum))
	require.Len(t, gotSum.Environments, 2, "the game never started counts")
	assert.Equal(t, wantSum.Environments[0], gotSum.Environments[0])
	assert.Equal(t, uuInfo.ID, gotSum.Environments[1].ID)
	assert.Equal(t, wantSum.Score, gotSum.Score)
}

// TestConformanceErrorBodies covers every error row of the REST contract
// (sections 2, 3 and 3.11) over HTTP with this server's JSON bodies:
// routing and framework failures, the scorecard routes, then the command
// errors in the reference server's check order.
func TestConformanceErrorBodies(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	c := newClient(t, ts, "")
	card := c.open(nil)
	tt01 := c.start(ttInfo.ID, card)
	uu02 := c.start(uuInfo.ID, card)
	other := newClient(t, ts, "someone-else")
	otherCard := other.open(nil)
	longReasoning := `{"blob":"` + strings.Repeat("a", arc.MaxReasoningBytes) + `"}`
	bigOpaque := `{"opaque":"` + strings.Repeat("a", wire.MaxOpaqueBytes) + `"}`

	tests := []struct {
		name   string
		method string
		path   string
		ctype  string
		body   string
		status int
		code   string
		msg    string // substring of the message
		allow  string
	}{
		{"unknown route", "GET", "/api/nope", "", "", 404, wire.CodeServer, "no route GET", ""},
		{"outside api", "GET", "/", "", "", 404, wire.CodeServer, "no route", ""},
		{"unknown command", "POST", "/api/cmd/ACTION8", "application/json", "{}", 404, wire.CodeServer, "RESET and ACTION1..ACTION7", ""},
		{"lower-case command", "POST", "/api/cmd/action1", "application/json", "{}", 404, wire.CodeServer, "no route", ""},
		{"wrong method on command", "GET", "/api/cmd/ACTION1", "", "", 405, wire.CodeValidation, "use POST", "POST"},
		{"wrong method on games", "POST", "/api/games", "application/json", "{}", 405, wire.CodeValidation, "use GET", "GET, HEAD"},
		{"wrong method on open", "GET", "/api/scorecard/open", "", "", 405, wire.CodeValidation, "use POST", "POST"},
		{"malformed JSON", "POST", "/api/cmd/ACTION1", "application/json", `{"game_id": "tt01-0a0b0c0d", "guid": `, 400, wire.CodeValidation, "malformed JSON", ""},
		{"malformed JSON on open", "POST", "/api/scorecard/open", "application/json", `{`, 400, wire.CodeValidation, "malformed JSON", ""},
		{"form content type", "POST", "/api/cmd/ACTION1", "application/x-www-form-urlencoded", "game_id=tt01", 415, wire.CodeValidation, "Content-Type must be application/json", ""},
		{"no content type", "POST", "/api/scorecard/open", "", `{"tags":[]}`, 415, wire.CodeValidation, "got none", ""},
		{"body not an object", "POST", "/api/cmd/ACTION1", "application/json", `[1,2,3]`, 400, wire.CodeValidation, "must be a JSON object, got array", ""},
		{"open body not an object", "POST", "/api/scorecard/open", "application/json", `"x"`, 400, wire.CodeValidation, "must be a JSON object", ""},
		{"missing game_id", "POST", "/api/cmd/ACTION1", "application/json", `{"guid":"` + tt01.guid + `"}`, 400, wire.CodeValidation, "missing `game_id`", ""},
		{"empty body command", "POST", "/api/cmd/ACTION1", "", "", 400, wire.CodeValidation, "missing `game_id`", ""},
		{"game_id not a string", "POST", "/api/cmd/ACTION1", "application/json", `{"game_id":5}`, 400, wire.CodeValidation, "game_id: expected a string, got number", ""},
		{"x out of range", "POST", "/api/cmd/ACTION6", "application/json", `{"game_id":"uu02-1234abcd","guid":"` + uu02.guid + `","x":64,"y":5}`, 400, wire.CodeValidation, "x must be an integer in 0..63, got 64", ""},
		{"x negative", "POST", "/api/cmd/ACTION6", "application/json", `{"game_id":"uu02-1234abcd","guid":"` + uu02.guid + `","x":-1,"y":5}`, 400, wire.CodeValidation, "got -1", ""},
		{"y null", "POST", "/api/cmd/ACTION6", "application/json", `{"game_id":"uu02-1234abcd","guid":"` + uu02.guid + `","x":1,"y":null}`, 400, wire.CodeValidation, "y must be an integer in 0..63, got null", ""},
		{"x fractional", "POST", "/api/cmd/ACTION6", "application/json", `{"game_id":"uu02-1234abcd","guid":"` + uu02.guid + `","x":5.5,"y":5}`, 400, wire.CodeValidation, "got 5.5", ""},
		{"x missing", "POST", "/api/cmd/ACTION6", "application/json", `{"game_id":"uu02-1234abcd","guid":"` + uu02.guid + `","y":5}`, 400, wire.CodeValidation, "ACTION6 needs x", ""},
		{"y missing", "POST", "/api/cmd/ACTION6", "application/json", `{"game_id":"uu02-1234abcd","guid":"` + uu02.guid + `","x":5}`, 400, wire.CodeValidation, "ACTION6 needs y", ""},
		{"x as numeric string", "POST", "/api/cmd/ACTION6", "application/json", `{"game_id":"uu02-1234abcd","guid":"` + uu02.guid + `","x":"7","y":"9"}`, 400, wire.CodeValidation, `x must be an integer in 0..63, got "7"`, ""},
		{"unknown guid", "POST", "/api/cmd/ACTION1", "application/json", `{"game_id":"tt01-0a0b0c0d","guid":"not-a-real-guid"}`, 400, wire.CodeServer, "no session not-a-real-guid", ""},
		{"guid of another game", "POST", "/api/cmd/ACTION1", "application/json", `{"game_id":"tt01-0a0b0c0d","guid":"` + uu02.guid + `"}`, 400, wire.CodeServer, "plays uu02-1234abcd, not tt01-0a0b0c0d", ""},
		{"no guid", "POST", "/api/cmd/ACTION1", "application/json", `{"game_id":"tt01-0a0b0c0d"}`, 400, wire.CodeValidation, "missing `guid`", ""},
		{"card but no guid", "POST", "/api/cmd/ACTION1", "application/json", `{"game_id":"tt01-0a0b0c0d","card_id":"` + card + `"}`, 400, wire.CodeValidation, "missing `guid`", ""},
		{"reasoning too big", "POST", "/api/cmd/ACTION1", "application/json", `{"game_id":"tt01-0a0b0c0d","guid":"` + tt01.guid + `","reasoning":` + longReasoning + `}`, 400, wire.CodeValidation, "reasoning is", ""},
		{"reset unknown game", "POST", "/api/cmd/RESET", "application/json", `{"game_id":"zz99-00000000","card_id":"` + card + `"}`, 400, wire.CodeServer, "game zz99-00000000 not found", ""},
		{"reset unknown card", "POST", "/api/cmd/RESET", "application/json", `{"game_id":"tt01-0a0b0c0d","card_id":"00000000-0000-0000-0000-000000000000"}`, 400, wire.CodeServer, "scorecard 00000000-0000-0000-0000-000000000000 not found", ""},
		{"reset card of another key", "POST", "/api/cmd/RESET", "application/json", `{"game_id":"tt01-0a0b0c0d","card_id":"` + otherCard + `"}`, 400, wire.CodeServer, "not found", ""},
		{"reset without card", "POST", "/api/cmd/RESET", "application/json", `{"game_id":"tt01-0a0b0c0d"}`, 400, wire.CodeValidation, "missing `card_id`", ""},
		{"reset unknown guid without card", "POST", "/api/cmd/RESET", "application/json", `{"game_id":"tt01-0a0b0c0d","guid":"nope"}`, 400, wire.CodeServer, "no session nope", ""},
		{"close without card_id", "POST", "/api/scorecard/close", "application/json", `{}`, 400, wire.CodeValidation, "missing `card_id`", ""},
		{"close unknown", "POST", "/api/scorecard/close", "application/json", `{"card_id":"zz"}`, 404, wire.CodeValidation, "scorecard zz not found", ""},
		{"close card of another key", "POST", "/api/scorecard/close", "application/json", `{"card_id":"` + otherCard + `"}`, 404, wire.CodeValidation, "not found", ""},
		{"get unknown card", "GET", "/api/scorecard/00000000-0000-0000-0000-000000000000", "", "", 404, wire.CodeServer, "card_id `00000000-0000-0000-0000-000000000000` not found", ""},
		{"get card of another key", "GET", "/api/scorecard/" + otherCard, "", "", 404, wire.CodeServer, "not found", ""},
		{"get game of unknown card", "GET", "/api/scorecard/00000000-0000-0000-0000-000000000000/" + ttInfo.ID, "", "", 404, wire.CodeServer, "not found", ""},
		{"get game of card of another key", "GET", "/api/scorecard/" + otherCard + "/" + ttInfo.ID, "", "", 404, wire.CodeServer, "not found", ""},
		{"wrong method on close", "PUT", "/api/scorecard/close", "application/json", "{}", 405, wire.CodeValidation, "use POST", "POST"},
		{"wrong method on scorecard", "POST", "/api/scorecard/" + card, "application/json", "{}", 405, wire.CodeValidation, "use GET", "GET, HEAD"},
		{"opaque too big", "POST", "/api/scorecard/open", "application/json", bigOpaque, 400, wire.CodeValidation, "opaque is 16386 bytes, limit 16384", ""},
		{"competition_mode not boolean", "POST", "/api/scorecard/open", "application/json", `{"competition_mode":"yes"}`, 400, wire.CodeValidation, "competition_mode must be a boolean", ""},
		{"tags not strings", "POST", "/api/scorecard/open", "application/json", `{"tags":[1]}`, 400, wire.CodeValidation, "tags: expected a string, got number", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.raw(tt.method, tt.path, tt.ctype, tt.body)
			status, e := errorOf(t, r)
			assert.Equal(t, tt.status, status)
			assert.Equal(t, tt.code, e.Error)
			assert.Contains(t, e.Message, tt.msg)
			if tt.allow != "" {
				assert.Equal(t, tt.allow, r.header.Get("Allow"))
			}
		})
	}

	// Nothing refused above reached the scorecard: two sessions, no action.
	s := c.summary(card)
	assert.Zero(t, s.TotalActions)
	require.Len(t, s.Environments, 2)
	for _, env := range s.Environments {
		assert.Len(t, env.Runs, 1, "no phantom run for %s", env.ID)
	}

	// Another key cannot drive this key's session.
	status, e := other.fail("ACTION1", map[string]any{"game_id": ttInfo.ID, "guid": tt01.guid})
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, wire.CodeValidation, e.Error)
	assert.Contains(t, e.Message, "does not belong to this API key")
}

// TestConformanceUnavailableActionIsCharged checks the last row of 3.11:
// an action the game does not offer is accepted and charged.
func TestConformanceUnavailableActionIsCharged(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	c := newClient(t, ts, "")
	card := c.open(nil)
	p := c.start(uuInfo.ID, card)
	fd := p.do("ACTION4", 1) // uu02 offers 1, 2 and 6 only
	assert.Equal(t, arc.Action4, fd.Action.ID)
	assert.Equal(t, arc.ActionSetOf(arc.Action1, arc.Action2, arc.Action6), fd.Available)
	assert.Equal(t, 1, c.summary(card).TotalActions)
}

// TestConformanceResetUnknownGUID covers the first case of 5.1: a RESET
// with a guid the server does not know and a scorecard starts a new
// session, under a guid of the server's own (the reference server adopts
// the client's guid, then fails on its next RESET).
func TestConformanceResetUnknownGUID(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	ctx := t.Context()
	c := remoteClient(t, ts.URL, "")
	card, err := c.OpenScorecard(ctx, remote.OpenOptions{})
	require.NoError(t, err)
	var fd arc.FrameData
	require.NoError(t, c.Reset(ctx, ttInfo.ID, card, "client-made-guid", &fd))
	assert.NotEqual(t, "client-made-guid", fd.GUID)
	assert.True(t, fd.FullReset)
	guid := fd.GUID
	require.NoError(t, c.Action(ctx, ttInfo.ID, guid, arc.Simple(arc.Action1), &fd))
	require.NoError(t, c.Reset(ctx, ttInfo.ID, card, guid, &fd), "the session resets like any other")
	assert.False(t, fd.FullReset)
	apiErr(t, c.Action(ctx, ttInfo.ID, "client-made-guid", arc.Simple(arc.Action1), &fd), http.StatusBadRequest, wire.CodeServer)
	s, err := c.GetScorecard(ctx, card)
	require.NoError(t, err)
	require.Len(t, s.Environments, 1)
	require.Len(t, s.Environments[0].Runs, 1)
	assert.Equal(t, guid, s.Environments[0].Runs[0].GUID)
	assert.Equal(t, 2, s.Environments[0].Runs[0].Actions)
}
