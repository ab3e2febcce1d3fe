package main

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/arcengine"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/scorecard"
)

const runSummary = `Run plays many episodes of the games with a baseline agent, in parallel,
and prints a summary: per game the episodes, wins, levels completed, steps,
steps per second, mean return and the official score (best run per game, as
an ARC scorecard counts it, with the game's human baselines).

-game names the games: ids (base or versioned), comma-separated, and the
selectors all (every game), builtin (the built-in games) and real (the real
ARC-AGI-3 games of the games directory: -games, $ARCGYM_GAMES_DIR or
$ENVIRONMENTS_DIR). Real games run on the official engine in Python worker
processes and take milliseconds per step, hundreds of times longer than
built-in ones: give them fewer -episodes or -max-steps (the progress lines
show an ETA). Each run goroutine
plays one game at a time, keeping to it while it has episodes left, and has
at most one real game (one worker process) open at a time.

Agents: random draws uniformly among the available actions (the others are
masked); explore is a count-based explorer that prefers untried actions
and rarely visited states.

An episode ends on WIN or is truncated after -max-steps actions. A GAME_OVER
(a level's step budget spent) restarts the level and the episode goes on,
as a person retries, with the fatal action and the level RESET charged to
the run as an ARC scorecard charges them; -game-over end ends the episode
there instead. Every episode is seeded from -seed, the game and its index, so the
results (but not the timings) are the same for any -workers.

An error of a real game's own (it raised an exception, crashed, hung or
failed to load) ends its episode, counted under FAIL, and the run goes on;
at the end run prints the summary, then the first such error (with the
Python traceback), and exits with status 1.

-procedural plays a generated level set per episode of the built-in games.
A real game has the levels its code builds: a real game whose constructor
takes a seed is built anew for every episode with the episode's seed (as
the toolkit passes it), the others play as without -procedural; their
scores use the baselines of their metadata.json either way.`

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

// runRun is the run command.
func runRun(ctx context.Context, args []string, io stdio) error {
	var cfg runConfig
	fs := newFlagSet("run", "", runSummary, io)
	fs.StringVar(&cfg.game, "game", "all", "game ids (base or versioned) and selectors, comma-separated: all, builtin, real")
	fs.IntVar(&cfg.episodes, "episodes", 1000, "episodes per game")
	fs.IntVar(&cfg.maxSteps, "max-steps", 1000, "actions after which an episode is truncated")
	fs.Uint64Var(&cfg.seed, "seed", 1, "seed of the whole run")
	fs.IntVar(&cfg.workers, "workers", runtime.GOMAXPROCS(0), "episodes played at once (a real game's in a Python worker process of its own)")
	fs.StringVar(&cfg.agent, "agent", "random", "baseline agent: "+strings.Join(agentNames, " or "))
	fs.BoolVar(&cfg.procedural, "procedural", false, "play a procedurally generated level set per episode instead of the hand-made levels\n(real games: a seed per episode for those whose constructor takes one)")
	gameOver := fs.String("game-over", "restart", "what a GAME_OVER does: restart (the level starts over, the episode goes on) or end (the episode ends)")
	fs.BoolVar(&cfg.json, "json", false, "print the summary as JSON")
	fs.DurationVar(&cfg.progress, "progress", 0, "progress update interval (0: 100ms on a terminal, 2s otherwise)")
	quiet := fs.Bool("quiet", false, "print no progress")
	gf := addGameFlags(fs)
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
	cat, err := gf.open()
	if err != nil {
		return err
	}
	defer cat.Close()
	list, err := selectGames(cat, cfg.game)
	if err != nil {
		return err
	}
	if nReal := countReal(cat, list); nReal > 0 {
		// Start one worker now: an unusable interpreter fails the run
		// before it begins, and the first real game reuses the worker.
		if err := cat.pool.Warm(ctx, 1); err != nil {
			return err
		}
		if steps := nReal * cfg.episodes * cfg.maxSteps; steps >= longRealRun && cfg.progress >= 0 {
			fmt.Fprintf(io.err, "arcgym run: %d episodes of real games, of up to %d steps each at milliseconds a step, may take hours; "+
				"-episodes and -max-steps shorten the run\n", nReal*cfg.episodes, cfg.maxSteps)
		}
	}
	rep, runErr := runEpisodes(ctx, cfg, cat, list, io)
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
	if f := rep.firstFailure; err == nil && f != nil {
		return fmt.Errorf("%d of %d episodes ended on an error of their game (FAIL); the first, %s episode %d: %w",
			rep.Total.Failed, rep.Total.Episodes, f.game, f.episode, f.err)
	}
	return err
}

// longRealRun is the number of steps of real games from which run warns
// that it may take long (about half an hour at 2 ms per step).
const longRealRun = 1_000_000

// countReal counts the real games of list.
func countReal(cat *catalog, list []arc.GameInfo) int {
	n := 0
	for _, g := range list {
		if cat.isReal(g.ID) {
			n++
		}
	}
	return n
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
	// failed is the error of a real game (it raised, crashed, hung or
	// failed to load) that ended the episode early; the episode counts
	// what was played up to it.
	failed error
}

// job names one episode to play.
type job struct{ game, episode int }

// scheduler hands out the episodes of a run to its goroutines. A goroutine
// keeps to its game while the game has episodes left, so that a real
// game's session (its worker process and constructed game) serves episode
// after episode; otherwise it moves to the game with the fewest goroutines
// on it, then the most episodes left, then the first in the list. Which
// goroutine plays an episode does not change the episode: its seed depends
// on the game and its index only.
type scheduler struct {
	mu       sync.Mutex
	episodes int
	next     []int // next episode to hand out, per game
	on       []int // goroutines on each game
}

// newScheduler returns a scheduler of episodes of each of games.
func newScheduler(games, episodes int) *scheduler {
	return &scheduler{episodes: episodes, next: make([]int, games), on: make([]int, games)}
}

// take returns the next episode for a goroutine that last played game cur
// (-1 at first); ok is false when every episode has been handed out.
func (s *scheduler) take(cur int) (j job, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur >= 0 {
		if s.next[cur] < s.episodes {
			j = job{game: cur, episode: s.next[cur]}
			s.next[cur]++
			return j, true
		}
		s.on[cur]--
	}
	best := -1
	for g, n := range s.next {
		if n >= s.episodes {
			continue
		}
		if best < 0 || s.on[g] < s.on[best] || s.on[g] == s.on[best] && n < s.next[best] {
			best = g
		}
	}
	if best < 0 {
		return job{}, false
	}
	s.on[best]++
	j = job{game: best, episode: s.next[best]}
	s.next[best]++
	return j, true
}

// runEpisodes plays every episode over cfg.workers goroutines and gathers
// the report. It returns when all workers have stopped.
//
// When the parent context is cancelled it stops early and returns the
// report of the episodes finished so far with the context's error.
func runEpisodes(parent context.Context, cfg runConfig, cat *catalog, list []arc.GameInfo, io stdio) (*report, error) {
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

	sched := newScheduler(len(list), cfg.episodes)
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
			w, err := newWorker(cfg, cat, list)
			if err != nil {
				fail(err)
				return
			}
			defer w.close()
			cur := -1
			for ctx.Err() == nil {
				j, ok := sched.take(cur)
				if !ok {
					return
				}
				cur = j.game
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
	wg.Wait()
	prog.stop()
	if firstErr != nil {
		return nil, firstErr
	}
	// The real games played now know their level counts.
	list = cat.refresh(list)
	return newReport(cfg, cat, list, results, time.Since(start)), parent.Err()
}

// worker plays episodes with one agent. It keeps the env of every built-in
// game it played for its next episodes, but at most one real game's env
// (a session with a worker process of its own): it closes that before it
// opens another game.
type worker struct {
	cfg   runConfig
	cat   *catalog
	list  []arc.GameInfo
	real  []bool
	games []*env.Game
	// open is the index of the real game whose env is open, or -1.
	open  int
	agent agent
}

// newWorker returns a worker over the games of list, found in cat (nil:
// built-in games only).
func newWorker(cfg runConfig, cat *catalog, list []arc.GameInfo) (*worker, error) {
	ag, err := newAgent(cfg.agent)
	if err != nil {
		return nil, err
	}
	w := &worker{cfg: cfg, cat: cat, list: list, real: make([]bool, len(list)), games: make([]*env.Game, len(list)), open: -1, agent: ag}
	for i, info := range list {
		w.real[i] = cat.isReal(info.ID)
	}
	return w, nil
}

// game returns the env of game i, making it if needed.
func (w *worker) game(ctx context.Context, i int) (*env.Game, error) {
	if g := w.games[i]; g != nil {
		return g, nil
	}
	if w.real[i] && w.open >= 0 {
		_ = w.games[w.open].Close()
		w.games[w.open], w.open = nil, -1
	}
	g, err := w.cat.make(ctx, w.list[i].ID)
	if err != nil {
		return nil, err
	}
	w.games[i] = g
	if w.real[i] {
		w.open = i
	}
	return g, nil
}

// close closes every env of the worker.
func (w *worker) close() {
	for i, g := range w.games {
		if g != nil {
			_ = g.Close()
			w.games[i] = nil
		}
	}
	w.open = -1
}

// baseliner is implemented by backends whose level set, and so whose human
// baselines, depend on the seed.
type baseliner interface{ Baselines() []int }

// stepBatch is how many steps of a built-in game a worker plays between
// progress updates. A real game's steps, a thousand times slower, are
// reported one by one.
const stepBatch = 256

// play plays episode j. An error of a real game's own (it raised,
// crashed, hung or failed to load) ends the episode, which counts as
// failed, and the run goes on; any other error is returned and ends the
// run.
func (w *worker) play(ctx context.Context, j job, prog *progress) (episode, error) {
	start := time.Now()
	// Making a real game's env may start a worker process, which the
	// pool's start timeout bounds.
	cctx, cancel := w.bound(ctx, j.game, arcengine.DefaultStartTimeout)
	g, err := w.game(cctx, j.game)
	cancel()
	if err != nil {
		return w.failed(ctx, j, episode{seconds: time.Since(start).Seconds()}, err)
	}
	info := g.GameInfo()
	seed := episodeSeed(w.cfg.seed, info.ID, j.episode)
	// A new episode starts a new game, whatever state the last one left.
	opts := env.ResetOptions{Mode: env.ResetGame}
	if w.cfg.procedural {
		// Seed 0 means the hand-made levels: keep generated ones nonzero.
		// A real game takes the seed when its constructor does.
		opts.Seed, opts.HasSeed = int64(seed>>1)|1, true
	}
	start = time.Now()
	cctx, cancel = w.bound(ctx, j.game, 0)
	obs, inf, err := g.Reset(cctx, opts)
	cancel()
	if err != nil {
		return w.failed(ctx, j, episode{seconds: time.Since(start).Seconds()}, err)
	}
	if b, ok := g.Backend().(baseliner); ok {
		info.BaselineActions = b.Baselines()
	}
	// The episode is one run on its own scorecard: the official accounting
	// and scoring of the run, with the baselines of the levels played.
	card := scorecard.New(scorecard.Meta{})
	card.Record(&info, inf.GUID, g.Last())
	w.agent.begin(info, seed)

	var (
		ep      episode
		failure error
	)
	batch, flush := 0, stepBatch
	if w.real[j.game] {
		flush = 1
	}
	for ep.steps < w.cfg.maxSteps {
		a, ok := w.agent.act(obs.Grid.Data, &inf)
		if !ok {
			failure = fmt.Errorf("%w in state %s", errNoAction, inf.State)
			break
		}
		cctx, cancel := w.bound(ctx, j.game, 0)
		st, err := g.Step(cctx, a)
		cancel()
		if err != nil {
			failure = err
			break
		}
		card.Record(&info, st.Info.GUID, g.Last())
		ep.steps++
		ep.ret += st.Reward
		if batch++; batch == flush {
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
			cctx, cancel := w.bound(ctx, j.game, 0)
			obs, inf, err = g.Reset(cctx, env.ResetOptions{Mode: env.ResetLevel})
			cancel()
			if err != nil {
				failure = err
				break
			}
			card.Record(&info, inf.GUID, g.Last())
		} else if st.Done() {
			break
		}
		w.agent.observe(obs.Grid.Data, &inf)
	}
	prog.steps(batch)
	ep.levels = inf.LevelsCompleted
	ep.won = inf.State == arc.Win && failure == nil
	if sum := card.Summary(); len(sum.Environments) == 1 {
		ep.score = sum.Environments[0].Score
	}
	ep.seconds = time.Since(start).Seconds()
	if failure != nil {
		return w.failed(ctx, j, ep, failure)
	}
	ep.done = true
	return ep, nil
}

// realTimeout bounds each command of a run to a real game (its start, a
// RESET or an action): a game that takes longer is taken for hung, its
// worker process is killed and the episode fails. Real games answer in
// milliseconds.
var realTimeout = time.Minute

// noCancel is the cancel function of a context that bound left as it was.
func noCancel() {}

// bound returns the context of one command to game i: ctx, bounded by
// realTimeout plus extra for a real game.
func (w *worker) bound(ctx context.Context, i int, extra time.Duration) (context.Context, context.CancelFunc) {
	if !w.real[i] {
		return ctx, noCancel
	}
	return context.WithTimeout(ctx, realTimeout+extra)
}

// errNoAction is the failure of an agent that finds no action to take.
var errNoAction = errors.New("no action available")

// failed handles the error err that ended episode j after ep was played.
// An error of a real game's own ends the episode as failed: the game's env
// is closed, so that its next episode starts a new session. An unusable
// interpreter, an interrupt or an error with a built-in game end the run.
func (w *worker) failed(ctx context.Context, j job, ep episode, err error) (episode, error) {
	var we *arcengine.WorkerError
	if !w.real[j.game] || ctx.Err() != nil || fatalPoolError(err) ||
		!errors.As(err, &we) && !errors.Is(err, errNoAction) {
		return episode{}, err
	}
	if g := w.games[j.game]; g != nil {
		_ = g.Close()
		w.games[j.game] = nil
		if w.open == j.game {
			w.open = -1
		}
	}
	ep.done, ep.failed = true, err
	return ep, nil
}
