package vector

// A pacer chooses, call by call, how Async runs the steps of CPU-bound
// sub-environments: shared between the caller and the workers, or all on
// the caller, as Sync does. Sharing wins on a quiet machine. When another
// process keeps a core busy, the system now and then holds a worker back
// for milliseconds in the middle of its part, and the call waits for it:
// most shared calls are still fast, but those few cost more than sharing
// gains, and running solo is faster. So the pacer compares the ways by
// their mean time per command over many calls, stalls included (less the
// single slowest call of a window, so that one hiccup of a quiet machine
// does not count as load), and uses the faster way, trying the other now
// and then (at intervals that double up to maxEvery calls) to see whether
// the machine changed.
type pacer struct {
	// times holds the latest times per command of each way, shared and
	// solo, in a ring; n counts them up to window, head is the ring's
	// next slot.
	times [2][window]float64
	n     [2]int
	head  [2]int
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
	window = 16
	// warmCalls open a trial unmeasured: after calls run solo the workers
	// are parked, their cores may be asleep, and the first shared calls
	// pay for waking them. The window's calls follow.
	warmCalls  = 4
	trialCalls = warmCalls + window
	// margin: the way in use is left only for one faster by more than
	// this fraction, so that noise does not send a quiet machine's second
	// core idle, nor one trial that no stall happened to hit back to
	// sharing on a busy machine. Sharing on a quiet one is faster by far
	// more (40-50% on two cores).
	margin = 0.10
	// minEvery and maxEvery bound the calls between two trials;
	// maxSoloEvery bounds them while running solo, which a wrong choice
	// makes cost more: a quiet machine's second core left unused.
	minEvery     = 64
	maxEvery     = 8192
	maxSoloEvery = 4096
	// measureEvery: the way in use is timed on one call in measureEvery,
	// so that reading the clock costs little against calls of a few
	// commands; stalls fall on any call, and a sample of them counts them
	// in proportion.
	measureEvery = 2
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
		p.n[1-p.mode], p.head[1-p.mode] = 0, 0
		return 1 - p.mode, false
	}
	return p.mode, p.calls%measureEvery == 0
}

// record adds a call run in way m that took ns nanoseconds per command,
// and switches to the faster way once both have a full window of times.
func (p *pacer) record(m paceMode, ns float64) {
	p.times[m][p.head[m]] = ns
	p.head[m] = (p.head[m] + 1) % window
	p.n[m] = min(p.n[m]+1, window)
	other := 1 - p.mode
	if m == other && p.trial == 0 {
		// A trial ended: the next comes later, whatever it showed. A
		// way that turns slower is left at once, by its own times; only
		// a way that turns faster waits for a trial to be seen.
		p.every = min(2*p.every, maxEvery)
	}
	cur, alt := p.estimate(p.mode), p.estimate(other)
	if cur == 0 || alt == 0 {
		return
	}
	if alt < cur*(1-margin) {
		p.mode = other
	}
}

// estimate returns the mean of way m's times less the slowest, or 0 while
// its window is not full.
func (p *pacer) estimate(m paceMode) float64 {
	if p.n[m] < window {
		return 0
	}
	sum, slowest := 0.0, 0.0
	for _, t := range p.times[m] {
		sum += t
		slowest = max(slowest, t)
	}
	return (sum - slowest) / (window - 1)
}
