package ratio

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMedian(t *testing.T) {
	xs := []float64{3, 1, 2}
	assert.Equal(t, 2.0, Median(xs))
	assert.Equal(t, []float64{3, 1, 2}, xs, "the input is left as it was")
	assert.Equal(t, 2.5, Median([]float64{4, 1, 3, 2}))
	assert.Zero(t, Median(nil))
}

func TestMedianCI(t *testing.T) {
	seq := func(n int) []float64 {
		xs := make([]float64, n)
		for i := range xs {
			xs[i] = float64(n - i) // descending: MedianCI sorts a copy
		}
		return xs
	}
	// The order statistics of the usual tables: n = 10, the 2nd and 9th
	// (97.9%); n = 40, the 14th and 27th (96.2%); n = 100, the 40th and
	// 61st (96.5%).
	for _, c := range []struct {
		n      int
		lo, hi float64
	}{{10, 2, 9}, {40, 14, 27}, {100, 40, 61}} {
		xs := seq(c.n)
		lo, hi := MedianCI(xs)
		assert.Equal(t, c.lo, lo, "n=%d", c.n)
		assert.Equal(t, c.hi, hi, "n=%d", c.n)
		assert.Equal(t, float64(c.n), xs[0], "the input is left as it was")
	}
	lo, hi := MedianCI([]float64{5, 1, 3})
	assert.Equal(t, [2]float64{1, 5}, [2]float64{lo, hi}, "too few values: the whole range")
	lo, hi = MedianCI(nil)
	assert.Zero(t, lo)
	assert.Zero(t, hi)
	// A wider spread gives a wider interval around the same median.
	narrow := []float64{0.99, 1.0, 1.01, 0.98, 1.02, 1.0, 0.99, 1.01, 1.0, 1.0}
	wide := []float64{0.9, 1.0, 1.1, 0.8, 1.2, 1.0, 0.9, 1.1, 1.0, 1.0}
	nl, nh := MedianCI(narrow)
	wl, wh := MedianCI(wide)
	assert.Less(t, nh-nl, wh-wl)
}

func TestVerdict(t *testing.T) {
	assert.Equal(t, "PASS", Verdict(true, false))
	assert.Equal(t, "FAIL", Verdict(false, false))
	assert.Equal(t, "N/A", Verdict(false, true))
	assert.Equal(t, "N/A", Verdict(true, true))
}
