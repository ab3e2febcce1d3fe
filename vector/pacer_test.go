package vector

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// drive runs calls calls through p, timing each way with cost, and
// returns how many ran in each way.
func drive(p *pacer, calls int, cost func(call int, m paceMode) float64) [2]int {
	var ran [2]int
	for k := range calls {
		m, timed := p.next()
		ran[m]++
		if timed {
			p.record(m, cost(k, m))
		}
	}
	return ran
}

func TestPacerKeepsSharingWhileItIsFaster(t *testing.T) {
	var p pacer
	ran := drive(&p, 10000, func(_ int, m paceMode) float64 { return [2]float64{300, 550}[m] })
	assert.Equal(t, paceShared, p.mode)
	assert.Equal(t, maxEvery, p.every, "trials that confirm sharing come less and less often")
	// The trials of solo: after 64, 128, ... calls, trialCalls long.
	assert.Less(t, ran[paceSolo], 20*trialCalls)
	assert.Positive(t, ran[paceSolo])
}

func TestPacerGoesSoloWhenSharingIsSlower(t *testing.T) {
	var p pacer
	// A quiet machine, then another process takes a core: shared calls
	// wait for a worker the system holds back.
	loaded := 2000
	cost := func(k int, m paceMode) float64 {
		if m == paceShared && k >= loaded {
			return 830
		}
		return [2]float64{300, 550}[m]
	}
	drive(&p, loaded, cost)
	require.Equal(t, paceShared, p.mode)
	// Seen within a window of shared calls, then checked by a trial of
	// solo and a fresh window of shared ones.
	seen := 2*window + trialCalls + window
	ran := drive(&p, seen, func(k int, m paceMode) float64 { return cost(k+loaded, m) })
	assert.Equal(t, paceSolo, p.mode, "the slower shared calls are seen within %d calls", seen)
	assert.Less(t, ran[paceShared], seen)
	const long = 8 * maxSoloEvery
	ran = drive(&p, long, func(k int, m paceMode) float64 { return cost(k+loaded, m) })
	assert.Equal(t, paceSolo, p.mode)
	// Shared only in trials, one every maxSoloEvery calls at most once
	// the intervals have grown.
	assert.LessOrEqual(t, ran[paceShared], (long/maxSoloEvery+8)*trialCalls, "shared only in trials")
	// Each trial given up once it can no longer win, after its warm-up
	// and a few timed calls.
	assert.GreaterOrEqual(t, ran[paceShared], (long/maxSoloEvery-1)*(warmCalls+2), "a quiet machine is looked for")
	// The load goes: the next trial finds sharing faster again.
	ran = drive(&p, 2*maxEvery, func(_ int, m paceMode) float64 { return [2]float64{300, 550}[m] })
	assert.Equal(t, paceShared, p.mode)
	assert.Greater(t, ran[paceShared], maxEvery)
}

func TestPacerIgnoresOneSlowCall(t *testing.T) {
	var p pacer
	drive(&p, 1000, func(_ int, m paceMode) float64 { return [2]float64{300, 550}[m] })
	require.Equal(t, paceShared, p.mode)
	// One shared call held back for a millisecond per command.
	once := true
	drive(&p, 1000, func(_ int, m paceMode) float64 {
		if m == paceShared && once {
			once = false
			return 1e6
		}
		return [2]float64{300, 550}[m]
	})
	assert.False(t, once)
	assert.Equal(t, paceShared, p.mode)
}

func TestPacerIgnoresABurstOfSlowCalls(t *testing.T) {
	var p pacer
	fast := func(_ int, m paceMode) float64 { return [2]float64{300, 550}[m] }
	drive(&p, 1000, fast)
	require.Equal(t, paceShared, p.mode)
	// Well after a trial and long before the next.
	for p.calls != 2*minEvery || p.trial > 0 || p.refill {
		drive(&p, 1, fast)
	}
	require.GreaterOrEqual(t, p.every, 8*minEvery)
	// A burst of noise on a quiet machine: the shared calls among the
	// next eight held back, enough to set sharing's mean above solo's old
	// times.
	burst := 0
	ran := drive(&p, 4*minEvery, func(k int, m paceMode) float64 {
		if m == paceShared && k < 8 {
			burst++
			return 5000
		}
		return fast(k, m)
	})
	require.GreaterOrEqual(t, burst, 2, "enough held back to call a trial")
	assert.Equal(t, paceShared, p.mode, "a trial and a fresh window show sharing still faster")
	assert.Positive(t, ran[paceSolo], "the slow window called a trial")
	assert.LessOrEqual(t, ran[paceSolo], trialCalls, "one trial, then sharing again")
}

func TestPacerChoosesOnTimesTakenTogether(t *testing.T) {
	var p pacer
	drive(&p, 1000, func(_ int, m paceMode) float64 { return [2]float64{300, 550}[m] })
	require.Equal(t, paceShared, p.mode)
	// Both ways slow down alike (the machine's clock drops): sharing is
	// still faster, though slower than solo's old times.
	ran := drive(&p, 2000, func(_ int, m paceMode) float64 { return [2]float64{900, 1650}[m] })
	assert.Equal(t, paceShared, p.mode)
	assert.LessOrEqual(t, ran[paceSolo], 2*trialCalls, "the fresh trials of solo settle it")
}

func TestPacerCountsStalls(t *testing.T) {
	var p pacer
	drive(&p, 1000, func(_ int, m paceMode) float64 { return [2]float64{300, 550}[m] })
	require.Equal(t, paceShared, p.mode)
	// Another process on a core: most shared calls are as fast as before,
	// but one in eight waits for a worker held back for milliseconds.
	k := 0
	drive(&p, 200, func(_ int, m paceMode) float64 {
		if m == paceSolo {
			return 550
		}
		k++
		if k%8 == 0 {
			return 5000
		}
		return 300
	})
	assert.Equal(t, paceSolo, p.mode, "a mean of %v per command beats sharing's median of 300", 550.0)
}

func TestPacerGivesUpAHopelessTrial(t *testing.T) {
	var p pacer
	// A busy machine: shared calls stall on one call in four, by far more
	// than sharing gains on the others.
	k := 0
	loaded := func(_ int, m paceMode) float64 {
		if m == paceSolo {
			return 550
		}
		k++
		if k%4 == 0 {
			return 20000
		}
		return 300
	}
	drive(&p, 1000, loaded)
	require.Equal(t, paceSolo, p.mode)
	// Well after a trial, then up to the end of the next.
	for p.trial > 0 || p.refill {
		drive(&p, 1, loaded)
	}
	every := p.every
	var ran [2]int
	for p.trial == 0 {
		r := drive(&p, 1, loaded)
		ran[paceShared] += r[paceShared]
	}
	for p.trial > 0 {
		r := drive(&p, 1, loaded)
		ran[paceShared] += r[paceShared]
	}
	assert.Equal(t, paceSolo, p.mode)
	assert.False(t, p.refill, "a trial given up needs no fresh window of solo calls")
	assert.Less(t, ran[paceShared], trialCalls, "the trial ends once it can no longer win")
	assert.GreaterOrEqual(t, ran[paceShared], warmCalls+2, "two stalls, one more than the slowest left out")
	assert.Equal(t, min(2*every, maxSoloEvery), min(p.every, maxSoloEvery), "the next trial comes later")
}

func TestPacerTrialSkipsItsFirstCalls(t *testing.T) {
	var p pacer
	// Solo faster, so that the trial can win and runs to its end.
	var got []paceMode
	var timed []bool
	for range minEvery + trialCalls {
		m, tm := p.next()
		got = append(got, m)
		timed = append(timed, tm)
		if tm {
			p.record(m, [2]float64{300, 260}[m])
		}
	}
	// minEvery-1 shared calls, then the trial of solo.
	for k := range minEvery - 1 {
		assert.Equal(t, paceShared, got[k], "call %d", k)
	}
	first := minEvery - 1
	for k := first; k < first+trialCalls; k++ {
		assert.Equal(t, paceSolo, got[k], "call %d", k)
		assert.Equal(t, k >= first+warmCalls, timed[k], "call %d: only the calls after the warm-up are timed", k)
	}
	assert.Equal(t, paceShared, got[len(got)-1])
	assert.Equal(t, 260.0, p.estimate(paceSolo))
	// Then a fresh window of shared calls, each timed, and the choice.
	for k := range window - 1 {
		m, tm := p.next()
		require.Equal(t, paceShared, m, "refill call %d", k)
		require.True(t, tm, "refill call %d", k)
		p.record(m, 300)
	}
	assert.Equal(t, paceSolo, p.mode, "solo, faster by more than the margin, is chosen")
}
