package env

import "errors"

// Errors returned by Env implementations; match with errors.Is.
var (
	// ErrNeedsReset is returned by Step before the first Reset or after the
	// episode ended.
	ErrNeedsReset = errors.New("env: episode is over or not started; call Reset")
	// ErrClosed is returned by any call after Close.
	ErrClosed = errors.New("env: closed")
)
