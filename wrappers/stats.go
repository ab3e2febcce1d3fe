package wrappers

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/scorecard"
)

// EpisodeStatsConfig configures an EpisodeStats; the zero value keeps a
// window of 100 episodes.
type EpisodeStatsConfig struct {
	// Window is the number of recent episodes the running means cover
	// (default 100).
	Window int
	// Baselines are the per-level human baselines for the official score;
	// nil means those of the game found by unwrapping (GameInfo).
	Baselines []int
}

// Aggregate summarises the recent episodes of an EpisodeStats.
type Aggregate struct {
	// Episodes is the number of finished episodes since construction;
	// Window the number the means cover (at most the configured window).
	Episodes, Window int
	MeanReturn       float64
	MeanLength       float64
	MeanLevels       float64
	// WinRate is the fraction of won episodes.
	WinRate float64
	// MeanScore is the mean official score (0 without baselines).
	MeanScore float64
}

// EpisodeStats is a wrapper that sets Info.Episode on the last step of every
// episode (terminated or truncated): the shaped return next to the official
// efficiency score of the run, computed by package scorecard from the
// game's human baselines. Place it outside any wrapper that truncates
// (TimeLimit) so that it sees the truncation.
//
// The score needs the actions charged to each level; they are counted from
// Info.ScoreActions since the run began, so an episode that began with a
// level reset is scored from the start of its run only when this wrapper saw
// that start.
type EpisodeStats struct {
	// into steps inner in place (env.Into).
	into env.StepperInto
	// out receives the steps of Step, which the layers below write
	// into in place (StepInto).
	out env.Step
	inner
	cfg       EpisodeStatsConfig
	baselines []int

	ret        float64
	length     int
	start      time.Time
	levels     int
	marks      []int // ScoreActions at each level completion of the run
	levelActs  []int
	knownStart bool

	stats  env.EpisodeStats
	window []env.EpisodeStats
	next   int
	total  int
}

// NewEpisodeStats wraps e with episode statistics.
func NewEpisodeStats(e env.Env, cfg EpisodeStatsConfig) (*EpisodeStats, error) {
	if e == nil {
		return nil, fmt.Errorf("wrappers: episode stats needs an env")
	}
	if cfg.Window < 0 {
		return nil, fmt.Errorf("wrappers: episode window of %d", cfg.Window)
	}
	if cfg.Window == 0 {
		cfg.Window = 100
	}
	b := cfg.Baselines
	if b == nil {
		if info, ok := GameInfo(e); ok {
			b = info.BaselineActions
		}
	}
	return &EpisodeStats{
		inner:     e,
		into:      env.Into(e),
		cfg:       cfg,
		baselines: slices.Clone(b),
		marks:     make([]int, 0, 64),
		levelActs: make([]int, 0, 64),
		window:    make([]env.EpisodeStats, 0, cfg.Window),
	}, nil
}

// Wrap implements env.Wrapper: NewEpisodeStats(e, c).
func (c EpisodeStatsConfig) Wrap(e env.Env) (env.Env, error) { return wrapped(NewEpisodeStats(e, c)) }

// Unwrap returns the wrapped Env.
func (w *EpisodeStats) Unwrap() env.Env { return w.inner }

// Reset resets the wrapped Env and starts counting a new episode.
func (w *EpisodeStats) Reset(ctx context.Context, opts env.ResetOptions) (env.Obs, env.Info, error) {
	obs, info, err := w.inner.Reset(ctx, opts)
	if err != nil {
		return obs, info, err
	}
	w.ret, w.length = 0, 0
	w.start = time.Now()
	if info.FullReset || info.ScoreActions == 0 && info.LevelsCompleted == 0 {
		w.marks = w.marks[:0]
		w.knownStart = true
	}
	w.levels = info.LevelsCompleted
	info.Episode = nil
	return obs, info, nil
}

// Step steps the wrapped Env, accumulates the episode and, on its last
// step, sets Info.Episode (a view, valid until the next call).
func (w *EpisodeStats) Step(ctx context.Context, a arc.Action) (env.Step, error) {
	err := w.StepInto(ctx, a, &w.out)
	return w.out, err
}

// StepInto is Step with the result left in *st (see env.StepperInto).
func (w *EpisodeStats) StepInto(ctx context.Context, a arc.Action, st *env.Step) error {
	if err := w.into.StepInto(ctx, a, st); err != nil {
		return err
	}
	w.ret += st.Reward
	w.length++
	for w.levels < st.Info.LevelsCompleted {
		w.marks = append(w.marks, st.Info.ScoreActions)
		w.levels++
	}
	w.levels = st.Info.LevelsCompleted
	st.Info.Episode = nil
	if st.Done() {
		w.finish(&st.Info)
		st.Info.Episode = &w.stats
	}
	return nil
}

func (w *EpisodeStats) finish(info *env.Info) {
	w.stats = env.EpisodeStats{
		Return:       w.ret,
		Length:       w.length,
		Levels:       info.LevelsCompleted,
		Won:          info.State == arc.Win,
		ScoreActions: info.ScoreActions,
		Seconds:      time.Since(w.start).Seconds(),
	}
	if len(w.baselines) > 0 && w.knownStart {
		w.levelActs = w.levelActs[:0]
		prev := 0
		for _, m := range w.marks {
			w.levelActs = append(w.levelActs, m-prev)
			prev = m
		}
		w.stats.Score = scorecard.Score(w.baselines, w.levelActs, min(info.LevelsCompleted, len(w.levelActs)))
	}
	if len(w.window) < w.cfg.Window {
		w.window = append(w.window, w.stats)
	} else {
		w.window[w.next] = w.stats
	}
	w.next = (w.next + 1) % w.cfg.Window
	w.total++
}

// Last returns the statistics of the last finished episode; ok is false
// before the first.
func (w *EpisodeStats) Last() (s env.EpisodeStats, ok bool) { return w.stats, w.total > 0 }

// Aggregate returns the running means over the recent episodes.
func (w *EpisodeStats) Aggregate() Aggregate {
	a := Aggregate{Episodes: w.total, Window: len(w.window)}
	if a.Window == 0 {
		return a
	}
	for _, s := range w.window {
		a.MeanReturn += s.Return
		a.MeanLength += float64(s.Length)
		a.MeanLevels += float64(s.Levels)
		a.MeanScore += s.Score
		if s.Won {
			a.WinRate++
		}
	}
	n := float64(a.Window)
	a.MeanReturn /= n
	a.MeanLength /= n
	a.MeanLevels /= n
	a.MeanScore /= n
	a.WinRate /= n
	return a
}
