package spaces

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
)

func TestFlattenUnflattenRoundTrip(t *testing.T) {
	require.Equal(t, 4102, FlatSize)
	seen := make(map[string]bool, FlatSize)
	for i := range FlatSize {
		a, ok := Unflatten(i)
		require.True(t, ok, "index %d", i)
		require.NoError(t, a.Validate(), "index %d", i)
		require.NotEqual(t, arc.Reset, a.ID, "index %d", i)
		require.Equal(t, i, Flatten(a), "action %v", a)
		require.False(t, seen[a.String()], "action %v appears twice", a)
		seen[a.String()] = true
	}
	for x := range arc.GridSize {
		for y := range arc.GridSize {
			require.True(t, seen[arc.Click(x, y).String()], "click (%d,%d) has no index", x, y)
		}
	}
}

func TestFlattenLayout(t *testing.T) {
	tests := []struct {
		a    arc.Action
		want int
	}{
		{arc.Simple(arc.Action1), 0},
		{arc.Simple(arc.Action5), 4},
		{arc.Simple(arc.Action7), 5},
		{arc.Click(0, 0), FlatAction6},
		{arc.Click(1, 0), FlatAction6 + 1},
		{arc.Click(0, 1), FlatAction6 + 64},
		{arc.Click(63, 63), FlatSize - 1},
		{arc.Simple(arc.Reset), -1},
		{arc.Action{ID: 9}, -1},
		{arc.Click(64, 0), -1},
		{arc.Click(0, 64), -1},
	}
	for _, tt := range tests {
		t.Run(tt.a.String(), func(t *testing.T) {
			assert.Equal(t, tt.want, Flatten(tt.a))
		})
	}
	for _, i := range []int{-1, FlatSize, 1 << 40} {
		_, ok := Unflatten(i)
		assert.False(t, ok, "index %d", i)
	}
}

func TestActionContains(t *testing.T) {
	s := NewAction(arc.ActionSetOf(arc.Reset, arc.Action1, arc.Action3, arc.Action6))
	tests := []struct {
		name string
		v    any
		want bool
	}{
		{"available simple", arc.Simple(arc.Action3), true},
		{"unavailable simple", arc.Simple(arc.Action2), false},
		{"click", arc.Click(10, 20), true},
		{"click off grid", arc.Click(70, 20), false},
		{"reset never", arc.Simple(arc.Reset), false},
		{"flat simple", 2, true},
		{"flat unavailable", 1, false},
		{"flat click int64", int64(FlatAction6 + 100), true},
		{"flat out of range", FlatSize, false},
		{"negative", -1, false},
		{"pointer", &arc.Action{ID: arc.Action1}, false},
		{"string", "ACTION1", false},
		{"nil", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, s.Contains(tt.v))
		})
	}
	assert.Equal(t, "Action([1 3 6])", s.String())
	assert.Equal(t, FlatSize, s.N())
}

func TestActionMask(t *testing.T) {
	s := NewAction(arc.ActionSetOf(arc.Action2, arc.Action6))
	m := s.Mask(nil)
	require.Len(t, m, FlatSize)
	for i, ok := range m {
		a, _ := Unflatten(i)
		assert.Equal(t, a.ID == arc.Action2 || a.ID == arc.Action6, ok, "index %d", i)
	}
	buf := make([]bool, FlatSize)
	assert.Same(t, &buf[0], &s.Mask(buf)[0], "a buffer of the right size is reused")
}

func TestActionSampleDeterministic(t *testing.T) {
	sets := []arc.ActionSet{
		arc.ActionSetOf(arc.Action1, arc.Action2, arc.Action3, arc.Action4),
		arc.ActionSetOf(arc.Action6),
		arc.ActionSetOf(arc.Action1, arc.Action2, arc.Action3, arc.Action4, arc.Action5, arc.Action6, arc.Action7),
	}
	for _, set := range sets {
		t.Run(set.String(), func(t *testing.T) {
			a, b := NewAction(set), NewAction(set)
			a.Seed(99)
			b.Seed(99)
			for range 300 {
				x, ok := a.Sample(nil)
				require.True(t, ok)
				y, _ := b.Sample(nil)
				require.True(t, a.Contains(x), "sample %v", x)
				require.Equal(t, x, y)
			}
		})
	}
}

func TestActionSampleIDsUniform(t *testing.T) {
	s := NewAction(arc.ActionSetOf(arc.Action1, arc.Action6))
	s.Seed(2)
	n6 := 0
	for range 2000 {
		a, ok := s.Sample(nil)
		require.True(t, ok)
		if a.ID == arc.Action6 {
			n6++
		}
	}
	assert.InDelta(t, 1000, n6, 150, "ids are drawn before cells")
}

func TestActionSampleRespectsMask(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 20 {
		mask := make([]bool, FlatSize)
		density := []float64{0.001, 0.01, 0.5}[trial%3]
		for i := range mask {
			mask[i] = rng.Float64() < density
		}
		mask[trial%6] = true // at least one
		s := NewAction(arc.ActionSetOf(arc.Action1, arc.Action3, arc.Action6))
		s.Seed(uint64(trial))
		for range 100 {
			a, ok := s.Sample(mask)
			require.True(t, ok)
			i := Flatten(a)
			require.True(t, mask[i], "trial %d: %v (index %d) is masked out", trial, a, i)
			require.True(t, s.Contains(a))
		}
	}
}

func TestActionSampleNothingAllowed(t *testing.T) {
	tests := []struct {
		name  string
		avail arc.ActionSet
		mask  []bool
	}{
		{"no actions", arc.ActionSetOf(arc.Reset), nil},
		{"all masked", arc.ActionSetOf(arc.Action1, arc.Action6), make([]bool, FlatSize)},
		{"mask of wrong length", arc.ActionSetOf(arc.Action1), []bool{true}},
		{"mask allows only unavailable", arc.ActionSetOf(arc.Action1), func() []bool {
			m := make([]bool, FlatSize)
			m[1] = true
			return m
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ok := NewAction(tt.avail).Sample(tt.mask)
			assert.False(t, ok)
		})
	}
}

func TestActionSampleValue(t *testing.T) {
	s := NewAction(arc.ActionSetOf(arc.Action1, arc.Action6))
	i8 := make([]int8, FlatSize)
	i8[FlatAction6+5*64+9] = 1
	v, err := s.SampleValue(i8)
	require.NoError(t, err)
	assert.Equal(t, arc.Click(9, 5), v)

	v, err = s.SampleValue(nil)
	require.NoError(t, err)
	assert.True(t, s.Contains(v))

	for name, mask := range map[string]any{
		"short":      []bool{true},
		"int8 value": append([]int8{2}, make([]int8, FlatSize-1)...),
		"type":       []int{1},
		"none":       make([]bool, FlatSize),
	} {
		v, err := s.SampleValue(mask)
		assert.ErrorIs(t, err, ErrInvalidMask, name)
		assert.Nil(t, v, name)
	}
}

func TestActionSampleAllocatesNothing(t *testing.T) {
	s := NewAction(arc.ActionSetOf(arc.Action1, arc.Action6))
	mask := s.Mask(nil)
	assert.Zero(t, testing.AllocsPerRun(100, func() { s.Sample(nil) }))
	assert.Zero(t, testing.AllocsPerRun(100, func() { s.Sample(mask) }))
	assert.Zero(t, testing.AllocsPerRun(100, func() { s.Mask(mask) }))
}

func BenchmarkActionSampleMasked(b *testing.B) {
	s := NewAction(arc.ActionSetOf(arc.Action1, arc.Action6))
	mask := s.Mask(nil)
	b.ReportAllocs()
	b.SetBytes(FlatSize)
	for b.Loop() {
		s.Sample(mask)
	}
}
