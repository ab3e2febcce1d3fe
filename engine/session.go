package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/arcgym/arcgym/arc"
)

// ErrClosed is returned by Do on a closed Instance.
var ErrClosed = errors.New("engine: session closed")

// Instance runs one game with the command semantics of the ARC REST API.
// It satisfies games.Instance. It is not safe for concurrent use.
//
// RESET rules: the first RESET starts the game at level one (FullReset). A
// later RESET is a level reset (the current level rebuilt, progress kept)
// when at least one action was taken since the level began, and a full reset
// otherwise; after WIN it is always a full reset. Any other command before
// the first RESET or after WIN or GAME_OVER fails with arc.ErrNotStarted and
// yields no frames. An action outside the game's available set is accepted
// and counted, but changes nothing.
type Instance struct {
	game   Rules
	spec   Spec
	info   arc.GameInfo
	guid   string
	levels []Level
	// seed is the seed of levels. Seed records next, the seed of the set to
	// install at the next full reset; the set is only built then, and not at
	// all when it is the one in play.
	seed   int64
	next   int64
	reseed bool

	w            World
	started      bool
	closed       bool
	levelActions int
	undo         undoStack
	out          *arc.FrameData
	screen       arc.Frame
}

// NewInstance returns an instance of the game whose rules are g, playing the
// hand-made levels (seed 0).
// It panics if the game's spec or levels are inconsistent: games are
// compiled in and such an error is a programming error.
func NewInstance(g Rules) *Instance {
	spec := g.Spec()
	levels := g.Levels(0)
	info := spec.Info
	if info.Levels == 0 {
		info.Levels = len(levels)
	}
	if len(info.BaselineActions) == 0 {
		info.BaselineActions = Baselines(levels)
	}
	if err := checkLevels(levels, info.Levels); err != nil {
		panic(fmt.Sprintf("engine: game %s: %v", info.ID, err))
	}
	s := &Instance{game: g, spec: spec, info: info, guid: arc.NewGUID(), levels: levels}
	if info.Available.Has(arc.Action7) && spec.StateSize > 0 {
		depth := spec.UndoDepth
		if depth <= 0 {
			depth = 256
		}
		s.undo = newUndoStack(spec.StateSize, depth)
	}
	s.w.sess = s
	s.w.NumLevels = info.Levels
	return s
}

func checkLevels(levels []Level, want int) error {
	if len(levels) != want || want == 0 || want > 254 {
		return fmt.Errorf("%d levels, want %d (1..254)", len(levels), want)
	}
	for i := range levels {
		if err := levels[i].Validate(); err != nil {
			return err
		}
	}
	return nil
}

// Info returns the game's metadata.
func (s *Instance) Info() arc.GameInfo {
	in := s.info
	in.Tags = slices.Clone(in.Tags)
	in.BaselineActions = slices.Clone(in.BaselineActions)
	return in
}

// GUID returns the session id reported in every result.
func (s *Instance) GUID() string { return s.guid }

// FailsClean reports that Do leaves out as it was whenever it returns an
// error (env.CleanFailer): an env.Game then receives responses in place.
func (s *Instance) FailsClean() bool { return true }

// Seed selects the level set played from the next full reset on: 0 is the
// hand-made set, any other value a procedurally generated one. The same seed
// and the same actions give the same frames. The set is built at that
// reset, and reused when it is the set already in play, so reseeding every
// episode with the same seed costs nothing.
func (s *Instance) Seed(seed int64) {
	s.next = seed
	s.reseed = seed != s.seed
}

// install builds the level set chosen by Seed.
func (s *Instance) install() {
	levels := s.game.Levels(s.next)
	if err := checkLevels(levels, s.info.Levels); err != nil {
		// A generator that breaks its contract falls back to the hand-made
		// levels rather than leaving the session unplayable.
		levels = s.game.Levels(0)
	}
	s.levels = levels
	s.seed = s.next
	s.reseed = false
}

// Levels returns the level set in play (a view; do not modify).
func (s *Instance) Levels() []Level { return s.levels }

// Baselines returns the baseline action counts of the level set in play.
func (s *Instance) Baselines() []int { return Baselines(s.levels) }

// World returns the running world (a view for inspection and tests).
func (s *Instance) World() *World { return &s.w }

// Close releases the session; later commands fail with ErrClosed.
func (s *Instance) Close() error {
	s.closed = true
	return nil
}

// Do runs one command and writes its frames and state into out, reusing
// out's frame buffer. It allocates nothing once the buffer has grown.
func (s *Instance) Do(ctx context.Context, a arc.Action, out *arc.FrameData) error {
	// Every check comes before out is touched: see FailsClean.
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.closed {
		return ErrClosed
	}
	if err := a.Validate(); err != nil {
		return err
	}
	if a.ID != arc.Reset && (!s.started || s.w.State.Terminal()) {
		return fmt.Errorf("engine: %s on %s in state %s: %w", a.ID, s.info.ID, s.w.State, arc.ErrNotStarted)
	}
	out.ClearFrames()
	out.FullReset = false
	s.out = out
	if a.ID == arc.Reset {
		s.reset(out)
	} else {
		s.act(a)
	}
	s.out = nil
	out.GameID = s.info.ID
	out.GUID = s.guid
	out.State = s.w.State
	out.LevelsCompleted = s.w.Completed
	out.WinLevels = s.info.Levels
	out.Action = a
	out.Available = s.info.Available
	return nil
}

func (s *Instance) reset(out *arc.FrameData) {
	if !s.started || s.w.State == arc.Win || s.levelActions == 0 {
		if s.reseed {
			s.install()
		}
		s.w.Completed = 0
		s.load(0)
		out.FullReset = true
		s.started = true
	} else {
		s.load(s.w.LevelIndex)
	}
	s.emit()
}

// load rebuilds level i from its pristine definition.
func (s *Instance) load(i int) {
	lv := &s.levels[i]
	s.w.Level = lv
	s.w.LevelIndex = i
	s.w.Steps = 0
	s.w.State = arc.NotFinished
	s.levelActions = 0
	s.undo.clear()
	s.w.Scene.Reset(lv.W, lv.H, s.spec.Background)
	s.w.Camera = NewCamera(lv.W, lv.H, s.spec.Letterbox)
	s.w.Camera.Clear(s.screen[:])
	s.game.Load(&s.w)
}

func (s *Instance) act(a arc.Action) {
	s.levelActions++
	if !s.info.Available.Has(a.ID) {
		s.emit()
		return
	}
	s.w.Steps++
	var res Result
	if s.undo.enabled() && a.ID == arc.Action7 {
		res = Idle
		if st := s.undo.pop(); st != nil {
			s.game.Restore(&s.w, st)
			res = Changed
		}
	} else if s.undo.enabled() {
		i, buf := s.undo.slot()
		st := s.game.Save(buf)
		if len(st) > cap(buf) {
			panic(fmt.Sprintf("engine: game %s saved %d bytes of state, Spec.StateSize is %d", s.info.ID, len(st), cap(buf)))
		}
		res = s.game.Step(&s.w, a)
		if res != Idle {
			s.undo.push(i, len(st))
		}
	} else {
		res = s.game.Step(&s.w, a)
	}
	if res != Solved && res != Failed && s.w.Level.Budget > 0 && s.w.Steps >= s.w.Level.Budget {
		res = Failed
	}
	switch res {
	case Failed:
		s.w.State = arc.GameOver
		s.emit()
	case Solved:
		s.w.Completed++
		if s.w.Completed >= s.info.Levels || s.w.LevelIndex+1 >= len(s.levels) {
			s.w.State = arc.Win
			s.emit()
			return
		}
		s.emit()
		s.emitTransition()
		s.load(s.w.LevelIndex + 1)
		s.emit()
	default:
		s.emit()
	}
}

// emit renders the scene's changed cells into the persistent screen and
// appends it, with the HUD on top, to the response.
func (s *Instance) emit() {
	r := s.w.Scene.Compose()
	s.w.Camera.Blit(s.screen[:], s.w.Scene.Pixels(), r)
	f := s.out.AppendFrame(s.screen[:])
	for _, o := range s.spec.HUD {
		o.Draw(f, &s.w)
	}
}

// emitTransition appends a frame of the transition colour with the HUD: the
// pause between a completed level and the next.
func (s *Instance) emitTransition() {
	f := s.out.AppendFrame(s.screen[:])
	for i := range f {
		f[i] = s.spec.Transition
	}
	for _, o := range s.spec.HUD {
		o.Draw(f, &s.w)
	}
}

// Redraw renders the current state from scratch into dst (one 64x64
// frame): the whole play area, letterbox and HUD. Do renders incrementally;
// Redraw gives the reference picture its settled frames must equal.
func (s *Instance) Redraw(dst []uint8) {
	sc := &s.w.Scene
	// Cells changed since the last frame are still owed to the persistent
	// screen: keep them marked for the next command's frame.
	pending := sc.dirty
	sc.Invalidate(sc.Bounds())
	r := sc.Compose()
	sc.dirty = pending
	s.w.Camera.Clear(dst)
	s.w.Camera.Blit(dst, sc.Pixels(), r)
	for _, o := range s.spec.HUD {
		o.Draw(dst, &s.w)
	}
}
