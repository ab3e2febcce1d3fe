package spaces

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMultiDiscreteContains(t *testing.T) {
	m := NewMultiDiscreteStart([]int{3, 2}, []int{0, 10}) // {0,1,2} x {10,11}
	tests := []struct {
		name string
		v    any
		want bool
	}{
		{"in range", []int{2, 11}, true},
		{"first low", []int{-1, 10}, false},
		{"second high", []int{0, 12}, false},
		{"second below start", []int{0, 9}, false},
		{"short", []int{0}, false},
		{"long", []int{0, 10, 0}, false},
		{"wrong element type", []int64{0, 10}, false},
		{"scalar", 0, false},
		{"nil", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, m.Contains(tt.v))
		})
	}
}

func TestMultiDiscreteBasics(t *testing.T) {
	assert.Equal(t, "MultiDiscrete([3 4])", NewMultiDiscrete(3, 4).String())
	assert.Equal(t, "MultiDiscrete([3 4], start=[0 -1])", NewMultiDiscreteStart([]int{3, 4}, []int{0, -1}).String())
	assert.Equal(t, []int{2}, NewMultiDiscrete(3, 4).Shape())
	for name, f := range map[string]func(){
		"empty":          func() { NewMultiDiscrete() },
		"zero entry":     func() { NewMultiDiscrete(3, 0) },
		"length differs": func() { NewMultiDiscreteStart([]int{3}, []int{0, 0}) },
	} {
		assert.Panics(t, f, name)
	}
}

func TestMultiDiscreteSampleDeterministic(t *testing.T) {
	a, b := NewMultiDiscrete(5, 7, 2), NewMultiDiscrete(5, 7, 2)
	a.Seed(3)
	b.Seed(3)
	var da, db [][]int
	for range 100 {
		x := a.Sample(nil)
		require.True(t, a.Contains(x), "sample %v", x)
		da = append(da, x)
		db = append(db, b.Sample(make([]int, 3)))
	}
	assert.Equal(t, da, db)
	b.Seed(4)
	var dc [][]int
	for range 100 {
		dc = append(dc, b.Sample(nil))
	}
	assert.NotEqual(t, da, dc)
}

func TestMultiDiscreteSampleMask(t *testing.T) {
	m := NewMultiDiscreteStart([]int{4, 3, 2}, []int{0, 5, -1})
	m.Seed(11)
	tests := []struct {
		name  string
		masks [][]bool
		want  []map[int]bool // allowed values per dimension
	}{
		{
			"one value per dimension",
			[][]bool{{false, false, true, false}, {true, false, false}, {false, true}},
			[]map[int]bool{{2: true}, {5: true}, {0: true}},
		},
		{
			"nil dimension is free",
			[][]bool{{true, false, false, true}, nil, {true, false}},
			[]map[int]bool{{0: true, 3: true}, {5: true, 6: true, 7: true}, {-1: true}},
		},
		{
			"empty dimension gives start",
			[][]bool{{false, false, false, false}, {false, true, true}, {false, false}},
			[]map[int]bool{{0: true}, {6: true, 7: true}, {-1: true}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			i8 := make([][]int8, len(tt.masks))
			for d, mk := range tt.masks {
				if mk == nil {
					continue
				}
				i8[d] = make([]int8, len(mk))
				for i, b := range mk {
					if b {
						i8[d][i] = 1
					}
				}
			}
			seen := make([]map[int]bool, 3)
			for d := range seen {
				seen[d] = map[int]bool{}
			}
			dst := make([]int, 3)
			for range 300 {
				x, err := m.SampleMask(dst, tt.masks)
				require.NoError(t, err)
				y, err := m.SampleMaskInt8(nil, i8)
				require.NoError(t, err)
				for d := range 3 {
					seen[d][x[d]] = true
					seen[d][y[d]] = true
				}
			}
			assert.Equal(t, tt.want, seen)
		})
	}
}

func TestMultiDiscreteSampleMaskInvalid(t *testing.T) {
	m := NewMultiDiscrete(2, 3)
	for name, mask := range map[string]any{
		"too few dimensions":   [][]bool{{true, true}},
		"wrong dimension size": [][]bool{{true, true}, {true}},
		"int8 not 0 or 1":      [][]int8{{1, 1}, {0, 3, 0}},
		"flat mask":            []bool{true, true},
	} {
		v, err := m.SampleValue(mask)
		assert.ErrorIs(t, err, ErrInvalidMask, name)
		assert.Nil(t, v, name)
	}
}

func TestMultiDiscreteSampleAllocatesNothing(t *testing.T) {
	m := NewMultiDiscrete(4, 4, 4)
	dst := make([]int, 3)
	masks := [][]bool{{true, false, true, false}, nil, {false, false, false, false}}
	assert.Zero(t, testing.AllocsPerRun(100, func() { m.Sample(dst) }))
	assert.Zero(t, testing.AllocsPerRun(100, func() { _, _ = m.SampleMask(dst, masks) }))
}
