package remote

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/env/envtest"
	"github.com/arcgym/arcgym/wire"
)

// TestMakeReplay plays the recorded ls20 session through env.Game and
// checks every request the backend sent.
func TestMakeReplay(t *testing.T) {
	s := newReplayServer(t)
	g, err := Make(t.Context(), "ls20", MakeConfig{BaseURL: s.URL, Client: ClientConfig{APIKey: "k"},
		Session: SessionConfig{Scorecard: OpenOptions{Tags: []string{"ref-sample"}}}})
	require.NoError(t, err)
	sess := g.Backend().(*Session)
	assert.True(t, sess.ownClient, "the game closes the client Make built")
	info := g.GameInfo()
	assert.Equal(t, sampleGame, info.ID)
	assert.Equal(t, arc.ActionSetOf(1, 2, 3, 4), info.Available)
	assert.Equal(t, 7, info.Levels)
	assert.Equal(t, sampleCard, sess.CardID())
	assert.Equal(t, sampleGUID, sess.GUID())
	require.Equal(t, 1, s.resets, "the session is created by one RESET")

	obs, inf, err := g.Reset(t.Context(), env.ResetOptions{})
	require.NoError(t, err)
	assert.Equal(t, 1, s.resets, "the first Reset uses the RESET sent by Make")
	var want arc.FrameData
	require.NoError(t, wire.DecodeFrame(sampleBody(t, "10_ls20_reset_new.json"), &want))
	assert.Equal(t, want.Last(), obs.Grid.Data)
	assert.Equal(t, sampleGUID, inf.GUID)

	st, err := g.Step(t.Context(), arc.Simple(arc.Action1))
	require.NoError(t, err)
	require.NoError(t, wire.DecodeFrame(sampleBody(t, "11_ls20_action1.json"), &want))
	assert.Equal(t, want.Last(), st.Obs.Grid.Data)
	assert.Zero(t, st.Reward)
	assert.False(t, st.Terminated)

	// ACTION6 is not offered by ls20: refused without a request.
	_, err = g.Step(t.Context(), arc.Click(1, 2))
	require.ErrorIs(t, err, arc.ErrActionNotAvailable)

	// A game reset after an action takes two RESETs, both on the session.
	_, _, err = g.Reset(t.Context(), env.ResetOptions{})
	require.NoError(t, err)
	assert.Equal(t, 3, s.resets)

	require.NoError(t, g.Close())
	require.NotNil(t, sess.Scorecard())
	assert.Equal(t, sampleCard, sess.Scorecard().CardID)
	require.NoError(t, g.Close(), "closing twice is harmless")

	cmds := s.log.commands(t)
	require.Len(t, cmds, 4)
	assert.Equal(t, wire.CommandRequest{GameID: sampleGame, CardID: sampleCard}, cmds[0], "new session: full id, card, no guid")
	assert.Equal(t, wire.CommandRequest{GameID: sampleGame, GUID: sampleGUID}, cmds[1], "ACTION: full id even though Make was given ls20")
	for _, c := range cmds[2:] {
		assert.Equal(t, wire.CommandRequest{GameID: sampleGame, CardID: sampleCard, GUID: sampleGUID}, c, "later RESETs carry the guid")
	}
	var paths []string
	for _, r := range s.log.all() {
		paths = append(paths, r.Method+" "+r.Path)
	}
	assert.Equal(t, []string{
		"GET /api/games/ls20", "POST /api/scorecard/open", "POST /api/cmd/RESET", "POST /api/cmd/ACTION1",
		"POST /api/cmd/RESET", "POST /api/cmd/RESET", "POST /api/scorecard/close",
	}, paths)

	assert.ErrorIs(t, sess.Do(t.Context(), arc.Simple(arc.Action1), new(arc.FrameData)), env.ErrClosed)
}

func TestSessionGivenCard(t *testing.T) {
	s := newARCServer(t)
	c := testClient(t, s.URL)
	card, err := c.OpenScorecard(t.Context(), OpenOptions{})
	require.NoError(t, err)
	sess, err := NewSession(t.Context(), c, "fake", SessionConfig{CardID: card})
	require.NoError(t, err)
	assert.Equal(t, card, sess.CardID())
	require.NoError(t, sess.Close())
	assert.Nil(t, sess.Scorecard(), "a given card is left open")
	_, err = c.GetScorecard(t.Context(), card)
	assert.NoError(t, err)
}

func TestSessionStartErrors(t *testing.T) {
	s := newARCServer(t)
	c := testClient(t, s.URL)
	_, err := NewSession(t.Context(), c, "zz99", SessionConfig{})
	require.ErrorIs(t, err, arc.ErrUnknownGame)

	_, err = NewSession(t.Context(), c, "fake", SessionConfig{CardID: "no-such-card"})
	require.ErrorIs(t, err, ErrBadRequest)

	// A failed first RESET closes the scorecard the session opened.
	s.SetBefore(func(w http.ResponseWriter, r *http.Request, n int) bool {
		if r.URL.Path == "/api/cmd/RESET" {
			w.WriteHeader(500)
			return true
		}
		return false
	})
	_, err = NewSession(t.Context(), c, "fake", SessionConfig{})
	require.ErrorIs(t, err, ErrServer)
	s.mu.Lock()
	assert.Empty(t, s.cards)
	s.mu.Unlock()

	_, err = Make(t.Context(), "fake", MakeConfig{BaseURL: "ftp://x"})
	assert.Error(t, err)
	_, err = NewSession(t.Context(), nil, "fake", SessionConfig{})
	assert.Error(t, err)
}

// TestSessionConfigErrors checks that NewSession, NewGame and Make refuse
// an invalid config before sending anything.
func TestSessionConfigErrors(t *testing.T) {
	s := newARCServer(t)
	c := testClient(t, s.URL)
	for name, tc := range map[string]struct {
		cfg  SessionConfig
		want string
	}{
		"card and scorecard": {cfg: SessionConfig{CardID: "c", Scorecard: OpenOptions{Tags: []string{"x"}}}, want: "Scorecard options with a CardID"},
		"card and mode":      {cfg: SessionConfig{CardID: "c", Scorecard: OpenOptions{CompetitionMode: true}}, want: "Scorecard options with a CardID"},
		"close timeout":      {cfg: SessionConfig{CloseTimeout: -time.Second}, want: "close timeout"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := NewSession(t.Context(), c, "fake", tc.cfg)
			assert.ErrorContains(t, err, tc.want)
			_, err = NewGame(t.Context(), c, "fake", GameConfig{Session: tc.cfg})
			assert.ErrorContains(t, err, tc.want)
			_, err = Make(t.Context(), "fake", MakeConfig{BaseURL: s.URL, Session: tc.cfg})
			assert.ErrorContains(t, err, tc.want)
		})
	}
	_, err := Make(t.Context(), "fake", MakeConfig{BaseURL: s.URL, Client: ClientConfig{MaxAttempts: -1}})
	assert.ErrorContains(t, err, "max attempts")
	_, err = NewGame(t.Context(), nil, "fake", GameConfig{})
	assert.ErrorContains(t, err, "nil client")
	assert.Zero(t, s.requests.Load(), "nothing may be sent")

	// A given card with no scorecard options is valid.
	card, err := c.OpenScorecard(t.Context(), OpenOptions{})
	require.NoError(t, err)
	sess, err := NewSession(t.Context(), c, "fake", SessionConfig{CardID: card, CloseTimeout: time.Second})
	require.NoError(t, err)
	assert.Equal(t, time.Second, sess.closeTimeout)
	require.NoError(t, sess.Close())
}

// TestNewGameKeepsTheClient plays through an existing Client: closing the
// game closes the session's scorecard, not the Client.
func TestNewGameKeepsTheClient(t *testing.T) {
	s := newARCServer(t)
	c := testClient(t, s.URL)
	g, err := NewGame(t.Context(), c, "fake", GameConfig{Env: env.Config{GameOver: env.GameOverRestartsLevel}})
	require.NoError(t, err)
	sess := g.Backend().(*Session)
	assert.Same(t, c, sess.Client())
	assert.False(t, sess.ownClient)
	assert.Equal(t, DefaultCloseTimeout, sess.closeTimeout)
	require.NoError(t, g.Close())
	require.NotNil(t, sess.Scorecard(), "the session's own scorecard is closed")
}

// TestSessionResolvesBaseIDFromList covers services whose game route only
// knows full ids: the base id is looked up in the game list.
func TestSessionResolvesBaseIDFromList(t *testing.T) {
	s := newARCServer(t)
	s.SetBefore(func(w http.ResponseWriter, r *http.Request, n int) bool {
		if r.URL.Path == "/api/games/fake" {
			w.WriteHeader(404)
			return true
		}
		return false
	})
	c := testClient(t, s.URL)
	sess, err := NewSession(t.Context(), c, "fake", SessionConfig{})
	require.NoError(t, err)
	assert.Equal(t, "fake-0000000f", sess.Info().ID)
	require.NoError(t, sess.Close())
}

// script is a sequence of actions with the expected outcome of each step.
var script = []arc.Action{
	arc.Simple(arc.Action3), arc.Click(5, 6), arc.Simple(arc.Action1), arc.Simple(arc.Action7),
	arc.Simple(arc.Action1), arc.Simple(arc.Action4), arc.Simple(arc.Action1), // third ACTION1 wins
}

// TestGameSemanticsMatchLocal drives the same actions through env.Game over
// an envtest.Fake directly and over the REST service backed by another
// Fake, and expects identical observations, rewards and termination.
func TestGameSemanticsMatchLocal(t *testing.T) {
	for _, mode := range []env.GameOverMode{env.GameOverEnds, env.GameOverRestartsLevel} {
		t.Run(map[env.GameOverMode]string{env.GameOverEnds: "game over ends", env.GameOverRestartsLevel: "game over restarts"}[mode], func(t *testing.T) {
			cfg := envtest.FakeConfig{ID: "fake-0000000f", Levels: 3, FramesPerAction: 2}
			local, err := env.New(envtest.NewFake(cfg), env.Config{GameOver: mode})
			require.NoError(t, err)
			defer local.Close()

			s := newARCServer(t, envtest.NewFake(cfg).Info())
			s.NewBackend = func(arc.GameInfo) env.Backend { return envtest.NewFake(cfg) }
			rem, err := Make(t.Context(), "fake", MakeConfig{BaseURL: s.URL, Env: env.Config{GameOver: mode}})
			require.NoError(t, err)
			defer rem.Close()

			compareResets(t, local, rem, env.ResetOptions{})
			episode := append([]arc.Action{arc.Simple(arc.Action2)}, script...) // GAME_OVER first
			for i, a := range episode {
				ls, lerr := local.Step(t.Context(), a)
				rs, rerr := rem.Step(t.Context(), a)
				if lerr != nil {
					require.Error(t, rerr, "step %d", i)
					assert.ErrorIs(t, rerr, env.ErrNeedsReset)
					compareResets(t, local, rem, env.ResetOptions{})
					continue
				}
				require.NoError(t, rerr, "step %d %s", i, a)
				assert.Equal(t, ls.Reward, rs.Reward, "step %d reward", i)
				assert.Equal(t, ls.Terminated, rs.Terminated, "step %d terminated", i)
				assert.Equal(t, ls.Truncated, rs.Truncated, "step %d truncated", i)
				assert.Equal(t, ls.Obs.Grid.Data, rs.Obs.Grid.Data, "step %d observation", i)
				assert.Equal(t, ls.Info.Frames.Data, rs.Info.Frames.Data, "step %d frames", i)
				assert.Equal(t, ls.Info.State, rs.Info.State, "step %d state", i)
				assert.Equal(t, ls.Info.LevelsCompleted, rs.Info.LevelsCompleted, "step %d levels", i)
				assert.Equal(t, ls.Info.ScoreActions, rs.Info.ScoreActions, "step %d score actions", i)
				assert.Equal(t, ls.Info.GameOvers, rs.Info.GameOvers, "step %d game overs", i)
			}
			for _, m := range []env.ResetMode{env.ResetLevel, env.ResetAuto, env.ResetGame} {
				compareResets(t, local, rem, env.ResetOptions{Mode: m})
				_, err := local.Step(t.Context(), arc.Simple(arc.Action3))
				require.NoError(t, err)
				_, err = rem.Step(t.Context(), arc.Simple(arc.Action3))
				require.NoError(t, err)
			}
		})
	}
}

func compareResets(t *testing.T, local, rem *env.Game, opts env.ResetOptions) {
	t.Helper()
	lo, li, err := local.Reset(t.Context(), opts)
	require.NoError(t, err)
	ro, ri, err := rem.Reset(t.Context(), opts)
	require.NoError(t, err)
	assert.Equal(t, lo.Grid.Data, ro.Grid.Data, "reset %v observation", opts.Mode)
	assert.Equal(t, li.LevelsCompleted, ri.LevelsCompleted, "reset %v levels", opts.Mode)
	assert.Equal(t, li.State, ri.State, "reset %v state", opts.Mode)
	assert.Equal(t, li.FullReset, ri.FullReset, "reset %v full", opts.Mode)
	assert.Equal(t, li.ScoreActions, ri.ScoreActions, "reset %v score actions", opts.Mode)
}

// TestSessionWinThenNotStarted checks the terminal rules over REST: after
// WIN the service refuses actions with GAME_NOT_STARTED_ERROR, which the
// session reports as arc.ErrNotStarted; a RESET starts over.
func TestSessionWinThenNotStarted(t *testing.T) {
	s := newARCServer(t)
	c := testClient(t, s.URL)
	sess, err := NewSession(t.Context(), c, "fake", SessionConfig{})
	require.NoError(t, err)
	defer sess.Close()
	var fd arc.FrameData
	require.NoError(t, sess.Do(t.Context(), arc.Action{}, &fd))
	for range 3 {
		require.NoError(t, sess.Do(t.Context(), arc.Simple(arc.Action1), &fd))
	}
	assert.Equal(t, arc.Win, fd.State)
	assert.Equal(t, 3, fd.LevelsCompleted)
	err = sess.Do(t.Context(), arc.Simple(arc.Action1), &fd)
	require.ErrorIs(t, err, arc.ErrNotStarted)
	require.NoError(t, sess.Do(t.Context(), arc.Action{}, &fd))
	assert.Equal(t, arc.NotFinished, fd.State)
	assert.Zero(t, fd.LevelsCompleted)
}

// TestSessionDoAllocs bounds the allocations of a remote step as a
// regression guard. The count includes the in-process test server's own
// work; the HTTP exchange allocates, decoding into the reused frame buffer
// does not (see the wire package's allocation tests).
func TestSessionDoAllocs(t *testing.T) {
	s := newARCServer(t)
	c := testClient(t, s.URL)
	sess, err := NewSession(t.Context(), c, "fake", SessionConfig{})
	require.NoError(t, err)
	defer sess.Close()
	var fd arc.FrameData
	require.NoError(t, sess.Do(t.Context(), arc.Action{}, &fd))
	ctx := context.Background()
	allocs := testing.AllocsPerRun(20, func() {
		if err := sess.Do(ctx, arc.Simple(arc.Action3), &fd); err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("allocations per remote step: %.0f", allocs)
	assert.Less(t, allocs, 300.0)
}

func BenchmarkSessionDo(b *testing.B) {
	s := newARCServer(b)
	c, err := NewClient(s.URL, ClientConfig{})
	require.NoError(b, err)
	sess, err := NewSession(b.Context(), c, "fake", SessionConfig{})
	require.NoError(b, err)
	defer sess.Close()
	var fd arc.FrameData
	require.NoError(b, sess.Do(b.Context(), arc.Action{}, &fd))
	b.SetBytes(int64(len(wire.AppendFrame(nil, &fd, wire.FrameOptions{}))))
	b.ReportAllocs()
	for b.Loop() {
		if err := sess.Do(b.Context(), arc.Simple(arc.Action3), &fd); err != nil {
			b.Fatal(err)
		}
	}
}

// TestEnvContract runs the envtest conformance checks on env.Game over a
// remote Session.
func TestEnvContract(t *testing.T) {
	s := newARCServer(t)
	mk := func() (env.Env, error) {
		return Make(t.Context(), "fake", MakeConfig{BaseURL: s.URL, Env: env.Config{Unavailable: env.RejectUnavailable}})
	}
	g, err := mk()
	require.NoError(t, err)
	envtest.CheckT(t, g, envtest.CheckOptions{New: mk, Steps: 60, Seed: 3})
}
