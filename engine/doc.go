// Package engine runs ARC-style games in process: levels, sprites, a
// camera, HUD overlays, animations, undo and the ARC command protocol, with
// no allocation per command.
//
// # Writing a game
//
// A game implements Rules. The engine owns everything but the rules:
//
//   - Spec describes the game once: its arc.GameInfo (id, title, tags,
//     available actions), background, letterbox and transition colours, the
//     HUD overlays and, for undo, the size of a saved state.
//   - Levels returns the level set for a seed. Seed 0 is the hand-made set;
//     other seeds generate levels procedurally, so agents can be tested on
//     levels they have never seen. Each Level has its own play-area size
//     (at most 64x64), a map of game-specific codes, a step budget and a
//     human baseline action count; generators also record a Solution.
//   - Load builds the scene of a level from its pristine definition; it runs
//     on every level start and level reset.
//   - Step applies one action and says what happened: Idle, Changed, Solved
//     or Failed. It may call World.Emit to add animation frames; the engine
//     appends the settled frame itself.
//   - Save and Restore snapshot the state for undo.
//
// # Scene, sprites and camera
//
// A Scene is the play area: a background colour and Sprites drawn in layer
// order. Sprite pixels are colours 0..15, Transparent (-1), or another
// negative value for an invisible pixel that still collides and can be hit.
// Sprites collide by bounding box (BlockBox) or pixel by pixel (BlockPixel);
// Scene.TryMove moves a sprite unless it would collide or leave the area,
// and Scene.HitTest finds the topmost sprite under a cell.
//
// Every sprite change marks the cells it touches; rendering recomposes only
// that rectangle and the Camera scales only those cells into a persistent
// 64x64 screen. The Camera scales the play area by the largest integer
// factor that fits 64x64, centres it and fills the margin with the
// letterbox colour; Camera.ToGrid (or World.Cell) maps an ACTION6 click back
// to a cell and reports false in the letterbox. Overlays (BudgetBar,
// LevelPips, or any Overlay) draw on each final frame after scaling.
//
// # Instances
//
// NewInstance wraps a game's Rules into an Instance, a running game with
// the semantics of the ARC REST API, which package games registers by game
// id:
//
//   - The first RESET starts the game at level one (FullReset). A RESET
//     after at least one action in the current level restarts that level and
//     keeps levels_completed; a RESET with no action in the level, or after
//     WIN, starts over from level one.
//   - Any other command before the first RESET or after WIN or GAME_OVER
//     fails with an error wrapping arc.ErrNotStarted and yields no frames.
//   - An action the game does not offer is accepted and counted (it makes a
//     later RESET a level reset) but changes nothing.
//   - Every offered action costs one step of the level's budget (undo
//     included); when the budget runs out without solving the level the
//     result is GAME_OVER.
//   - Solving a level returns the settled frame, a transition frame and the
//     first frame of the next level, with levels_completed already counted;
//     solving the last one returns WIN.
//   - With ACTION7 offered and Spec.StateSize set, ACTION7 is undo: the
//     engine saves the state before each action that changes it.
//   - Seed picks the level set from the next full reset on; the same seed
//     and actions always give the same frames.
//
// Instance.Do writes into a caller-owned arc.FrameData and reuses its frame
// buffer, so a warmed-up instance allocates nothing per command.
package engine
