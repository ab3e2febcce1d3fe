//go:build !unix

package arcengine

import (
	"os"
	"syscall"
)

// sysProcAttr has nothing to set outside Unix.
func sysProcAttr() *syscall.SysProcAttr { return nil }

// dumpStacks is not available outside Unix.
func dumpStacks(*os.Process) {}
