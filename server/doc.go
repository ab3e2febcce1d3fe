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
// required, 429 and 503 LIMIT_ERROR for the limits below). Under Serve
// this holds too for the answers net/http gives before a request reaches
// the handler (400 for bad framing such as a negative Content-Length or a
// NUL in a header, 431 for headers past MaxHeaderBytes, 501 for an unknown
// transfer coding): the connections of Serve rewrite them into the same
// JSON form, the text of net/http as the message. Two such answers keep
// their net/http form: 417 with an empty body for an Expect header other
// than 100-continue, and, for a Server mounted in another http.Server,
// everything net/http answers itself. Every refusal made before anything
// was applied (any error but a 500) carries the header
// wire.HeaderNotApplied: 1, so that a client may send the request again.
// Every answer and recording is valid UTF-8: reasoning and opaque values
// are JSON kept as sent, but bytes of their strings that are not UTF-8 are
// read as encoding/json reads them, as U+FFFD. Validation messages name the
// field and value at fault; ACTION6
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
// # Limits
//
// Config bounds what clients may hold, with defaults that keep a machine
// of 24 GiB safe from any one of them (each refusal comes before anything
// is allocated for the request):
//
//	open sessions            20,000 in all, 1,000 per API key (MaxSessions, MaxSessionsPerKey)
//	open scorecards          10,000 in all, 256 per API key (MaxCards, MaxCardsPerKey)
//	memory                   4 GiB (MemoryBudget): a new session is refused when the Go
//	                         heap, or the open sessions at 64 KiB each (SessionBytes),
//	                         plus one session would pass it; a new scorecard when the
//	                         heap is already past it
//	session idle time        10 minutes (SessionIdleTimeout): a session idle that long
//	                         is closed even while other sessions keep its card active;
//	                         its run stays on the card
//	scorecard idle time      15 minutes (IdleTimeout)
//	request body             256 KiB (MaxBodyBytes, 413)
//	recording                1 GiB per session (MaxRecordingBytes): the entry that would
//	                         pass it is not written and the session records no more,
//	                         with a warning in the log; the file holds whole entries
//	connections              the descriptor limit less a tenth (at least 256) kept for
//	                         files, pipes and refusals (MaxConns, under Serve)
//
// A refused RESET or scorecard open is answered 429 LIMIT_ERROR with
// Retry-After: 1 second for a server-wide limit (other clients' sessions
// close and expire, the collector frees memory), the session idle timeout
// for a per-key one. At the connection bound Serve closes the connection
// idle the longest (kept alive between requests, or accepted and silent)
// to serve a new one, so that accept never fails for lack of descriptors;
// when none is idle, the new connection is answered 503 LIMIT_ERROR with
// Retry-After: 1 and closed.
//
// # Durable state
//
// With Config.StateDir (arcgym serve -state DIR) scorecards and sessions
// survive a crash (kill -9) or a restart. Every change (a card opened, a
// session started, a command applied with the result it had, a card closed
// with its final summary) is appended to a checksummed log in the
// directory with one write(2) before it is answered; that survives the
// death of the process, and with Config.StateSync (-state-sync) each
// record is also fsync'd, to survive the loss of the machine. A new server
// on the directory restores:
//
//   - open scorecards, with the totals GET /api/scorecard/{card_id}
//     reported (levels, actions, runs per game);
//   - closed scorecards: their final summaries stay retrievable with GET
//     /api/scorecard/{card_id}, as on the hosted service (the per-game
//     route answers 404), and they are never closed, nor reported to
//     OnCardClose, twice;
//   - the sessions of deterministic games (the built-in ones: see
//     Deterministic), by replaying their commands into a new session and
//     checking each result, frames included, against the log: the client
//     goes on under the same guid and gets the answers of a server that
//     never stopped.
//
// A session that cannot be restored (a real game's, one of a game no
// longer served, or one whose replay diverges) is lost: a command on its
// guid is answered 410 Gone with SESSION_LOST_ERROR (wire.CodeSessionLost),
// distinct from the 400 of an unknown guid, until its scorecard closes;
// its runs stay on the scorecard, and a RESET with its card_id starts a
// new session. With a state directory Close keeps open scorecards for the
// next server instead of closing them. The log is compacted at every
// start and whenever it doubles past Config.StateCompactBytes, keeping
// only the records of open scorecards; closed summaries go to a separate
// append-only file. A torn last record (a write cut short) is ignored; a
// record failing its checksum ends the log, and what follows it is set
// aside in a .bad file. One server at a time may use a directory.
//
// Responses are written with explicit lengths over keep-alive connections;
// frame objects are encoded by wire.AppendFrame into pooled buffers, and
// each session has its own lock, so many clients play in parallel. Serve
// bounds what a slow or idle client may hold (ReadHeaderTimeout,
// ReadTimeout, WriteTimeout, IdleTimeout, MaxHeaderBytes; the timeouts are
// Config fields too); Close, and the idle timeout, close scorecards
// together with their sessions and recordings.
package server
