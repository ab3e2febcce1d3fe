package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/engine"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/games"
	"github.com/arcgym/arcgym/scorecard"
)

// runJSON runs "arcgym run -json -quiet args..." and decodes the report.
func runJSON(t *testing.T, args ...string) report {
	t.Helper()
	out, errText, code := runCmd(t, t.Context(), "", append([]string{"run", "-json", "-quiet"}, args...)...)
	require.Equal(t, exitOK, code, errText)
	var r report
	require.NoError(t, json.Unmarshal([]byte(out), &r), out)
	return r
}

// withoutTimings zeroes the fields that depend on the clock.
func withoutTimings(r report) report {
	r.Workers = 0
	r.Total.Seconds, r.Total.StepsPerSec = 0, 0
	r.Games = append([]gameSummary(nil), r.Games...)
	for i := range r.Games {
		r.Games[i].Seconds, r.Games[i].StepsPerSec = 0, 0
	}
	return r
}

func TestRunSummaryCountsEpisodes(t *testing.T) {
	all := games.List()
	tests := []struct {
		name  string
		args  []string
		games []string
	}{
		{"one game by base id", []string{"-game", "kw01", "-episodes", "7"}, nil},
		{"all games", []string{"-episodes", "3"}, nil},
		{"a list", []string{"-game", "kw01,tl03,kw01", "-episodes", "4"}, nil},
	}
	tests[0].games = []string{mustLookup(t, "kw01")}
	for _, g := range all {
		tests[1].games = append(tests[1].games, g.ID)
	}
	tests[2].games = []string{mustLookup(t, "kw01"), mustLookup(t, "tl03")}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runJSON(t, tt.args...)
			var eps int
			_, err := fmt.Sscan(tt.args[len(tt.args)-1], &eps)
			require.NoError(t, err)
			require.Len(t, r.Games, len(tt.games))
			sumSteps, sumLevels := 0, 0
			for i, g := range r.Games {
				assert.Equal(t, tt.games[i], g.Game)
				assert.Equal(t, eps, g.Episodes)
				assert.Equal(t, eps, g.Wins+g.Lost+g.Truncated, "every episode ends one way")
				assert.Positive(t, g.Steps)
				assert.LessOrEqual(t, g.BestLevels, g.Levels)
				assert.GreaterOrEqual(t, g.Score, g.MeanScore)
				sumSteps += g.Steps
				sumLevels += g.LevelsCompleted
			}
			assert.Equal(t, eps*len(tt.games), r.Total.Episodes)
			assert.Equal(t, sumSteps, r.Total.Steps)
			assert.Equal(t, sumLevels, r.Total.LevelsCompleted)
		})
	}
}

func mustLookup(t *testing.T, id string) string {
	t.Helper()
	info, err := games.Lookup(id)
	require.NoError(t, err)
	return info.ID
}

func TestRunDeterministicUnderSeed(t *testing.T) {
	for _, agent := range agentNames {
		t.Run(agent, func(t *testing.T) {
			base := []string{"-episodes", "25", "-agent", agent, "-max-steps", "60"}
			a := runJSON(t, append(base, "-seed", "5", "-workers", "1")...)
			b := runJSON(t, append(base, "-seed", "5", "-workers", "3")...)
			assert.Equal(t, withoutTimings(a), withoutTimings(b), "same seed, other worker count")
			c := runJSON(t, append(base, "-seed", "6", "-workers", "2")...)
			assert.NotEqual(t, withoutTimings(a).Games, withoutTimings(c).Games, "another seed plays other episodes")
		})
	}
}

func TestRunProcedural(t *testing.T) {
	a := runJSON(t, "-episodes", "10", "-procedural", "-seed", "3", "-max-steps", "100")
	b := runJSON(t, "-episodes", "10", "-procedural", "-seed", "3", "-max-steps", "100", "-workers", "1")
	assert.True(t, a.Procedural)
	assert.Equal(t, withoutTimings(a), withoutTimings(b))
	assert.Equal(t, 10*len(games.List()), a.Total.Episodes)
}

func TestRunGameOverModes(t *testing.T) {
	restart := runJSON(t, "-game", "kw01", "-episodes", "4", "-max-steps", "300")
	g := restart.Games[0]
	assert.Equal(t, "restart", restart.GameOver)
	assert.Greater(t, g.GameOvers, 4, "levels lost and restarted within episodes")
	assert.Zero(t, g.Lost)
	require.Zero(t, g.Wins)
	assert.Equal(t, 4*300, g.Steps, "episodes run to the step limit")
	assert.Equal(t, 4, g.Truncated)

	end := runJSON(t, "-game", "kw01", "-episodes", "4", "-max-steps", "300", "-game-over", "end")
	g = end.Games[0]
	assert.Equal(t, "end", end.GameOver)
	assert.Equal(t, 4, g.GameOvers)
	assert.Equal(t, 4, g.Lost)
	assert.Less(t, g.Steps, 4*300)
}

func TestRunMaxStepsTruncates(t *testing.T) {
	r := runJSON(t, "-game", "kw01", "-episodes", "5", "-max-steps", "3")
	g := r.Games[0]
	assert.Equal(t, 15, g.Steps)
	assert.Equal(t, 5, g.Truncated)
}

func TestRunTable(t *testing.T) {
	out, errText, code := runCmd(t, t.Context(), "", "run", "-episodes", "4", "-progress", "1ms")
	require.Equal(t, exitOK, code, errText)
	lines := strings.Split(out, "\n")
	assert.Equal(t, []string{"GAME", "EPISODES", "WINS", "OVER", "CUT", "LEVELS", "BEST", "STEPS", "STEPS/S", "RETURN", "SCORE"}, strings.Fields(lines[0]))
	list := games.List()
	for i, g := range list {
		f := strings.Fields(lines[i+1])
		assert.Equal(t, g.ID, f[0])
		assert.Equal(t, "4", f[1])
	}
	total := strings.Fields(lines[len(list)+1])
	assert.Equal(t, []string{"TOTAL", fmt.Sprint(4 * len(list))}, total[:2])
	assert.Contains(t, out, "scorecard score")
	// stderr is not a terminal: plain progress lines, the last one final.
	last := strings.Split(strings.TrimSpace(errText), "\n")
	assert.Contains(t, last[len(last)-1], fmt.Sprintf("progress: %d/%d episodes", 4*len(list), 4*len(list)))
}

func TestRunErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		err  string
	}{
		{"no episodes", []string{"-episodes", "0"}, exitError, "-episodes 0"},
		{"no steps", []string{"-max-steps", "0"}, exitError, "-max-steps 0"},
		{"no workers", []string{"-workers", "0"}, exitError, "-workers 0"},
		{"unknown agent", []string{"-agent", "oracle"}, exitError, "unknown agent"},
		{"unknown game-over mode", []string{"-game-over", "retry"}, exitError, `-game-over "retry": want restart or end`},
		{"unknown game", []string{"-game", "zz99"}, exitError, "unknown game"},
		{"argument", []string{"kw01"}, exitUsage, "Usage"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errText, code := runCmd(t, t.Context(), "", append([]string{"run", "-quiet"}, tt.args...)...)
			assert.Equal(t, tt.code, code)
			assert.Contains(t, errText, tt.err)
		})
	}
}

func TestRunInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	out, errText, code := runCmd(t, ctx, "", "run", "-quiet", "-episodes", "1000")
	assert.Equal(t, exitError, code)
	assert.Contains(t, errText, "interrupted after")
	assert.Contains(t, out, "TOTAL", "the summary of what was played is printed")
}

// scriptAgent plays the recorded solution of every level, in order.
type scriptAgent struct {
	levels func() [][]arc.Action
	plan   []arc.Action
}

func (s *scriptAgent) begin(arc.GameInfo, uint64) {
	s.plan = nil
	for _, sol := range s.levels() {
		s.plan = append(s.plan, sol...)
	}
}

func (s *scriptAgent) act([]uint8, *env.Info) (arc.Action, bool) {
	if len(s.plan) == 0 {
		return arc.Action{}, false
	}
	a := s.plan[0]
	s.plan = s.plan[1:]
	return a, true
}

func (s *scriptAgent) observe([]uint8, *env.Info) {}

// TestRunScoresWithScorecard checks the accounting of an episode: a
// scripted winning run scores what the scorecard formula gives for its
// level action counts and baselines.
func TestRunScoresWithScorecard(t *testing.T) {
	scored := 0
	for _, info := range games.List() {
		t.Run(info.ID, func(t *testing.T) {
			cfg := runConfig{agent: "random", maxSteps: 100000, procedural: true, seed: 1}
			w, err := newWorker(cfg, nil, []arc.GameInfo{info})
			require.NoError(t, err)
			defer w.close()
			var sols [][]arc.Action
			sa := &scriptAgent{levels: func() [][]arc.Action {
				sols = nil
				for _, lv := range w.games[0].Backend().(leveled).Levels() {
					sols = append(sols, lv.Solution)
				}
				return sols
			}}
			w.agent = sa
			ep, err := w.play(t.Context(), job{}, newProgress(nil, 1, -1))
			require.NoError(t, err)
			if len(sols) == 0 || len(sols[0]) == 0 {
				t.Logf("%s records no solutions for its generated levels", info.ID)
				return
			}
			scored++
			var baselines, actions []int
			steps := 0
			for i, lv := range w.games[0].Backend().(leveled).Levels() {
				baselines = append(baselines, lv.Baseline)
				actions = append(actions, len(sols[i]))
				steps += len(sols[i])
			}
			want, _ := scorecard.RunScore(baselines, actions, len(baselines))
			assert.True(t, ep.won, "the solutions win the game")
			assert.Equal(t, info.Levels, ep.levels)
			assert.Equal(t, steps, ep.steps)
			assert.InDelta(t, want, ep.score, 1e-9)
			assert.Positive(t, ep.score)
		})
	}
	assert.Positive(t, scored, "at least one game records level solutions")
}

// TestRunChargesRestartedLevels checks the accounting of a GAME_OVER
// that restarts its level: the fatal action and the level RESET are charged
// to the level, as the ARC scorecard charges them.
func TestRunChargesRestartedLevels(t *testing.T) {
	for _, info := range games.List() {
		t.Run(info.ID, func(t *testing.T) {
			cfg := runConfig{agent: "random", maxSteps: 100000, seed: 1}
			w, err := newWorker(cfg, nil, []arc.GameInfo{info})
			require.NoError(t, err)
			defer w.close()
			// Every first hand-made level starts under a wall and inside a
			// letterbox: ACTION1 or a click in the corner changes nothing.
			idle := arc.Click(0, 0)
			if info.Available.Has(arc.Action1) {
				idle = arc.Simple(arc.Action1)
			}
			var levels []engine.Level
			sa := &scriptAgent{levels: func() [][]arc.Action {
				levels = w.games[0].Backend().(leveled).Levels()
				plan := [][]arc.Action{slices.Repeat([]arc.Action{idle}, levels[0].Budget)}
				for _, lv := range levels {
					plan = append(plan, lv.Solution)
				}
				return plan
			}}
			w.agent = sa
			ep, err := w.play(t.Context(), job{}, newProgress(nil, 1, -1))
			require.NoError(t, err)
			require.True(t, ep.won)
			assert.Equal(t, 1, ep.gameOvers)
			var baselines, actions []int
			for i, lv := range levels {
				baselines = append(baselines, lv.Baseline)
				actions = append(actions, len(lv.Solution))
				if i == 0 {
					actions[0] += lv.Budget + 1 // the wasted budget and the RESET
				}
			}
			want, _ := scorecard.RunScore(baselines, actions, len(baselines))
			assert.InDelta(t, want, ep.score, 1e-9)
		})
	}
}

func TestEpisodeSeed(t *testing.T) {
	seen := map[uint64]bool{}
	for _, id := range []string{"kw01-5e3a91c4", "tl03-0b6d2e87"} {
		for e := range 100 {
			s := episodeSeed(1, id, e)
			assert.False(t, seen[s], "seed of %s episode %d repeats", id, e)
			seen[s] = true
			assert.Equal(t, s, episodeSeed(1, id, e))
		}
	}
	assert.NotEqual(t, episodeSeed(1, "kw01-5e3a91c4", 0), episodeSeed(2, "kw01-5e3a91c4", 0))
}
