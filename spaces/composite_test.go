package spaces

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/tensor"
)

// plainSpace is a Space that cannot sample.
type plainSpace struct{}

func (plainSpace) Contains(v any) bool { return v == "x" }
func (plainSpace) Shape() []int        { return nil }
func (plainSpace) Seed(uint64)         {}
func (plainSpace) String() string      { return "Plain" }

func newTestDict() *Dict {
	return NewDict(map[string]Space{
		"grid":   NewBox(0, 15, Uint8, 2, 2),
		"action": NewDiscrete(3, 0),
		"multi":  NewMultiDiscrete(2, 2),
	})
}

func TestDictContains(t *testing.T) {
	d := newTestDict()
	grid := tensor.Of([]uint8{0, 1, 2, 15}, 2, 2)
	tests := []struct {
		name string
		v    any
		want bool
	}{
		{"valid", map[string]any{"grid": grid, "action": 2, "multi": []int{1, 0}}, true},
		{"member out of range", map[string]any{"grid": grid, "action": 3, "multi": []int{1, 0}}, false},
		{"missing key", map[string]any{"grid": grid, "action": 2}, false},
		{"extra key", map[string]any{"grid": grid, "action": 2, "multi": []int{1, 0}, "x": 1}, false},
		{"renamed key", map[string]any{"grid": grid, "action": 2, "mult": []int{1, 0}}, false},
		{"wrong member type", map[string]any{"grid": 1, "action": 2, "multi": []int{1, 0}}, false},
		{"wrong map type", map[string]int{"action": 2}, false},
		{"nil", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, d.Contains(tt.v))
		})
	}
}

func TestDictBasics(t *testing.T) {
	d := newTestDict()
	assert.Equal(t, []string{"action", "grid", "multi"}, d.Keys())
	assert.Equal(t, 3, d.Len())
	assert.Equal(t, "Dict(action: Discrete(3), grid: Box(0, 15, [2 2], uint8), multi: MultiDiscrete([2 2]))", d.String())
	assert.Nil(t, d.Shape())
	assert.Nil(t, d.Get("nope"))
	assert.Panics(t, func() { NewDict(map[string]Space{"a": nil}) })
}

func TestDictSampleDeterministicAndMasked(t *testing.T) {
	a, b := newTestDict(), newTestDict()
	a.Seed(8)
	b.Seed(8)
	mask := map[string]any{"action": []bool{false, true, false}, "multi": [][]bool{nil, {true, false}}}
	for range 50 {
		x, err := a.Sample(nil)
		require.NoError(t, err)
		y, err := b.Sample(nil)
		require.NoError(t, err)
		require.True(t, a.Contains(x), "sample %v", x)
		assert.Equal(t, x, y)

		m, err := a.Sample(mask)
		require.NoError(t, err)
		require.True(t, a.Contains(m))
		assert.Equal(t, 1, m["action"])
		assert.Equal(t, 0, m["multi"].([]int)[1])
		_, err = b.Sample(mask)
		require.NoError(t, err)
	}
}

func TestDictSeedGivesMembersDistinctStreams(t *testing.T) {
	d := NewDict(map[string]Space{"a": NewDiscrete(1000, 0), "b": NewDiscrete(1000, 0)})
	d.Seed(1)
	same := 0
	for range 100 {
		v, err := d.Sample(nil)
		require.NoError(t, err)
		if v["a"] == v["b"] {
			same++
		}
	}
	assert.Less(t, same, 5, "members seeded alike would draw the same values")
}

func TestDictSampleErrors(t *testing.T) {
	tests := []struct {
		name string
		d    *Dict
		mask any
		want error
	}{
		{"unknown key", newTestDict(), map[string]any{"nope": []bool{true}}, ErrInvalidMask},
		{"bad member mask", newTestDict(), map[string]any{"action": []bool{true}}, ErrInvalidMask},
		{"mask on box", newTestDict(), map[string]any{"grid": []bool{true}}, ErrInvalidMask},
		{"wrong mask type", newTestDict(), []any{nil}, ErrInvalidMask},
		{"member cannot sample", NewDict(map[string]Space{"p": plainSpace{}}), nil, ErrNotSampler},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := tt.d.SampleValue(tt.mask)
			require.ErrorIs(t, err, tt.want)
			assert.Nil(t, v)
		})
	}
}

func newTestTuple() *Tuple {
	return NewTuple(NewDiscrete(4, 1), NewAction(arc.ActionSetOf(arc.Action1, arc.Action6)), NewBox(-1, 1, Float32, 3))
}

func TestTupleContains(t *testing.T) {
	tp := newTestTuple()
	f := tensor.Of([]float32{0, 0.5, -1}, 3)
	tests := []struct {
		name string
		v    any
		want bool
	}{
		{"valid", []any{4, arc.Click(3, 4), f}, true},
		{"flat action index", []any{1, FlatAction6 + 7, f}, true},
		{"unavailable action", []any{1, arc.Simple(arc.Action2), f}, false},
		{"member out of range", []any{0, arc.Simple(arc.Action1), f}, false},
		{"short", []any{1, arc.Simple(arc.Action1)}, false},
		{"long", []any{1, arc.Simple(arc.Action1), f, 0}, false},
		{"typed slice", []int{1, 0, 0}, false},
		{"nil", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tp.Contains(tt.v))
		})
	}
}

func TestTupleBasics(t *testing.T) {
	tp := newTestTuple()
	assert.Equal(t, 3, tp.Len())
	assert.Equal(t, "Discrete(4, start=1)", tp.At(0).String())
	assert.Equal(t, "Tuple(Discrete(4, start=1), Action([1 6]), Box(-1, 1, [3], float32))", tp.String())
	assert.Nil(t, tp.Shape())
	assert.Panics(t, func() { NewTuple(NewDiscrete(2, 0), nil) })
}

func TestTupleSample(t *testing.T) {
	a, b := newTestTuple(), newTestTuple()
	a.Seed(21)
	b.Seed(21)
	onlyA1 := make([]bool, FlatSize)
	onlyA1[Flatten(arc.Simple(arc.Action1))] = true
	mask := []any{[]int8{0, 0, 1, 0}, onlyA1, nil}
	for range 50 {
		x, err := a.Sample(nil)
		require.NoError(t, err)
		y, err := b.Sample(nil)
		require.NoError(t, err)
		require.True(t, a.Contains(x), "sample %v", x)
		assert.Equal(t, x, y)

		m, err := a.Sample(mask)
		require.NoError(t, err)
		require.True(t, a.Contains(m))
		assert.Equal(t, 3, m[0])
		assert.Equal(t, arc.Simple(arc.Action1), m[1])
		_, err = b.Sample(mask)
		require.NoError(t, err)
	}
}

func TestTupleSampleErrors(t *testing.T) {
	tests := []struct {
		name string
		tp   *Tuple
		mask any
		want error
	}{
		{"mask count", newTestTuple(), []any{nil}, ErrInvalidMask},
		{"bad member mask", newTestTuple(), []any{[]bool{true}, nil, nil}, ErrInvalidMask},
		{"wrong mask type", newTestTuple(), map[string]any{}, ErrInvalidMask},
		{"action mask allows nothing", newTestTuple(), []any{nil, make([]bool, FlatSize), nil}, ErrInvalidMask},
		{"member cannot sample", NewTuple(plainSpace{}), nil, ErrNotSampler},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := tt.tp.SampleValue(tt.mask)
			require.ErrorIs(t, err, tt.want)
			assert.Nil(t, v)
		})
	}
}
