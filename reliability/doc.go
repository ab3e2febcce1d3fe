// Package reliability holds arcgym's reliability suite: tests that run
// `arcgym serve` as child processes on loopback and attack it (session and
// connection floods, slow clients, a fault-injecting proxy, kill -9 and
// restart, a fleet losing a server), each asserting what must hold.
//
// The suite runs with the other tests (go test ./...) in a short version
// bounded to seconds per test. The full-size runs, at the sizes the limits
// are specified for, take minutes:
//
//	go test ./reliability -reliability.full -v -timeout 30m
//
// The package has no non-test code.
package reliability
