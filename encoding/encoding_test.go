package encoding_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/encoding"
	"github.com/arcgym/arcgym/tensor"
)

// sources returns the inputs every encoder is checked on: each accepted
// rank, random, game-like and edge frames.
func sources(t *testing.T) map[string]tensor.U8 {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, 11))
	return map[string]tensor.U8{
		"frame/random":    randomFrames(rng, 64, 64),
		"frame/zeros":     filled(0, 64, 64),
		"frame/fifteens":  filled(15, 64, 64),
		"stack/random":    randomFrames(rng, 3, 64, 64),
		"stack/arc":       arcFrames(rng, 2, 64, 64),
		"batch/random":    randomFrames(rng, 2, 3, 64, 64),
		"batch/arc":       arcFrames(rng, 3, 2, 64, 64),
		"batch/fifteens":  filled(15, 2, 2, 64, 64),
		"batch/single":    randomFrames(rng, 4, 1, 64, 64),
		"batch/empty":     tensor.New[uint8](0, 2, 64, 64),
		"stack/one-frame": randomFrames(rng, 1, 64, 64),
	}
}

func TestOneHot(t *testing.T) {
	for name, src := range sources(t) {
		for _, layout := range []encoding.Layout{encoding.ChannelFirst, encoding.ChannelLast} {
			for _, workers := range []int{0, 3} {
				e := encoding.OneHot{Layout: layout, Workers: workers}
				t.Run(fmt.Sprintf("%s/%v/workers=%d", name, layout, workers), func(t *testing.T) {
					shape := e.OutShape(src.Shape)
					require.NotNil(t, shape)

					f32 := tensor.New[float32](shape...)
					require.NoError(t, e.Encode(f32, src))
					want32 := refOneHot[float32](src, layout == encoding.ChannelLast)
					assert.Equal(t, want32.Shape, f32.Shape)
					assert.Equal(t, want32.Data, f32.Data)

					u8 := tensor.New[uint8](shape...)
					require.NoError(t, e.EncodeU8(u8, src))
					assert.Equal(t, refOneHot[uint8](src, layout == encoding.ChannelLast).Data, u8.Data)

					f64 := tensor.New[float64](shape...)
					require.NoError(t, e.EncodeF64(f64, src))
					assert.Equal(t, refOneHot[float64](src, layout == encoding.ChannelLast).Data, f64.Data)
				})
			}
		}
	}
}

func TestOneHotOverwritesDestination(t *testing.T) {
	src := randomFrames(rand.New(rand.NewPCG(1, 1)), 2, 64, 64)
	for _, layout := range []encoding.Layout{encoding.ChannelFirst, encoding.ChannelLast} {
		e := encoding.OneHot{Layout: layout}
		dst := tensor.New[float32](e.OutShape(src.Shape)...)
		for i := range dst.Data {
			dst.Data[i] = 7
		}
		require.NoError(t, e.Encode(dst, src))
		assert.Equal(t, refOneHot[float32](src, layout == encoding.ChannelLast).Data, dst.Data, "%v", layout)
	}
}

func TestElementwise(t *testing.T) {
	scaled := func(c uint8) float32 { return float32(c) / 15 }
	raw := func(c uint8) float32 { return float32(c) }
	for name, src := range sources(t) {
		for _, workers := range []int{0, 2} {
			t.Run(fmt.Sprintf("%s/workers=%d", name, workers), func(t *testing.T) {
				tests := []struct {
					name string
					enc  interface {
						OutShape([]int) []int
						Encode(tensor.F32, tensor.U8) error
						EncodeF64(tensor.Dense[float64], tensor.U8) error
					}
					f func(uint8) float32
				}{
					{"scaled", encoding.Scaled{Workers: workers}, scaled},
					{"raw", encoding.Raw{Workers: workers}, raw},
				}
				for _, tt := range tests {
					require.Equal(t, src.Shape, tt.enc.OutShape(src.Shape), tt.name)
					dst := tensor.New[float32](src.Shape...)
					require.NoError(t, tt.enc.Encode(dst, src), tt.name)
					assert.Equal(t, refMap(src, tt.f).Data, dst.Data, tt.name)

					dst64 := tensor.New[float64](src.Shape...)
					require.NoError(t, tt.enc.EncodeF64(dst64, src), tt.name)
					want64 := refMap(src, func(c uint8) float64 { return float64(c) })
					if tt.name == "scaled" {
						want64 = refMap(src, func(c uint8) float64 { return float64(c) / 15 })
					}
					assert.Equal(t, want64.Data, dst64.Data, tt.name)
				}
			})
		}
	}
}

func TestScaledRange(t *testing.T) {
	src := tensor.New[uint8](64, 64)
	for i := range src.Data {
		src.Data[i] = uint8(i % 16)
	}
	dst := tensor.New[float32](64, 64)
	require.NoError(t, encoding.Scaled{}.Encode(dst, src))
	assert.Equal(t, float32(0), dst.Data[0])
	assert.Equal(t, float32(1), dst.Data[15])
	for _, v := range dst.Data {
		assert.True(t, v >= 0 && v <= 1, "value %v outside [0,1]", v)
	}
}

func TestDiff(t *testing.T) {
	for name, src := range sources(t) {
		for _, signed := range []bool{false, true} {
			for _, workers := range []int{0, 2} {
				e := encoding.Diff{Signed: signed, Workers: workers}
				t.Run(fmt.Sprintf("%s/signed=%v/workers=%d", name, signed, workers), func(t *testing.T) {
					_, stack, rank := split(src.Shape)
					shape := e.OutShape(src.Shape)
					if rank == 2 || stack < 2 {
						assert.Nil(t, shape)
						dst := tensor.New[float32](src.Shape...)
						assert.ErrorIs(t, e.Encode(dst, src), encoding.ErrShape)
						return
					}
					require.NotNil(t, shape)
					dst := tensor.New[float32](shape...)
					require.NoError(t, e.Encode(dst, src))
					want := refDiff[float32](src, signed)
					assert.Equal(t, want.Shape, dst.Shape)
					assert.Equal(t, want.Data, dst.Data)

					dst64 := tensor.New[float64](shape...)
					require.NoError(t, e.EncodeF64(dst64, src))
					assert.Equal(t, refDiff[float64](src, signed).Data, dst64.Data)
				})
			}
		}
	}
}

func TestDiffValues(t *testing.T) {
	src := tensor.New[uint8](2, 64, 64)
	src.Data[0], src.Data[4096] = 15, 0 // 15 -> 0
	src.Data[1], src.Data[4097] = 0, 15 // 0 -> 15
	src.Data[2], src.Data[4098] = 3, 3  // unchanged
	src.Data[3], src.Data[4099] = 6, 9  // 6 -> 9
	mask := tensor.New[float32](1, 64, 64)
	require.NoError(t, encoding.Diff{}.Encode(mask, src))
	assert.Equal(t, []float32{1, 1, 0, 1}, mask.Data[:4])
	delta := tensor.New[float32](1, 64, 64)
	require.NoError(t, encoding.Diff{Signed: true}.Encode(delta, src))
	assert.Equal(t, []float32{-1, 1, 0, float32(3) / 15}, delta.Data[:4])
}

func TestPack4(t *testing.T) {
	for name, src := range sources(t) {
		for _, workers := range []int{0, 2} {
			e := encoding.Pack4{Workers: workers}
			t.Run(fmt.Sprintf("%s/workers=%d", name, workers), func(t *testing.T) {
				shape := e.OutShape(src.Shape)
				require.NotNil(t, shape)
				packed := tensor.New[uint8](shape...)
				require.NoError(t, e.Encode(packed, src))
				want := refPack(src)
				assert.Equal(t, want.Shape, packed.Shape)
				assert.Equal(t, want.Data, packed.Data)

				require.Equal(t, src.Shape, e.UnpackedShape(packed.Shape))
				back := tensor.New[uint8](src.Shape...)
				require.NoError(t, e.Decode(back, packed))
				assert.Equal(t, src.Data, back.Data)
			})
		}
	}
}

func TestPack4Layout(t *testing.T) {
	src := tensor.New[uint8](64, 64)
	src.Data[0], src.Data[1], src.Data[62], src.Data[63], src.Data[64] = 1, 2, 14, 15, 9
	packed := tensor.New[uint8](64, 32)
	require.NoError(t, encoding.Pack4{}.Encode(packed, src))
	assert.Equal(t, uint8(0x21), packed.Data[0], "cell 0 low nibble, cell 1 high nibble")
	assert.Equal(t, uint8(0xfe), packed.Data[31])
	assert.Equal(t, uint8(0x09), packed.Data[32], "row 1 starts a new byte row")
}

func TestOutShape(t *testing.T) {
	tests := []struct {
		name string
		enc  interface{ OutShape([]int) []int }
		in   []int
		want []int
	}{
		{"onehot frame", encoding.OneHot{}, []int{64, 64}, []int{16, 64, 64}},
		{"onehot stack", encoding.OneHot{}, []int{4, 64, 64}, []int{64, 64, 64}},
		{"onehot batch", encoding.OneHot{}, []int{8, 2, 64, 64}, []int{8, 32, 64, 64}},
		{"onehot last frame", encoding.OneHot{Layout: encoding.ChannelLast}, []int{64, 64}, []int{64, 64, 16}},
		{"onehot last stack", encoding.OneHot{Layout: encoding.ChannelLast}, []int{3, 64, 64}, []int{64, 64, 48}},
		{"onehot last batch", encoding.OneHot{Layout: encoding.ChannelLast}, []int{5, 3, 64, 64}, []int{5, 64, 64, 48}},
		{"onehot bad layout", encoding.OneHot{Layout: 9}, []int{64, 64}, nil},
		{"onehot rank 1", encoding.OneHot{}, []int{4096}, nil},
		{"onehot rank 5", encoding.OneHot{}, []int{1, 1, 1, 64, 64}, nil},
		{"onehot small", encoding.OneHot{}, []int{32, 32}, nil},
		{"onehot negative", encoding.OneHot{}, []int{-1, 64, 64}, nil},
		{"scaled batch", encoding.Scaled{}, []int{8, 2, 64, 64}, []int{8, 2, 64, 64}},
		{"raw frame", encoding.Raw{}, []int{64, 64}, []int{64, 64}},
		{"raw bad", encoding.Raw{}, []int{64, 65}, nil},
		{"diff stack", encoding.Diff{}, []int{4, 64, 64}, []int{3, 64, 64}},
		{"diff batch", encoding.Diff{}, []int{2, 4, 64, 64}, []int{2, 3, 64, 64}},
		{"diff frame", encoding.Diff{}, []int{64, 64}, nil},
		{"diff one", encoding.Diff{}, []int{1, 64, 64}, nil},
		{"pack frame", encoding.Pack4{}, []int{64, 64}, []int{64, 32}},
		{"pack batch", encoding.Pack4{}, []int{3, 2, 64, 64}, []int{3, 2, 64, 32}},
		{"pack bad", encoding.Pack4{}, []int{64, 32}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.enc.OutShape(tt.in))
		})
	}
}

func TestOutShapeIsACopy(t *testing.T) {
	in := []int{2, 64, 64}
	out := encoding.Scaled{}.OutShape(in)
	out[0] = 99
	assert.Equal(t, []int{2, 64, 64}, in)
}

// poison fills a destination with a value no encoder writes, to show that a
// refused call leaves it alone.
func poison(t tensor.F32) {
	for i := range t.Data {
		t.Data[i] = -42
	}
}

func untouched(t *testing.T, dst tensor.F32) {
	t.Helper()
	for i, v := range dst.Data {
		if v != -42 {
			t.Fatalf("destination element %d written (%v) by a failed call", i, v)
		}
	}
}

func TestInvalidInput(t *testing.T) {
	good := randomFrames(rand.New(rand.NewPCG(3, 3)), 2, 3, 64, 64)
	bad := good.Clone()
	bad.Data[len(bad.Data)-1] = 16 // last cell of the last frame
	type encoder interface {
		OutShape([]int) []int
		Encode(tensor.F32, tensor.U8) error
	}
	encoders := map[string]encoder{
		"onehot":      encoding.OneHot{},
		"onehot-last": encoding.OneHot{Layout: encoding.ChannelLast},
		"scaled":      encoding.Scaled{},
		"raw":         encoding.Raw{},
		"diff":        encoding.Diff{},
	}
	for name, e := range encoders {
		t.Run(name+"/colour", func(t *testing.T) {
			dst := tensor.New[float32](e.OutShape(bad.Shape)...)
			poison(dst)
			err := e.Encode(dst, bad)
			require.ErrorIs(t, err, encoding.ErrColor)
			assert.Contains(t, err.Error(), "colour 16 in frame 5 at x=63 y=63")
			untouched(t, dst)
		})
		t.Run(name+"/colour-255", func(t *testing.T) {
			src := good.Clone()
			src.Data[4096+65] = 255
			dst := tensor.New[float32](e.OutShape(src.Shape)...)
			poison(dst)
			err := e.Encode(dst, src)
			require.ErrorIs(t, err, encoding.ErrColor)
			assert.Contains(t, err.Error(), "colour 255 in frame 1 at x=1 y=1")
			untouched(t, dst)
		})
		t.Run(name+"/destination-shape", func(t *testing.T) {
			shape := e.OutShape(good.Shape)
			shape[0]++
			dst := tensor.New[float32](shape...)
			poison(dst)
			require.ErrorIs(t, e.Encode(dst, good), encoding.ErrShape)
			untouched(t, dst)
		})
		t.Run(name+"/destination-length", func(t *testing.T) {
			dst := tensor.New[float32](e.OutShape(good.Shape)...)
			dst.Data = dst.Data[:len(dst.Data)-1]
			require.ErrorIs(t, e.Encode(dst, good), encoding.ErrShape)
		})
		for _, shape := range [][]int{{4096}, {64, 63}, {2, 2, 2, 64, 64}, {64, 64, 1}} {
			t.Run(fmt.Sprintf("%s/source-%v", name, shape), func(t *testing.T) {
				src := tensor.Dense[uint8]{Shape: shape, Data: make([]uint8, tensor.Size(shape))}
				dst := tensor.New[float32](16, 64, 64)
				err := e.Encode(dst, src)
				require.ErrorIs(t, err, encoding.ErrShape)
				assert.Contains(t, err.Error(), fmt.Sprint(shape))
			})
		}
		t.Run(name+"/source-length", func(t *testing.T) {
			src := tensor.Dense[uint8]{Shape: []int{2, 64, 64}, Data: make([]uint8, 4096)}
			dst := tensor.New[float32](e.OutShape(src.Shape)...)
			require.ErrorIs(t, e.Encode(dst, src), encoding.ErrShape)
		})
	}
}

func TestInvalidInputOtherTypes(t *testing.T) {
	bad := filled(3, 64, 64)
	bad.Data[100] = 200
	assert.ErrorIs(t, encoding.OneHot{}.EncodeU8(tensor.New[uint8](16, 64, 64), bad), encoding.ErrColor)
	assert.ErrorIs(t, encoding.OneHot{}.EncodeF64(tensor.New[float64](16, 64, 64), bad), encoding.ErrColor)
	assert.ErrorIs(t, encoding.OneHot{Layout: 5}.Encode(tensor.New[float32](16, 64, 64), filled(0, 64, 64)), encoding.ErrShape)

	packed := tensor.New[uint8](64, 32)
	assert.ErrorIs(t, encoding.Pack4{}.Encode(packed, bad), encoding.ErrColor)
	assert.Equal(t, make([]uint8, 64*32), packed.Data, "packed output untouched")
	assert.ErrorIs(t, encoding.Pack4{}.Encode(tensor.New[uint8](64, 64), filled(0, 64, 64)), encoding.ErrShape)
	assert.ErrorIs(t, encoding.Pack4{}.Decode(tensor.New[uint8](64, 64), tensor.New[uint8](64, 64)), encoding.ErrShape)
	assert.ErrorIs(t, encoding.Pack4{}.Decode(tensor.New[uint8](2, 64, 64), tensor.New[uint8](64, 32)), encoding.ErrShape)
	assert.ErrorIs(t, encoding.Pack4{}.Decode(tensor.New[uint8](64, 64),
		tensor.Dense[uint8]{Shape: []int{64, 32}, Data: make([]uint8, 10)}), encoding.ErrShape)
	assert.Nil(t, encoding.Pack4{}.UnpackedShape([]int{64, 64}))
}

func TestLayoutString(t *testing.T) {
	assert.Equal(t, "CHW", encoding.ChannelFirst.String())
	assert.Equal(t, "HWC", encoding.ChannelLast.String())
	assert.Equal(t, "Layout(7)", encoding.Layout(7).String())
}
