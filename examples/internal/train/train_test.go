package train

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"image/png"
	"io"
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
)

func TestCount(t *testing.T) {
	tests := []struct {
		n    int
		want string
	}{
		{0, "0"}, {950, "950"}, {1000, "1k"}, {12_345, "12.3k"}, {500_000, "500k"},
		{4_560_000, "4.56M"}, {-2500, "-2.5k"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, Count(tt.n), "Count(%d)", tt.n)
	}
}

func TestProgress(t *testing.T) {
	var buf bytes.Buffer
	p := NewProgress(&buf, "run", 1000)
	now := time.Unix(0, 0)
	p.now = func() time.Time { return now }
	p.Window = 2
	p.Start(100, 3)
	now = now.Add(time.Second)
	p.Step(400)
	p.Episode(1)
	p.Episode(2)
	p.Episode(4) // the window keeps the last two
	p.Note("eval %.1f", 2.5)

	mean, n := p.MeanReturn()
	assert.Equal(t, 3.0, mean)
	assert.Equal(t, 2, n)
	assert.Equal(t, 500, p.Steps())
	assert.Equal(t, 400.0, p.Rate())
	line := p.Line()
	for _, want := range []string{"run [", " 50%", "500/1k steps", "400 steps/s", "ep 6", "return 3.00", "eta 1s", "eval 2.5"} {
		assert.Contains(t, line, want)
	}
	assert.Contains(t, buf.String(), "\r", "Step redraws once the interval has passed")
	p.Finish()
	assert.True(t, strings.HasSuffix(buf.String(), "\n"))
}

func TestProgressSilentWithoutWriter(t *testing.T) {
	p := NewProgress(nil, "quiet", 10)
	p.Start(0, 0)
	p.Step(10)
	p.Draw()
	p.Finish()
	assert.Equal(t, 10, p.Steps())
}

func TestCurvePNG(t *testing.T) {
	var c Curve
	c.Title, c.XLabel, c.YLabel = "t", "x", "y"
	for i := range 5 {
		c.Add("a", float64(i), float64(i*i))
		c.Add("b", float64(i), 1)
	}
	require.Len(t, c.Series, 2)
	assert.Equal(t, []float64{0, 1, 4, 9, 16}, c.Get("a").Y)
	assert.Nil(t, c.Get("none"))

	path := filepath.Join(t.TempDir(), "sub", "curve.png")
	require.NoError(t, c.SavePNG(path))
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	assert.Equal(t, 640, img.Bounds().Dx())
	assert.Equal(t, 400, img.Bounds().Dy())
}

type payload struct {
	Q     []float64
	Steps int
	Curve Curve
}

func TestCheckpointRoundTrip(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "run.ckpt")
	in := payload{Q: []float64{1, -2.5, 3}, Steps: 42}
	in.Curve.Add("s", 1, 2)
	require.NoError(t, Save(path, "test", 1, &in))
	// Saving again replaces the file and leaves no temporary behind.
	in.Steps = 43
	require.NoError(t, Save(path, "test", 1, &in))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1)

	var out payload
	require.NoError(t, Load(path, "test", 1, &out))
	assert.Equal(t, in, out)

	tests := []struct {
		name    string
		kind    string
		version int
	}{
		{"other kind", "other", 1},
		{"other version", "test", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Load(path, tt.kind, tt.version, &out)
			assert.ErrorIs(t, err, ErrCheckpoint)
		})
	}

	junk := filepath.Join(dir, "junk")
	require.NoError(t, os.WriteFile(junk, []byte("not a checkpoint"), 0o644))
	assert.ErrorIs(t, Load(junk, "test", 1, &out), ErrCheckpoint)
	err = Load(filepath.Join(dir, "missing"), "test", 1, &out)
	assert.ErrorIs(t, err, os.ErrNotExist)
}

// always plays one fixed action.
type always arc.ActionID

func (a always) Begin(env.Obs, *env.Info)          {}
func (a always) Act(env.Obs, *env.Info) arc.Action { return arc.Simple(arc.ActionID(a)) }

func TestEvaluate(t *testing.T) {
	tests := []struct {
		name   string
		agent  Agent
		ret    float64
		levels float64
		wins   float64
		steps  float64
	}{
		{"ACTION1 completes every level", always(arc.Action1), 3, 3, 1, 3},
		{"ACTION2 loses at once", always(arc.Action2), 0, 0, 0, 1},
		{"ACTION3 never ends before the limit", always(arc.Action3), 0, 0, 0, 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := env.New(envtest.NewFake(envtest.FakeConfig{}), env.Config{})
			require.NoError(t, err)
			defer g.Close()
			s, err := Evaluate(t.Context(), g, tt.agent, Seeds(10, 4), 7)
			require.NoError(t, err)
			require.Len(t, s.Episodes, 4)
			assert.Equal(t, []int64{10, 11, 12, 13}, []int64{s.Episodes[0].Seed, s.Episodes[1].Seed, s.Episodes[2].Seed, s.Episodes[3].Seed})
			assert.Equal(t, tt.ret, s.MeanReturn)
			assert.Equal(t, tt.levels, s.MeanLevels)
			assert.Equal(t, tt.wins, s.WinRate)
			assert.Equal(t, tt.steps, s.MeanSteps)
			assert.Zero(t, s.StdErr)
		})
	}
}

func TestEvaluateReportsStepErrors(t *testing.T) {
	boom := errors.New("boom")
	fake := envtest.NewFake(envtest.FakeConfig{Fail: func(n int, a arc.Action) error {
		if a.ID != arc.Reset {
			return boom
		}
		return nil
	}})
	g, err := env.New(fake, env.Config{})
	require.NoError(t, err)
	defer g.Close()
	_, err = Evaluate(t.Context(), g, always(arc.Action3), Seeds(1, 1), 5)
	assert.ErrorIs(t, err, boom)
}

func TestRandomIsSeededAndMasked(t *testing.T) {
	play := func(seed uint64) []arc.Action {
		r := NewRandom(seed)
		info := env.Info{Available: arc.ActionSetOf(arc.Action3, arc.Action4, arc.Action6)}
		out := make([]arc.Action, 50)
		for i := range out {
			out[i] = r.Act(env.Obs{}, &info)
			assert.True(t, info.Available.Has(out[i].ID), "%s is not available", out[i])
		}
		return out
	}
	assert.Equal(t, play(1), play(1))
	assert.NotEqual(t, play(1), play(2))
}

func TestSummarize(t *testing.T) {
	s := Summarize([]Episode{{Return: 1, Levels: 1, Steps: 10}, {Return: 3, Levels: 3, Steps: 20, Won: true}})
	assert.Equal(t, 2.0, s.MeanReturn)
	assert.Equal(t, 1.0, s.StdErr)
	assert.Equal(t, 0.5, s.WinRate)
	assert.Equal(t, 15.0, s.MeanSteps)
	assert.Equal(t, Stats{}, Summarize(nil))
}

func ExampleSummarize() {
	s := Summarize([]Episode{
		{Return: 2, Levels: 2, Steps: 40},
		{Return: 5, Levels: 5, Steps: 90, Won: true},
	})
	fmt.Println(s)
	// Output: return 3.500 ± 1.500, levels 3.50, wins 50%, steps 65.0 over 2 episodes
}

// The shared flags set the fields of Common, -quiet leaves the progress
// writer alone, and Fill gives defaults to what is unset.
func TestCommonFlags(t *testing.T) {
	mk := func() (*Common, *flag.FlagSet) {
		c := &Common{Seed: 1, EvalEvery: 10, EvalEpisodes: 20, CheckpointEvery: 30}
		fs := flag.NewFlagSet("x", flag.ContinueOnError)
		c.Register(fs, "updates", "everything", "curve.png")
		return c, fs
	}
	c, fs := mk()
	require.NoError(t, c.Parse(fs, []string{"-seed", "7", "-eval-every", "3", "-checkpoint", "c.ckpt", "-resume"}))
	assert.Equal(t, uint64(7), c.Seed)
	assert.Equal(t, 3, c.EvalEvery)
	assert.Equal(t, 20, c.EvalEpisodes)
	assert.Equal(t, "c.ckpt", c.Checkpoint)
	assert.True(t, c.Resume)
	assert.Equal(t, "curve.png", c.Plot)
	assert.Equal(t, os.Stderr, c.Progress)
	assert.Contains(t, fs.Lookup("eval-every").Usage, "updates")

	c, fs = mk()
	require.NoError(t, c.Parse(fs, []string{"-quiet", "-plot", ""}))
	assert.Nil(t, c.Progress)
	assert.Empty(t, c.Plot)
	c, fs = mk()
	fs.SetOutput(io.Discard)
	assert.Error(t, c.Parse(fs, []string{"-nope"}))

	var zero Common
	require.NoError(t, zero.Fill(Common{Seed: 4, EvalEvery: 5, EvalEpisodes: 6, EvalFirstSeed: 7, CheckpointEvery: 8}))
	assert.Equal(t, Common{EvalEvery: 5, EvalEpisodes: 6, EvalFirstSeed: 7, CheckpointEvery: 8}, zero, "seed 0 is kept")
	assert.Error(t, (&Common{Resume: true}).Fill(Common{}))
}
