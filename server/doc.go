// Package server serves arcgym's local games over the ARC-AGI-3 REST API, so
// that any ARC client (the official toolkit, arcgym's remote backend, an
// agent written against the hosted service) can play them.
//
// The routes, bodies and status codes are those of the reference server:
//
//	GET  /api/healthcheck                      "okay" (text/plain)
//	GET  /api/games                            game list
//	GET  /api/games/{game_id}                  one game (versioned or base id), with baselines
//	POST /api/scorecard/open                   {"card_id": ...}
//	POST /api/scorecard/close                  final scorecard summary
//	GET  /api/scorecard/{card_id}              current summary
//	GET  /api/scorecard/{card_id}/{game_id}    per-game aggregate (older shape)
//	POST /api/cmd/RESET, /api/cmd/ACTION1..7   frame object
//
// Sessions follow ARC's rules: a RESET without guid opens a session under a
// scorecard; a RESET on a session restarts the current level when an action
// was taken in it and goes back to level one otherwise (always after WIN);
// after WIN or GAME_OVER any other command is refused with 400
// GAME_NOT_STARTED_ERROR until a RESET. Scorecards are kept and scored by
// package scorecard, with the official formula.
//
// Where the reference server misbehaves this one does not: every error,
// routing and framework failures included, is a JSON body
// {"error": CODE, "message": text} (400 malformed or non-object JSON, 404
// unknown route, 405 wrong method with an Allow header, 413 body too large,
// 415 wrong content type, 401 missing or invalid key when keys are
// required); validation messages name the field and value at fault; ACTION6
// without x or y is a 400, and x or y given as strings is a validation error;
// full_reset is reported truly; a refused command never adds a run to a
// scorecard; a base game id works for ACTIONs as it does for RESET; and a
// RESET with an unknown guid and a scorecard opens a session under a guid of
// the server's own.
//
// API keys (header X-API-Key) partition scorecards and sessions: a card or a
// session is visible to the key that created it only. Without configured
// keys any key is accepted and a missing one means "1234"; with Config.APIKeys
// only those are. Competition mode (Config.Competition, or competition_mode
// true when opening a card) applies the competition rules: one scorecard per
// server (flag only), each game started once per card, a RESET at the start
// of a level repeats the previous answer instead of going back to level one,
// no scorecard reads before close, and games never started count as 0.
//
// Bodies have the reference server's form: keys in sorted order, scores
// as floats (wire.AppendScorecard), a final newline; the game list carries
// class_name and date_downloaded (the time the server loaded its catalog).
//
// Responses are written with explicit lengths over keep-alive connections;
// frame objects are encoded by wire.AppendFrame into pooled buffers, and
// each session has its own lock, so many clients play in parallel. Serve
// bounds what a slow or idle client may hold (ReadHeaderTimeout,
// ReadTimeout, WriteTimeout, IdleTimeout, MaxHeaderBytes) and Config bounds
// request bodies; Close, and the idle timeout, close scorecards together
// with their sessions and recordings.
package server
