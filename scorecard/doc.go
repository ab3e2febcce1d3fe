// Package scorecard keeps ARC-AGI-3 scorecards locally and scores them the
// way the official toolkit does.
//
// A Card records the result of every command a server accepted for the
// sessions opened under it. Each play of a game from level one is a run:
// the RESET that creates a session or brings it back to level one starts a
// new run, every accepted ACTION is charged one action, and a RESET that
// restarts the current level is charged one action and one reset. Commands a
// server rejects (for instance an ACTION after WIN or GAME_OVER) are never
// recorded. Each time levels_completed changes the card notes the run's
// cumulative action count, so that the actions spent on a level, wasted
// moves and level resets included, are charged to that level.
//
// Scoring (RunScore) compares each completed level with its human baseline:
// a level completed in a actions against a baseline of b scores
// min(115, 100·(b/a)²). A run's score is the mean of its level scores
// weighted by the 1-based level index, over all levels of the game, capped at
// what a perfect score on the levels it completed would give; a full clear
// at human efficiency is therefore 100. A game scores its best run and the
// card the mean over its games; a competition card also counts every game it
// never started, with a score of 0.
//
// Summary returns the scorecard in the JSON shape of the REST API
// (wire.Scorecard), GameAggregate the older per-game shape.
package scorecard
