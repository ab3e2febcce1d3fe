//go:build gotch

package torch_test

import (
	"testing"

	"github.com/arcgym/arcgym/encoding"
	"github.com/arcgym/arcgym/encoding/torch"
)

// The two ways to a (256,16,64,64) float32 one-hot batch in libtorch: the
// Go encoder writing into the tensor's memory, or the indices copied over
// and expanded by libtorch's one_hot. SetBytes counts the output.

const benchBatch = 256

func BenchmarkOneHotGoIntoTorch(b *testing.B) {
	src := randomFrames(1, benchBatch, 1, 64, 64)
	enc := encoding.OneHot{}
	x, view, err := torch.NewF32(enc.OutShape(src.Shape)...)
	if err != nil {
		b.Fatal(err)
	}
	defer x.MustDrop()
	b.SetBytes(int64(4 * len(view.Data)))
	b.ReportAllocs()
	for b.Loop() {
		if err := enc.Encode(view, src); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)*benchBatch/b.Elapsed().Seconds(), "frames/s")
}

func BenchmarkOneHotGoNewTensor(b *testing.B) {
	src := randomFrames(1, benchBatch, 1, 64, 64)
	b.SetBytes(int64(4 * 16 * len(src.Data)))
	b.ReportAllocs()
	for b.Loop() {
		x, err := torch.Encode(encoding.OneHot{}, src)
		if err != nil {
			b.Fatal(err)
		}
		x.MustDrop()
	}
	b.ReportMetric(float64(b.N)*benchBatch/b.Elapsed().Seconds(), "frames/s")
}

func BenchmarkOneHotOnTorch(b *testing.B) {
	src := randomFrames(1, benchBatch, 1, 64, 64)
	b.SetBytes(int64(4 * 16 * len(src.Data)))
	b.ReportAllocs()
	for b.Loop() {
		idx, err := torch.FromU8(src)
		if err != nil {
			b.Fatal(err)
		}
		x, err := torch.OneHot(idx, encoding.ChannelFirst)
		if err != nil {
			b.Fatal(err)
		}
		idx.MustDrop()
		x.MustDrop()
	}
	b.ReportMetric(float64(b.N)*benchBatch/b.Elapsed().Seconds(), "frames/s")
}

func BenchmarkFromU8(b *testing.B) {
	src := randomFrames(1, benchBatch, 1, 64, 64)
	b.SetBytes(int64(len(src.Data)))
	b.ReportAllocs()
	for b.Loop() {
		x, err := torch.FromU8(src)
		if err != nil {
			b.Fatal(err)
		}
		x.MustDrop()
	}
	b.ReportMetric(float64(b.N)*benchBatch/b.Elapsed().Seconds(), "frames/s")
}
