package encoding_test

import (
	"math/rand/v2"
	"testing"

	"github.com/arcgym/arcgym/encoding"
	"github.com/arcgym/arcgym/tensor"
)

// benchBatch is the batch the throughput targets are stated for: 256
// single-frame observations.
const benchBatch = 256

func benchSource() tensor.U8 {
	return arcFrames(rand.New(rand.NewPCG(42, 42)), benchBatch, 1, 64, 64)
}

// report sets the throughput to the bytes written per op and adds
// frames/s.
func report(b *testing.B, outBytes int) {
	b.Helper()
	b.SetBytes(int64(outBytes))
	b.ReportAllocs()
}

func frames(b *testing.B) {
	b.ReportMetric(float64(b.N)*benchBatch/b.Elapsed().Seconds(), "frames/s")
}

func benchF32(b *testing.B, enc interface {
	OutShape([]int) []int
	Encode(tensor.F32, tensor.U8) error
}, src tensor.U8) {
	dst := tensor.New[float32](enc.OutShape(src.Shape)...)
	report(b, 4*len(dst.Data))
	for b.Loop() {
		if err := enc.Encode(dst, src); err != nil {
			b.Fatal(err)
		}
	}
	frames(b)
}

func BenchmarkOneHotCHW(b *testing.B) { benchF32(b, encoding.OneHot{}, benchSource()) }

func BenchmarkOneHotCHWRandom(b *testing.B) {
	benchF32(b, encoding.OneHot{}, randomFrames(rand.New(rand.NewPCG(1, 2)), benchBatch, 1, 64, 64))
}

func BenchmarkOneHotCHWWorkers2(b *testing.B) {
	benchF32(b, encoding.OneHot{Workers: 2}, benchSource())
}

func BenchmarkOneHotHWC(b *testing.B) {
	benchF32(b, encoding.OneHot{Layout: encoding.ChannelLast}, benchSource())
}

func BenchmarkOneHotHWCStack4(b *testing.B) {
	src := arcFrames(rand.New(rand.NewPCG(42, 42)), benchBatch/4, 4, 64, 64)
	benchF32(b, encoding.OneHot{Layout: encoding.ChannelLast}, src)
}

func benchU8(b *testing.B, layout encoding.Layout) {
	src := benchSource()
	enc := encoding.OneHot{Layout: layout}
	dst := tensor.New[uint8](enc.OutShape(src.Shape)...)
	report(b, len(dst.Data))
	for b.Loop() {
		if err := enc.EncodeU8(dst, src); err != nil {
			b.Fatal(err)
		}
	}
	frames(b)
}

func BenchmarkOneHotCHWU8(b *testing.B) { benchU8(b, encoding.ChannelFirst) }

func BenchmarkOneHotHWCU8(b *testing.B) { benchU8(b, encoding.ChannelLast) }

func BenchmarkOneHotCHWF64(b *testing.B) {
	src := benchSource()
	enc := encoding.OneHot{}
	dst := tensor.New[float64](enc.OutShape(src.Shape)...)
	report(b, 8*len(dst.Data))
	for b.Loop() {
		if err := enc.EncodeF64(dst, src); err != nil {
			b.Fatal(err)
		}
	}
	frames(b)
}

// BenchmarkShares measures the colour shares of 4x4 patches, what
// OneHot followed by average pooling gives, on the same frames as
// BenchmarkOneHotCHW.
func BenchmarkShares(b *testing.B) { benchF32(b, encoding.Shares{Pool: 4}, benchSource()) }

func BenchmarkScaled(b *testing.B) { benchF32(b, encoding.Scaled{}, benchSource()) }

func BenchmarkRaw(b *testing.B) { benchF32(b, encoding.Raw{}, benchSource()) }

func BenchmarkDiff(b *testing.B) {
	// 256 frames as 64 stacks of 4: 192 difference planes.
	src := arcFrames(rand.New(rand.NewPCG(42, 42)), benchBatch/4, 4, 64, 64)
	benchF32(b, encoding.Diff{}, src)
}

func BenchmarkDiffSigned(b *testing.B) {
	src := arcFrames(rand.New(rand.NewPCG(42, 42)), benchBatch/4, 4, 64, 64)
	benchF32(b, encoding.Diff{Signed: true}, src)
}

func BenchmarkPack4(b *testing.B) {
	src := benchSource()
	var p encoding.Pack4
	dst := tensor.New[uint8](p.OutShape(src.Shape)...)
	report(b, len(dst.Data))
	for b.Loop() {
		if err := p.Encode(dst, src); err != nil {
			b.Fatal(err)
		}
	}
	frames(b)
}

func BenchmarkUnpack4(b *testing.B) {
	src := benchSource()
	var p encoding.Pack4
	packed := tensor.New[uint8](p.OutShape(src.Shape)...)
	if err := p.Encode(packed, src); err != nil {
		b.Fatal(err)
	}
	dst := tensor.New[uint8](src.Shape...)
	report(b, len(dst.Data))
	for b.Loop() {
		if err := p.Decode(dst, packed); err != nil {
			b.Fatal(err)
		}
	}
	frames(b)
}

// BenchmarkBaseline measures memset (clear) and memcpy (copy) over buffers
// the size of the encoders' outputs for 256 frames, in the same run, so
// that encoder throughput reads as a fraction of what memory allows.
func BenchmarkBaseline(b *testing.B) {
	sizes := []struct {
		name  string
		bytes int
	}{
		{"pack4-512KiB", benchBatch * 2048},
		{"u8-1MiB", benchBatch * 4096},
		{"f32-4MiB", benchBatch * 4096 * 4},
		{"onehot-u8-16MiB", benchBatch * 4096 * 16},
		{"onehot-f32-64MiB", benchBatch * 4096 * 16 * 4},
		{"onehot-f64-128MiB", benchBatch * 4096 * 16 * 8},
	}
	for _, s := range sizes {
		b.Run("memset/"+s.name, func(b *testing.B) {
			buf := faulted(s.bytes)
			report(b, s.bytes)
			for b.Loop() {
				clear(buf)
			}
		})
		b.Run("memcpy/"+s.name, func(b *testing.B) {
			dst, src := faulted(s.bytes), faulted(s.bytes)
			report(b, s.bytes)
			for b.Loop() {
				copy(dst, src)
			}
		})
	}
}

// faulted returns a buffer of n bytes whose pages are all mapped. A large
// allocation comes straight from the operating system, and until a page is
// written, reading it reads one shared page of zeros that stays in the
// cache: a copy from such a buffer would read nothing from memory and beat
// every encoder. Writing every page first maps real memory, as the
// encoders' sources are.
func faulted(n int) []byte {
	buf := make([]byte, n)
	for i := range buf {
		buf[i] = byte(i)
	}
	return buf
}
