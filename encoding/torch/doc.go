// Package torch moves batches of observations between arcgym's Go tensors
// and libtorch tensors through gotch (github.com/sugarme/gotch), and turns a
// policy's logits back into actions under the game's action mask.
//
// Everything except this comment is behind the build tag gotch, because
// gotch needs cgo and a libtorch installation; without the tag the package
// is empty and the rest of the module builds with CGO_ENABLED=0. On Debian
// bookworm, scripts/setup-gotch.sh installs libtorch 1.13 and prints the
// environment for:
//
//	go test -tags gotch ./encoding/torch/...
//
// Observations in, two ways:
//
//   - Encode runs a Go encoder from package encoding straight into the
//     memory of a new CPU tensor (NewF32 and NewU8 give such a tensor and a
//     Go view of it): no copy after the encoder.
//   - FromU8 copies the colour indices (one byte per cell, a sixty-fourth of
//     the 16 float32 channels of a one-hot batch) and OneHot expands them on
//     the libtorch side, with the same shape and layout as encoding.OneHot.
//   - For a learner that feeds a batch every step, Indices is a uint8
//     tensor the caller keeps: Load copies a vector env's batch or frame
//     stacks into it without allocating, and rejects colours above 15
//     (ErrColor). On the libtorch side, Expander turns it into the one-hot
//     tensor of encoding.OneHot, and Pooler into the one-hot averaged over
//     square patches without building the one-hot at all.
//
// Which way is fastest depends on where the one-hot is needed. On a CPU,
// whoever builds a float32 one-hot writes 64 KiB per frame: the Go encoder
// does so near memory speed, libtorch's scatter (Expander) several times
// slower, so Indices pays off when the network never needs the full
// one-hot on the host: a Pooler-style first layer, an embedding, or a
// model on another device. benchmarks/torch measures the paths end to end.
//
// Actions out: Mask packs the flat action masks of a batch (length
// spaces.FlatSize each) into a bool tensor; MaskedArgmax and MaskedSample
// choose one flat index per row of a (batch, spaces.FlatSize) logits tensor
// among the allowed ones, never a masked one whatever its logit, and fail
// with ErrLogits on a NaN among the allowed logits; Actions maps flat
// indices back to arc.Action. They read contiguous CPU tensors in place and
// anything else through a temporary copy.
//
// # Ownership
//
// gotch tensors hold C memory that the Go garbage collector neither sees nor
// frees (gotch v0.7.0 sets no finalizers): a tensor that is not dropped
// leaks. Every tensor this package returns is owned by the caller, who
// releases it with MustDrop. Tensors passed in are borrowed: no function
// here modifies or drops them, nor keeps them after it returns. A Go view
// (NewF32, NewU8) points into its tensor's memory and must not be used
// after the tensor is dropped.
//
// # Threads
//
// gotch reports a libtorch failure in a thread-local variable that it reads
// in a second cgo call; if the goroutine changes threads in between, the
// error is lost and gotch returns an invalid tensor that crashes the
// program when used. Every function here keeps its goroutine on one thread
// while it calls libtorch. Code that calls gotch directly, where an
// operation can fail, should do the same with runtime.LockOSThread.
package torch
