// Package wrappers holds environment wrappers: each one is an env.Env that
// wraps another env.Env, changes one thing about it and passes the rest
// through, so they stack in any order and work alike over local games and
// remote sessions (they use nothing but the env.Env interface).
//
// The wrappers:
//
//   - FrameStack: the observation becomes the last n frames, (n,64,64).
//   - WithFramePolicy, MaxPool: what an agent sees of a step that animates
//     over several frames: the last frame, all of them, or their maximum.
//   - ActionMask: Info.Mask from available_actions (and optionally a cell
//     mask for ACTION6, such as NonBackground), enforced by rejecting or
//     remapping masked actions.
//   - TimeLimit: truncates episodes after n steps or n scorecard actions.
//   - EpisodeStats: Info.Episode on the last step, with the official
//     efficiency score next to the return, and running means.
//   - Encode: Obs.Float from any Encoder (package encoding has them).
//   - TransformReward (NewClipReward, NewScaleReward), StickyActions.
//   - Reseed: a seed of its own for every episode, from a sequence that a
//     seeded reset restarts, so procedural games play new levels under
//     autoreset.
//   - Recorder: the official JSONL recording format; Replay checks a
//     recording against an Env.
//   - Render (ANSI terminal) and Video (animated GIF per episode).
//
// Order matters where one wrapper reads what another writes. A typical stack,
// innermost first:
//
//	g, _ := env.Make("ls20")                        // or env.New(remoteBackend)
//	e1, _ := wrappers.NewActionMask(g, wrappers.ActionMaskConfig{Cells: wrappers.NonBackground})
//	e2, _ := wrappers.NewFrameStack(e1, 4, wrappers.FrameStackConfig{})
//	e3, _ := wrappers.NewEncode(e2, encoding.OneHot{})  // encodes the stack
//	e4, _ := wrappers.NewTimeLimit(e3, 500, wrappers.TimeLimitConfig{})
//	e5, _ := wrappers.NewEpisodeStats(e4, wrappers.EpisodeStatsConfig{}) // outside TimeLimit
//
// Encode encodes whatever observation it receives, so it goes outside
// FrameStack to encode the stack; EpisodeStats goes outside TimeLimit to
// see truncations. Every wrapper has Unwrap; Find and GameInfo search the
// chain.
//
// Observations, infos and masks are views into buffers the wrappers own:
// they are valid until the next call on the same Env, and Step allocates
// nothing in any wrapper except Recorder and Video, which write files.
// Wrappers are not safe for concurrent use; a vector env runs one stack per
// worker.
package wrappers
