package faultproxy

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// upstream is a server that counts the requests it handled and answers
// each with a JSON body naming it.
func upstream(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var handled atomic.Int64
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		handled.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Seen-Key", r.Header.Get("X-API-Key"))
		_, _ = io.WriteString(w, `{"path":"`+r.URL.Path+`","body":"`+string(body)+`"}`)
	}))
	t.Cleanup(s.Close)
	return s, &handled
}

func newProxy(t *testing.T, up string) (*Proxy, *httptest.Server) {
	t.Helper()
	p, err := New(up)
	require.NoError(t, err)
	front := httptest.NewServer(p)
	t.Cleanup(func() {
		_ = p.Close()
		front.Close()
	})
	return p, front
}

func TestProxyFaults(t *testing.T) {
	const want = `{"path":"/api/cmd/ACTION1","body":"x"}`
	tests := []struct {
		fault Fault
		// status and body are the answer the client reads; broken means
		// the exchange fails instead.
		status    int
		body      string
		broken    bool
		forwarded bool
		check     func(t *testing.T, resp *http.Response)
	}{
		{fault: Fault{Kind: Pass}, status: 200, body: want, forwarded: true, check: func(t *testing.T, resp *http.Response) {
			assert.Equal(t, "k", resp.Header.Get("X-Seen-Key"), "headers go both ways")
		}},
		{fault: Fault{Kind: StatusBefore, Status: 503, Header: http.Header{"Retry-After": {"2"}}, Body: []byte(`{"error":"busy"}`)},
			status: 503, body: `{"error":"busy"}`, check: func(t *testing.T, resp *http.Response) {
				assert.Equal(t, "2", resp.Header.Get("Retry-After"))
			}},
		{fault: Fault{Kind: CutBefore}, broken: true},
		{fault: Fault{Kind: StatusAfter, Status: 429}, status: 429, body: "", forwarded: true},
		{fault: Fault{Kind: RedirectAfter, Location: "http://elsewhere.invalid/x"}, status: 307, forwarded: true, check: func(t *testing.T, resp *http.Response) {
			assert.Equal(t, "http://elsewhere.invalid/x", resp.Header.Get("Location"))
		}},
		{fault: Fault{Kind: HTMLAfter}, status: 200, forwarded: true, check: func(t *testing.T, resp *http.Response) {
			assert.Contains(t, resp.Header.Get("Content-Type"), "text/html")
		}},
		{fault: Fault{Kind: EmptyAfter}, status: 200, body: "", forwarded: true},
		{fault: Fault{Kind: TruncateAfter}, broken: true, forwarded: true},
		{fault: Fault{Kind: CutAfter}, broken: true, forwarded: true},
	}
	for _, tc := range tests {
		t.Run(tc.fault.Kind.String(), func(t *testing.T) {
			up, handled := upstream(t)
			p, front := newProxy(t, up.URL)
			p.SetRule(func(r *http.Request, n int64) Fault { return tc.fault })
			hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			req, err := http.NewRequest(http.MethodPost, front.URL+"/api/cmd/ACTION1", strings.NewReader("x"))
			require.NoError(t, err)
			req.Header.Set("X-API-Key", "k")
			resp, err := hc.Do(req)
			var body []byte
			if err == nil {
				body, err = io.ReadAll(resp.Body)
				_ = resp.Body.Close()
			}
			if tc.broken {
				require.Error(t, err)
			} else {
				require.NoError(t, err)
				assert.Equal(t, tc.status, resp.StatusCode)
				if tc.body != "" || tc.fault.Kind == EmptyAfter || tc.fault.Kind == StatusAfter {
					assert.Equal(t, tc.body, string(body))
				}
				if tc.check != nil {
					tc.check(t, resp)
				}
			}
			var n int64
			if tc.forwarded {
				n = 1
			}
			assert.Equal(t, n, handled.Load(), "requests the upstream handled")
			assert.Equal(t, n, p.Forwarded())
			assert.Equal(t, int64(1), p.Requests())
			assert.Equal(t, int64(1), p.Injected(tc.fault.Kind))
		})
	}
}

// TestProxyTruncates checks that a truncated answer announces the full
// length and carries half of it.
func TestProxyTruncates(t *testing.T) {
	up, _ := upstream(t)
	p, front := newProxy(t, up.URL)
	p.SetRule(func(*http.Request, int64) Fault { return Fault{Kind: TruncateAfter} })
	resp, err := http.Post(front.URL+"/api/x", "application/json", strings.NewReader("abcdef"))
	require.NoError(t, err)
	defer resp.Body.Close()
	full := len(`{"path":"/api/x","body":"abcdef"}`)
	assert.Equal(t, int64(full), resp.ContentLength)
	got, err := io.ReadAll(resp.Body)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.Equal(t, `{"path":"/api/x","body":"abcdef"}`[:full/2], string(got))
}

// TestProxyStall checks that a stalled request is forwarded, answers
// nothing, and is let go when the client gives up.
func TestProxyStall(t *testing.T) {
	up, handled := upstream(t)
	p, front := newProxy(t, up.URL)
	p.SetRule(func(*http.Request, int64) Fault { return Fault{Kind: StallAfter} })
	ctx, cancel := context.WithCancel(t.Context())
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, front.URL+"/api/x", strings.NewReader("a"))
	require.NoError(t, err)
	errc := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			_ = resp.Body.Close()
		}
		errc <- err
	}()
	// Wait until the upstream handled the request, then give up.
	require.Eventually(t, func() bool { return handled.Load() == 1 }, 10*time.Second, time.Millisecond)
	cancel()
	require.ErrorIs(t, <-errc, context.Canceled)
	assert.Equal(t, int64(1), p.Forwarded())
}

// TestProxyRuleCounts checks that the rule sees the request number and
// that SetRule(nil) passes everything through again.
func TestProxyRuleCounts(t *testing.T) {
	up, handled := upstream(t)
	p, front := newProxy(t, up.URL)
	var (
		mu   sync.Mutex
		seen []int64
	)
	p.SetRule(func(r *http.Request, n int64) Fault {
		mu.Lock()
		seen = append(seen, n)
		mu.Unlock()
		if n%2 == 0 {
			return Fault{Kind: StatusBefore, Status: http.StatusTeapot}
		}
		return Fault{Kind: Pass}
	})
	for i := 1; i <= 4; i++ {
		resp, err := http.Get(front.URL + "/api/games")
		require.NoError(t, err)
		_ = resp.Body.Close()
		want := http.StatusOK
		if i%2 == 0 {
			want = http.StatusTeapot
		}
		assert.Equal(t, want, resp.StatusCode, "request %d", i)
	}
	mu.Lock()
	assert.Equal(t, []int64{1, 2, 3, 4}, seen)
	mu.Unlock()
	assert.Equal(t, int64(2), handled.Load())
	p.SetRule(nil)
	resp, err := http.Get(front.URL + "/api/games")
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, int64(3), handled.Load())
}

func TestNewRejectsBadUpstream(t *testing.T) {
	for _, u := range []string{"", "127.0.0.1:80", "ftp://h", "http://h/prefix", "http://%zz"} {
		_, err := New(u)
		assert.Error(t, err, "%q", u)
	}
}

func TestKindString(t *testing.T) {
	assert.Equal(t, "cut-after", CutAfter.String())
	assert.Equal(t, "kind(99)", Kind(99).String())
	assert.False(t, CutBefore.Forwards())
	assert.True(t, EmptyAfter.Forwards())
}
