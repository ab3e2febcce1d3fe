package running

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// Merging batches gives the mean and variance of everything merged, with
// Gymnasium's prior of mean 0, variance 1 over a count of 1e-4 mixed in.
func TestAddRowsMatchesTheWholeStream(t *testing.T) {
	xs := [][]float32{{1, 10}, {2, 20}, {4, 40}, {8, 80}, {3, 30}}
	s := New(2)
	s.AddRows(append(append([]float32{}, xs[0]...), xs[1]...), 2)
	s.AddRows(append(append(append([]float32{}, xs[2]...), xs[3]...), xs[4]...), 3)
	const prior = 1e-4
	for i := range 2 {
		var sum float64
		for _, x := range xs {
			sum += float64(x[i])
		}
		mean := sum / (5 + prior)
		// Second moment about the merged mean: prior's (variance 1 at 0)
		// plus the samples'.
		m2 := prior * (1 + mean*mean)
		for _, x := range xs {
			d := float64(x[i]) - mean
			m2 += d * d
		}
		assert.InDelta(t, mean, s.Mean[i], 1e-9)
		assert.InDelta(t, m2/(5+prior), s.Var[i], 1e-6)
	}
	assert.InDelta(t, 5+prior, s.Count, 1e-12)
	assert.Zero(t, testing.AllocsPerRun(10, func() { s.AddRows([]float32{1, 2}, 1) }))
}

// Add is AddRows with one row.
func TestAddIsOneRow(t *testing.T) {
	a, b := New(3), New(3)
	for _, x := range [][]float64{{1, -2, 3}, {0.5, 7, -1}, {2, 2, 2}} {
		a.Add(x)
		b.AddRows([]float32{float32(x[0]), float32(x[1]), float32(x[2])}, 1)
	}
	for i := range 3 {
		assert.InDelta(t, a.Mean[i], b.Mean[i], 1e-12)
		assert.InDelta(t, a.Var[i], b.Var[i], 1e-12)
	}
	assert.Panics(t, func() { a.AddRows([]float32{1, 2}, 1) })
}
