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
