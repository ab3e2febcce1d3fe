package reliability

import (
	"errors"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSlowloris opens connections that send their headers, or their
// bodies, a byte at a time and never finish, while a normal client
// plays: each slow connection is cut by the server's timeout for it, and
// the normal client is answered throughout.
func TestSlowloris(t *testing.T) {
	const (
		headerTimeout = 2 * time.Second
		readTimeout   = 3 * time.Second
		// The server cuts a connection when its deadline passes; the
		// bound is generous for a loaded machine.
		slack = 5 * time.Second
	)
	slow := 50
	if *full {
		slow = 2000
	}
	p := startServer(t, "-read-header-timeout", headerTimeout.String(), "-read-timeout", readTimeout.String())

	kinds := []struct {
		name    string
		head    string
		drip    string
		timeout time.Duration
	}{
		{"slow headers", "GET /api/games HTTP/1.1\r\nHost: slow\r\n", "X", headerTimeout},
		{"slow body", "POST /api/scorecard/open HTTP/1.1\r\nHost: slow\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n", " ", readTimeout},
	}
	type cut struct {
		kind int
		took time.Duration
		err  error
	}
	cuts := make(chan cut, slow*len(kinds))
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for k, kind := range kinds {
		for range slow {
			t0 := time.Now()
			c, err := net.Dial("tcp", p.Addr)
			require.NoError(t, err)
			t.Cleanup(func() { c.Close() })
			_, err = io.WriteString(c, kind.head)
			require.NoError(t, err)
			// One byte every 100 ms, until the server cuts the connection
			// or the test ends.
			wg.Go(func() {
				tick := time.NewTicker(100 * time.Millisecond)
				defer tick.Stop()
				for {
					select {
					case <-stop:
						return
					case <-tick.C:
					}
					if _, err := io.WriteString(c, kind.drip); err != nil {
						return
					}
				}
			})
			wg.Go(func() {
				// The server answers a cut body with an error, or just
				// closes; either way the connection ends.
				_ = c.SetReadDeadline(t0.Add(kind.timeout + slack))
				_, err := io.Copy(io.Discard, c)
				cuts <- cut{kind: k, took: time.Since(t0), err: err}
			})
		}
	}

	// A normal client plays meanwhile, a request every 10 ms.
	hc := &http.Client{Transport: &http.Transport{}, Timeout: 10 * time.Second}
	defer hc.CloseIdleConnections()
	var lat []time.Duration
	deadline := time.Now().Add(readTimeout + time.Second)
	for time.Now().Before(deadline) {
		t0 := time.Now()
		resp, err := hc.Get(p.URL + "/api/games")
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		lat = append(lat, time.Since(t0))
		time.Sleep(10 * time.Millisecond)
	}

	var worst [2]time.Duration
	for range slow * len(kinds) {
		c := <-cuts
		kind := kinds[c.kind]
		// A cut is a close or, with the client's bytes unread, a reset;
		// only the client's own deadline means the server held on.
		var ne net.Error
		timedOut := errors.As(c.err, &ne) && ne.Timeout()
		assert.False(t, timedOut, "%s: the server cuts the connection within %s", kind.name, kind.timeout+slack)
		assert.GreaterOrEqual(t, c.took, kind.timeout, "%s: not before its timeout", kind.name)
		worst[c.kind] = max(worst[c.kind], c.took)
	}
	close(stop)
	wg.Wait()
	slices.Sort(lat)
	p99 := lat[len(lat)*99/100]
	t.Logf("%d slow connections of each kind: cut after %s at most (headers, limit %s) and %s (body, limit %s); normal client: %d requests, p50 %s, p99 %s, max %s",
		slow, worst[0].Round(time.Millisecond), headerTimeout, worst[1].Round(time.Millisecond), readTimeout,
		len(lat), lat[len(lat)/2], p99, lat[len(lat)-1])
	assert.Less(t, lat[len(lat)-1], time.Second, "the normal client is never held up by the slow ones")
}
