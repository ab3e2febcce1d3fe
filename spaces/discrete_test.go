package spaces

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDiscreteContains(t *testing.T) {
	d := NewDiscrete(5, -2) // -2..2
	tests := []struct {
		name string
		v    any
		want bool
	}{
		{"start", -2, true},
		{"last", 2, true},
		{"below", -3, false},
		{"above", 3, false},
		{"int8", int8(1), true},
		{"int64", int64(2), true},
		{"uint8", uint8(0), true},
		{"uint64 overflow", ^uint64(0), false},
		{"float", 1.0, false},
		{"string", "1", false},
		{"nil", nil, false},
		{"slice", []int{1}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, d.Contains(tt.v))
		})
	}
}

func TestDiscreteString(t *testing.T) {
	assert.Equal(t, "Discrete(3)", NewDiscrete(3, 0).String())
	assert.Equal(t, "Discrete(3, start=-1)", NewDiscrete(3, -1).String())
	assert.Nil(t, NewDiscrete(3, 0).Shape())
}

func TestNewDiscretePanicsOnEmpty(t *testing.T) {
	for _, n := range []int{0, -1} {
		assert.Panics(t, func() { NewDiscrete(n, 0) }, "n=%d", n)
	}
}

func draws(n int, f func() int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = f()
	}
	return out
}

func TestDiscreteSampleDeterministic(t *testing.T) {
	tests := []struct {
		name     string
		n, start int
	}{
		{"small", 3, 0},
		{"offset", 10, 5},
		{"large", 4102, -7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := NewDiscrete(tt.n, tt.start), NewDiscrete(tt.n, tt.start)
			a.Seed(42)
			b.Seed(42)
			xa, xb := draws(200, a.Sample), draws(200, b.Sample)
			assert.Equal(t, xa, xb)
			for _, x := range xa {
				assert.True(t, a.Contains(x), "sample %d", x)
			}
			b.Seed(43)
			assert.NotEqual(t, xa, draws(200, b.Sample), "another seed gives another stream")
			a.Seed(42)
			assert.Equal(t, xa, draws(200, a.Sample), "reseeding restarts the stream")
		})
	}
}

func TestDiscreteSampleCoversAllValues(t *testing.T) {
	d := NewDiscrete(6, 1)
	d.Seed(1)
	seen := map[int]int{}
	for range 3000 {
		seen[d.Sample()]++
	}
	require.Len(t, seen, 6)
	for v, n := range seen {
		assert.InDelta(t, 500, n, 120, "value %d drawn %d times", v, n)
	}
}

func TestDiscreteSampleMask(t *testing.T) {
	tests := []struct {
		name    string
		start   int
		boolM   []bool
		allowed []int
	}{
		{"two allowed", 0, []bool{false, true, false, true}, []int{1, 3}},
		{"one allowed with start", 10, []bool{false, false, true, false}, []int{12}},
		{"all allowed", -1, []bool{true, true, true, true}, []int{-1, 0, 1, 2}},
		{"none allowed gives start", 7, []bool{false, false, false, false}, []int{7}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := NewDiscrete(len(tt.boolM), tt.start)
			d.Seed(9)
			i8 := make([]int8, len(tt.boolM))
			for i, b := range tt.boolM {
				if b {
					i8[i] = 1
				}
			}
			seenB, seenI := map[int]bool{}, map[int]bool{}
			for range 400 {
				x, err := d.SampleMask(tt.boolM)
				require.NoError(t, err)
				seenB[x] = true
				y, err := d.SampleMaskInt8(i8)
				require.NoError(t, err)
				seenI[y] = true
			}
			want := map[int]bool{}
			for _, v := range tt.allowed {
				want[v] = true
			}
			assert.Equal(t, want, seenB, "bool mask")
			assert.Equal(t, want, seenI, "int8 mask")
		})
	}
}

func TestDiscreteSampleMaskInvalid(t *testing.T) {
	d := NewDiscrete(3, 0)
	tests := []struct {
		name string
		mask any
	}{
		{"short bool", []bool{true}},
		{"long int8", []int8{1, 1, 1, 1}},
		{"int8 not 0 or 1", []int8{1, 2, 0}},
		{"negative int8", []int8{-1, 0, 0}},
		{"wrong type", []int{1, 1, 1}},
		{"nil bool slice", []bool(nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := d.SampleValue(tt.mask)
			require.ErrorIs(t, err, ErrInvalidMask)
			assert.Nil(t, v)
		})
	}
}

func TestDiscreteSampleValue(t *testing.T) {
	d := NewDiscrete(4, 2)
	for _, mask := range []any{nil, []bool{false, false, true, false}, []int8{0, 0, 1, 0}} {
		v, err := d.SampleValue(mask)
		require.NoError(t, err)
		require.IsType(t, 0, v)
		assert.True(t, d.Contains(v))
		if mask != nil {
			assert.Equal(t, 4, v)
		}
	}
}

func TestDiscreteSampleAllocatesNothing(t *testing.T) {
	d := NewDiscrete(64, 0)
	mask := make([]bool, 64)
	mask[10], mask[50] = true, true
	i8 := make([]int8, 64)
	i8[3] = 1
	assert.Zero(t, testing.AllocsPerRun(100, func() { d.Sample() }))
	assert.Zero(t, testing.AllocsPerRun(100, func() { _, _ = d.SampleMask(mask) }))
	assert.Zero(t, testing.AllocsPerRun(100, func() { _, _ = d.SampleMaskInt8(i8) }))
}

func BenchmarkDiscreteSampleMask(b *testing.B) {
	d := NewDiscrete(FlatSize, 0)
	mask := make([]bool, FlatSize)
	for i := range mask {
		mask[i] = i%3 == 0
	}
	b.ReportAllocs()
	b.SetBytes(FlatSize)
	for b.Loop() {
		_, _ = d.SampleMask(mask)
	}
}

func TestSeedAllocatesNothing(t *testing.T) {
	d := NewDiscrete(5, 0)
	a := NewAction(0b11111110)
	allocs := testing.AllocsPerRun(100, func() {
		d.Seed(3)
		a.Seed(4)
	})
	assert.Zero(t, allocs)
	d.Seed(9)
	first := d.Sample()
	d.Seed(9)
	assert.Equal(t, first, d.Sample(), "reseeding rewinds the stream")
}
