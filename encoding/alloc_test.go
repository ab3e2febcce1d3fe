package encoding_test

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/encoding"
	"github.com/arcgym/arcgym/tensor"
)

func TestZeroAllocations(t *testing.T) {
	src := arcFrames(rand.New(rand.NewPCG(5, 5)), 4, 2, 64, 64)
	chw := encoding.OneHot{}
	hwc := encoding.OneHot{Layout: encoding.ChannelLast}
	f32 := func(e interface{ OutShape([]int) []int }) tensor.F32 {
		return tensor.New[float32](e.OutShape(src.Shape)...)
	}
	f64 := func(e interface{ OutShape([]int) []int }) tensor.Dense[float64] {
		return tensor.New[float64](e.OutShape(src.Shape)...)
	}
	u8 := func(e interface{ OutShape([]int) []int }) tensor.U8 {
		return tensor.New[uint8](e.OutShape(src.Shape)...)
	}
	chw32, hwc32, chw8, hwc8, chw64, hwc64 := f32(chw), f32(hwc), u8(chw), u8(hwc), f64(chw), f64(hwc)
	scaled, raw, scaled64, raw64 := f32(encoding.Scaled{}), f32(encoding.Raw{}), f64(encoding.Scaled{}), f64(encoding.Raw{})
	diff, diff64 := f32(encoding.Diff{}), f64(encoding.Diff{})
	frame := src.Index(0).Index(0) // a single (64,64) frame
	frameCHW := tensor.New[float32](chw.OutShape(frame.Shape)...)
	frameHWC := tensor.New[float32](hwc.OutShape(frame.Shape)...)
	packed := u8(encoding.Pack4{})
	unpacked := tensor.New[uint8](src.Shape...)

	tests := []struct {
		name string
		run  func() error
	}{
		{"onehot/chw/f32", func() error { return chw.Encode(chw32, src) }},
		{"onehot/hwc/f32", func() error { return hwc.Encode(hwc32, src) }},
		{"onehot/chw/u8", func() error { return chw.EncodeU8(chw8, src) }},
		{"onehot/hwc/u8", func() error { return hwc.EncodeU8(hwc8, src) }},
		{"onehot/chw/f64", func() error { return chw.EncodeF64(chw64, src) }},
		{"onehot/hwc/f64", func() error { return hwc.EncodeF64(hwc64, src) }},
		{"onehot/chw/frame", func() error { return chw.Encode(frameCHW, frame) }},
		{"onehot/hwc/frame", func() error { return hwc.Encode(frameHWC, frame) }},
		{"scaled", func() error { return encoding.Scaled{}.Encode(scaled, src) }},
		{"scaled/f64", func() error { return encoding.Scaled{}.EncodeF64(scaled64, src) }},
		{"raw", func() error { return encoding.Raw{}.Encode(raw, src) }},
		{"raw/f64", func() error { return encoding.Raw{}.EncodeF64(raw64, src) }},
		{"diff", func() error { return encoding.Diff{}.Encode(diff, src) }},
		{"diff/signed", func() error { return encoding.Diff{Signed: true}.Encode(diff, src) }},
		{"diff/f64", func() error { return encoding.Diff{}.EncodeF64(diff64, src) }},
		{"diff/signed/f64", func() error { return encoding.Diff{Signed: true}.EncodeF64(diff64, src) }},
		{"pack4", func() error { return encoding.Pack4{}.Encode(packed, src) }},
		{"unpack4", func() error { return encoding.Pack4{}.Decode(unpacked, packed) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.NoError(t, tt.run())
			allocs := testing.AllocsPerRun(20, func() {
				if err := tt.run(); err != nil {
					t.Fatal(err)
				}
			})
			assert.Zero(t, allocs)
		})
	}
}
