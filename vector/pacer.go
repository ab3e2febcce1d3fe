package vector

// A pacer chooses, call by call, how Async runs the steps of CPU-bound
// sub-environments: shared between the caller and the workers, or all on
// the caller, as Sync does. Sharing wins on a quiet machine; when another
// process keeps a core busy, the system holds a worker back for
// milliseconds at a time and every call waits for it, so that running solo
// is faster. The pacer keeps a running mean of the time per command in
// each way and uses the faster one, trying the other now and then (the
// interval doubling while the choice stands) to see whether the machine
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
	// trialCalls is the length of a trial of the other way. Its first call
	// is not measured: after calls run solo, the workers may be parked,
	// and the first shared call pays for waking them.
	trialCalls = window + 1
	// minEvery and maxEvery bound the calls between two trials.
	minEvery = 32
	maxEvery = 1024
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
	if p.calls >= p.every {
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
	switch {
	case alt < cur:
		p.mode = other
		p.every = minEvery
	case m == other && p.trial == 0:
		// A trial confirmed the way in use: try less often.
		p.every = min(2*p.every, maxEvery)
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
