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

func TestVerdict(t *testing.T) {
	assert.Equal(t, "PASS", Verdict(true, false))
	assert.Equal(t, "FAIL", Verdict(false, false))
	assert.Equal(t, "N/A", Verdict(false, true))
	assert.Equal(t, "N/A", Verdict(true, true))
}
