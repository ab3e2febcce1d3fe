// Package encoding turns frames of colour indices into the dense tensors
// models consume, at close to the speed memory can take the bytes.
//
// # Sources
//
// Every encoder reads a tensor.U8 of colour indices 0..15 in one of three
// shapes: a frame (64,64), a stack of k frames (k,64,64), or a batch of
// stacks (batch,k,64,64). The shape travels with the data; a wrong shape
// fails with ErrShape, a cell above 15 with ErrColor, and the message names
// the offending shape, or the value, frame and cell.
//
// # Encoders
//
//	OneHot{}                        16 channels per frame, (16k,64,64)   float32, uint8, float64
//	OneHot{Layout: ChannelLast}     16 channels per frame, (64,64,16k)   float32, uint8, float64
//	Scaled{}                        colour/15 in [0,1], shape kept       float32, float64
//	Raw{}                           colour as a float 0..15, shape kept  float32, float64
//	Diff{} / Diff{Signed: true}     frame j+1 vs frame j, (k-1,64,64)    float32, float64
//	Pack4{}                         two cells per byte, (…,64,32)        uint8, and Decode back
//	Shares{Pool: p}                 one-hot averaged over p x p patches, float32
//	                                (16k,64/p,64/p), from the frames directly
//
// The stack dimension becomes channels: frame j of a stack owns one-hot
// channels 16j..16j+15, so a (batch,k,64,64) batch one-hot encodes to the
// (N,C,H,W) tensor a convolution takes. Each encoder's OutShape gives the
// output shape for a source shape, or nil when it does not accept it.
//
// # Destination first
//
// In the manner of gonum, the caller owns the output: an encoder writes into
// a destination whose shape must be exactly OutShape of the source, and
// allocates nothing.
//
//	enc := encoding.OneHot{}
//	dst := tensor.New[float32](enc.OutShape(src.Shape)...) // once
//	for ... {
//		if err := enc.Encode(dst, src); err != nil { ... } // every step
//	}
//
// Encoders check the whole source before they write, so a call that fails
// leaves the destination as it was. The float32 encoders (OneHot, Scaled,
// Raw, Diff, Shares) satisfy the Encoder interface of package wrappers, which fills
// env observations with their output.
//
// # Speed
//
// The one-hot encoders write every output element once, front to back, one
// plane at a time. On amd64 with AVX2 they run assembly kernels that compare
// 32 cells per step against the plane's colour and, for outputs of 32 MiB
// and more (the size from which the runtime's memclr streams too), use
// non-temporal stores that skip reading the destination into the cache. On
// other machines, or built with the purego tag, portable Go clears each
// frame's planes and sets one element per cell. The remaining encoders map
// cells through small precomputed tables. A Workers field above 1 splits a
// batch over goroutines for the duration of a call; the default runs on the
// calling goroutine.
//
// go run ./benchmarks/encoding prints every encoder's throughput as a
// fraction of the memset and memcpy bandwidth of the same machine, measured
// in the same run.
//
// # gonum
//
// Gonum matrices hold float64. DenseView and VecDenseView share the memory
// of a float64 tensor (encode with the EncodeF64 methods), reading a batch
// as a batch x features matrix; TensorView goes the other way.
// CopyToDense, CopyToVecDense and CopyFromMatrix copy, converting between
// float32 and float64, where no view is possible.
//
// Package encoding/torch (build tag gotch) moves batches to and from
// libtorch tensors.
package encoding
