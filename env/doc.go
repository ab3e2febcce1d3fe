// Package env defines arcgym's environment contract, Env, with Gymnasium's
// reset/step semantics, and Game, the Env over one ARC game backend.
//
// A backend speaks the raw ARC command protocol (RESET, ACTION1..ACTION7 and
// frame results); the local games of package games and the REST client of
// package remote are the two backends. Game turns the protocol into episodes:
//
//   - Reset starts an episode. By default it is a full game reset (level one,
//     a new run on the scorecard) whatever the ARC server would have decided;
//     ResetLevel and ResetAuto give ARC's other RESET kinds.
//   - Step sends one action and returns the last frame as the observation, all
//     frames of the command in Info.Frames, a reward from the progress delta,
//     and terminated on WIN or GAME_OVER (or, with GameOverRestartsLevel, a
//     level restart that keeps the episode going).
//
// Observations and infos are views into buffers the Game owns: they are valid
// until the next call on the same Game. Step allocates nothing on the local
// backend. A Step result is a struct of some 300 bytes; StepInto leaves it in
// memory the caller owns, and through a stack of wrappers that implement
// StepperInto (the Game and the standard wrappers do) it is written once
// rather than copied out of every layer.
package env
