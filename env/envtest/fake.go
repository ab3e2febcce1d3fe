package envtest

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/arcgym/arcgym/arc"
)

// FakeConfig configures a Fake. The zero value gives a three-level game that
// offers ACTION1..ACTION7 and returns one frame per command.
type FakeConfig struct {
	// ID is the versioned game id; default "fake-0000000f".
	ID string
	// Levels is the number of levels (default 3).
	Levels int
	// Available is the action set (default ACTION1..ACTION7).
	Available arc.ActionSet
	// Budget, when positive, is the number of actions allowed per level;
	// the action that uses it up ends in GAME_OVER.
	Budget int
	// FramesPerAction is the number of frames each ACTION returns
	// (default 1); level transitions return one more.
	FramesPerAction int
	// Latency delays every command, honouring the context.
	Latency time.Duration
	// Baselines are the per-level human baselines (default 2 per level).
	Baselines []int
	// Fail, when set, is called before every command with its 1-based
	// sequence number; a non-nil error is returned and the command is not
	// applied.
	Fail func(n int, a arc.Action) error
	// InPlace makes the Fake report that it fails clean (env.CleanFailer),
	// which it does, every check coming before the result is touched: a
	// Game over it then keeps results in place, as over the built-in
	// games, and can write its frames into memory of the caller's.
	InPlace bool
}

// Fake is a scripted ARC game backend for tests. Its rules:
//
//   - ACTION1 completes the current level (the last one wins the game);
//   - ACTION2 loses the game (GAME_OVER);
//   - ACTION6 paints cell (x, y); ACTION3, ACTION4 and ACTION5 paint a cell
//     that depends on the action and the step count;
//   - ACTION7 undoes the last paint of the level;
//   - an action not in Available is counted but changes nothing.
//
// The background colour of a level depends on the seed and the level, so
// frames differ between seeds and levels. RESET follows ARC: a level reset
// when an action was taken in the current level, otherwise (or after WIN) a
// full reset. Fake implements env.Backend and env.Seeder. It is safe to read
// its counters from other goroutines.
type Fake struct {
	cfg  FakeConfig
	info arc.GameInfo
	guid string

	seed, nextSeed int64
	started        bool
	state          arc.GameState
	level          int
	levelActions   int
	steps          int
	grid           arc.Frame
	undo           []int32 // painted cells of this level: index<<8 | old colour

	commands atomic.Int64
	resets   atomic.Int64
	actions  atomic.Int64
	closed   atomic.Bool
}

// NewFake returns a Fake configured by cfg.
func NewFake(cfg FakeConfig) *Fake {
	if cfg.ID == "" {
		cfg.ID = "fake-0000000f"
	}
	if cfg.Levels <= 0 {
		cfg.Levels = 3
	}
	if cfg.Available == 0 {
		cfg.Available = arc.ActionSetOf(arc.Action1, arc.Action2, arc.Action3, arc.Action4, arc.Action5, arc.Action6, arc.Action7)
	}
	if cfg.FramesPerAction <= 0 {
		cfg.FramesPerAction = 1
	}
	if cfg.Baselines == nil {
		cfg.Baselines = make([]int, cfg.Levels)
		for i := range cfg.Baselines {
			cfg.Baselines[i] = 2
		}
	}
	return &Fake{
		cfg:  cfg,
		guid: "00000000-0000-4000-8000-000000000001",
		info: arc.GameInfo{
			ID: cfg.ID, Title: "Fake", Tags: []string{"keyboard_click"},
			BaselineActions: cfg.Baselines, DefaultFPS: 10, ClassName: "Fake",
			Available: cfg.Available, Levels: cfg.Levels,
		},
		undo: make([]int32, 0, 64),
	}
}

// Info returns the fake game's metadata.
func (f *Fake) Info() arc.GameInfo { return f.info }

// Seed selects the seed used from the next full reset on.
func (f *Fake) Seed(seed int64) { f.nextSeed = seed }

// Close marks the fake closed; later commands fail.
func (f *Fake) Close() error {
	f.closed.Store(true)
	return nil
}

// Commands returns the number of commands applied (failed ones excluded).
func (f *Fake) Commands() int { return int(f.commands.Load()) }

// Resets returns the number of RESETs applied.
func (f *Fake) Resets() int { return int(f.resets.Load()) }

// Actions returns the number of ACTIONs applied.
func (f *Fake) Actions() int { return int(f.actions.Load()) }

// Level returns the current level index (0-based).
func (f *Fake) Level() int { return f.level }

func (f *Fake) background() uint8 {
	c := (f.seed*7 + int64(f.level)*3) % arc.NumColors
	if c < 0 {
		c += arc.NumColors
	}
	return uint8(c)
}

func (f *Fake) paintLevel() {
	bg := f.background()
	for i := range f.grid {
		f.grid[i] = bg
	}
	// Row 0 shows the level as a run of cells in a contrasting colour.
	mark := (bg + 8) % arc.NumColors
	for i := 0; i <= f.level && i < arc.GridSize; i++ {
		f.grid[i] = mark
	}
	f.undo = f.undo[:0]
}

func (f *Fake) paint(cell int, colour uint8) {
	if len(f.undo) < cap(f.undo) {
		f.undo = append(f.undo, int32(cell)<<8|int32(f.grid[cell]))
	} else {
		copy(f.undo, f.undo[1:])
		f.undo[len(f.undo)-1] = int32(cell)<<8 | int32(f.grid[cell])
	}
	f.grid[cell] = colour
}

// FailsClean reports whether the Fake says that it fails clean: see
// FakeConfig.InPlace.
func (f *Fake) FailsClean() bool { return f.cfg.InPlace }

// Do applies one command with ARC semantics and writes the result into out.
func (f *Fake) Do(ctx context.Context, a arc.Action, out *arc.FrameData) error {
	if f.closed.Load() {
		return fmt.Errorf("envtest: fake %s is closed", f.cfg.ID)
	}
	if f.cfg.Latency > 0 {
		t := time.NewTimer(f.cfg.Latency)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	} else if err := ctx.Err(); err != nil {
		return err
	}
	if f.cfg.Fail != nil {
		if err := f.cfg.Fail(int(f.commands.Load())+1, a); err != nil {
			return err
		}
	}
	if err := a.Validate(); err != nil {
		return err
	}
	if a.ID != arc.Reset && (!f.started || f.state.Terminal()) {
		return fmt.Errorf("%w: %s on game %s", arc.ErrNotStarted, a, f.cfg.ID)
	}
	out.SetFrames(0)
	full := false
	if a.ID == arc.Reset {
		full = !f.started || f.levelActions == 0 || f.state == arc.Win
		if full {
			f.seed = f.nextSeed
			f.level = 0
			f.steps = 0
		}
		f.started = true
		f.state = arc.NotFinished
		f.levelActions = 0
		f.paintLevel()
		f.resets.Add(1)
	} else {
		f.actions.Add(1)
		f.steps++
		f.levelActions++
		for k := 1; k < f.cfg.FramesPerAction; k++ {
			// Animation frames: a marker sweeping along the last row.
			fr := out.AppendFrame(f.grid[:])
			fr[(arc.GridSize-1)*arc.GridSize+k%arc.GridSize] = uint8(k % arc.NumColors)
		}
		if f.cfg.Available.Has(a.ID) {
			f.apply(a, out)
		}
		if f.state == arc.NotFinished && f.cfg.Budget > 0 && f.levelActions >= f.cfg.Budget {
			f.state = arc.GameOver
		}
	}
	out.AppendFrame(f.grid[:])
	f.commands.Add(1)
	out.GameID = f.cfg.ID
	out.GUID = f.guid
	out.State = f.state
	out.LevelsCompleted = f.level
	if f.state == arc.Win {
		out.LevelsCompleted = f.cfg.Levels
	}
	out.WinLevels = f.cfg.Levels
	out.Action = a
	out.Available = f.cfg.Available
	out.FullReset = full
	return nil
}

func (f *Fake) apply(a arc.Action, out *arc.FrameData) {
	switch a.ID {
	case arc.Action1:
		if f.level+1 == f.cfg.Levels {
			f.state = arc.Win
			return
		}
		// Transition frame, then the next level's first frame.
		out.AppendFrame(f.grid[:])
		f.level++
		f.levelActions = 0
		f.paintLevel()
	case arc.Action2:
		f.state = arc.GameOver
	case arc.Action6:
		f.paint(int(a.Y)*arc.GridSize+int(a.X), (f.background()+1)%arc.NumColors)
	case arc.Action7:
		if n := len(f.undo); n > 0 {
			u := f.undo[n-1]
			f.undo = f.undo[:n-1]
			f.grid[u>>8] = uint8(u & 0xff)
		}
	default:
		cell := arc.GridSize + (f.steps*13+int(a.ID)*7)%(arc.FrameCells-arc.GridSize)
		f.paint(cell, (f.background()+uint8(a.ID))%arc.NumColors)
	}
}
