// Package wrappers holds environment wrappers: each one is an env.Env that
// wraps another env.Env, changes one thing about it and passes the rest
// through, so they stack in any order and work alike over local games and
// remote sessions (they use nothing but the env.Env interface).
//
// The wrappers:
//
//   - FrameStack: the observation becomes the last n frames, (n,64,64).
//   - NewFrames, MaxPool: what an agent sees of a step that animates
//     over several frames: the last frame, all of them, or their maximum.
//   - ActionMask: Info.Mask from available_actions (and optionally a cell
//     mask for ACTION6, such as NonBackground), enforced by rejecting or
//     remapping masked actions.
//   - TimeLimit: truncates episodes after n steps or n scorecard actions.
//   - EpisodeStats: Info.Episode on the last step, with the official
//     efficiency score next to the return, and running means.
//   - Encode: Obs.Float from any Encoder (package encoding has them).
//   - TransformReward (ClipReward, ScaleReward), StickyActions.
//   - Reseed: a seed of its own for every episode, from a sequence that a
//     seeded reset restarts, so procedural games play new levels under
//     autoreset.
//   - Recorder: the official JSONL recording format; Replay checks a
//     recording against an Env.
//   - Render (ANSI terminal) and Video (animated GIF per episode).
//
// Every wrapper X is made the same way, by NewX(e, XConfig{...}), and every
// XConfig is an env.Wrapper whose Wrap method calls NewX, so that env.Wrap
// builds a whole stack from a list of configurations (closing what it built
// when one fails). NewFrames, which picks a wrapper by frame policy, is made
// the same way from a FramesConfig.
//
// Order matters where one wrapper reads what another writes. A typical stack,
// innermost first:
//
//	g, _ := env.Make(ctx, "ls20", env.Config{}) // or env.New(remoteBackend, env.Config{})
//	e, err := env.Wrap(g,
//		wrappers.ActionMaskConfig{Cells: wrappers.NonBackground},
//		wrappers.FrameStackConfig{Depth: 4},
//		wrappers.EncodeConfig{Encoder: encoding.OneHot{}}, // encodes the stack
//		wrappers.TimeLimitConfig{Max: 500},
//		wrappers.EpisodeStatsConfig{}, // outside TimeLimit
//	)
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
