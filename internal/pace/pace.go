// Package pace chooses, call by call, between two ways of doing the same
// work, by their cost measured as the calls go: the way in use is timed on
// a sample of its calls, and now and then the other way is tried.
//
// It compares only costs measured together: a trial runs the other way for
// a window of calls, then the way in use runs a fresh window, and the
// choice is made on those two, by the mean less the single slowest call
// (so that one hiccup of the machine does not decide). Trials come at
// intervals that double up to maxEvery calls, and at once (no sooner than
// minEvery calls after the last) when the way in use turns slower than the
// other's last costs: a few calls that a burst of noise slowed then cost
// one trial, not every call until the next. A trial that can no longer win
// ends early.
//
// Two users: vector.Async chooses between sharing the steps of CPU-bound
// sub-environments with its workers and running them all on the caller
// (sharing wins on a quiet machine; when another process keeps a core
// busy, a worker held back in the middle of its part holds up the call),
// and a wait for a real game's worker process chooses between spinning and
// sleeping (spinning saves a wake-up per step on a quiet machine, and
// takes turns from the worker on a busy one).
package pace

// Pacer holds the state of one choice. Its zero value starts with way A.
// It is not safe for concurrent use.
type Pacer struct {
	// times holds the latest costs of each way in a ring; n counts them
	// up to window, head is the ring's next slot.
	times [2][window]float64
	n     [2]int
	head  [2]int
	// mode is the way in use.
	mode Way
	// calls counts the calls since the last trial; every is the number of
	// calls between two trials; trial counts the calls left of a trial
	// under way; refill says that the way in use is timing a fresh window
	// after a trial, on every call, before the choice.
	calls, every, trial int
	refill              bool
}

// Way is one of the two ways to run a call.
type Way uint8

// The two ways: A, the one a Pacer starts with, and B. B is the way
// tried at most every maxBEvery calls while in use, when the user says
// a wrong choice of it costs more.
const (
	A Way = iota
	B
)

const (
	// window is the number of costs kept per way.
	window = 16
	// warmCalls open a trial unmeasured: the first calls of a way not
	// used for a while pay for setting it up again (in vector.Async,
	// waking parked workers). The window's calls follow.
	warmCalls  = 4
	trialCalls = warmCalls + window
	// margin: the way in use is left only for one cheaper by more than
	// this fraction, so that noise does not flip the choice. The ways
	// this package chooses between differ by far more where they differ
	// (sharing steps over two cores: 40-50%; spinning for a worker's
	// answer: 30-50% of the overhead).
	margin = 0.10
	// minEvery and maxEvery bound the calls between two trials;
	// maxBEvery bounds them while B is in use (in vector.Async B is
	// running solo, which a wrong choice makes cost more: a quiet
	// machine's second core left unused).
	minEvery  = 64
	maxEvery  = 8192
	maxBEvery = 4096
	// measureEvery: the way in use is timed on one call in measureEvery,
	// so that reading the clock costs little against short calls; stalls
	// fall on any call, and a sample of them counts them in proportion.
	measureEvery = 2
)

// Next returns the way to run the next call and whether to time it (and
// give its cost to Record).
func (p *Pacer) Next() (Way, bool) {
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
	if p.mode == B {
		every = min(every, maxBEvery)
	}
	if p.calls >= every {
		// A trial: the other way's old costs say nothing of the machine
		// now.
		p.calls = 0
		p.trial = trialCalls - 1
		p.n[1-p.mode], p.head[1-p.mode] = 0, 0
		return 1 - p.mode, false
	}
	return p.mode, p.calls%measureEvery == 0
}

// In returns the way in use.
func (p *Pacer) In() Way { return p.mode }

// Record adds the cost of a call run in way m (a time, per command or per
// call, as long as the user keeps to one). A trial's last call starts the
// refill of the way in use, and a full refill makes the choice; a trial
// that can no longer win ends at once. In between, the way in use turning
// dearer than the other's last costs calls a trial early.
func (p *Pacer) Record(m Way, cost float64) {
	p.times[m][p.head[m]] = cost
	p.head[m] = (p.head[m] + 1) % window
	p.n[m] = min(p.n[m]+1, window)
	if m != p.mode {
		switch {
		case p.trial == 0:
			p.refill = true
			p.n[1-m], p.head[1-m] = 0, 0
		case p.hopeless(m):
			// The trial can no longer win: the way in use stays, with
			// its costs, and the next trial comes later.
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
		if p.Estimate(1-m) < p.Estimate(m)*(1-margin) {
			p.mode = 1 - m
		}
		return
	}
	if alt := p.Estimate(1 - m); alt > 0 && alt < p.Estimate(m)*(1-margin) && p.calls >= minEvery-1 {
		// Seen against old costs only: a trial at the next call.
		p.calls = maxEvery
	}
}

// hopeless reports whether the costs of way m's trial so far, less the
// dearest, already add up to more than a window of the way in use costs
// less the margin: the trial can then only lose, and each more call of it
// may cost much (in vector.Async on a busy machine, a shared call may wait
// milliseconds for a held-back worker).
func (p *Pacer) hopeless(m Way) bool {
	cur := p.Estimate(p.mode)
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

// Estimate returns the mean of way m's latest costs less the dearest, or 0
// with fewer than two (a trial given up leaves fewer than a window).
func (p *Pacer) Estimate(m Way) float64 {
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
