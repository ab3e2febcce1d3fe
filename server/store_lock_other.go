//go:build !unix

package server

import (
	"fmt"
	"os"
)

// lockDir opens the state directory's lock file. Without flock(2) it does
// not keep a second server out: do not point two servers at one directory.
func lockDir(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("server: state: %w", err)
	}
	return f, nil
}
