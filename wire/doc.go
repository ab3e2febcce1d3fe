// Package wire is the JSON codec of the ARC-AGI-3 REST API: the Go types of
// every request and response body, a fast decoder for the frame object that
// RESET and ACTION commands return, and (for the server side) a fast decoder
// of command bodies and the encoders.
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
// DecodeCommand is the server's counterpart for requests: it reads a command
// body (game_id, guid, card_id, x, y, reasoning) into a Command whose fields
// are views of the body, again without allocating, and reports a body that
// is not a command as a *CommandError naming the field and value at fault.
// Both decoders, and the reader of recorded frames, share one JSON scanner,
// so they accept the same grammar and word their syntax errors alike.
//
// The other bodies (game lists, scorecards, errors) are small and rare; they
// are plain structs for encoding/json, with the decoding helpers DecodeGames,
// DecodeGameInfo, DecodeScorecard, DecodeScorecardGame and DecodeError.
package wire
