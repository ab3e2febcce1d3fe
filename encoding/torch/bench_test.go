//go:build gotch

package torch_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/sugarme/gotch/ts"

	"github.com/arcgym/arcgym/arc"
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

// BenchmarkEndToEnd measures a learner's input path per step of a vector
// env of 64 Glacier games with stacks of two frames: the env step, the
// frame stack and the way into the libtorch tensor the network reads. f32
// is the Go one-hot encoder writing into the tensor's memory; u8/onehot
// loads the colour indices and expands them to the same one-hot tensor on
// the libtorch side; u8 stops after the load, the input of a network that
// embeds indices or expands them on another device. f32/pooled and
// u8/pooled give examples/ppo's input, the one-hot averaged over 4x4
// patches: libtorch's average pooling after f32, against the load and a
// Pooler. SetBytes counts the frames' cells, so MB/s compare across paths;
// allocs/op counts the Go side only.
func BenchmarkEndToEnd(b *testing.B) {
	const envs, k, pool = 64, 2, 4
	for _, path := range []string{"f32", "u8/onehot", "u8", "f32/pooled", "u8/pooled"} {
		b.Run(path, func(b *testing.B) {
			p, obs := newPipeline(b, "gl02", envs, k)
			in, err := torch.NewIndices(obs.Shape...)
			require.NoError(b, err)
			defer in.Close()
			ex, err := torch.NewExpander(encoding.ChannelFirst, obs.Shape...)
			require.NoError(b, err)
			defer ex.Close()
			pl, err := torch.NewPooler(pool, obs.Shape...)
			require.NoError(b, err)
			defer pl.Close()
			x, view, err := torch.NewF32(encoding.OneHot{}.OutShape(obs.Shape)...)
			require.NoError(b, err)
			defer x.MustDrop()
			kernel := []int64{pool, pool}
			ctx := b.Context()
			b.SetBytes(envs * arc.FrameCells)
			b.ReportAllocs()
			for b.Loop() {
				obs, err := p.step(ctx)
				if err != nil {
					b.Fatal(err)
				}
				switch path {
				case "f32":
					err = encoding.OneHot{}.Encode(view, obs)
				case "f32/pooled":
					if err = (encoding.OneHot{}).Encode(view, obs); err == nil {
						var y *ts.Tensor
						if y, err = x.AvgPool2d(kernel, kernel, []int64{0, 0}, false, true, nil, false); err == nil {
							y.MustDrop()
						}
					}
				case "u8":
					err = in.Load(obs)
				case "u8/onehot":
					if err = in.Load(obs); err == nil {
						_, err = ex.Expand(in)
					}
				case "u8/pooled":
					if err = in.Load(obs); err == nil {
						_, err = pl.Pool(in)
					}
				}
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)*envs/b.Elapsed().Seconds(), "frames/s")
		})
	}
}
