//go:build unix && !linux

package arcengine

import (
	"runtime"
	"time"

	"golang.org/x/sys/unix"
)

// poller holds what waitReadable passes to the kernel.
type poller struct {
	fds [1]unix.PollFd
}

// waitReadable sleeps until fd is readable (or hung up), or d has passed,
// in whole milliseconds; a negative d waits without limit.
func (r *pipeReader) waitReadable(fd int, d time.Duration) error {
	r.poll.fds[0] = unix.PollFd{Fd: int32(fd), Events: unix.POLLIN}
	ms := -1
	if d >= 0 {
		ms = int(d / time.Millisecond)
	}
	for {
		_, err := unix.Poll(r.poll.fds[:], ms)
		if err != unix.EINTR {
			return err
		}
	}
}

// readable reports, without sleeping, whether fd is readable or hung up.
func (r *pipeReader) readable(fd int) (bool, error) {
	r.poll.fds[0] = unix.PollFd{Fd: int32(fd), Events: unix.POLLIN}
	n, err := unix.Poll(r.poll.fds[:], 0)
	if err == unix.EINTR {
		return false, nil
	}
	return n > 0, err
}

// yield gives the processor to other goroutines; outside Linux the thread
// itself keeps spinning.
func yield() { runtime.Gosched() }
