//go:build !unix

package server

// openFileLimit returns 0: the platform has no descriptor limit to keep
// under.
func openFileLimit() int { return 0 }
