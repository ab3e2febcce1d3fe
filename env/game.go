package env

import (
	"context"
	"errors"
	"fmt"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/arcengine"
	"github.com/arcgym/arcgym/games"
	"github.com/arcgym/arcgym/spaces"
	"github.com/arcgym/arcgym/tensor"
)

// Backend is one ARC game session speaking the raw command protocol. Do
// sends RESET or ACTION1..ACTION7 and writes the result into out, reusing
// out.Frames; on error the contents of out are unspecified and the Game
// discards them. games.Instance values (local games) and remote sessions
// are Backends.
type Backend interface {
	Info() arc.GameInfo
	Do(ctx context.Context, a arc.Action, out *arc.FrameData) error
	Close() error
}

// CleanFailer is implemented by backends whose Do leaves out as it was
// whenever it returns an error, as the built-in games' sessions do. A Game
// then has the backend write each response over the last one, in one
// buffer, rather than into a second buffer it swaps in on success: one
// frame less of memory per Game, which counts when a vector env steps
// a thousand of them.
type CleanFailer interface {
	FailsClean() bool
}

// Seeder is implemented by backends whose levels depend on a seed.
type Seeder interface {
	Seed(seed int64)
}

// Game is the Env over one ARC game backend. It is not safe for concurrent
// use; a vector env runs one Game per worker.
type Game struct {
	// out receives the steps of Step (see StepInto).
	out  Step
	b    Backend
	cfg  Config
	info arc.GameInfo

	cur, next   arc.FrameData
	inPlace     bool
	obsShape    [2]int
	framesShape [3]int

	started, done, closed bool
	// levelActions counts actions since the current level began: ARC's rule
	// for level versus full RESET depends on it.
	levelActions int
	runActions   int
	epSteps      int
	gameOvers    int

	obsSpace *spaces.Box
	actSpace *spaces.Action
	// reseeded is set when a seed was given; the next full reset refreshes
	// the per-level baselines, which depend on the level set.
	reseeded bool
}

// Baseliner is implemented by backends whose human baselines depend on the
// level set being played (procedurally generated levels).
type Baseliner interface {
	Baselines() []int
}

var _ Env = (*Game)(nil)

// New returns a Game over backend b configured by cfg (the zero Config is
// ready to use).
func New(b Backend, cfg Config) (*Game, error) {
	if b == nil {
		return nil, errors.New("env: nil backend")
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	info := b.Info()
	g := &Game{
		b:        b,
		cfg:      cfg,
		info:     info,
		obsShape: [2]int{arc.GridSize, arc.GridSize},
		obsSpace: spaces.NewBox(0, arc.NumColors-1, spaces.Uint8, arc.GridSize, arc.GridSize),
		actSpace: spaces.NewAction(info.Available),
	}
	cf, ok := b.(CleanFailer)
	g.inPlace = ok && cf.FailsClean()
	g.cur.SetFrames(1)
	if !g.inPlace {
		g.next.SetFrames(1)
	}
	if cfg.HasSeed {
		g.seed(cfg.Seed)
	}
	return g, nil
}

// Make returns a Game configured by cfg over a new session of the game
// named by id (versioned "base-version" or base id): a built-in local game,
// or else a real ARC-AGI-3 game from the games directory of
// arcengine.Default (ARCGYM_GAMES_DIR or the toolkit's ENVIRONMENTS_DIR, or
// the pool given to arcengine.SetDefault), run by the official engine in a
// worker process, whose start ctx bounds. It needs no network.
func Make(ctx context.Context, id string, cfg Config) (*Game, error) {
	var b Backend
	s, err := games.New(id)
	switch {
	case err == nil:
		b = s
	case !errors.Is(err, arc.ErrUnknownGame):
		return nil, err
	case !arcengine.HasDefault():
		return nil, fmt.Errorf("%w (for the real ARC-AGI-3 games, set %s to a folder of games in the toolkit's layout)",
			err, arcengine.EnvGamesDir)
	default:
		rs, rerr := arcengine.NewDefault(ctx, id)
		if rerr != nil {
			return nil, rerr
		}
		b = rs
	}
	g, err := New(b, cfg)
	if err != nil {
		_ = b.Close()
		return nil, err
	}
	return g, nil
}

// GameInfo returns the game's metadata. After a seeded full reset of a
// backend with procedural levels, BaselineActions are those of the levels
// being played.
func (g *Game) GameInfo() arc.GameInfo { return g.info }

// Backend returns the backend the Game drives.
func (g *Game) Backend() Backend { return g.b }

// Last returns the last result received from the backend (a view, valid
// until the next call).
func (g *Game) Last() *arc.FrameData { return &g.cur }

// WriteFramesTo asks the Game to have the frames of later commands written
// into buf while they fit (buf holds one 64x64 frame or more): the
// observation of a one-frame step is then a view of buf, and a caller that
// keeps observations in memory of its own, as the vector envs keep their
// batch rows, need not copy it. It reports whether the backend allows it:
// one that writes its results in place (the built-in games) does; results
// of other backends, and frames that do not fit, stay in the Game's own
// storage. buf is written by every later Reset and Step; a nil buf undoes
// the request.
func (g *Game) WriteFramesTo(buf []uint8) bool {
	if !g.inPlace {
		return false
	}
	g.cur.UseBuffer(buf)
	return true
}

// ObservationSpace is Box(0, 15, (64,64), uint8).
func (g *Game) ObservationSpace() spaces.Space { return g.obsSpace }

// ActionSpace is the ARC action space over the game's available actions.
func (g *Game) ActionSpace() spaces.Space { return g.actSpace }

func (g *Game) seed(seed int64) {
	if s, ok := g.b.(Seeder); ok {
		s.Seed(seed)
		g.reseeded = true
	}
	g.actSpace.Seed(uint64(seed))
	g.obsSpace.Seed(uint64(seed))
}

// Reset starts a new episode; see ResetMode for the kinds of reset.
func (g *Game) Reset(ctx context.Context, opts ResetOptions) (Obs, Info, error) {
	if g.closed {
		return Obs{}, Info{}, ErrClosed
	}
	if opts.Mode > ResetAuto {
		return Obs{}, Info{}, fmt.Errorf("env: unknown reset mode %d", opts.Mode)
	}
	if opts.HasSeed {
		g.seed(opts.Seed)
	}
	// A RESET is a full reset when the session is new, nothing was done in
	// the current level, or the game was won; otherwise it restarts the level.
	fullNext := !g.started || g.levelActions == 0 || g.cur.State == arc.Win
	sends := 1
	switch opts.Mode {
	case ResetGame:
		if !fullNext {
			sends = 2
		}
	case ResetLevel:
		if g.started && fullNext && g.cur.State != arc.Win {
			sends = 0
		}
	}
	full := false
	for i := 0; i < sends; i++ {
		if err := g.do(ctx, arc.Action{ID: arc.Reset}); err != nil {
			return Obs{}, Info{}, err
		}
		if fullNext {
			full = true
			g.runActions = 0
		} else {
			g.runActions++
		}
		g.levelActions = 0
		g.started = true
		fullNext = true
	}
	g.cur.FullReset = full
	if full && g.reseeded {
		if bl, ok := g.b.(Baseliner); ok {
			g.info.BaselineActions = append(g.info.BaselineActions[:0:0], bl.Baselines()...)
		}
		g.reseeded = false
	}
	g.done = false
	g.epSteps = 0
	g.gameOvers = 0
	info := g.infoNow()
	if sends == 0 {
		// Nothing was sent: the episode starts from the observation alone,
		// not from the animation of the step before it. Info.Action still
		// names that step's action, telling that no RESET went out.
		g.framesShape = [3]int{1, arc.GridSize, arc.GridSize}
		info.Frames = tensor.U8{Shape: g.framesShape[:], Data: g.cur.Last()}
	}
	return g.obs(), info, nil
}

// Step applies one action; see the package documentation for its semantics.
// An error from the backend leaves the Game as it was before the action,
// so the Step can be retried, except when the action was applied and the
// level reset that GameOverRestartsLevel sends after a GAME_OVER failed:
// the episode is then over and Step returns ErrNeedsReset until Reset.
func (g *Game) Step(ctx context.Context, a arc.Action) (Step, error) {
	err := g.StepInto(ctx, a, &g.out)
	return g.out, err
}

// StepInto is Step with the result left in *st (see StepperInto).
func (g *Game) StepInto(ctx context.Context, a arc.Action, st *Step) error {
	if g.closed {
		return failStep(st, ErrClosed)
	}
	if !g.started || g.done {
		return failStep(st, ErrNeedsReset)
	}
	if a.ID == arc.Reset {
		return failStep(st, fmt.Errorf("%w: RESET is not a step action; call Reset", arc.ErrInvalidAction))
	}
	if err := a.Validate(); err != nil {
		return failStep(st, err)
	}
	if g.cfg.Unavailable == RejectUnavailable && !g.cur.Available.Has(a.ID) {
		return failStep(st, fmt.Errorf("%w: %s not in available actions %v", arc.ErrActionNotAvailable, a, g.cur.Available))
	}
	prev := g.progress()
	if err := g.do(ctx, a); err != nil {
		return failStep(st, err)
	}
	g.epSteps++
	g.runActions++
	g.levelActions++
	if g.cur.LevelsCompleted != prev.LevelsCompleted {
		g.levelActions = 0
	}
	*st = Step{Reward: g.cfg.Reward(prev, g.progress())}
	switch g.cur.State {
	case arc.Win:
		st.Terminated = true
	case arc.GameOver:
		if g.cfg.GameOver == GameOverEnds {
			st.Terminated = true
			break
		}
		if err := g.do(ctx, arc.Action{ID: arc.Reset}); err != nil {
			// The game is over and could not be restarted: the episode
			// cannot go on, and Reset recovers.
			g.done = true
			return failStep(st, fmt.Errorf("env: level reset after GAME_OVER: %w", err))
		}
		g.cur.FullReset = false
		g.runActions++
		g.levelActions = 0
		g.gameOvers++
	}
	g.done = st.Terminated
	st.Obs = g.obs()
	st.Info = g.infoNow()
	st.Info.Action = a
	return nil
}

// failStep zeroes *st and returns err.
func failStep(st *Step, err error) error {
	*st = Step{}
	return err
}

// do sends one command into the spare buffer and swaps it in on success, so
// a failed command leaves the last good result untouched.
func (g *Game) do(ctx context.Context, a arc.Action) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if g.inPlace {
		if err := g.b.Do(ctx, a, &g.cur); err != nil {
			return err
		}
		if g.cur.NumFrames() == 0 {
			return fmt.Errorf("%w: %s returned no frames", arc.ErrInvalidFrame, a)
		}
		return nil
	}
	if err := g.b.Do(ctx, a, &g.next); err != nil {
		return err
	}
	if g.next.NumFrames() == 0 {
		return fmt.Errorf("%w: %s returned no frames", arc.ErrInvalidFrame, a)
	}
	g.cur, g.next = g.next, g.cur
	return nil
}

func (g *Game) progress() Progress {
	return Progress{State: g.cur.State, LevelsCompleted: g.cur.LevelsCompleted, WinLevels: g.cur.WinLevels}
}

func (g *Game) obs() Obs {
	return Obs{Grid: tensor.U8{Shape: g.obsShape[:], Data: g.cur.Last()}}
}

func (g *Game) infoNow() Info {
	g.framesShape = [3]int{g.cur.NumFrames(), arc.GridSize, arc.GridSize}
	return Info{
		GameID:          g.cur.GameID,
		GUID:            g.cur.GUID,
		State:           g.cur.State,
		LevelsCompleted: g.cur.LevelsCompleted,
		WinLevels:       g.cur.WinLevels,
		Available:       g.cur.Available,
		Frames:          tensor.U8{Shape: g.framesShape[:], Data: g.cur.Frames},
		FullReset:       g.cur.FullReset,
		Action:          g.cur.Action,
		EpisodeSteps:    g.epSteps,
		ScoreActions:    g.runActions,
		GameOvers:       g.gameOvers,
	}
}

// Close closes the backend. It is safe to call more than once.
func (g *Game) Close() error {
	if g.closed {
		return nil
	}
	g.closed = true
	return g.b.Close()
}
