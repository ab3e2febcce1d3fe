// Package wire is the JSON codec of the ARC-AGI-3 REST API: the Go types of
// every request and response body, a fast decoder for the frame object that
// RESET and ACTION commands return, and (for the server side) encoders.
//
// The frame object carries one or more 64x64 frames as nested JSON lists,
// about 8.6 KB of text per frame. DecodeFrame reads it with a hand-written
// scanner straight into an arc.FrameData, reusing the destination's frame
// buffer and, when they did not change, its game id and guid strings, so that
// decoding a stream of responses allocates nothing in the steady state. It
// validates as it goes: every frame must be 64 rows of 64 colours 0..15, and
// a violation is reported as a *FrameError (matching arc.ErrInvalidFrame)
// naming the frame, row, column and value; malformed JSON is a *SyntaxError
// with the byte offset. It accepts both the current counter names
// (levels_completed, win_levels) and the older ones (score, win_score), and
// skips unknown fields.
//
// The other bodies (game lists, scorecards, errors) are small and rare; they
// are plain structs for encoding/json, with the decoding helpers DecodeGames,
// DecodeGameInfo, DecodeScorecard, DecodeScorecardGame and DecodeError.
package wire
