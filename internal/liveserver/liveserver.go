// Package liveserver runs arcgym servers on loopback listeners that a test
// can kill, as a crash would (listener and connections closed at once),
// and revive on the same address with no memory of what came before.
package liveserver

import (
	"net"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/server"
)

// Server is one arcgym server with the built-in games on a loopback
// address; scorecards and sessions never expire on their own.
type Server struct {
	// URL is the server's base URL, the same across Kill and Revive.
	URL string

	t    testing.TB
	addr string
	mu   sync.Mutex
	hs   *http.Server
	s    *server.Server
	done chan struct{}
}

// Start starts a server on a free loopback port; the test's cleanup
// kills it.
func Start(t testing.TB) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	l := &Server{t: t, addr: ln.Addr().String()}
	l.URL = "http://" + l.addr
	l.serve(ln)
	t.Cleanup(l.Kill)
	return l
}

// URLs returns the base URLs of servers, in order.
func URLs(servers ...*Server) []string {
	out := make([]string, len(servers))
	for i, s := range servers {
		out[i] = s.URL
	}
	return out
}

func (l *Server) serve(ln net.Listener) {
	s, err := server.New(server.Config{IdleTimeout: -1, SessionIdleTimeout: -1})
	require.NoError(l.t, err)
	hs := &http.Server{Handler: s}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = hs.Serve(ln)
	}()
	l.mu.Lock()
	l.hs, l.s, l.done = hs, s, done
	l.mu.Unlock()
}

// Kill closes the listener and every connection at once and drops the
// server's state. Killing a dead server does nothing.
func (l *Server) Kill() {
	l.mu.Lock()
	hs, s, done := l.hs, l.s, l.done
	l.hs = nil
	l.mu.Unlock()
	if hs == nil {
		return
	}
	_ = hs.Close()
	<-done
	_ = s.Close()
}

// Revive starts a fresh server, which knows no session or scorecard, on
// the old address.
func (l *Server) Revive() {
	ln, err := net.Listen("tcp", l.addr)
	require.NoError(l.t, err)
	l.serve(ln)
}
