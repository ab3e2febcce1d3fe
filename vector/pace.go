package vector

import "time"

// soloBelow is the estimated time of a call's commands under which the
// caller of an Async runs them all itself. Handing chunks to a spinning
// worker and waiting for its last one costs around a microsecond, a parked
// worker far more; on 2 cores, with local games of 0.3-1 µs a step, two
// goroutines began to win at about 8 commands.
const soloBelow = 3 * time.Microsecond

// paceEvery is how often, in calls, pace measures the way it is not using,
// so that it notices when the other way became the faster one: a core
// freed or taken by another process, games whose steps got slower. For
// 1,024 local games on 2 cores, one call in 64 run solo costs under 1% of
// the throughput.
const paceEvery = 64

// pace decides, call by call, whether the commands of an Async's Step,
// Reset or ResetMask over CPU-bound sub-environments run on the caller
// alone (solo) or shared with the workers. It keeps an estimate of the
// time per command each way, from the calls it asks to be timed, and picks
// the faster one: sharing wins on idle cores, but not for a handful of
// fast commands, nor when another process holds the other cores and a
// worker that took a chunk is left waiting for one. Only the caller of
// those methods, under Async.recvMu, uses it.
type pace struct {
	solo, shared estimate
	sharing      bool
	calls        uint64
}

// estimate is a running mean of the time per command.
type estimate struct {
	per   time.Duration
	known bool
}

func (e *estimate) add(d time.Duration, k int) {
	if k <= 0 {
		return
	}
	c := d / time.Duration(k)
	if !e.known {
		e.per, e.known = c, true
		return
	}
	e.per = (3*e.per + c) / 4
}

// choose says how a call of k commands runs, and whether to time it and
// report the time to record. The first calls are timed solo, then shared;
// after that the faster way runs, and every paceEvery calls each way is
// timed again.
func (p *pace) choose(k int) (solo, timed bool) {
	p.calls++
	probe := p.calls%paceEvery == 0
	switch {
	case !p.solo.known:
		return true, true
	case time.Duration(k)*p.solo.per < soloBelow:
		return true, probe
	case !p.shared.known:
		return false, true
	case probe:
		return true, true
	case p.calls%paceEvery == paceEvery/2:
		return false, true
	}
	// A margin keeps the choice from flapping between two ways that cost
	// about the same.
	if p.sharing {
		p.sharing = p.shared.per < p.solo.per+p.solo.per/16
	} else {
		p.sharing = p.shared.per < p.solo.per-p.solo.per/16
	}
	return !p.sharing, p.sharing && p.calls%8 == 0
}

// record adds the time d of a timed call of k commands.
func (p *pace) record(solo bool, d time.Duration, k int) {
	if solo {
		p.solo.add(d, k)
	} else {
		p.shared.add(d, k)
	}
}
