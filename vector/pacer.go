package vector

// A pacer chooses, call by call, how Async runs the steps of CPU-bound
// sub-environments: shared between the caller and the workers, or all on
// the caller, as Sync does. Sharing wins on a quiet machine. When another
// process keeps a core busy, the system now and then holds a worker back
// for milliseconds in the middle of its part, and the call waits for it:
// most shared calls are still fast, but those few cost more than sharing
// gains, and running solo is faster. So the pacer compares the ways by
// their mean time per command over many calls, stalls included (less the
// single slowest call of a window, so that one hiccup does not count as
// load), and uses the faster way.
//
// It compares only times taken together: a trial runs the other way for a
// window of calls, then the way in use runs a fresh window, and the choice
// is made on those two. Trials come at intervals that double up to
// maxEvery calls, to see whether the machine changed, and at once (no
// sooner than minEvery calls after the last) when the way in use turns
// slower than the other's last times: a few calls that a burst of noise
// slowed then cost one trial, not every call until the next one.
type pacer struct {
	// times holds the latest times per command of each way, shared and
	// solo, in a ring; n counts them up to window, head is the ring's
	// next slot.
	times [2][window]float64
	n     [2]int
	head  [2]int
	// mode is the way in use.
	mode paceMode
	// calls counts the calls since the last trial; every is the number of
	// calls between two trials; trial counts the calls left of a trial
	// under way; refill says that the way in use is timing a fresh window
	// after a trial, on every call, before the choice.
	calls, every, trial int
	refill              bool
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
	if p.refill {
		return p.mode, true
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

// record adds a call run in way m that took ns nanoseconds per command.
// A trial's last call starts the refill of the way in use, and a full
// refill makes the choice; a trial that can no longer win ends at once.
// In between, the way in use turning slower than the other's last times
// calls a trial early.
func (p *pacer) record(m paceMode, ns float64) {
	p.times[m][p.head[m]] = ns
	p.head[m] = (p.head[m] + 1) % window
	p.n[m] = min(p.n[m]+1, window)
	if m != p.mode {
		switch {
		case p.trial == 0:
			p.refill = true
			p.n[1-m], p.head[1-m] = 0, 0
		case p.hopeless(m):
			// The trial can no longer win: the way in use stays, with
			// its times, and the next trial comes later.
			p.trial = 0
			p.every = min(2*p.every, maxEvery)
		}
		return
	}
	if p.refill {
		if p.n[m] < window {
			return
		}
		// The choice, on two fresh windows.
		p.refill = false
		p.every = min(2*p.every, maxEvery)
		if p.estimate(1-m) < p.estimate(m)*(1-margin) {
			p.mode = 1 - m
		}
		return
	}
	if alt := p.estimate(1 - m); alt > 0 && alt < p.estimate(m)*(1-margin) && p.calls >= minEvery-1 {
		// Seen against old times only: a trial at the next call.
		p.calls = maxEvery
	}
}

// hopeless reports whether the times of way m's trial so far, less the
// slowest, already add up to more than a window of the way in use takes
// less the margin: the trial can then only lose, and on a busy machine
// each more shared call of it may wait milliseconds for a held-back
// worker.
func (p *pacer) hopeless(m paceMode) bool {
	cur := p.estimate(p.mode)
	if cur == 0 {
		return false
	}
	sum, slowest := 0.0, 0.0
	for _, t := range p.times[m][:p.n[m]] {
		sum += t
		slowest = max(slowest, t)
	}
	return sum-slowest > (window-1)*cur*(1-margin)
}

// estimate returns the mean of way m's times less the slowest, or 0 with
// fewer than two: a trial given up leaves fewer than a window.
func (p *pacer) estimate(m paceMode) float64 {
	n := p.n[m]
	if n < 2 {
		return 0
	}
	sum, slowest := 0.0, 0.0
	for _, t := range p.times[m][:n] {
		sum += t
		slowest = max(slowest, t)
	}
	return (sum - slowest) / float64(n-1)
}
