package server

import (
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
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

func remoteClient(t *testing.T, url, key string, opts ...remote.Option) *remote.Client {
	t.Helper()
	opts = append([]remote.Option{remote.WithBaseURL(url), remote.WithAPIKey(key), remote.WithBackoff(time.Millisecond, 5*time.Millisecond)}, opts...)
	c, err := remote.New(opts...)
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
// pins sessions with a load-balancer cookie and answers 503 with
// Retry-After to every other request: the client must send the cookie back
// and retry, and no command may be applied twice.
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
	c := remoteClient(t, ts.URL, "", remote.WithMaxAttempts(3))
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
		es, ok := sess.(*engine.Session)
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
// (remote.Make), with the same actions, and expects the same frames,
// rewards, flags and counters at every step.
func TestConformanceEnvEquivalence(t *testing.T) {
	_, ts := newTestServer(t, Config{Games: Builtin{}})
	ctx := t.Context()
	c := remoteClient(t, ts.URL, "")
	for _, info := range games.List() {
		t.Run(info.ID, func(t *testing.T) {
			local, err := env.Make(info.ID)
			require.NoError(t, err)
			defer local.Close()
			rem, err := remote.Make(ctx, info.ID, remote.WithClient(c))
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
