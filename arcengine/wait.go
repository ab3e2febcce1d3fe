//go:build unix

package arcengine

import (
	"context"
	"io"
	"os"
	"syscall"
	"time"

	"github.com/arcgym/arcgym/internal/pace"
)

// Waiting for a worker's answer.
//
// A worker's answer wakes the thread that waits for it. On virtual
// machines, waking a CPU that went idle costs tens of microseconds, and
// what runs after the wake-up runs from cold caches: measured on 2-vCPU
// cloud machines, a round trip of a few bytes took 15 µs between two
// processes on one CPU and 110 µs across two, and a game step that follows
// an idle millisecond ran 10-15% slower than one in a busy loop. So a wait
// spins rather than sleeps while a core is free (the pool counts its busy
// workers and spinning waits against the machine's cores), and a worker
// likewise spins briefly for its next command while commands have been
// following each other quickly. When the pool's workers and spinners fill
// the cores, waits sleep in the kernel, and so do the workers between
// commands that come slowly. Config.NoSpin turns spinning off.
//
// Spinning can also lose: with another program busy on a core, a wait
// spinning on the other takes turns from the worker and from itself
// (measured on 2 vCPUs: 115-130 µs of overhead per step spinning, 85-100
// sleeping). The pool cannot count other programs, so each wait measures
// instead: the worker reports how long each step took in the engine, and
// what the round trip took beyond that is the overhead, which a pacer
// (internal/pace) compares between spinning (its way A) and sleeping (B),
// trying the other way now and then.

// maxSpin bounds a wait's spinning; a longer wait sleeps for the rest.
const maxSpin = 20 * time.Millisecond

// pipeReader reads a worker's answers from the non-blocking end of its
// pipe, waiting as described above. It is the bufio.Reader's source.
type pipeReader struct {
	pool *Pool
	rc   syscall.RawConn
	read func(fd uintptr) bool // (*pipeReader).readFd, bound once

	// Set by Read for readFd.
	dst []byte
	n   int
	err error

	poll poller
	ctx  context.Context // of the request in flight

	// The worker spins for its next command only while commands follow
	// each other quickly (workerSpin); a worker that slept was woken by
	// the request and may share this thread's CPU, and spinning there
	// would take its turns. lastAnswer and gap (a moving average) track
	// what the worker sees, so that waits spin only when it spun too.
	lastAnswer  time.Time
	gap         time.Duration
	workerAwake bool

	// pace chooses between spinning (waySpin) and sleeping for the
	// request in flight: way is its choice, timed whether to measure it,
	// sent when the request went out.
	pace  pace.Pacer
	way   pace.Way
	timed bool
	sent  time.Time
}

// The ways of a wait's pacer.
const (
	waySpin  = pace.A
	waySleep = pace.B
)

// sending records that a request is about to go out.
func (r *pipeReader) sending() {
	now := time.Now()
	r.sent = now
	r.way, r.timed = r.pace.Next()
	if r.lastAnswer.IsZero() {
		r.workerAwake = false
		return
	}
	g := now.Sub(r.lastAnswer)
	r.gap += (g - r.gap) / 4
	r.workerAwake = g < workerSpin*3/4 && r.gap < workerSpin*3/4
}

// answered records that an answer came, and, for the answer to a step
// that took step in the engine, the wait's overhead for the pacer: only
// where the wait had the choice to spin.
func (r *pipeReader) answered(step time.Duration) {
	now := time.Now()
	r.lastAnswer = now
	if r.timed && step > 0 && r.pool.spin && r.workerAwake {
		r.pace.Record(r.way, float64(max(now.Sub(r.sent)-step, 0)))
	}
}

// ctxSlice bounds a kernel sleep under a context without a deadline, so
// that its cancellation is seen within this long.
const ctxSlice = 20 * time.Millisecond

func newPipeReader(f *os.File) (*pipeReader, error) {
	// Fd puts the file in blocking mode, out of Go's poller; the
	// descriptor itself is made non-blocking so that readFd can try a
	// read without waiting.
	fd := f.Fd()
	if err := syscall.SetNonblock(int(fd), true); err != nil {
		return nil, err
	}
	rc, err := f.SyscallConn()
	if err != nil {
		return nil, err
	}
	r := &pipeReader{rc: rc}
	r.read = r.readFd
	return r, nil
}

// Read reads what the worker has written, waiting for it.
func (r *pipeReader) Read(p []byte) (int, error) {
	r.dst, r.n, r.err = p, 0, nil
	if err := r.rc.Read(r.read); err != nil {
		return 0, err
	}
	r.dst = nil
	return r.n, r.err
}

// readFd is the read itself, run by the RawConn, which keeps the
// descriptor open meanwhile.
func (r *pipeReader) readFd(fd uintptr) bool {
	p := r.pool
	spinning, gaveUp := false, !p.spin || !r.workerAwake || r.way == waySleep
	var spinEnd time.Time
	defer func() {
		if spinning {
			p.spinning.Add(-1)
		}
	}()
	for {
		n, err := syscall.Read(int(fd), r.dst)
		switch err {
		case nil:
			if n == 0 && len(r.dst) > 0 {
				r.err = io.EOF
			}
			r.n = n
			return true
		case syscall.EAGAIN:
		case syscall.EINTR:
			continue
		default:
			r.err = err
			return true
		}
		if !spinning && !gaveUp {
			if spinning = p.mayspin(); spinning {
				spinEnd = time.Now().Add(maxSpin)
			} else {
				gaveUp = true
			}
		}
		if spinning {
			// Polling leaves the pipe's lock to the writer, which a
			// spinning read would fight for.
			ready, err := r.spinReadable(int(fd), spinEnd)
			if err != nil {
				r.err = err
				return true
			}
			if ready {
				continue
			}
			p.spinning.Add(-1)
			spinning, gaveUp = false, true
		}
		if err := r.sleepReadable(int(fd)); err != nil {
			r.err = err
			return true
		}
	}
}

// sleepReadable sleeps in the kernel until fd is readable, or until the
// context ends (errContextDone).
func (r *pipeReader) sleepReadable(fd int) error {
	if r.ctx == nil || r.ctx.Done() == nil {
		return r.waitReadable(fd, -1)
	}
	for {
		if r.ctx.Err() != nil {
			return errContextDone
		}
		d := ctxSlice
		if dl, ok := r.ctx.Deadline(); ok {
			d = min(d, time.Until(dl))
		}
		ready, err := r.waitReadableFor(fd, max(d, 0))
		if ready || err != nil {
			return err
		}
	}
}

// waitReadableFor is waitReadable that reports whether fd became
// readable.
func (r *pipeReader) waitReadableFor(fd int, d time.Duration) (bool, error) {
	if err := r.waitReadable(fd, d); err != nil {
		return false, err
	}
	return r.poll.fds[0].Revents != 0, nil
}

// spinReadable polls fd without sleeping until it is readable (true), or
// until end passes or the pool's cores fill up (false).
func (r *pipeReader) spinReadable(fd int, end time.Time) (bool, error) {
	for k := 1; ; k++ {
		ready, err := r.readable(fd)
		if ready || err != nil {
			return ready, err
		}
		// The scheduler may have put the worker on this CPU when it woke
		// it: yielding lets it run, where spinning would take its turns.
		yield()
		if k%32 == 0 {
			if r.ctx != nil && r.ctx.Err() != nil {
				return false, errContextDone
			}
			if r.pool.overbooked() || time.Now().After(end) {
				return false, nil
			}
		}
	}
}
