package encoding_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/encoding"
	"github.com/arcgym/arcgym/tensor"
)

// frameFrom builds a (2,64,64) stack by repeating data, so that a short
// fuzz input still fills two frames.
func frameFrom(data []byte) tensor.U8 {
	src := tensor.New[uint8](2, 64, 64)
	if len(data) == 0 {
		return src
	}
	for i := range src.Data {
		src.Data[i] = data[i%len(data)]
	}
	return src
}

// FuzzEncode feeds arbitrary bytes, in or out of the colour range, to every
// encoder: each must either match the reference or, exactly when a byte is
// above 15, fail with ErrColor and leave its destination alone.
func FuzzEncode(f *testing.F) {
	f.Add([]byte{0})
	f.Add([]byte{15, 0, 7})
	f.Add([]byte{16})
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 255})
	f.Fuzz(func(t *testing.T, data []byte) {
		src := frameFrom(data)
		valid := true
		for _, c := range src.Data {
			valid = valid && c < 16
		}
		check := func(name string, err error, match func()) {
			if !valid {
				require.ErrorIs(t, err, encoding.ErrColor, name)
				return
			}
			require.NoError(t, err, name)
			match()
		}

		for _, layout := range []encoding.Layout{encoding.ChannelFirst, encoding.ChannelLast} {
			e := encoding.OneHot{Layout: layout}
			dst := tensor.New[float32](e.OutShape(src.Shape)...)
			check("onehot", e.Encode(dst, src), func() {
				assert.Equal(t, refOneHot[float32](src, layout == encoding.ChannelLast).Data, dst.Data)
			})
			if !valid {
				assert.Equal(t, make([]float32, len(dst.Data)), dst.Data)
			}
		}
		scaled := tensor.New[float32](src.Shape...)
		check("scaled", encoding.Scaled{}.Encode(scaled, src), func() {
			assert.Equal(t, refMap(src, func(c uint8) float32 { return float32(c) / 15 }).Data, scaled.Data)
		})
		diff := tensor.New[float32](1, 64, 64)
		check("diff", encoding.Diff{Signed: true}.Encode(diff, src), func() {
			assert.Equal(t, refDiff[float32](src, true).Data, diff.Data)
		})
		shares := tensor.New[float32](32, 16, 16)
		check("shares", encoding.Shares{Pool: 4}.Encode(shares, src), func() {
			assert.Equal(t, refShares(src, 4).Data, shares.Data)
		})
		packed := tensor.New[uint8](2, 64, 32)
		check("pack4", encoding.Pack4{}.Encode(packed, src), func() {
			assert.Equal(t, refPack(src).Data, packed.Data)
		})
	})
}

// FuzzDecodePack4 checks that any packed bytes decode to colours 0..15 that
// pack back to the same bytes, and that a wrong length is refused.
func FuzzDecodePack4(f *testing.F) {
	f.Add([]byte{0x21, 0xfe}, 2048)
	f.Add([]byte{0xff}, 4096)
	f.Add([]byte{}, 10)
	f.Fuzz(func(t *testing.T, data []byte, n int) {
		if n < 0 || n > 3*2048 {
			n = 2048
		}
		src := tensor.Dense[uint8]{Shape: []int{64, 32}, Data: make([]uint8, n)}
		for i := range src.Data {
			if len(data) > 0 {
				src.Data[i] = data[i%len(data)]
			}
		}
		dst := tensor.New[uint8](64, 64)
		err := encoding.Pack4{}.Decode(dst, src)
		if n != 2048 {
			require.True(t, errors.Is(err, encoding.ErrShape), "length %d: %v", n, err)
			return
		}
		require.NoError(t, err)
		for _, c := range dst.Data {
			require.Less(t, c, uint8(16))
		}
		again := tensor.New[uint8](64, 32)
		require.NoError(t, encoding.Pack4{}.Encode(again, dst))
		assert.Equal(t, src.Data, again.Data)
	})
}

// FuzzShape feeds arbitrary shapes, data lengths and worker counts to every
// encoder and to Decode: each must return nil or ErrShape, never panic, and
// succeed only for a shape it accepts. Data is allocated only for small
// shapes, so that huge or wrapped-around ones arrive with short data, as a
// lying caller would send them.
func FuzzShape(f *testing.F) {
	f.Add(int64(2), int64(1), int64(64), int64(64), uint8(2), int64(-1), uint8(2))
	f.Add(int64(3), int64(64), int64(64), int64(0), uint8(1), int64(-1), uint8(0))
	f.Add(int64(3<<26), int64(1<<26), int64(64), int64(64), uint8(2), int64(0), uint8(5))
	f.Add(int64(1<<40), int64(1<<40), int64(64), int64(64), uint8(2), int64(0), uint8(2))
	f.Add(int64(-1), int64(-1), int64(64), int64(64), uint8(2), int64(0), uint8(2))
	f.Add(int64(0), int64(3), int64(64), int64(64), uint8(2), int64(-1), uint8(3))
	f.Add(int64(3<<27), int64(1<<26), int64(64), int64(32), uint8(2), int64(0), uint8(2))
	f.Fuzz(func(t *testing.T, a, b, c, d int64, rank uint8, dataLen int64, workers uint8) {
		dims := []int{int(a), int(b), int(c), int(d)}
		shape := dims[:2+int(rank)%3]
		n := 0
		switch {
		case dataLen >= 0 && dataLen < 1<<20:
			n = int(dataLen)
		case small(shape):
			n = tensor.Size(shape)
		}
		src := tensor.U8{Shape: shape, Data: make([]uint8, n)}
		w := int(workers % 6)
		type encoder interface {
			OutShape([]int) []int
			Encode(tensor.F32, tensor.U8) error
		}
		for _, e := range []encoder{
			encoding.OneHot{Workers: w}, encoding.OneHot{Layout: encoding.ChannelLast, Workers: w},
			encoding.Scaled{Workers: w}, encoding.Raw{Workers: w}, encoding.Diff{Workers: w},
			encoding.Shares{Pool: 1 << (w % 7)},
		} {
			out := e.OutShape(shape)
			// The destination the caller would allocate, or, for a shape
			// too big for that, one with no data that claims the shape.
			dst := tensor.F32{Shape: out}
			if out != nil && small(out) {
				dst = tensor.New[float32](out...)
			}
			if err := e.Encode(dst, src); err != nil {
				require.ErrorIs(t, err, encoding.ErrShape, "%T %v", e, shape)
				continue
			}
			require.NotNil(t, out, "%T accepted %v", e, shape)
		}
		p := encoding.Pack4{Workers: w}
		packed := tensor.U8{Shape: shape, Data: make([]uint8, n/2)}
		out := p.UnpackedShape(shape)
		unpacked := tensor.U8{Shape: out}
		if out != nil && small(out) {
			unpacked = tensor.New[uint8](out...)
		}
		if err := p.Decode(unpacked, packed); err != nil {
			require.ErrorIs(t, err, encoding.ErrShape)
		}
	})
}

// small reports whether shape has no negative dimension and few enough
// elements to allocate in a fuzz run.
func small(shape []int) bool {
	n := 1
	for _, d := range shape {
		if d < 0 || d > 1<<20 {
			return false
		}
		if n *= d; n > 1<<22 {
			return false
		}
	}
	return true
}
