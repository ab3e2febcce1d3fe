package pace

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The scenarios are vector.Async's: way A shares a call's steps between
// the caller and the workers, way B runs them all on the caller (solo);
// costs are times per command in nanoseconds.

// drive runs calls calls through p, timing each way with cost, and
// returns how many ran in each way.
func drive(p *Pacer, calls int, cost func(call int, m Way) float64) [2]int {
	var ran [2]int
	for k := range calls {
		m, timed := p.Next()
		ran[m]++
		if timed {
			p.Record(m, cost(k, m))
		}
	}
	return ran
}

func TestKeepsSharingWhileItIsFaster(t *testing.T) {
	var p Pacer
	ran := drive(&p, 10000, func(_ int, m Way) float64 { return [2]float64{300, 550}[m] })
	assert.Equal(t, A, p.mode)
	assert.Equal(t, maxEvery, p.every, "trials that confirm sharing come less and less often")
	// The trials of solo: after 64, 128, ... calls, trialCalls long.
	assert.Less(t, ran[B], 20*trialCalls)
	assert.Positive(t, ran[B])
}

func TestGoesSoloWhenSharingIsSlower(t *testing.T) {
	var p Pacer
	// A quiet machine, then another process takes a core: shared calls
	// wait for a worker the system holds back.
	loaded := 2000
	cost := func(k int, m Way) float64 {
		if m == A && k >= loaded {
			return 830
		}
		return [2]float64{300, 550}[m]
	}
	drive(&p, loaded, cost)
	require.Equal(t, A, p.mode)
	// Seen within a window of shared calls, then checked by a trial of
	// solo and a fresh window of shared ones.
	seen := 2*window + trialCalls + window
	ran := drive(&p, seen, func(k int, m Way) float64 { return cost(k+loaded, m) })
	assert.Equal(t, B, p.mode, "the slower shared calls are seen within %d calls", seen)
	assert.Less(t, ran[A], seen)
	const long = 8 * maxBEvery
	ran = drive(&p, long, func(k int, m Way) float64 { return cost(k+loaded, m) })
	assert.Equal(t, B, p.mode)
	// Shared only in trials, one every maxBEvery calls at most once
	// the intervals have grown.
	assert.LessOrEqual(t, ran[A], (long/maxBEvery+8)*trialCalls, "shared only in trials")
	// Each trial given up once it can no longer win, after its warm-up
	// and a few timed calls.
	assert.GreaterOrEqual(t, ran[A], (long/maxBEvery-1)*(warmCalls+2), "a quiet machine is looked for")
	// The load goes: the next trial finds sharing faster again.
	ran = drive(&p, 2*maxEvery, func(_ int, m Way) float64 { return [2]float64{300, 550}[m] })
	assert.Equal(t, A, p.mode)
	assert.Greater(t, ran[A], maxEvery)
}

func TestIgnoresOneSlowCall(t *testing.T) {
	var p Pacer
	drive(&p, 1000, func(_ int, m Way) float64 { return [2]float64{300, 550}[m] })
	require.Equal(t, A, p.mode)
	// One shared call held back for a millisecond per command.
	once := true
	drive(&p, 1000, func(_ int, m Way) float64 {
		if m == A && once {
			once = false
			return 1e6
		}
		return [2]float64{300, 550}[m]
	})
	assert.False(t, once)
	assert.Equal(t, A, p.mode)
}

func TestIgnoresABurstOfSlowCalls(t *testing.T) {
	var p Pacer
	fast := func(_ int, m Way) float64 { return [2]float64{300, 550}[m] }
	drive(&p, 1000, fast)
	require.Equal(t, A, p.mode)
	// Well after a trial and long before the next.
	for p.calls != 2*minEvery || p.trial > 0 || p.refill {
		drive(&p, 1, fast)
	}
	require.GreaterOrEqual(t, p.every, 8*minEvery)
	// A burst of noise on a quiet machine: the shared calls among the
	// next eight held back, enough to set sharing's mean above solo's old
	// times.
	burst := 0
	ran := drive(&p, 4*minEvery, func(k int, m Way) float64 {
		if m == A && k < 8 {
			burst++
			return 5000
		}
		return fast(k, m)
	})
	require.GreaterOrEqual(t, burst, 2, "enough held back to call a trial")
	assert.Equal(t, A, p.mode, "a trial and a fresh window show sharing still faster")
	assert.Positive(t, ran[B], "the slow window called a trial")
	assert.LessOrEqual(t, ran[B], trialCalls, "one trial, then sharing again")
}

func TestChoosesOnTimesTakenTogether(t *testing.T) {
	var p Pacer
	drive(&p, 1000, func(_ int, m Way) float64 { return [2]float64{300, 550}[m] })
	require.Equal(t, A, p.mode)
	// Both ways slow down alike (the machine's clock drops): sharing is
	// still faster, though slower than solo's old times.
	ran := drive(&p, 2000, func(_ int, m Way) float64 { return [2]float64{900, 1650}[m] })
	assert.Equal(t, A, p.mode)
	assert.LessOrEqual(t, ran[B], 2*trialCalls, "the fresh trials of solo settle it")
}

func TestCountsStalls(t *testing.T) {
	var p Pacer
	drive(&p, 1000, func(_ int, m Way) float64 { return [2]float64{300, 550}[m] })
	require.Equal(t, A, p.mode)
	// Another process on a core: most shared calls are as fast as before,
	// but one in eight waits for a worker held back for milliseconds.
	k := 0
	drive(&p, 200, func(_ int, m Way) float64 {
		if m == B {
			return 550
		}
		k++
		if k%8 == 0 {
			return 5000
		}
		return 300
	})
	assert.Equal(t, B, p.mode, "a mean of %v per command beats sharing's median of 300", 550.0)
}

func TestGivesUpAHopelessTrial(t *testing.T) {
	var p Pacer
	// A busy machine: shared calls stall on one call in four, by far more
	// than sharing gains on the others.
	k := 0
	loaded := func(_ int, m Way) float64 {
		if m == B {
			return 550
		}
		k++
		if k%4 == 0 {
			return 20000
		}
		return 300
	}
	drive(&p, 1000, loaded)
	require.Equal(t, B, p.mode)
	// Well after a trial, then up to the end of the next.
	for p.trial > 0 || p.refill {
		drive(&p, 1, loaded)
	}
	every := p.every
	var ran [2]int
	for p.trial == 0 {
		r := drive(&p, 1, loaded)
		ran[A] += r[A]
	}
	for p.trial > 0 {
		r := drive(&p, 1, loaded)
		ran[A] += r[A]
	}
	assert.Equal(t, B, p.mode)
	assert.False(t, p.refill, "a trial given up needs no fresh window of solo calls")
	assert.Less(t, ran[A], trialCalls, "the trial ends once it can no longer win")
	assert.GreaterOrEqual(t, ran[A], warmCalls+2, "two stalls, one more than the slowest left out")
	assert.Equal(t, min(2*every, maxBEvery), min(p.every, maxBEvery), "the next trial comes later")
}

func TestTrialSkipsItsFirstCalls(t *testing.T) {
	var p Pacer
	// Solo faster, so that the trial can win and runs to its end.
	var got []Way
	var timed []bool
	for range minEvery + trialCalls {
		m, tm := p.Next()
		got = append(got, m)
		timed = append(timed, tm)
		if tm {
			p.Record(m, [2]float64{300, 260}[m])
		}
	}
	// minEvery-1 shared calls, then the trial of solo.
	for k := range minEvery - 1 {
		assert.Equal(t, A, got[k], "call %d", k)
	}
	first := minEvery - 1
	for k := first; k < first+trialCalls; k++ {
		assert.Equal(t, B, got[k], "call %d", k)
		assert.Equal(t, k >= first+warmCalls, timed[k], "call %d: only the calls after the warm-up are timed", k)
	}
	assert.Equal(t, A, got[len(got)-1])
	assert.Equal(t, 260.0, p.Estimate(B))
	// Then a fresh window of shared calls, each timed, and the choice.
	for k := range window - 1 {
		m, tm := p.Next()
		require.Equal(t, A, m, "refill call %d", k)
		require.True(t, tm, "refill call %d", k)
		p.Record(m, 300)
	}
	assert.Equal(t, B, p.mode, "solo, faster by more than the margin, is chosen")
}
