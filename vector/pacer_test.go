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
	ran := drive(&p, 3*window, func(k int, m paceMode) float64 { return cost(k+loaded, m) })
	assert.Equal(t, paceSolo, p.mode, "the slower shared calls are seen within a window")
	assert.Less(t, ran[paceShared], 3*window)
	const long = 8 * maxSoloEvery
	ran = drive(&p, long, func(k int, m paceMode) float64 { return cost(k+loaded, m) })
	assert.Equal(t, paceSolo, p.mode)
	// Shared only in trials, one every maxSoloEvery calls at most once
	// the intervals have grown.
	assert.LessOrEqual(t, ran[paceShared], (long/maxSoloEvery+8)*trialCalls, "shared only in trials")
	assert.GreaterOrEqual(t, ran[paceShared], (long/maxSoloEvery-1)*trialCalls, "a quiet machine is looked for")
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

func TestPacerTrialSkipsItsFirstCalls(t *testing.T) {
	var p pacer
	var got []paceMode
	var timed []bool
	for range minEvery + trialCalls {
		m, tm := p.next()
		got = append(got, m)
		timed = append(timed, tm)
		if tm {
			p.record(m, [2]float64{300, 550}[m])
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
	assert.Equal(t, 550.0, p.estimate(paceSolo))
}
