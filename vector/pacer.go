package vector

// A pacer chooses, call by call, how Async runs the steps of CPU-bound
// sub-environments: shared between the caller and the workers, or all on
// the caller, as Sync does. Sharing wins on a quiet machine; when another
// process keeps a core busy, the system holds a worker back for
// milliseconds at a time and every call waits for it, so that running solo
// is faster. The pacer keeps a running mean of the time per command in
// each way and uses the faster one, trying the other now and then (at
// intervals that double up to maxEvery calls) to see whether the machine
// changed.
type pacer struct {
	// last holds the latest times per command of each way, shared and
	// solo, newest first; 0 where not measured. The median of three is
	// the way's estimate: one call that the system held back for
	// milliseconds does not move it.
	last [2][window]float64
	// mode is the way in use.
	mode paceMode
	// calls counts the calls since the last trial of the other way; every
	// is the number of calls between two trials; trial counts the calls
	// of a trial under way.
	calls, every, trial int
}

// paceMode is a way to run a call: shared or solo.
type paceMode uint8

const (
	paceShared paceMode = iota
	paceSolo
)

const (
	// window is the number of times kept per way.
	window = 3
	// trialCalls is the length of a trial of the other way, whose last
	// window calls are measured: after calls run solo the workers are
	// parked, and their cores may be asleep, and the first shared calls
	// pay for waking them.
	trialCalls = window + 5
	// soloMargin: sharing is left for solo only when solo is faster by
	// more than this fraction. Where the system lends a core for a while
	// and takes it back, sharing costs little more than solo meanwhile
	// and gains when the core returns; where a worker is held back in the
	// middle of its part, as when another process keeps a core busy,
	// sharing costs far more.
	soloMargin = 0.10
	// minEvery and maxEvery bound the calls between two trials;
	// maxSoloEvery bounds them while running solo, which a wrong choice
	// makes cost more: a quiet machine's second core left unused.
	minEvery     = 32
	maxEvery     = 1024
	maxSoloEvery = 256
	// measureEvery: the way in use is timed on one call in measureEvery,
	// so that reading the clock costs little against calls of a few
	// commands.
	measureEvery = 4
)

// next returns the way to run the next call and whether to time it.
func (p *pacer) next() (paceMode, bool) {
	if p.every == 0 {
		p.every = minEvery
	}
	if p.trial > 0 {
		p.trial--
		return 1 - p.mode, p.trial < window
	}
	p.calls++
	every := p.every
	if p.mode == paceSolo {
		every = min(every, maxSoloEvery)
	}
	if p.calls >= every {
		// A trial: the other way's old times say nothing of the machine now.
		p.calls = 0
		p.trial = trialCalls - 1
		p.last[1-p.mode] = [window]float64{}
		return 1 - p.mode, false
	}
	return p.mode, p.calls%measureEvery == 0
}

// record adds a call run in way m that took ns nanoseconds per command,
// and switches to the faster way once both have a full window of times.
func (p *pacer) record(m paceMode, ns float64) {
	w := &p.last[m]
	copy(w[1:], w[:window-1])
	w[0] = ns
	other := 1 - p.mode
	cur, alt := p.estimate(p.mode), p.estimate(other)
	if cur == 0 || alt == 0 {
		return
	}
	if m == other && p.trial == 0 {
		// A trial ended: the next comes later, whatever it showed. A
		// way that turns slower is left at once, by its own times; only
		// a way that turns faster waits for a trial to be seen, and on a
		// busy machine a trial that was lucky costs a few calls each.
		p.every = min(2*p.every, maxEvery)
	}
	if p.mode == paceShared && alt < cur*(1-soloMargin) || p.mode == paceSolo && alt < cur {
		p.mode = other
	}
}

// estimate returns the median of way m's times, or 0 while its window is
// not full.
func (p *pacer) estimate(m paceMode) float64 {
	w := p.last[m]
	if w[window-1] == 0 {
		return 0
	}
	a, b, c := w[0], w[1], w[2]
	return max(min(a, b), min(max(a, b), c))
}
