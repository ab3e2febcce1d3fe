package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/examples/internal/train"
	"github.com/arcgym/arcgym/wrappers"
)

// Config configures a training run. Zero fields take the defaults of
// DefaultConfig.
type Config struct {
	// Game is the built-in game to learn (a maze game drawn in Palette).
	Game    string
	Palette *Palette
	// Steps is the number of environment steps to train for; the run stops
	// at the first episode end at or after it.
	Steps int
	// Alpha is the learning rate, Gamma the discount, StepCost a cost
	// charged on every step on top of the game's reward (one per level).
	Alpha, Gamma, StepCost float64
	// Epsilon decays linearly from EpsStart to EpsEnd over EpsSteps steps.
	EpsStart, EpsEnd float64
	EpsSteps         int
	// MaxEpisodeSteps truncates an episode (the games' step budgets usually
	// end it first).
	MaxEpisodeSteps int
	// BaselineEpisodes is the number of held-out games, from EvalFirstSeed
	// on, that the two baselines play once at the start. They complete a
	// level in about one game in fifty at best, too rarely for the
	// learner's EvalEpisodes games to tell them apart, and a game of theirs
	// is short, so they get many more.
	BaselineEpisodes int
	// Common holds the seed (of the training levels, exploration and tie
	// breaks), the evaluations (every EvalEvery training steps), the
	// checkpoint (every CheckpointEvery steps), the plot and the progress
	// bar.
	train.Common
}

// DefaultConfig returns the settings of the example: Keyway's generated
// mazes, 500k steps.
func DefaultConfig() Config {
	return Config{
		Game:             "kw01",
		Palette:          &KeywayPalette,
		Steps:            500_000,
		Alpha:            0.1,
		Gamma:            0.97,
		StepCost:         0.01,
		EpsStart:         1,
		EpsEnd:           0.05,
		MaxEpisodeSteps:  2000,
		BaselineEpisodes: 1000,
		Common:           train.Common{Seed: 1, EvalEvery: 25_000, EvalEpisodes: 100, EvalFirstSeed: 1_000_000, CheckpointEvery: 50_000},
	}
}

func (c *Config) fill() error {
	d := DefaultConfig()
	if c.Game == "" {
		c.Game = d.Game
	}
	if c.Palette == nil {
		c.Palette = d.Palette
	}
	if c.Steps <= 0 {
		c.Steps = d.Steps
	}
	if c.Alpha == 0 {
		c.Alpha = d.Alpha
	}
	if c.Gamma == 0 {
		c.Gamma = d.Gamma
	}
	if c.EpsStart == 0 && c.EpsEnd == 0 {
		c.EpsStart, c.EpsEnd = d.EpsStart, d.EpsEnd
	}
	if c.EpsSteps <= 0 {
		c.EpsSteps = c.Steps / 2
	}
	if c.MaxEpisodeSteps <= 0 {
		c.MaxEpisodeSteps = d.MaxEpisodeSteps
	}
	if c.BaselineEpisodes <= 0 {
		c.BaselineEpisodes = d.BaselineEpisodes
	}
	if err := c.Common.Fill(d.Common); err != nil {
		return fmt.Errorf("qlearn: %w", err)
	}
	switch {
	case c.Alpha <= 0 || c.Alpha > 1:
		return fmt.Errorf("qlearn: learning rate %g outside (0, 1]", c.Alpha)
	case c.Gamma <= 0 || c.Gamma > 1:
		return fmt.Errorf("qlearn: discount %g outside (0, 1]", c.Gamma)
	case c.EpsStart < 0 || c.EpsStart > 1 || c.EpsEnd < 0 || c.EpsEnd > 1:
		return fmt.Errorf("qlearn: epsilon %g..%g outside [0, 1]", c.EpsStart, c.EpsEnd)
	}
	return nil
}

// epsilon returns the exploration rate after steps steps.
func (c *Config) epsilon(steps int) float64 {
	if steps >= c.EpsSteps {
		return c.EpsEnd
	}
	f := float64(steps) / float64(c.EpsSteps)
	return c.EpsStart + f*(c.EpsEnd-c.EpsStart)
}

// State is everything a run needs to go on: the checkpoint's content.
type State struct {
	Game     string
	Seed     uint64
	Q        Table
	Steps    int
	Episodes int
	// RNG is the marshalled state of the run's generator.
	RNG      []byte
	Curve    train.Curve
	NextEval int
	NextSave int
	// Random and Wanderer are the baselines' mean returns.
	Random, Wanderer float64
}

// Checkpoint kind and version of State files.
const (
	checkpointKind    = "qlearn"
	checkpointVersion = 1
)

// Result is the outcome of a run: the greedy learner on the held-out seeds
// of its evaluations, and the random policy and the wanderer (random among
// open moves) on the baselines' longer run of held-out seeds, which starts
// with the learner's.
type Result struct {
	Learner, Random, Wanderer train.Stats
	Steps, Episodes           int
	// Elapsed is the wall-clock time of this run (resumed part only).
	Elapsed time.Duration
	Q       Table
	Curve   train.Curve
}

// Train runs Q-learning on the built-in game cfg.Game: each training
// episode plays the procedurally generated levels of a fresh game seed, and
// the greedy policy is evaluated every cfg.EvalEvery steps on held-out seeds
// next to a random policy.
func Train(ctx context.Context, cfg Config) (*Result, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	start := time.Now()
	g, err := env.Make(ctx, cfg.Game, env.Config{})
	if err != nil {
		return nil, err
	}
	if avail := g.GameInfo().Available; avail&moves.Set() != moves.Set() {
		_ = g.Close()
		return nil, fmt.Errorf("qlearn: game %s offers %v; the learner moves with %v", cfg.Game, avail, moves)
	}
	e, err := env.Wrap(g, wrappers.TimeLimitConfig{Max: cfg.MaxEpisodeSteps})
	if err != nil {
		return nil, err
	}
	defer e.Close()

	st, err := initialState(&cfg)
	if err != nil {
		return nil, err
	}
	pcg := rand.NewPCG(cfg.Seed, 0)
	if err := pcg.UnmarshalBinary(st.RNG); err != nil {
		return nil, fmt.Errorf("qlearn: checkpoint generator state: %w", err)
	}
	rng := rand.New(pcg)
	evalSeeds := train.Seeds(cfg.EvalFirstSeed, cfg.EvalEpisodes)
	evaluate := func() (train.Stats, error) {
		return train.Evaluate(ctx, e, NewGreedy(st.Q, cfg.Palette, cfg.Seed), evalSeeds, cfg.MaxEpisodeSteps)
	}
	baselineSeeds := train.Seeds(cfg.EvalFirstSeed, cfg.BaselineEpisodes)
	randomStats, err := train.Evaluate(ctx, e, train.NewRandom(cfg.Seed), baselineSeeds, cfg.MaxEpisodeSteps)
	if err != nil {
		return nil, err
	}
	wanderStats, err := train.Evaluate(ctx, e, NewWanderer(cfg.Palette, cfg.Seed), baselineSeeds, cfg.MaxEpisodeSteps)
	if err != nil {
		return nil, err
	}
	st.Random, st.Wanderer = randomStats.MeanReturn, wanderStats.MeanReturn

	prog := train.NewProgress(cfg.Progress, "qlearn", cfg.Steps)
	prog.Start(st.Steps, st.Episodes)
	prog.Note("random %.2f", st.Random)
	feat := Features{Palette: cfg.Palette}
	lastEval := -1
	var learner train.Stats
	record := func() error {
		s, err := evaluate()
		if err != nil {
			return err
		}
		learner, lastEval = s, st.Steps
		x := float64(st.Steps)
		st.Curve.Add("Q-learning (greedy, held-out seeds)", x, s.MeanReturn)
		st.Curve.Add("random policy (held-out seeds)", x, st.Random)
		st.Curve.Add("random among open moves (held-out seeds)", x, st.Wanderer)
		if mean, n := prog.MeanReturn(); n > 0 {
			st.Curve.Add("Q-learning (training episodes, ε-greedy)", x, mean)
		}
		prog.Note("eval %.2f random %.2f", s.MeanReturn, st.Random)
		return nil
	}
	if st.Steps == 0 {
		if err := record(); err != nil {
			return nil, err
		}
		st.NextEval = cfg.EvalEvery
	}

	for st.Steps < cfg.Steps {
		ret, err := runEpisode(ctx, e, &cfg, &st, &feat, rng, prog)
		if err != nil {
			return nil, err
		}
		st.Episodes++
		prog.Episode(ret)
		if st.Steps >= st.NextEval {
			if err := record(); err != nil {
				return nil, err
			}
			st.NextEval += cfg.EvalEvery
		}
		if cfg.Checkpoint != "" && st.Steps >= st.NextSave {
			st.NextSave += cfg.CheckpointEvery
			if err := save(&cfg, &st, pcg); err != nil {
				return nil, err
			}
		}
	}
	if lastEval != st.Steps {
		if err := record(); err != nil {
			return nil, err
		}
	}
	prog.Finish()
	if cfg.Checkpoint != "" {
		if err := save(&cfg, &st, pcg); err != nil {
			return nil, err
		}
	}
	if cfg.Plot != "" {
		if err := st.Curve.SavePNG(cfg.Plot); err != nil {
			return nil, err
		}
	}
	return &Result{
		Learner: learner, Random: randomStats, Wanderer: wanderStats,
		Steps: st.Steps, Episodes: st.Episodes,
		Elapsed: time.Since(start), Q: st.Q, Curve: st.Curve,
	}, nil
}

// initialState returns a fresh state or the checkpoint's.
func initialState(cfg *Config) (State, error) {
	if cfg.Resume {
		var st State
		if err := train.Load(cfg.Checkpoint, checkpointKind, checkpointVersion, &st); err != nil {
			return State{}, err
		}
		if st.Game != cfg.Game || st.Seed != cfg.Seed || len(st.Q) != NumStates*NumActions {
			return State{}, fmt.Errorf("%w: %s was trained on %s with seed %d, not %s with seed %d",
				train.ErrCheckpoint, cfg.Checkpoint, st.Game, st.Seed, cfg.Game, cfg.Seed)
		}
		return st, nil
	}
	rng, err := rand.NewPCG(cfg.Seed, 0).MarshalBinary()
	if err != nil {
		return State{}, err
	}
	return State{
		Game: cfg.Game, Seed: cfg.Seed, Q: NewTable(), RNG: rng,
		NextSave: cfg.CheckpointEvery,
		Curve: train.Curve{
			Title:  fmt.Sprintf("Q-learning on %s, procedurally generated mazes", cfg.Game),
			XLabel: "training steps",
			YLabel: "levels completed per game (return)",
		},
	}, nil
}

func save(cfg *Config, st *State, pcg *rand.PCG) error {
	b, err := pcg.MarshalBinary()
	if err != nil {
		return err
	}
	st.RNG = b
	return train.Save(cfg.Checkpoint, checkpointKind, checkpointVersion, st)
}

// runEpisode plays one training episode on the levels of a fresh game seed,
// updating the table after every step, and returns the game's return.
func runEpisode(ctx context.Context, e env.Env, cfg *Config, st *State, feat *Features, rng *rand.Rand, prog *train.Progress) (float64, error) {
	gameSeed := 1 + rng.Int64N(cfg.EvalFirstSeed-1)
	obs, info, err := e.Reset(ctx, env.WithSeed(gameSeed))
	if err != nil {
		return 0, err
	}
	feat.Begin(info.LevelsCompleted)
	s := feat.State(obs.Grid.Data, info.LevelsCompleted)
	ret := 0.0
	for {
		a := Random(&feat.Open, rng)
		if s >= 0 && rng.Float64() >= cfg.epsilon(st.Steps) {
			a = st.Q.Greedy(s, &feat.Open, rng)
		}
		step, err := e.Step(ctx, actionOf(a))
		if err != nil {
			return 0, fmt.Errorf("qlearn: step %d: %w", st.Steps, err)
		}
		st.Steps++
		prog.Step(1)
		ret += step.Reward
		next := feat.State(step.Obs.Grid.Data, step.Info.LevelsCompleted)
		if s >= 0 {
			target := step.Reward - cfg.StepCost
			if !step.Terminated && next >= 0 {
				target += cfg.Gamma * st.Q.Max(next, &feat.Open)
			}
			q := &st.Q.Row(s)[a]
			*q += cfg.Alpha * (target - *q)
		}
		s = next
		if step.Done() {
			return ret, nil
		}
	}
}
