//go:build unix

package server

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// lockDir takes an exclusive lock on the state directory's lock file, so
// that two servers never write one state at once. The lock goes with the
// process: a killed server leaves none behind.
func lockDir(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("server: state: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("server: state directory %s is in use by another server", path[:len(path)-len(lockName)-1])
		}
		return nil, fmt.Errorf("server: state: locking %s: %w", path, err)
	}
	return f, nil
}
