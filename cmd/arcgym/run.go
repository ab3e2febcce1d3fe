package main

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/games"
	"github.com/arcgym/arcgym/scorecard"
)

const runSummary = `Run plays many episodes of the built-in games with a baseline agent, in
parallel, and prints a summary: per game the episodes, wins, levels
completed, steps, steps per second, mean return and the official score
(best run per game, as an ARC scorecard counts it).

Agents: random draws uniformly among the available actions (the others are
masked); explore is a count-based explorer that prefers untried actions
and rarely visited states.

An episode ends on WIN or is truncated after -max-steps actions. A GAME_OVER
(a level's step budget spent) restarts the level and the episode goes on,
as a person retries, with the fatal action and the level RESET charged to
the run as an ARC scorecard charges them; -game-over end ends the episode
there instead. Every episode is seeded from -seed, the game and its index, so the
results (but not the timings) are the same for any -workers.`

// runConfig holds the flags of run.
type runConfig struct {
	game       string
	episodes   int
	maxSteps   int
	seed       uint64
	workers    int
	agent      string
	procedural bool
	// endOnGameOver ends an episode at its first GAME_OVER instead of
	// restarting the level.
	endOnGameOver bool
	json          bool
	progress      time.Duration
}

func runRun(ctx context.Context, args []string, io stdio) error {
	var cfg runConfig
	fs := newFlagSet("run", "", runSummary, io)
	fs.StringVar(&cfg.game, "game", "all", "game id (base or versioned), a comma-separated list, or all")
	fs.IntVar(&cfg.episodes, "episodes", 1000, "episodes per game")
	fs.IntVar(&cfg.maxSteps, "max-steps", 1000, "actions after which an episode is truncated")
	fs.Uint64Var(&cfg.seed, "seed", 1, "seed of the whole run")
	fs.IntVar(&cfg.workers, "workers", runtime.GOMAXPROCS(0), "episodes played at once")
	fs.StringVar(&cfg.agent, "agent", "random", "baseline agent: "+strings.Join(agentNames, " or "))
	fs.BoolVar(&cfg.procedural, "procedural", false, "play a procedurally generated level set per episode instead of the hand-made levels")
	gameOver := fs.String("game-over", "restart", "what a GAME_OVER does: restart (the level starts over, the episode goes on) or end (the episode ends)")
	fs.BoolVar(&cfg.json, "json", false, "print the summary as JSON")
	fs.DurationVar(&cfg.progress, "progress", 0, "progress update interval (0: 100ms on a terminal, 2s otherwise)")
	quiet := fs.Bool("quiet", false, "print no progress")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return errUsage
	}
	if *quiet {
		cfg.progress = -1
	}
	switch *gameOver {
	case "restart":
	case "end":
		cfg.endOnGameOver = true
	default:
		return fmt.Errorf("-game-over %q: want restart or end", *gameOver)
	}
	switch {
	case cfg.episodes < 1:
		return fmt.Errorf("-episodes %d: want at least 1", cfg.episodes)
	case cfg.maxSteps < 1:
		return fmt.Errorf("-max-steps %d: want at least 1", cfg.maxSteps)
	case cfg.workers < 1:
		return fmt.Errorf("-workers %d: want at least 1", cfg.workers)
	}
	if _, err := newAgent(cfg.agent); err != nil {
		return err
	}
	list, err := selectGames(cfg.game)
	if err != nil {
		return err
	}
	rep, runErr := runEpisodes(ctx, cfg, list, io)
	if rep == nil {
		return runErr
	}
	if cfg.json {
		err = rep.writeJSON(io.out)
	} else {
		err = rep.writeTable(io.out)
	}
	if runErr != nil {
		return fmt.Errorf("interrupted after %d of %d episodes: %w", rep.Total.Episodes, len(list)*cfg.episodes, runErr)
	}
	return err
}

// selectGames resolves -game to the metadata of the games to play.
func selectGames(spec string) ([]arc.GameInfo, error) {
	if spec == "" || spec == "all" {
		list := games.List()
		if len(list) == 0 {
			return nil, errors.New("no built-in games are registered")
		}
		return list, nil
	}
	var out []arc.GameInfo
	for id := range strings.SplitSeq(spec, ",") {
		info, err := games.Lookup(strings.TrimSpace(id))
		if err != nil {
			return nil, err
		}
		if !slices.ContainsFunc(out, func(g arc.GameInfo) bool { return g.ID == info.ID }) {
			out = append(out, info)
		}
	}
	return out, nil
}

// episodeSeed derives the seed of one episode from the run's seed, the
// game id and the episode index, so that results do not depend on which
// worker plays the episode or on the other games selected.
func episodeSeed(seed uint64, gameID string, episode int) uint64 {
	h := fnv.New64a()
	h.Write([]byte(gameID))
	return mix(seed ^ mix(h.Sum64()+uint64(episode)))
}

// mix is the splitmix64 finaliser.
func mix(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// episode is the outcome of one episode.
type episode struct {
	steps  int
	levels int
	won    bool
	// gameOvers counts the GAME_OVERs of the episode; with -game-over end
	// there is at most one, which ended it.
	gameOvers int
	ret       float64
	// score is the official score of the episode's run.
	score   float64
	seconds float64
	// done is set once the episode has been played to its end.
	done bool
}

// job names one episode to play.
type job struct{ game, episode int }

// runEpisodes plays every episode over cfg.workers goroutines and gathers
// the report. It returns when all workers have stopped.
//
// When the parent context is cancelled it stops early and returns the
// report of the episodes finished so far with the context's error.
func runEpisodes(parent context.Context, cfg runConfig, list []arc.GameInfo, io stdio) (*report, error) {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()

	results := make([][]episode, len(list))
	for i := range results {
		results[i] = make([]episode, cfg.episodes)
	}
	total := len(list) * cfg.episodes
	prog := newProgress(io.err, total, cfg.progress)
	start := time.Now()
	prog.start()

	jobs := make(chan job)
	var (
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
	)
	fail := func(err error) {
		errOnce.Do(func() { firstErr = err; cancel() })
	}
	for range min(cfg.workers, total) {
		wg.Go(func() {
			w, err := newWorker(cfg, list)
			if err != nil {
				fail(err)
				return
			}
			defer w.close()
			for j := range jobs {
				ep, err := w.play(ctx, j, prog)
				if err != nil {
					if parent.Err() == nil {
						fail(fmt.Errorf("%s episode %d: %w", list[j.game].ID, j.episode, err))
					}
					continue
				}
				results[j.game][j.episode] = ep
				prog.done(ep)
			}
		})
	}
feed:
	for e := range cfg.episodes {
		for g := range list {
			select {
			case jobs <- job{game: g, episode: e}:
			case <-ctx.Done():
				break feed
			}
		}
	}
	close(jobs)
	wg.Wait()
	prog.stop()
	if firstErr != nil {
		return nil, firstErr
	}
	return newReport(cfg, list, results, time.Since(start)), parent.Err()
}

// worker plays episodes with one agent and one Game per game, reused from
// episode to episode.
type worker struct {
	cfg   runConfig
	list  []arc.GameInfo
	games []*env.Game
	agent agent
}

func newWorker(cfg runConfig, list []arc.GameInfo) (*worker, error) {
	ag, err := newAgent(cfg.agent)
	if err != nil {
		return nil, err
	}
	return &worker{cfg: cfg, list: list, games: make([]*env.Game, len(list)), agent: ag}, nil
}

func (w *worker) close() {
	for _, g := range w.games {
		if g != nil {
			_ = g.Close()
		}
	}
}

// baseliner is implemented by backends whose level set, and so whose human
// baselines, depend on the seed.
type baseliner interface{ Baselines() []int }

// stepBatch is how many steps a worker plays between progress updates.
const stepBatch = 256

func (w *worker) play(ctx context.Context, j job, prog *progress) (episode, error) {
	g := w.games[j.game]
	if g == nil {
		var err error
		if g, err = env.Make(w.list[j.game].ID); err != nil {
			return episode{}, err
		}
		w.games[j.game] = g
	}
	info := g.GameInfo()
	seed := episodeSeed(w.cfg.seed, info.ID, j.episode)
	// A new episode starts a new game, whatever state the last one left.
	opts := env.ResetOptions{Mode: env.ResetGame}
	if w.cfg.procedural {
		// Seed 0 means the hand-made levels: keep generated ones nonzero.
		opts.Seed, opts.HasSeed = int64(seed>>1)|1, true
	}
	start := time.Now()
	obs, inf, err := g.Reset(ctx, opts)
	if err != nil {
		return episode{}, err
	}
	if b, ok := g.Backend().(baseliner); ok {
		info.BaselineActions = b.Baselines()
	}
	// The episode is one run on its own scorecard: the official accounting
	// and scoring of the run, with the baselines of the levels played.
	card := scorecard.New(scorecard.Meta{})
	card.Record(&info, inf.GUID, g.Last())
	w.agent.begin(info, seed)

	var ep episode
	batch := 0
	for ep.steps < w.cfg.maxSteps {
		a, ok := w.agent.act(obs.Grid.Data, &inf)
		if !ok {
			return episode{}, fmt.Errorf("no action available in state %s", inf.State)
		}
		st, err := g.Step(ctx, a)
		if err != nil {
			return episode{}, err
		}
		card.Record(&info, st.Info.GUID, g.Last())
		ep.steps++
		ep.ret += st.Reward
		if batch++; batch == stepBatch {
			prog.steps(batch)
			batch = 0
		}
		obs, inf = st.Obs, st.Info
		if inf.State == arc.GameOver {
			ep.gameOvers++
			if w.cfg.endOnGameOver || ep.steps == w.cfg.maxSteps {
				break
			}
			// The level starts over: the agent sees the fatal action lead
			// back to the level's first frame.
			if obs, inf, err = g.Reset(ctx, env.ResetOptions{Mode: env.ResetLevel}); err != nil {
				return episode{}, err
			}
			card.Record(&info, inf.GUID, g.Last())
		} else if st.Done() {
			break
		}
		w.agent.observe(obs.Grid.Data, &inf)
	}
	prog.steps(batch)
	ep.levels = inf.LevelsCompleted
	ep.won = inf.State == arc.Win
	if sum := card.Summary(); len(sum.Environments) == 1 {
		ep.score = sum.Environments[0].Score
	}
	ep.seconds = time.Since(start).Seconds()
	ep.done = true
	return ep, nil
}
