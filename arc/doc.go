// Package arc holds the domain types of ARC-AGI-3 that every arcgym backend
// shares: actions, game states, dense 64x64 frames, the per-command result and
// game metadata, together with the official scorecard scoring.
//
// The types mirror the REST contract of ARC-AGI-3 but carry frames as flat,
// contiguous byte slices (row-major, one byte per cell holding a colour index
// 0..15) instead of nested lists, so that encoders and tensors can read them
// without copying.
package arc
