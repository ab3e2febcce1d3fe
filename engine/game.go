package engine

import "github.com/arcgym/arcgym/arc"

// Result is what a game's Step reports about an action.
type Result uint8

const (
	// Idle means the action changed nothing (a move into a wall, a click on
	// empty space). It still costs a step of the budget.
	Idle Result = iota
	// Changed means the state changed and play goes on.
	Changed
	// Solved means the action completed the level.
	Solved
	// Failed means the action lost the level (GAME_OVER).
	Failed
)

// Rules is what a game brings to the engine: its description, its level
// sets and the logic of one level. The engine owns the command protocol,
// levels, budget, undo, camera, HUD and frames; the game only builds a
// level's scene and applies actions to it. (An env.Game is the Env that
// plays a game through an Instance.)
//
// Load, Step, Save and Restore run on the hot path and must not allocate:
// keep sprites and scratch buffers in the game value and reuse them.
type Rules interface {
	// Spec describes the game; it is read once when a session is made.
	Spec() Spec
	// Levels returns the level set for seed: seed 0 must return the
	// hand-made levels, any other seed a procedurally generated set. It must
	// return Spec().Info.Levels levels and be deterministic in seed.
	Levels(seed int64) []Level
	// Load builds the scene of w.Level from its pristine definition. The
	// engine has already reset w.Scene to the level's size.
	Load(w *World)
	// Step applies one available action other than RESET (and other than
	// ACTION7 when the engine handles undo). It may call w.Emit to add
	// animation frames; the engine adds the settled frame afterwards.
	Step(w *World, a arc.Action) Result
	// Save appends the game state to dst for undo and returns it; at most
	// Spec().StateSize bytes.
	Save(dst []byte) []byte
	// Restore sets the state saved by Save and updates the scene.
	Restore(w *World, state []byte)
}

// Spec is the static description of a game.
type Spec struct {
	// Info is the game's metadata. Levels and BaselineActions are taken
	// from the hand-made levels (seed 0) when left empty.
	Info arc.GameInfo
	// Background is the scene's background colour, Letterbox the colour of
	// the frame outside the play area.
	Background, Letterbox uint8
	// Transition is the colour of the frame shown between a completed level
	// and the next one.
	Transition uint8
	// StateSize bounds what Save writes. With ACTION7 available and
	// StateSize > 0 the engine implements ACTION7 as undo: it saves the
	// state before every action that changes it and restores it on ACTION7.
	StateSize int
	// UndoDepth is the number of undo steps kept (default 256).
	UndoDepth int
	// HUD lists overlays drawn on every frame after scaling.
	HUD []Overlay
}

// World is what a game sees while it runs: the scene it draws into, the
// camera, the level being played and the run's progress.
type World struct {
	Scene  Scene
	Camera Camera
	// Level is the level being played; LevelIndex its 0-based index among
	// NumLevels, Completed the levels completed in this run.
	Level      *Level
	LevelIndex int
	NumLevels  int
	Completed  int
	// Steps counts the actions charged to the level's budget so far.
	Steps int
	// State is the game state as of the last command.
	State arc.GameState

	sess *Instance
}

// Emit adds a frame of the scene as it is now to the command's response: an
// animation frame. The engine adds the settled frame after Step returns.
// Animation frames beyond MaxAnimFrames in one command are dropped, so the
// engine's own frames always fit under arc.MaxFrames.
func (w *World) Emit() {
	if w.sess != nil && w.sess.out != nil && w.sess.out.NumFrames() < MaxAnimFrames {
		w.sess.emit()
	}
}

// MaxAnimFrames bounds the animation frames of one command.
const MaxAnimFrames = arc.MaxFrames - 4

// Cell maps an ACTION6's coordinates to the play-area cell under them; ok is
// false for a click in the letterbox.
func (w *World) Cell(a arc.Action) (gx, gy int, ok bool) {
	return w.Camera.ToGrid(int(a.X), int(a.Y))
}

// Remaining returns the steps left in the level's budget, or -1 without a
// budget.
func (w *World) Remaining() int {
	if w.Level == nil || w.Level.Budget == 0 {
		return -1
	}
	return max(w.Level.Budget-w.Steps, 0)
}
