// Package remote plays ARC-AGI-3 games over the REST API: Client has one
// method per route of the service (games, scorecards, RESET and ACTION
// commands), and Session is the env.Backend that lets an env.Game drive a
// remote game exactly like a local one; Make builds both, NewGame plays
// through an existing Client.
//
// Each kind of object has its Config, validated once by its constructor:
// NewClient takes a ClientConfig, NewSession a SessionConfig, NewGame a
// GameConfig, Make a MakeConfig, and NewFleet and Factory a FleetConfig,
// which holds the ClientConfig of its servers' Clients. The zero value of
// each is useful:
//
//	g, err := remote.Make(ctx, "ls20", remote.MakeConfig{BaseURL: "http://127.0.0.1:8001"})
//
// The Client sends the X-API-Key header, keeps a cookie jar (the hosted
// service pins a game session to one backend by cookie) and reuses
// kept-alive connections. Frame responses are decoded by wire.DecodeFrame
// straight into the caller's arc.FrameData.
//
// Errors are typed: a non-2xx response is an *APIError, which matches
// ErrUnauthorized, ErrNotFound, ErrRateLimited and the other sentinels by
// status code, and arc.ErrNotStarted for GAME_NOT_STARTED_ERROR; a broken
// or failed connection is a *TransportError naming the route; a 2xx answer
// to a command that does not decode is an *UndecodedError.
//
// # Retries and unknown outcomes
//
// Commands (RESET, ACTION1..7) change game state, and scorecard open and
// close are not idempotent either (two opens make two cards), so the
// Client never applies one twice on its own: it sends such a request again
// only when the server provably did not apply it. Either the connection
// could not be established (dial or DNS error), or the answer sets the
// header Arcgym-Not-Applied to 1 (wire.HeaderNotApplied), as arcgym's
// server does on refusals made before applying anything. A GET is always
// safe to send again. Any other failure of a command that may come after
// the server applied it (no answer, an undecodable one, a redirect, a 429
// or a 5xx) leaves its outcome unknown: the error matches
// ErrOutcomeUnknown, keeps the status and Retry-After when there was an
// answer (errors.As to *APIError), and the caller decides what to do.
//
//	outcome                              GET                   command, scorecard open/close
//	-----------------------------------  --------------------  -------------------------------
//	dial or DNS failure                  retry                 retry
//	connection broken after sending      retry                 ErrOutcomeUnknown
//	timeout (context deadline)           error                 ErrOutcomeUnknown
//	2xx that decodes                     result                result
//	2xx empty or undecodable             error                 ErrOutcomeUnknown
//	2xx truncated                        retry                 ErrOutcomeUnknown
//	3xx redirect to the same host        follow                ErrOutcomeUnknown, not followed
//	3xx redirect to another host         error, not followed   ErrOutcomeUnknown, not followed
//	429/503 with Arcgym-Not-Applied: 1   retry                 retry
//	429/503 without it                   retry                 ErrOutcomeUnknown
//	other status with that header        as without it         error
//	4xx other than 429                   error                 error
//	502/504                              retry                 ErrOutcomeUnknown
//	other 5xx                            error                 ErrOutcomeUnknown (501: error)
//
// Redirects are followed only by GETs and only to the base URL's scheme
// and host: X-API-Key and the cookies never leave the configured host.
// Retries back off exponentially with jitter, wait out Retry-After up to
// ClientConfig.MaxRetryAfter (a longer one ends the call with the error),
// stop after ClientConfig.MaxAttempts sends and at the context's deadline.
// Error bodies are read up to 64 KiB, answers up to
// ClientConfig.MaxResponseBytes.
//
// Session never resends a command either: after an error matching
// ErrOutcomeUnknown the game may or may not have moved (a RESET may have
// restarted the level, and a second one would restart the whole game), so
// the error goes to the caller as it is, and the next answer tells the
// session's true state.
//
// # Fleets
//
// A Fleet plays on several servers at once: NewFleet takes their base
// URLs, opens a scorecard on each when first used, and Fleet.Env returns
// envs whose sessions start on the healthy server with the least load for
// its latency. A server that fails a step with a transport fault or a lost
// session is marked unhealthy; the env's step returns an error matching
// ErrSessionLost and env.ErrNeedsReset, and its next Reset starts a new
// session on another server. A background prober (FleetConfig) sends
// healthchecks to unhealthy servers and brings them back. Stats reports
// each server's health, load and latency; Close closes the scorecards.
//
// Factory, and the Factory method of a Fleet, return factories of fleet
// envs of the type vector.NewSync and vector.NewAsync take (vector.Factory),
// so that one vector env plays on several servers:
//
//	v, err := vector.NewAsync(ctx, 64, remote.Factory("ls20", urls, remote.FleetConfig{}), vector.Config{})
package remote
