package scorecard

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestLevelScore(t *testing.T) {
	tests := []struct {
		baseline, actions int
		want              float64
	}{
		{4, 4, 100},
		{4, 8, 25},
		{8, 4, 115}, // 400 capped
		{9, 10, 81},
		{10, 9, 115},
		{4, 0, 0},
		{4, -1, 0},
		{0, 5, 0},
	}
	for _, tt := range tests {
		assert.InDelta(t, tt.want, LevelScore(tt.baseline, tt.actions), 1e-9, "b=%d a=%d", tt.baseline, tt.actions)
	}
}

func TestRunScore(t *testing.T) {
	bt11 := []int{4, 8, 16, 20, 24}
	tests := []struct {
		name       string
		baselines  []int
		actions    []int
		completed  int
		want       float64
		wantLevels []float64
	}{
		{"perfect clear", bt11, []int{4, 8, 16, 20, 24}, 5, 100, []float64{100, 100, 100, 100, 100}},
		{"level one in 8 actions", bt11, []int{8, 8, 0, 0, 0}, 1, 25.0 / 15, []float64{25, 0, 0, 0, 0}},
		{"level one at baseline", bt11, []int{4, 2}, 1, 100.0 / 15, []float64{100, 0, 0, 0, 0}},
		// Surplus on level one cannot lift the run above a perfect level one.
		{"surplus capped", bt11, []int{2, 50}, 1, 100.0 / 15, []float64{115, 0, 0, 0, 0}},
		// A full clear faster than humans everywhere stays at 100.
		{"full clear faster", bt11, []int{1, 1, 1, 1, 1}, 5, 100, []float64{115, 115, 115, 115, 115}},
		{"mixed", []int{10, 10}, []int{10, 20}, 2, (1*100 + 2*25) / 3.0, []float64{100, 25}},
		{"nothing completed", bt11, []int{30}, 0, 0, []float64{0, 0, 0, 0, 0}},
		// More baselines than levels (a game listing one too many) can
		// never reach 100.
		{"extra baseline", []int{5, 5, 5}, []int{5, 5, 0}, 2, 300.0 / 6, []float64{100, 100, 0}},
		{"no baselines", nil, []int{3}, 1, 0, []float64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, levels := RunScore(tt.baselines, tt.actions, tt.completed)
			assert.InDelta(t, tt.want, got, 1e-9)
			assert.InDeltaSlice(t, tt.wantLevels, levels, 1e-9)
		})
	}
}

func TestScoreMatchesRunScoreWithoutAllocating(t *testing.T) {
	baselines := []int{4, 8, 16, 20, 24}
	for _, tc := range []struct {
		acts      []int
		completed int
	}{{[]int{4, 8, 16, 20, 24}, 5}, {[]int{8}, 1}, {[]int{2, 9, 40}, 2}, {nil, 0}} {
		want, _ := RunScore(baselines, tc.acts, tc.completed)
		assert.InDelta(t, want, Score(baselines, tc.acts, tc.completed), 1e-12)
	}
	assert.Zero(t, testing.AllocsPerRun(100, func() { Score(baselines, []int{8}, 1) }))
}
