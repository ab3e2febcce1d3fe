package env

import (
	"context"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/spaces"
	"github.com/arcgym/arcgym/tensor"
)

// Env is a reinforcement-learning environment over an ARC game, with
// Gymnasium's reset/step contract. Wrappers are Envs themselves.
//
// Reset must be called before the first Step and after an episode ends
// (terminated or truncated); Step then returns ErrNeedsReset. Results are
// views into buffers owned by the Env and stay valid until the next call.
type Env interface {
	// Reset starts a new episode and returns the first observation.
	Reset(ctx context.Context, opts ResetOptions) (Obs, Info, error)
	// Step applies one action.
	Step(ctx context.Context, a arc.Action) (Step, error)
	// ObservationSpace describes Obs.Grid.
	ObservationSpace() spaces.Space
	// ActionSpace describes the actions Step accepts. It is a *spaces.Action
	// for a Game and the wrappers that keep its actions; it is a
	// spaces.Space so that a wrapper may offer actions of another kind
	// (wrappers.TransformAction takes any Space). ActionSpaceOf returns it
	// as a *spaces.Action.
	ActionSpace() spaces.Space
	// Close releases the environment; further calls fail with ErrClosed.
	Close() error
}

// ActionSpaceOf returns e's action space as the ARC action space, with the
// comma-ok of a type assertion: ok is false when e's space is of another
// kind (a wrapper that changed it) or e is nil. A Game's space is always a
// *spaces.Action, and so is the space of every wrapper that keeps the
// actions of the Env it wraps. The space is e's own, not a copy: seeding or
// sampling it draws from e's sampler.
func ActionSpaceOf(e Env) (space *spaces.Action, ok bool) {
	if e == nil {
		return nil, false
	}
	space, ok = e.ActionSpace().(*spaces.Action)
	return space, ok && space != nil
}

// StepperInto is an Env that can leave a step's result in memory the
// caller owns. StepInto does what Step does, with the result in *st (the
// zero Step on error): through a stack of wrappers that all implement it,
// the result is written once instead of copied out of every layer. The
// standard wrappers and Game implement it; StepInto calls it when present.
type StepperInto interface {
	StepInto(ctx context.Context, a arc.Action, st *Step) error
}

// StepInto steps e and leaves the result in *st: through e's StepInto when
// e is a StepperInto, else through Step.
func StepInto(ctx context.Context, e Env, a arc.Action, st *Step) error {
	if s, ok := e.(StepperInto); ok {
		return s.StepInto(ctx, a, st)
	}
	return stepAdapter{e}.StepInto(ctx, a, st)
}

// Into returns e as a StepperInto: e itself when it is one, else an adapter
// that copies the result of e.Step. A wrapper calls it once, when it is
// made, and steps the Env it wraps through the result.
func Into(e Env) StepperInto {
	if s, ok := e.(StepperInto); ok {
		return s
	}
	return stepAdapter{e}
}

// stepAdapter gives an Env without StepInto one, through Step.
type stepAdapter struct{ e Env }

func (s stepAdapter) StepInto(ctx context.Context, a arc.Action, st *Step) error {
	r, err := s.e.Step(ctx, a)
	*st = r
	return err
}

// Obs is an observation. Grid holds colour indices: one frame (64,64) from a
// plain Game, or a stack (k,64,64) from a frame-stacking wrapper. Float is
// empty unless an encoding wrapper filled it with a float tensor.
type Obs struct {
	Grid  tensor.U8
	Float tensor.F32
}

// Step is the result of Env.Step.
type Step struct {
	Obs        Obs
	Reward     float64
	Terminated bool
	Truncated  bool
	Info       Info
}

// Done reports whether the episode ended (terminated or truncated).
func (s *Step) Done() bool { return s.Terminated || s.Truncated }

// Info carries everything about a step or reset besides the observation.
type Info struct {
	GameID string
	GUID   string
	State  arc.GameState
	// LevelsCompleted and WinLevels are the game's progress counters.
	LevelsCompleted int
	WinLevels       int
	// Available is the set of actions the game offers now.
	Available arc.ActionSet
	// Frames holds every frame of the last command, shape (n,64,64); the
	// observation is the last of them. After a GAME_OVER that the Game
	// recovered from by a level reset, these are the frames of that reset.
	Frames tensor.U8
	// FullReset is true when the command started a new run at level one.
	FullReset bool
	// Action is the action that was applied (after any wrapper remapping).
	Action arc.Action
	// EpisodeSteps counts Step calls in this episode.
	EpisodeSteps int
	// ScoreActions counts the actions the scorecard charges for this run:
	// every ACTION and every level RESET since the run began.
	ScoreActions int
	// GameOvers counts GAME_OVERs recovered from in this episode.
	GameOvers int
	// Mask is the flat action mask (len spaces.FlatSize) when an action
	// masking wrapper is present, nil otherwise.
	Mask []bool
	// Episode is set on the last step of an episode by an episode-statistics
	// wrapper, nil otherwise.
	Episode *EpisodeStats
}

// EpisodeStats summarises a finished episode.
type EpisodeStats struct {
	// Return is the sum of rewards; Length the number of steps.
	Return float64
	Length int
	// Levels is the number of levels completed, Won whether the game was won.
	Levels int
	Won    bool
	// ScoreActions is what the scorecard charges for the episode's run.
	ScoreActions int
	// Score is the official efficiency score (0..100) of the run, when the
	// game's human baselines are known.
	Score float64
	// Seconds is the wall-clock duration of the episode.
	Seconds float64
}

// ResetMode selects the kind of RESET that Env.Reset performs.
type ResetMode uint8

const (
	// ResetGame starts over from level one as a new run (the Gymnasium
	// meaning of reset). The Game sends a second RESET when ARC's rules would
	// make the first a level reset.
	ResetGame ResetMode = iota
	// ResetLevel restarts the current level and keeps the progress; when no
	// action was taken in the level it sends nothing, the level being
	// pristine already (Info.Frames then holds the observation only, and
	// Info.Action the last action sent, not RESET). After WIN it is a full
	// reset, as in ARC.
	ResetLevel
	// ResetAuto sends exactly one RESET and lets the game decide (ARC's own
	// rule: level reset if an action was taken in the current level).
	ResetAuto
)

// String names the mode.
func (m ResetMode) String() string {
	switch m {
	case ResetGame:
		return "game"
	case ResetLevel:
		return "level"
	case ResetAuto:
		return "auto"
	}
	return "ResetMode(?)"
}

// ResetOptions configures one Reset. The zero value is a full game reset with
// no new seed.
type ResetOptions struct {
	Mode ResetMode
	// Seed, when HasSeed is set, reseeds the environment: the backend's
	// procedural levels (local games) and the spaces' samplers.
	Seed    int64
	HasSeed bool
}

// WithSeed returns the ResetOptions of a full reset under seed (see
// ResetOptions.Seed). To seed a Game when it is made, set Config.Seed and
// Config.HasSeed.
func WithSeed(seed int64) ResetOptions { return ResetOptions{Seed: seed, HasSeed: true} }

// Encoder turns a tensor of colour indices into a float tensor, the input
// of a model (Obs.Float): package encoding provides the standard encoders,
// and the encoding wrappers of packages wrappers and vector take any.
//
// OutShape returns the shape Encode writes for an input of shape in, or nil
// when the encoder does not accept that shape. Encode writes the encoding of
// src into dst, whose shape is OutShape(src.Shape); it must not keep either
// tensor and should allocate nothing.
type Encoder interface {
	OutShape(in []int) []int
	Encode(dst tensor.F32, src tensor.U8) error
}
