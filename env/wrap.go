package env

import (
	"errors"
	"fmt"
)

// Wrapper makes a wrapper around an Env. The configuration types of
// package wrappers are Wrappers, so that a chain of them is a value:
//
//	e, err := env.Wrap(g, wrappers.ActionMaskConfig{}, wrappers.TimeLimitConfig{Max: 500})
//
// Wrap must not close e when it fails: its caller still owns e then.
type Wrapper interface {
	Wrap(e Env) (Env, error)
}

// Wrap wraps e in each of ws in turn, the first innermost, and returns the
// outermost env. When a wrapper fails, Wrap closes what it has built (e
// and the wrappers around it so far) and returns the error with the
// closing's: the caller is left with nothing to close.
func Wrap(e Env, ws ...Wrapper) (Env, error) {
	if e == nil {
		return nil, errors.New("env: wrap of a nil env")
	}
	for i, w := range ws {
		if w == nil {
			return nil, errors.Join(fmt.Errorf("env: wrapper %d is nil", i), e.Close())
		}
		next, err := w.Wrap(e)
		if err != nil {
			return nil, errors.Join(fmt.Errorf("env: wrapper %d (%T): %w", i, w, err), e.Close())
		}
		e = next
	}
	return e, nil
}
