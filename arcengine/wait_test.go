//go:build unix

package arcengine

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/internal/pace"
)

// answerAfter plays one request on r whose answer came overhead after the
// engine's step of step.
func answerAfter(r *pipeReader, step, overhead time.Duration) {
	r.sending()
	r.sent = time.Now().Add(-step - overhead)
	r.answered(step)
}

func TestWaitMeasuresItsOverhead(t *testing.T) {
	p := &Pool{}
	p.spinState.init(false)
	r := &pipeReader{pool: p}
	// Requests that follow each other quickly: the wait may spin.
	answerAfter(r, 0, 0)
	r.lastAnswer = time.Now()
	const step, overhead = 2 * time.Millisecond, 80 * time.Microsecond
	for range 40 {
		r.lastAnswer = time.Now()
		answerAfter(r, step, overhead)
	}
	require.True(t, r.workerAwake)
	got := time.Duration(r.pace.Estimate(waySpin))
	assert.GreaterOrEqual(t, got, overhead, "the round trip less the engine's step")
	assert.Less(t, got, step, "not the whole round trip (step plus overhead)")
}

func TestWaitTimesOnlyStepsItMightSpinFor(t *testing.T) {
	for _, c := range []struct {
		name        string
		spin, awake bool
		step        time.Duration
	}{
		// Answers without a step time (OPENED, TIMES, an echo).
		{"no step time", true, true, 0},
		// Spinning turned off: nothing to choose.
		{"NoSpin", false, true, 900 * time.Microsecond},
		// Requests far apart: the worker sleeps between them, and so
		// does the wait.
		{"slow requests", true, false, 900 * time.Microsecond},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := &Pool{}
			p.spinState.init(!c.spin)
			r := &pipeReader{pool: p}
			for range 40 {
				r.sending()
				r.workerAwake = c.awake
				r.sent = time.Now().Add(-time.Millisecond)
				r.answered(c.step)
			}
			assert.Zero(t, r.pace.Estimate(pace.A))
			assert.Zero(t, r.pace.Estimate(pace.B))
		})
	}
}
