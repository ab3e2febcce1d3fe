package remote

import (
	"errors"
	"net"
	"net/http"
	"testing"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env/envtest"
	"github.com/arcgym/arcgym/internal/memnet"
)

// pipeURL is the base URL of an arcServer from newPipeARCServer; any host
// name reaches it through the HTTP client returned with it.
const pipeURL = "http://arc.test"

// newPipeARCServer starts an arcServer on in-memory connections and returns
// it with an HTTP client that reaches it at pipeURL; both are shut down when
// the test ends. Tests in a synctest bubble use it: a goroutine blocked on an
// in-memory connection is durably blocked, one blocked on a socket is not, and
// the bubble's clock would stand still.
func newPipeARCServer(t *testing.T) (*arcServer, *http.Client) {
	t.Helper()
	s := &arcServer{
		games:    []arc.GameInfo{envtest.NewFake(envtest.FakeConfig{}).Info()},
		cards:    map[string]int{},
		sessions: map[string]*serverSession{},
	}
	ln := memnet.Listen()
	hs := &http.Server{
		Handler: http.HandlerFunc(s.serve),
		ConnState: func(_ net.Conn, st http.ConnState) {
			if st == http.StateNew {
				s.conns.Add(1)
			}
		},
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	tr := &http.Transport{DialContext: ln.DialContext}
	t.Cleanup(func() {
		tr.CloseIdleConnections()
		_ = hs.Close()
		if err := <-served; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("serving on pipes: %v", err)
		}
	})
	return s, &http.Client{Transport: tr}
}
