//go:build unix

package arcengine

import (
	"os"
	"syscall"
)

// sysProcAttr puts a worker in its own process group, so that a terminal's
// Ctrl-C reaches the Go program, which then closes its workers in order,
// and not the workers in the middle of a step.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}

// dumpStacks asks a worker to print every Python thread's stack to its
// standard error (the worker registers faulthandler on SIGUSR1).
func dumpStacks(p *os.Process) {
	_ = p.Signal(syscall.SIGUSR1)
}
