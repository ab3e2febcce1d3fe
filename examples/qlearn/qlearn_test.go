package main

import (
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/examples/internal/train"
)

// quick returns a short configuration for tests.
func quick(steps int) Config {
	cfg := DefaultConfig()
	cfg.Steps = steps
	cfg.EpsSteps = 30_000
	cfg.EvalEvery = 20_000
	cfg.EvalEpisodes = 50
	return cfg
}

func TestLearnerBeatsRandomOnHeldOutSeeds(t *testing.T) {
	cfg := quick(60_000)
	cfg.Plot = filepath.Join(t.TempDir(), "curve.png")
	res, err := Train(t.Context(), cfg)
	require.NoError(t, err)

	t.Logf("learner %v", res.Learner)
	t.Logf("random  %v", res.Random)
	t.Logf("open    %v", res.Wanderer)
	assert.GreaterOrEqual(t, res.Steps, cfg.Steps)
	assert.Len(t, res.Learner.Episodes, cfg.EvalEpisodes)
	// One level more per game than either baseline, on seeds never
	// trained on.
	assert.Greater(t, res.Learner.MeanReturn, res.Random.MeanReturn+1)
	assert.Greater(t, res.Learner.MeanReturn, res.Wanderer.MeanReturn+1)

	f, err := os.Open(cfg.Plot)
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err, "the learning curve is a valid PNG")
	assert.Equal(t, 640, img.Bounds().Dx())
	assert.Equal(t, 400, img.Bounds().Dy())
}

// The wanderer completes a level in about one Keyway game in fifty and the
// random policy in about one in a thousand: on a hundred games both often
// complete none, and then print the same figures, since every game lasts
// exactly its first level's step budget. The baselines' own, longer run of
// held-out games must tell them apart.
func TestBaselinesTellOpenMovesFromRandom(t *testing.T) {
	cfg := quick(2_000)
	cfg.EvalEpisodes = 5
	res, err := Train(t.Context(), cfg)
	require.NoError(t, err)

	t.Logf("random %v", res.Random)
	t.Logf("open   %v", res.Wanderer)
	want := DefaultConfig().BaselineEpisodes
	require.Len(t, res.Random.Episodes, want)
	require.Len(t, res.Wanderer.Episodes, want)
	assert.Equal(t, res.Random.Episodes[0].Seed, res.Learner.Episodes[0].Seed, "the baselines' games start with the learner's")
	margin := 3 * math.Hypot(res.Wanderer.StdErr, res.Random.StdErr)
	assert.Greater(t, res.Wanderer.MeanReturn-res.Random.MeanReturn, margin)
}

// TestWandererTakesOnlyOpenMoves plays a generated maze until the step
// budget runs out: every move the wanderer picks is open, so the player
// changes cell on every step.
func TestWandererTakesOnlyOpenMoves(t *testing.T) {
	g, err := env.Make(t.Context(), "kw01", env.Config{})
	require.NoError(t, err)
	defer g.Close()
	obs, info, err := g.Reset(t.Context(), env.WithSeed(1_000_000))
	require.NoError(t, err)

	w := NewWanderer(&KeywayPalette, 1)
	w.Begin(obs, &info)
	var v View
	steps := 0
	for ; steps < 500; steps++ {
		a := w.Act(obs, &info)
		d := int(a.ID - arc.Action1)
		require.True(t, d >= 0 && d < NumActions, "action %v", a)
		assert.True(t, w.feat.Open[d], "step %d: move %d is not open in %v", steps, d, w.feat.Open)
		before := [2]int{w.feat.view.PX, w.feat.view.PY}
		st, err := g.Step(t.Context(), a)
		require.NoError(t, err)
		if st.Done() {
			break
		}
		obs, info = st.Obs, st.Info
		v.Parse(&KeywayPalette, obs.Grid.Data)
		require.True(t, v.OK)
		assert.NotEqual(t, before, [2]int{v.PX, v.PY}, "step %d: the player did not move", steps)
	}
	assert.Greater(t, steps, 10, "the game lasted long enough to test something")
}

func TestResumeContinuesTheSameRun(t *testing.T) {
	dir := t.TempDir()
	whole := quick(24_000)
	whole.EvalEpisodes = 5
	straight, err := Train(t.Context(), whole)
	require.NoError(t, err)

	first := whole
	first.Steps = 12_000
	first.Checkpoint = filepath.Join(dir, "q.ckpt")
	half, err := Train(t.Context(), first)
	require.NoError(t, err)
	require.Less(t, half.Steps, straight.Steps)

	second := whole
	second.Checkpoint = first.Checkpoint
	second.Resume = true
	resumed, err := Train(t.Context(), second)
	require.NoError(t, err)

	assert.Equal(t, straight.Steps, resumed.Steps)
	assert.Equal(t, straight.Episodes, resumed.Episodes)
	assert.Equal(t, straight.Q, resumed.Q, "a resumed run learns exactly what an uninterrupted one does")
	assert.Equal(t, straight.Learner.MeanReturn, resumed.Learner.MeanReturn)
	assert.NotEmpty(t, resumed.Curve.Get("Q-learning (greedy, held-out seeds)").X)
}

func TestSameSeedSameRun(t *testing.T) {
	cfg := quick(8_000)
	cfg.EvalEpisodes = 5
	a, err := Train(t.Context(), cfg)
	require.NoError(t, err)
	b, err := Train(t.Context(), cfg)
	require.NoError(t, err)
	assert.Equal(t, a.Q, b.Q)
	assert.Equal(t, a.Curve, b.Curve)

	cfg.Seed = 2
	c, err := Train(t.Context(), cfg)
	require.NoError(t, err)
	assert.NotEqual(t, a.Q, c.Q)
}

func TestResumeRejectsOtherRuns(t *testing.T) {
	dir := t.TempDir()
	cfg := quick(2_000)
	cfg.EvalEpisodes = 2
	cfg.Checkpoint = filepath.Join(dir, "q.ckpt")
	_, err := Train(t.Context(), cfg)
	require.NoError(t, err)

	tests := []struct {
		name   string
		change func(*Config)
	}{
		{"other seed", func(c *Config) { c.Seed = 99 }},
		{"missing file", func(c *Config) { c.Checkpoint = filepath.Join(dir, "none.ckpt") }},
		{"no path", func(c *Config) { c.Checkpoint = "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := cfg
			c.Resume = true
			tt.change(&c)
			_, err := Train(t.Context(), c)
			assert.Error(t, err)
		})
	}
	c := cfg
	c.Resume, c.Seed = true, 99
	_, err = Train(t.Context(), c)
	assert.ErrorIs(t, err, train.ErrCheckpoint)
}

func TestTrainRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"not a maze game", Config{Game: "tl03"}},
		{"unknown game", Config{Game: "zz99"}},
		{"learning rate", Config{Alpha: 2}},
		{"discount", Config{Gamma: -1}},
		{"epsilon", Config{EpsStart: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Train(t.Context(), tt.cfg)
			assert.Error(t, err)
		})
	}
}

// The first hand-made Keyway level starts in a corner: walls above and to
// the left, corridors below and to the right, the exit down and right.
func TestFeaturesReadTheFrame(t *testing.T) {
	g, err := env.Make(t.Context(), "kw01", env.Config{})
	require.NoError(t, err)
	defer g.Close()
	obs, info, err := g.Reset(t.Context(), env.WithSeed(0))
	require.NoError(t, err)

	f := Features{Palette: &KeywayPalette}
	f.Begin(info.LevelsCompleted)
	s := f.State(obs.Grid.Data, info.LevelsCompleted)
	require.GreaterOrEqual(t, s, 0)
	require.Less(t, s, NumStates)
	assert.Equal(t, [NumActions]bool{false, true, false, true}, f.Open)
	assert.Equal(t, 8, f.view.Scale)
	assert.Equal(t, [2]int{12, 12}, [2]int{f.view.PX, f.view.PY})
	assert.Equal(t, [2]int{28, 36}, [2]int{f.view.TX, f.view.TY})
	// Target down-right, both open neighbours never visited.
	want := ((int(blocked)*4+int(unvisited))*4+int(blocked))*4 + int(unvisited)
	assert.Equal(t, want*9+2*3+2, s)

	// Step right and back: the start cell now counts one visit.
	st, err := g.Step(t.Context(), arc.Simple(arc.Action4))
	require.NoError(t, err)
	f.State(st.Obs.Grid.Data, st.Info.LevelsCompleted)
	assert.Equal(t, [2]int{20, 12}, [2]int{f.view.PX, f.view.PY})
	st, err = g.Step(t.Context(), arc.Simple(arc.Action3))
	require.NoError(t, err)
	s = f.State(st.Obs.Grid.Data, st.Info.LevelsCompleted)
	want = ((int(blocked)*4+int(unvisited))*4+int(blocked))*4 + int(visitedOnce)
	assert.Equal(t, want*9+2*3+2, s)
}

func TestFeaturesWithoutPlayer(t *testing.T) {
	var frame [arc.FrameCells]uint8
	f := Features{Palette: &KeywayPalette}
	f.Begin(0)
	assert.Equal(t, -1, f.State(frame[:], 0))
	assert.Equal(t, [NumActions]bool{}, f.Open)
}

func TestTableGreedyHonoursTheMask(t *testing.T) {
	q := NewTable()
	row := q.Row(7)
	copy(row, []float64{5, 1, 3, 2})
	rng := NewGreedy(q, &KeywayPalette, 1).rng
	tests := []struct {
		name    string
		allowed [NumActions]bool
		greedy  int
		max     float64
	}{
		{"all allowed", [NumActions]bool{true, true, true, true}, 0, 5},
		{"none allowed means all", [NumActions]bool{}, 0, 5},
		{"best masked", [NumActions]bool{false, true, true, true}, 2, 3},
		{"one open", [NumActions]bool{false, true, false, false}, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.greedy, q.Greedy(7, &tt.allowed, rng))
			assert.Equal(t, tt.max, q.Max(7, &tt.allowed))
			for range 20 {
				a := Random(&tt.allowed, rng)
				if anyTrue(&tt.allowed) {
					assert.True(t, tt.allowed[a])
				}
			}
		})
	}
}
