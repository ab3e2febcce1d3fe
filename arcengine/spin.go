package arcengine

import (
	"errors"
	"runtime"
	"sync/atomic"
	"time"
)

// workerSpin is how long a worker spins, at most, for its next command
// while commands have been coming that quickly.
const workerSpin = 150 * time.Microsecond

// errContextDone is returned by a wait whose context ended.
var errContextDone = errors.New("arcengine: context done while waiting for a worker")

// mayspin books a spinner if the pool's busy workers and spinners leave a
// core free; the caller undoes it with spinning.Add(-1).
func (p *Pool) mayspin() bool {
	if p.spinning.Add(1)+p.busy.Load() > p.cores {
		p.spinning.Add(-1)
		return false
	}
	return true
}

// overbooked reports whether the busy workers and spinners exceed the
// cores, so that a spinner should give its core up.
func (p *Pool) overbooked() bool {
	return p.spinning.Load()+p.busy.Load() > p.cores
}

// spinState is the Pool's accounting of busy workers and spinning waits.
type spinState struct {
	busy     atomic.Int32 // workers running a command
	spinning atomic.Int32 // waits spinning
	cores    int32
	spin     bool
}

func (s *spinState) init(noSpin bool) {
	s.cores = int32(runtime.NumCPU())
	s.spin = !noSpin
}
