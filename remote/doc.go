// Package remote plays ARC-AGI-3 games over the REST API: Client has one
// method per route of the service (games, scorecards, RESET and ACTION
// commands), and Session is the env.Backend that lets an env.Game drive a
// remote game exactly like a local one; Make builds both.
//
// The Client sends the X-API-Key header, keeps a cookie jar (the hosted
// service pins a game session to one backend by cookie) and reuses
// kept-alive connections. Frame responses are decoded by wire.DecodeFrame
// straight into the caller's arc.FrameData.
//
// Errors are typed: a non-2xx response is an *APIError, which matches
// ErrUnauthorized, ErrNotFound, ErrRateLimited and the other sentinels by
// status code, and arc.ErrNotStarted for GAME_NOT_STARTED_ERROR; a broken
// or failed connection is a *TransportError naming the route.
//
// Commands change game state, so a request is sent again only when that
// cannot apply it twice: when the connection failed before anything was
// sent, and when the server refused it with 429 or 503 (waiting out
// Retry-After, up to WithMaxRetryAfter). GET requests are also retried after
// a broken connection or a 502/504. A command that may have reached the
// server (timeout, reset after the request was written, truncated body, a
// 5xx other than 503) fails with an error matching ErrOutcomeUnknown and is
// never resent. Retries back off exponentially with jitter and stop at the
// context's deadline. Error bodies are read up to 64 KiB, answers up to
// WithMaxResponseBytes.
package remote
