//go:build gotch

package torch

import (
	"runtime"

	"github.com/sugarme/gotch/ts"
)

// pin keeps the calling goroutine on its OS thread until the function it
// returns is called, as in
//
//	defer pin()()
//
// gotch reports a libtorch failure through a thread-local variable that it
// reads in a second cgo call after the failing one. Should the goroutine
// move to another thread in between, the failure would be lost: gotch would
// hand back an uninitialised tensor, which crashes when used or dropped,
// and the error would surface in whatever call next runs on the first
// thread. pin also clears a failure left on this thread that way by someone
// else's call, so that it is not reported as one of ours. Pins nest.
func pin() (unpin func()) {
	runtime.LockOSThread()
	_ = ts.TorchErr()
	return runtime.UnlockOSThread
}
