package wrappers_test

import (
	"bufio"
	"bytes"
	"image/gif"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/env/envtest"
	"github.com/arcgym/arcgym/wire"
	"github.com/arcgym/arcgym/wrappers"
)

// play runs a fixed session: two episodes, a level reset and an
// animation.
func play(t *testing.T, e env.Env) (commands int) {
	t.Helper()
	ctx := t.Context()
	_, _, err := e.Reset(ctx, env.WithSeed(5))
	require.NoError(t, err)
	commands++
	for _, a := range []arc.Action{arc.Click(3, 4), arc.Simple(arc.Action1), arc.Simple(arc.Action3)} {
		_, err := e.Step(ctx, a)
		require.NoError(t, err)
		commands++
	}
	_, _, err = e.Reset(ctx, env.ResetOptions{Mode: env.ResetLevel})
	require.NoError(t, err)
	commands++
	for _, a := range []arc.Action{arc.Simple(arc.Action7), arc.Simple(arc.Action2)} {
		_, err := e.Step(ctx, a)
		require.NoError(t, err)
		commands++
	}
	_, _, err = e.Reset(ctx, env.ResetOptions{})
	require.NoError(t, err)
	commands++
	return commands
}

func TestRecorderWritesToolkitFormat(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	rec := must(wrappers.NewRecorder(newGame(t, envtest.FakeConfig{FramesPerAction: 2}), wrappers.RecorderConfig{
		Dir: dir, CardID: "card-1", Frames: true, Now: func() time.Time { return now },
	}))
	n := play(t, rec)
	require.NoError(t, rec.Close())
	assert.Equal(t, wire.RecordPath(dir, "card-1", "fake-0000000f", "00000000-0000-4000-8000-000000000001"), rec.Path())
	b, err := os.ReadFile(rec.Path())
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	require.Len(t, lines, n)
	assert.True(t, strings.HasPrefix(lines[0], `{"timestamp": "2026-01-02T03:04:05.000000+00:00", "data": {"game_id": "fake-0000000f", "state": "NOT_FINISHED"`), lines[0][:200])
	assert.Contains(t, lines[1], `"action_input": {"id": "ACTION6", "data": {"x": 3, "y": 4}, "reasoning": null}`)
	assert.Contains(t, lines[4], `"id": "RESET"`)
	assert.Contains(t, lines[4], `"full_reset": false`)
	assert.Contains(t, lines[6], `"state": "GAME_OVER"`)
}

func TestRecorderReplay(t *testing.T) {
	dir := t.TempDir()
	cfg := envtest.FakeConfig{FramesPerAction: 3, Levels: 4}
	rec := must(wrappers.NewRecorder(newGame(t, cfg), wrappers.RecorderConfig{Dir: dir, Frames: true}))
	n := play(t, rec)
	require.NoError(t, rec.Close())
	assert.Equal(t, filepath.Join(dir, "local"), filepath.Dir(rec.Path()))

	replay := func(g env.Env) (wrappers.ReplayResult, error) {
		f, err := os.Open(rec.Path())
		require.NoError(t, err)
		defer f.Close()
		return wrappers.Replay(t.Context(), g, bufio.NewReader(f))
	}
	res, err := replay(newGameWith(t, cfg, env.Config{Seed: 5, HasSeed: true}))
	require.NoError(t, err)
	assert.Equal(t, n, res.Resets+res.Steps)
	assert.Equal(t, 3, res.Resets)
	assert.Greater(t, res.FramesChecked, n)

	// Another seed paints another background: the first frame differs.
	_, err = replay(newGameWith(t, cfg, env.Config{Seed: 6, HasSeed: true}))
	require.ErrorIs(t, err, wrappers.ErrReplayMismatch)
	assert.ErrorContains(t, err, "line 1")
	assert.ErrorContains(t, err, "frame 0 differs")
	// Another level count.
	_, err = replay(newGameWith(t, envtest.FakeConfig{FramesPerAction: 3, Levels: 2}, env.Config{Seed: 5, HasSeed: true}))
	require.ErrorIs(t, err, wrappers.ErrReplayMismatch)
	assert.ErrorContains(t, err, "win levels 2, recorded 4")
}

// A level reset of a level still pristine sends nothing, so it leaves no
// line; one would replay as a repeat of the step before it.
func TestRecorderSkipsResetThatSendsNothing(t *testing.T) {
	dir := t.TempDir()
	cfg := envtest.FakeConfig{FramesPerAction: 2}
	rec := must(wrappers.NewRecorder(newGame(t, cfg), wrappers.RecorderConfig{Dir: dir, Frames: true}))
	ctx := t.Context()
	_, _, err := rec.Reset(ctx, env.ResetOptions{})
	require.NoError(t, err)
	_, err = rec.Step(ctx, arc.Simple(arc.Action1)) // into level 2, which is pristine
	require.NoError(t, err)
	_, _, err = rec.Reset(ctx, env.ResetOptions{Mode: env.ResetLevel})
	require.NoError(t, err)
	_, err = rec.Step(ctx, arc.Simple(arc.Action3))
	require.NoError(t, err)
	require.NoError(t, rec.Close())

	b, err := os.ReadFile(rec.Path())
	require.NoError(t, err)
	assert.Equal(t, 3, strings.Count(string(b), "\n"), "reset, two steps")
	res, err := wrappers.Replay(ctx, newGame(t, cfg), bytes.NewReader(b))
	require.NoError(t, err)
	assert.Equal(t, wrappers.ReplayResult{Resets: 1, Steps: 2, FramesChecked: 1 + 3 + 2}, res)
}

func TestReplayWithoutFramesAndBadInput(t *testing.T) {
	dir := t.TempDir()
	rec := must(wrappers.NewRecorder(newGame(t, envtest.FakeConfig{}), wrappers.RecorderConfig{Dir: dir}))
	play(t, rec)
	require.NoError(t, rec.Close())
	b, err := os.ReadFile(rec.Path())
	require.NoError(t, err)
	assert.NotContains(t, string(b), `"frame"`)
	res, err := wrappers.Replay(t.Context(), newGame(t, envtest.FakeConfig{}), bytes.NewReader(b))
	require.NoError(t, err)
	assert.Zero(t, res.FramesChecked)

	_, err = wrappers.Replay(t.Context(), newGame(t, envtest.FakeConfig{}), strings.NewReader("{\n"))
	require.ErrorIs(t, err, wire.ErrBadRecording)
}

func TestRenderAndVideo(t *testing.T) {
	var out bytes.Buffer
	dir := t.TempDir()
	g := newGame(t, envtest.FakeConfig{FramesPerAction: 3})
	v := must(wrappers.NewVideo(g, wrappers.VideoConfig{Dir: dir, Scale: 2, AllFrames: true}))
	r := must(wrappers.NewRender(v, wrappers.RenderConfig{Out: &out, Home: true}))
	_, _, err := r.Reset(t.Context(), env.ResetOptions{})
	require.NoError(t, err)
	assert.Equal(t, 32, strings.Count(out.String(), "\n"), "one frame is 32 text lines")
	assert.True(t, strings.HasPrefix(out.String(), "\x1b[H"))
	st, err := r.Step(t.Context(), arc.Simple(arc.Action3))
	require.NoError(t, err)
	assert.Equal(t, 64, strings.Count(out.String(), "\n"), "the last frame of the step only")
	assert.Empty(t, v.LastFile())
	st, err = r.Step(t.Context(), arc.Simple(arc.Action2))
	require.NoError(t, err)
	require.True(t, st.Terminated)
	require.Equal(t, filepath.Join(dir, "episode-1.gif"), v.LastFile())
	f, err := os.Open(v.LastFile())
	require.NoError(t, err)
	defer f.Close()
	anim, err := gif.DecodeAll(f)
	require.NoError(t, err)
	assert.Len(t, anim.Image, 1+3+3, "reset frame and all frames of two steps")
	assert.Equal(t, 128, anim.Image[0].Bounds().Dx())

	// An unfinished episode is saved on Close.
	_, _, err = r.Reset(t.Context(), env.ResetOptions{})
	require.NoError(t, err)
	require.NoError(t, r.Close())
	assert.FileExists(t, filepath.Join(dir, "episode-2.gif"))
}
