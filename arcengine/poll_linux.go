package arcengine

import (
	"time"

	"golang.org/x/sys/unix"
)

// poller holds what waitReadable passes to the kernel, so that a wait
// allocates nothing.
type poller struct {
	fds  [1]unix.PollFd
	ts   unix.Timespec
	zero unix.Timespec
}

// waitReadable sleeps until fd is readable (or hung up), or d has passed;
// a negative d waits without limit.
func (r *pipeReader) waitReadable(fd int, d time.Duration) error {
	r.poll.fds[0] = unix.PollFd{Fd: int32(fd), Events: unix.POLLIN}
	var ts *unix.Timespec
	if d >= 0 {
		r.poll.ts = unix.NsecToTimespec(int64(d))
		ts = &r.poll.ts
	}
	for {
		_, err := unix.Ppoll(r.poll.fds[:], ts, nil)
		if err != unix.EINTR {
			return err
		}
	}
}

// readable reports, without sleeping, whether fd is readable or hung up.
func (r *pipeReader) readable(fd int) (bool, error) {
	r.poll.fds[0] = unix.PollFd{Fd: int32(fd), Events: unix.POLLIN}
	r.poll.zero = unix.Timespec{}
	n, err := unix.Ppoll(r.poll.fds[:], &r.poll.zero, nil)
	if err == unix.EINTR {
		return false, nil
	}
	return n > 0, err
}

// yield gives the CPU to another runnable thread, if any.
func yield() { unix.Syscall(unix.SYS_SCHED_YIELD, 0, 0, 0) }
