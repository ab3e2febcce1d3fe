package spaces

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/tensor"
)

func TestBoxContains(t *testing.T) {
	u := NewBox(0, 15, Uint8, 2, 3)
	f := NewBox(-1, 1, Float32, 4)
	okU := tensor.Of([]uint8{0, 1, 2, 3, 4, 15}, 2, 3)
	okF := tensor.Of([]float32{-1, 0, 0.5, 1}, 4)
	nan := float32(math.NaN())
	tests := []struct {
		name string
		box  *Box
		v    any
		want bool
	}{
		{"uint8 in bounds", u, okU, true},
		{"uint8 pointer", u, &okU, true},
		{"uint8 nil pointer", u, (*tensor.U8)(nil), false},
		{"uint8 above high", u, tensor.Of([]uint8{0, 1, 2, 3, 4, 16}, 2, 3), false},
		{"uint8 wrong shape", u, tensor.Of([]uint8{0, 1, 2, 3, 4, 5}, 3, 2), false},
		{"uint8 flat shape", u, tensor.Of([]uint8{0, 1, 2, 3, 4, 5}, 6), false},
		{"uint8 shape and data disagree", u, tensor.U8{Shape: []int{2, 3}, Data: []uint8{1}}, false},
		{"float into uint8 box", u, tensor.Of([]float32{0, 1, 2, 3, 4, 5}, 2, 3), false},
		{"float32 in bounds", f, okF, true},
		{"float32 pointer", f, &okF, true},
		{"float32 below low", f, tensor.Of([]float32{-1.01, 0, 0, 0}, 4), false},
		{"float32 NaN", f, tensor.Of([]float32{nan, 0, 0, 0}, 4), false},
		{"float32 Inf", f, tensor.Of([]float32{float32(math.Inf(1)), 0, 0, 0}, 4), false},
		{"uint8 into float box", f, tensor.Of([]uint8{0, 0, 0, 0}, 4), false},
		{"raw slice", f, []float32{0, 0, 0, 0}, false},
		{"nil", f, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.box.Contains(tt.v))
		})
	}
}

func TestNewBoxPanicsOnBadConfig(t *testing.T) {
	tests := []struct {
		name      string
		low, high float64
		dtype     Dtype
		shape     []int
	}{
		{"unset dtype", 0, 1, 0, nil},
		{"dtype outside the constants", 0, 1, Dtype(3), nil},
		{"shape given as the dtype", 0, 15, 64, []int{64}},
		{"low above high", 2, 1, Float32, nil},
		{"NaN", math.NaN(), 1, Float32, nil},
		{"negative dimension", 0, 1, Uint8, []int{2, -1}},
		{"uint8 without integers", 0.2, 0.8, Uint8, nil},
		{"uint8 above 255", 300, 400, Uint8, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Panics(t, func() { NewBox(tt.low, tt.high, tt.dtype, tt.shape...) })
		})
	}
}

func TestDtypeString(t *testing.T) {
	assert.Equal(t, "uint8", Uint8.String())
	assert.Equal(t, "float32", Float32.String())
	assert.Equal(t, "Dtype(0)", Dtype(0).String())
	assert.Equal(t, "Dtype(9)", Dtype(9).String())
	assert.Equal(t, "Box(-1, 1, [3], float32)", NewBox(-1, 1, Float32, 3).String())
}

func TestDtypeTextRoundTrip(t *testing.T) {
	for _, d := range []Dtype{Uint8, Float32} {
		text, err := d.MarshalText()
		require.NoError(t, err)
		assert.Equal(t, d.String(), string(text))
		var got Dtype
		require.NoError(t, got.UnmarshalText(text))
		assert.Equal(t, d, got)
	}
}

func TestDtypeJSONIsNumpyName(t *testing.T) {
	type desc struct {
		Dtype Dtype `json:"dtype"`
	}
	data, err := json.Marshal(desc{Float32})
	require.NoError(t, err)
	assert.JSONEq(t, `{"dtype":"float32"}`, string(data))
	assert.Equal(t, `{"dtype":"float32"}`, string(data), "the string form, byte for byte")

	var got desc
	require.NoError(t, json.Unmarshal([]byte(`{"dtype":"uint8"}`), &got))
	assert.Equal(t, Uint8, got.Dtype)
}

func TestDtypeEncodingErrors(t *testing.T) {
	for _, d := range []Dtype{0, 3} {
		_, err := d.MarshalText()
		assert.ErrorContains(t, err, d.String())
		_, err = json.Marshal(d)
		assert.Error(t, err, "json.Marshal(%v)", d)
	}
	for _, text := range []string{"", "float64", "UINT8", "int8", " uint8"} {
		d := Float32
		err := d.UnmarshalText([]byte(text))
		assert.ErrorContains(t, err, "want \"uint8\" or \"float32\"", "text %q", text)
		assert.Equal(t, Float32, d, "a failed decode of %q leaves the value", text)
	}
	var d Dtype
	assert.Error(t, json.Unmarshal([]byte(`1`), &d), "a number is not a dtype")
}

func TestNewBoxNamesTheBadDtype(t *testing.T) {
	assert.PanicsWithValue(t, "spaces: Box dtype Dtype(3), want uint8 or float32", func() { NewBox(0, 1, 3, 2) })
}

func TestBoxBasics(t *testing.T) {
	b := NewBox(0, 15, Uint8, 64, 64)
	assert.Equal(t, "Box(0, 15, [64 64], uint8)", b.String())
	assert.Equal(t, []int{64, 64}, b.Shape())
	assert.Equal(t, 4096, b.Size())
	assert.Equal(t, 1, NewBox(0, 1, Float32).Size(), "a scalar box has one element")
}

func TestBoxSampleInBoundsAndDeterministic(t *testing.T) {
	inf := math.Inf(1)
	tests := []struct {
		name      string
		low, high float64
		dtype     Dtype
	}{
		{"uint8 palette", 0, 15, Uint8},
		{"uint8 full range", 0, 255, Uint8},
		{"uint8 fractional bounds", 0.5, 3.5, Uint8},
		{"uint8 clamped", -10, 1000, Uint8},
		{"float unit", 0, 1, Float32},
		{"float narrow", 0.1, 0.1000001, Float32},
		{"float lower bound only", -2, inf, Float32},
		{"float upper bound only", -inf, 3, Float32},
		{"float unbounded", -inf, inf, Float32},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := NewBox(tt.low, tt.high, tt.dtype, 8, 8), NewBox(tt.low, tt.high, tt.dtype, 8, 8)
			a.Seed(5)
			b.Seed(5)
			for range 20 {
				va, err := a.SampleValue(nil)
				require.NoError(t, err)
				vb, err := b.SampleValue(nil)
				require.NoError(t, err)
				require.True(t, a.Contains(va), "sample %v", va)
				assert.Equal(t, va, vb)
			}
		})
	}
}

func TestBoxSampleU8CoversRange(t *testing.T) {
	b := NewBox(0.5, 3.5, Uint8, 1000)
	dst := make([]uint8, 1000)
	b.SampleU8(dst)
	seen := map[uint8]bool{}
	for _, x := range dst {
		seen[x] = true
	}
	assert.Equal(t, map[uint8]bool{1: true, 2: true, 3: true}, seen)
}

func TestBoxSampleValueRejectsMask(t *testing.T) {
	v, err := NewBox(0, 1, Float32, 2).SampleValue([]bool{true, true})
	require.ErrorIs(t, err, ErrInvalidMask)
	assert.Nil(t, v)
}

func TestBoxSampleAllocatesNothing(t *testing.T) {
	u := NewBox(0, 15, Uint8, 64, 64)
	f := NewBox(0, 1, Float32, 64, 64)
	du, df := make([]uint8, 4096), make([]float32, 4096)
	assert.Zero(t, testing.AllocsPerRun(20, func() { u.SampleU8(du) }))
	assert.Zero(t, testing.AllocsPerRun(20, func() { f.SampleF32(df) }))
	tu, tf := tensor.Of(du, 64, 64), tensor.Of(df, 64, 64)
	assert.Zero(t, testing.AllocsPerRun(20, func() { u.ContainsU8(tu) }))
	assert.Zero(t, testing.AllocsPerRun(20, func() { f.ContainsF32(tf) }))
}

func BenchmarkBoxContains(b *testing.B) {
	box := NewBox(0, 15, Uint8, 64, 64)
	v := tensor.New[uint8](64, 64)
	b.ReportAllocs()
	b.SetBytes(int64(v.Len()))
	for b.Loop() {
		if !box.ContainsU8(v) {
			b.Fatal("frame not contained")
		}
	}
}

func BenchmarkBoxSampleU8(b *testing.B) {
	box := NewBox(0, 15, Uint8, 64, 64)
	dst := make([]uint8, 4096)
	b.ReportAllocs()
	b.SetBytes(int64(len(dst)))
	for b.Loop() {
		box.SampleU8(dst)
	}
}
