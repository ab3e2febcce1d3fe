//go:build !unix

package arcengine

import (
	"context"
	"errors"
	"os"
	"time"
)

// pipeReader has no implementation outside Unix, where workers cannot be
// started (their pipes are inherited file descriptors 3 and 4).
type pipeReader struct {
	pool *Pool
	ctx  context.Context
}

func newPipeReader(*os.File) (*pipeReader, error) {
	return nil, errors.New("arcengine: worker processes need a Unix system")
}

func (r *pipeReader) Read([]byte) (int, error) { return 0, errors.New("arcengine: no pipe") }
func (r *pipeReader) sending()                 {}
func (r *pipeReader) answered(time.Duration)   {}
