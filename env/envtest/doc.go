// Package envtest helps test env.Env implementations: Fake, a deterministic
// scripted ARC backend with the exact RESET and terminal-state semantics of
// the REST API, and conformance checks that any Env can run, in the manner
// of testing/fstest.
package envtest
