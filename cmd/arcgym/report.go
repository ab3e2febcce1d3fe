package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/arcgym/arcgym/arc"
)

// report is the summary of a run, printed as a table or as JSON.
type report struct {
	Agent      string        `json:"agent"`
	Seed       uint64        `json:"seed"`
	MaxSteps   int           `json:"max_steps"`
	Procedural bool          `json:"procedural"`
	GameOver   string        `json:"game_over"`
	Workers    int           `json:"workers"`
	Games      []gameSummary `json:"games"`
	Total      gameSummary   `json:"total"`
	// Score is the scorecard score: the mean over games of each game's
	// best run score.
	Score float64 `json:"score"`

	// firstFailure is the first failed episode, in the order of the
	// games and episodes.
	firstFailure *failure
}

// failure is an episode that an error of its game ended.
type failure struct {
	game    string
	episode int
	err     error
}

// gameSummary aggregates the episodes of one game (or of all, for the
// total). Seconds and StepsPerSec are timings; everything else depends only
// on the flags.
type gameSummary struct {
	Game  string `json:"game"`
	Title string `json:"title,omitempty"`
	// Source is "built-in" or a real game's games directory (empty for
	// the total).
	Source   string `json:"source,omitempty"`
	Episodes int    `json:"episodes"`
	Wins     int    `json:"wins"`
	// GameOvers counts GAME_OVERs: levels lost, each restarted, or with
	// -game-over end the episodes that ended so. Truncated counts the
	// episodes cut at -max-steps.
	GameOvers int `json:"game_overs"`
	Truncated int `json:"truncated"`
	// Lost counts the episodes that a GAME_OVER ended (-game-over end),
	// and Failed those that an error of a real game ended (it raised,
	// crashed, hung or failed to load), so that Wins + Lost + Truncated +
	// Failed = Episodes. A failed episode counts what was played up to
	// the error.
	Lost   int `json:"lost"`
	Failed int `json:"failed"`
	// Levels is the number of levels of the game; LevelsCompleted sums the
	// levels completed over the episodes and BestLevels is the most
	// completed in one episode.
	Levels          int     `json:"levels"`
	LevelsCompleted int     `json:"levels_completed"`
	BestLevels      int     `json:"best_levels"`
	Steps           int     `json:"steps"`
	MeanReturn      float64 `json:"mean_return"`
	// Score is the best run score (the game's scorecard score) and
	// MeanScore the mean over episodes.
	Score       float64 `json:"score"`
	MeanScore   float64 `json:"mean_score"`
	Seconds     float64 `json:"seconds"`
	StepsPerSec float64 `json:"steps_per_sec"`
}

// newReport sums up the results of the games of list, found in cat (nil:
// built-in games only), after a run of wall-clock duration wall.
func newReport(cfg runConfig, cat *catalog, list []arc.GameInfo, results [][]episode, wall time.Duration) *report {
	r := &report{Agent: cfg.agent, Seed: cfg.seed, MaxSteps: cfg.maxSteps, Procedural: cfg.procedural, Workers: cfg.workers, GameOver: "restart"}
	if cfg.endOnGameOver {
		r.GameOver = "end"
	}
	tot := &r.Total
	tot.Game = "TOTAL"
	var retSum, scoreSum float64
	for i, info := range list {
		g := gameSummary{Game: info.ID, Title: info.Title, Source: cat.source(info.ID), Levels: info.Levels}
		var gRet, gScore float64
		for e, ep := range results[i] {
			if !ep.done {
				continue
			}
			g.Episodes++
			g.GameOvers += ep.gameOvers
			switch {
			case ep.failed != nil:
				g.Failed++
				if r.firstFailure == nil {
					r.firstFailure = &failure{game: info.ID, episode: e, err: ep.failed}
				}
			case ep.won:
				g.Wins++
			case ep.gameOvers > 0 && cfg.endOnGameOver:
				g.Lost++
			default:
				g.Truncated++
			}
			g.LevelsCompleted += ep.levels
			g.BestLevels = max(g.BestLevels, ep.levels)
			g.Steps += ep.steps
			g.Seconds += ep.seconds
			g.Score = max(g.Score, ep.score)
			gRet += ep.ret
			gScore += ep.score
		}
		if g.Episodes > 0 {
			g.MeanReturn = gRet / float64(g.Episodes)
			g.MeanScore = gScore / float64(g.Episodes)
		}
		if g.Seconds > 0 {
			g.StepsPerSec = float64(g.Steps) / g.Seconds
		}
		r.Games = append(r.Games, g)

		tot.Episodes += g.Episodes
		tot.Wins += g.Wins
		tot.GameOvers += g.GameOvers
		tot.Truncated += g.Truncated
		tot.Lost += g.Lost
		tot.Failed += g.Failed
		tot.Levels += g.Levels
		tot.LevelsCompleted += g.LevelsCompleted
		tot.BestLevels += g.BestLevels
		tot.Steps += g.Steps
		retSum += gRet
		scoreSum += gScore
		r.Score += g.Score
	}
	if len(list) > 0 {
		r.Score /= float64(len(list))
	}
	tot.Score = r.Score
	if tot.Episodes > 0 {
		tot.MeanReturn = retSum / float64(tot.Episodes)
		tot.MeanScore = scoreSum / float64(tot.Episodes)
	}
	// The total's timing is wall-clock: all workers together.
	tot.Seconds = wall.Seconds()
	if tot.Seconds > 0 {
		tot.StepsPerSec = float64(tot.Steps) / tot.Seconds
	}
	return r
}

// writeJSON prints the report as indented JSON.
func (r *report) writeJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// writeTable prints the report as a table with a legend; the FAIL
// column shows only when an episode failed.
func (r *report) writeTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	// The FAIL column shows only when an episode failed.
	failCol := r.Total.Failed > 0
	head := "GAME\tEPISODES\tWINS\tOVER\tCUT\t"
	if failCol {
		head += "FAIL\t"
	}
	fmt.Fprintln(tw, head+"LEVELS\tBEST\tSTEPS\tSTEPS/S\tRETURN\tSCORE\t")
	row := func(g gameSummary, best string) {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t", g.Game, g.Episodes, g.Wins, g.GameOvers, g.Truncated)
		if failCol {
			fmt.Fprintf(tw, "%d\t", g.Failed)
		}
		fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%.3f\t%.2f\t\n",
			g.LevelsCompleted, best, g.Steps, human(g.StepsPerSec), g.MeanReturn, g.Score)
	}
	for _, g := range r.Games {
		row(g, fmt.Sprintf("%d/%d", g.BestLevels, g.Levels))
	}
	row(r.Total, "")
	if err := tw.Flush(); err != nil {
		return err
	}
	levels := "hand-made levels"
	if r.Procedural {
		levels = "procedural levels"
		if slices.ContainsFunc(r.Games, func(g gameSummary) bool { return g.Source != sourceBuiltin }) {
			levels += " (real games: a seed per episode where they take one)"
		}
	}
	over := "GAME_OVERs (each restarts its level)"
	if r.GameOver == "end" {
		over = "episodes ended by GAME_OVER"
	}
	fail := ""
	if failCol {
		fail = "FAIL: ended by an error of the game; "
	}
	_, err := fmt.Fprintf(w, "\nagent %s, seed %d, %s, max %d steps, %d workers, %.2fs\n"+
		"OVER: %s; CUT: truncated at max steps; %sLEVELS: completed, summed over episodes;\n"+
		"BEST: most levels in one episode; STEPS/S: per worker (TOTAL: wall clock); RETURN: mean per episode;\n"+
		"SCORE: official score of the best run (TOTAL: scorecard score, the mean over games) = %.2f\n",
		r.Agent, r.Seed, levels, r.MaxSteps, r.Workers, r.Total.Seconds, over, fail, r.Score)
	return err
}
