package vector

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/env/envtest"
)

// The script and figures are Gymnasium 1.2.0's: two scripted envs in a
// SyncVectorEnv (next-step autoreset) under
// gymnasium.wrappers.vector.RecordEpisodeStatistics. Env 0 earns 1, 2, 3...
// and terminates on its 2nd and 6th steps; env 1 earns 0.5 a step and is
// truncated on its 3rd. A step after an episode's end is the autoreset's:
// reward 0, First, not counted.
func TestEpisodeStatsAsGymnasium(t *testing.T) {
	type row struct {
		r           float64
		term, trunc bool
		first       bool
	}
	steps := [][2]row{
		{{r: 1}, {r: 0.5}},
		{{r: 2, term: true}, {r: 0.5}},
		{{first: true}, {r: 0.5, trunc: true}},
		{{r: 3}, {first: true}},
		{{r: 4}, {r: 0.5}},
		{{r: 5}, {r: 0.5}},
		{{r: 6, term: true}, {r: 0.5}},
		{{first: true}, {r: 0.5}},
	}
	want := map[int]struct {
		ended   []bool
		returns []float64
		lengths []int
	}{
		1: {[]bool{true, false}, []float64{3, 0}, []int{2, 0}},
		2: {[]bool{false, true}, []float64{0, 1.5}, []int{0, 3}},
		6: {[]bool{true, false}, []float64{18, 0}, []int{4, 0}},
	}
	s := newEpisodeTracker(2)
	b := newRows(2, []int{1}, false).view(2)
	b.EnvIDs[0], b.EnvIDs[1] = 0, 1
	for k, st := range steps {
		for r, x := range st {
			b.Rewards[r], b.Terminated[r], b.Truncated[r], b.First[r] = x.r, x.term, x.trunc, x.first
		}
		n, err := s.update(b)
		require.NoError(t, err)
		if w, ok := want[k]; ok {
			assert.Equal(t, w.ended, s.last.Ended, "step %d", k)
			assert.Equal(t, w.returns, s.last.Returns, "step %d", k)
			assert.Equal(t, w.lengths, s.last.Lengths, "step %d", k)
			assert.Equal(t, 1, n)
		} else {
			assert.Equal(t, []bool{false, false}, s.last.Ended, "step %d", k)
			assert.Zero(t, n)
		}
	}
	assert.Zero(t, testing.AllocsPerRun(20, func() { _, _ = s.update(b) }))
	b.EnvIDs[1] = 5
	_, err := s.update(b)
	assert.Error(t, err)
	one := newEpisodeTracker(1)
	_, err = one.update(b)
	assert.ErrorContains(t, err, "batch of 2 rows")
}

// Over a real vector env, in each autoreset mode, the EpisodeStats wrapper
// reports the games' episodes: a level of the fake game is one ACTION1, so
// a game of two levels ends after two steps with a return of 2. The batch
// is the inner vector env's but for Episodes, and a step allocates nothing.
func TestEpisodeStatsModes(t *testing.T) {
	for _, mode := range []AutoresetMode{NextStep, SameStep} {
		for _, kd := range kinds[:2] {
			t.Run(mode.String()+"/"+kd.name, func(t *testing.T) {
				inner := newVec(t, kd, 3, sameFakes(envtest.FakeConfig{Levels: 2}), Config{Autoreset: mode})
				v, err := Wrap(inner, EpisodeStatsConfig{})
				require.NoError(t, err)
				b, err := v.Reset(t.Context(), env.ResetOptions{})
				require.NoError(t, err)
				require.NotNil(t, b.Episodes)
				assert.Zero(t, b.Episodes.Count())
				episodes := 0
				acts := repeat(arc.Simple(arc.Action1), 3)
				for range 9 {
					b, err = v.Step(t.Context(), acts)
					require.NoError(t, err)
					episodes += b.Episodes.Count()
					for r := range b.Len() {
						assert.Equal(t, b.Done(r), b.Episodes.Ended[r])
						if b.Episodes.Ended[r] {
							assert.Equal(t, 2.0, b.Episodes.Returns[r])
							assert.Equal(t, 2, b.Episodes.Lengths[r])
						}
					}
				}
				// NextStep spends a step on each reset: 3 episodes of 3
				// steps per env; SameStep none: 4 of 2 (and one begun).
				want := map[AutoresetMode]int{NextStep: 9, SameStep: 12}[mode]
				assert.Equal(t, want, episodes)
				assert.Zero(t, testing.AllocsPerRun(20, func() { _, _ = v.Step(t.Context(), acts) }))
				c := b.Clone()
				_, err = v.Step(t.Context(), acts)
				require.NoError(t, err)
				assert.NotSame(t, b.Episodes, c.Episodes, "a clone keeps its own copy")
			})
		}
	}
}
