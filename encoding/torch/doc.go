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
//   - FromU8 copies the colour indices (a quarter of the bytes of a one-hot
//     float32 batch) and OneHot expands them on the libtorch side, with the
//     same shape and layout as encoding.OneHot.
//
// Actions out: Mask packs the flat action masks of a batch (length
// spaces.FlatSize each) into a bool tensor; MaskedArgmax and MaskedSample
// choose one flat index per row of a (batch, spaces.FlatSize) logits tensor
// among the allowed ones; Actions maps flat indices back to arc.Action.
//
// Tensors returned by this package are owned by the caller, who releases
// them with MustDrop. A Go view (NewF32, NewU8) points into the tensor's
// memory and must not be used after the tensor is dropped.
package torch
