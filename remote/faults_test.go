package remote

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/wire"
)

// lateBodyTransport answers every request at once and reads the bodies
// only when asked, after later requests: http.RoundTripper allows it
// ("callers wanting to reuse the body ... must arrange to wait for the
// Close call"), and net/http's transport does it when a server answers
// before it has read the whole request.
type lateBodyTransport struct {
	mu      sync.Mutex
	pending []io.ReadCloser
	answer  []byte
}

func (lt *lateBodyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		lt.mu.Lock()
		lt.pending = append(lt.pending, r.Body)
		lt.mu.Unlock()
	}
	return &http.Response{
		StatusCode:    http.StatusOK,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(bytes.NewReader(lt.answer)),
		ContentLength: int64(len(lt.answer)),
		Request:       r,
	}, nil
}

// bodies reads the request bodies received so far.
func (lt *lateBodyTransport) bodies() []string {
	lt.mu.Lock()
	defer lt.mu.Unlock()
	var out []string
	for _, b := range lt.pending {
		raw, _ := io.ReadAll(b)
		_ = b.Close()
		out = append(out, string(raw))
	}
	return out
}

// TestClientCommandBodyOutlivesCall checks that a command body stays intact
// after the call returns: the transport may still be sending it.
func TestClientCommandBodyOutlivesCall(t *testing.T) {
	fd := arc.FrameData{GameID: "fake-0000000f", GUID: "g", State: arc.NotFinished, Available: arc.ActionSetOf(arc.Action1)}
	fd.SetFrames(1)
	lt := &lateBodyTransport{answer: wire.AppendFrame(nil, &fd, wire.FrameOptions{})}
	c := testClientWith(t, "http://arc.invalid", ClientConfig{HTTPClient: &http.Client{Transport: lt}})
	var out arc.FrameData
	want := make([]string, 0, 4)
	for i := range 4 {
		// Bodies as large as a frame answer, so that pooled buffers would
		// be shared between requests and answers.
		a := arc.Action{ID: arc.Action1, Reasoning: json.RawMessage(`{"step":"` + strings.Repeat(string(rune('a'+i)), 12<<10) + `"}`)}
		require.NoError(t, c.Action(t.Context(), "fake-0000000f", "guid-1", a, &out))
		want = append(want, string(appendCommand(nil, "fake-0000000f", "", "guid-1", a)))
	}
	assert.Equal(t, want, lt.bodies(), "each body as it was when sent")
}

// TestClientRetryAfterBeyondCap checks that a Retry-After longer than the
// client's cap ends the call with the 429 instead of retrying sooner than
// the server asked.
func TestClientRetryAfterBeyondCap(t *testing.T) {
	s := newARCServer(t)
	c := testClientWith(t, s.URL, ClientConfig{MaxRetryAfter: 20 * time.Millisecond})
	gameID, guid := startSession(t, c, s)
	s.SetBefore(func(w http.ResponseWriter, r *http.Request, n int) bool {
		w.Header().Set("Retry-After", "30")
		w.Header().Set(wire.HeaderNotApplied, "1")
		w.WriteHeader(http.StatusTooManyRequests)
		return true
	})
	var fd arc.FrameData
	err := c.Action(t.Context(), gameID, guid, arc.Simple(arc.Action1), &fd)
	require.ErrorIs(t, err, ErrRateLimited)
	var ae *APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, 30*time.Second, ae.RetryAfter)
	assert.Equal(t, 1, ae.Attempts)
	assert.Equal(t, int64(3), s.requests.Load(), "open, RESET and one ACTION")
}

// TestClientWaitsRetryAfter checks that a retry waits as long as the
// server asked. It runs in a synctest bubble, on in-memory connections, so
// that the wait is measured exactly, on the bubble's fake clock, and takes
// no real time.
func TestClientWaitsRetryAfter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, hc := newPipeARCServer(t)
		c := testClientWith(t, pipeURL, ClientConfig{HTTPClient: hc, MaxRetryAfter: 5 * time.Second})
		gameID, guid := startSession(t, c, s)
		s.SetBefore(func(w http.ResponseWriter, r *http.Request, n int) bool {
			if n > 3 {
				return false
			}
			w.Header().Set("Retry-After", "1")
			w.Header().Set(wire.HeaderNotApplied, "1")
			w.WriteHeader(http.StatusServiceUnavailable)
			return true
		})
		start := time.Now()
		var fd arc.FrameData
		require.NoError(t, c.Action(t.Context(), gameID, guid, arc.Simple(arc.Action1), &fd))
		assert.Equal(t, time.Second, time.Since(start), "one retry, after the second the server asked for")
		assert.Equal(t, int64(4), s.requests.Load())
	})
}

// TestClientLargeErrorBody checks that an error answer with a body beyond
// the response limit is still reported (and retried) by its status, not as
// a broken transfer whose outcome is unknown.
func TestClientLargeErrorBody(t *testing.T) {
	s := newARCServer(t)
	c := testClientWith(t, s.URL, ClientConfig{MaxResponseBytes: 64 << 10})
	gameID, guid := startSession(t, c, s)
	var refused atomic.Int64
	page := "<html>" + strings.Repeat("busy ", 40<<10) + "</html>"
	s.SetBefore(func(w http.ResponseWriter, r *http.Request, n int) bool {
		if refused.Add(1) > 1 {
			return false
		}
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Retry-After", "0")
		w.Header().Set(wire.HeaderNotApplied, "1")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = io.WriteString(w, page)
		return true
	})
	before := s.applied.Load()
	var fd arc.FrameData
	require.NoError(t, c.Action(t.Context(), gameID, guid, arc.Simple(arc.Action1), &fd))
	assert.Equal(t, int64(1), s.applied.Load()-before)
	assert.Equal(t, int64(2), refused.Load(), "refused once, then retried")
}

// TestClientCutErrorBody checks that a refusal whose body breaks off is
// still a refusal, retried, rather than a broken exchange.
func TestClientCutErrorBody(t *testing.T) {
	s := newARCServer(t)
	c := testClient(t, s.URL)
	gameID, guid := startSession(t, c, s)
	s.SetBefore(func(w http.ResponseWriter, r *http.Request, n int) bool {
		if n > 3 {
			return false
		}
		w.Header().Set("Content-Length", "1000")
		w.Header().Set(wire.HeaderNotApplied, "1")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = io.WriteString(w, `{"error":"SERVER_ERROR","mess`)
		_ = http.NewResponseController(w).Flush()
		panic(http.ErrAbortHandler)
	})
	before := s.applied.Load()
	var fd arc.FrameData
	require.NoError(t, c.Action(t.Context(), gameID, guid, arc.Simple(arc.Action1), &fd))
	assert.Equal(t, int64(1), s.applied.Load()-before)
	assert.Equal(t, int64(4), s.requests.Load())
}

// TestClientServerErrorOutcome checks which error answers to a command
// leave its outcome unknown: all 429 and 5xx answers but 501, unless they
// carry wire.HeaderNotApplied, which makes 429 and 503 refusals that are
// retried and the others plain errors.
func TestClientServerErrorOutcome(t *testing.T) {
	tests := []struct {
		status     int
		notApplied bool
		unknown    bool
		sent       int64
	}{
		{http.StatusInternalServerError, false, true, 1},
		{http.StatusInternalServerError, true, false, 1},
		{http.StatusNotImplemented, false, false, 1},
		{http.StatusBadGateway, false, true, 1},
		{http.StatusGatewayTimeout, false, true, 1},
		{http.StatusServiceUnavailable, false, true, 1},
		{http.StatusServiceUnavailable, true, false, 4},
		{http.StatusTooManyRequests, false, true, 1},
		{http.StatusTooManyRequests, true, false, 4},
		{http.StatusBadRequest, false, false, 1},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%d not-applied=%v", tc.status, tc.notApplied), func(t *testing.T) {
			s := newARCServer(t)
			c := testClient(t, s.URL)
			gameID, guid := startSession(t, c, s)
			s.SetBefore(func(w http.ResponseWriter, r *http.Request, n int) bool {
				w.Header().Set("Retry-After", "0")
				if tc.notApplied {
					w.Header().Set(wire.HeaderNotApplied, "1")
				}
				w.WriteHeader(tc.status)
				return true
			})
			var fd arc.FrameData
			err := c.Action(t.Context(), gameID, guid, arc.Simple(arc.Action1), &fd)
			require.Error(t, err)
			assert.Equal(t, tc.unknown, errors.Is(err, ErrOutcomeUnknown), "%v", err)
			assert.Equal(t, 2+tc.sent, s.requests.Load())
			var ae *APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, tc.unknown, ae.MaybeApplied)
			assert.Equal(t, tc.notApplied, ae.NotApplied)
			assert.Equal(t, tc.status, ae.Status)

			// A GET is never "maybe applied".
			_, err = c.Games(t.Context())
			require.Error(t, err)
			assert.NotErrorIs(t, err, ErrOutcomeUnknown)
		})
	}
}

// FuzzParseRetryAfter checks that any header value gives a delay within
// 0..24h or is refused, and never panics.
func FuzzParseRetryAfter(f *testing.F) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	for _, s := range []string{"", "0", "3", " 7 ", "-1", "1.5", "99999999999999999999", "soon",
		now.Add(90 * time.Second).Format(http.TimeFormat), "Mon, 02 Jan 2006 15:04:05 GMT", "Monday, 02-Jan-06 15:04:05 GMT"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		d, ok := parseRetryAfter(v, now)
		if !ok {
			require.Zero(t, d)
			return
		}
		require.GreaterOrEqual(t, d, time.Duration(0))
		if _, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
			require.LessOrEqual(t, d, 24*time.Hour)
		}
	})
}

// FuzzAPIErrorBody builds the error of an arbitrary non-2xx answer: it
// never panics, keeps at most maxSnippet bytes of valid UTF-8, and reads
// code and message only from a JSON error body.
func FuzzAPIErrorBody(f *testing.F) {
	for _, s := range []string{"", `{"error":"VALIDATION_ERROR","message":"x"}`, `{"error":"opaque exceeds 8 KB limit"}`,
		"<!doctype html><title>500 Internal Server Error</title>", `{"error":5}`, "\xff\xfe", `{"error":"a\u0000b"}`} {
		f.Add(s, 400)
	}
	f.Fuzz(func(t *testing.T, body string, status int) {
		resp := &http.Response{StatusCode: status, Header: http.Header{"Retry-After": {body}}}
		e := newAPIError("POST /api/cmd/ACTION1", resp, []byte(body), time.Now())
		require.LessOrEqual(t, len(e.Body), maxSnippet)
		require.True(t, utf8.ValidString(e.Body))
		if e.Code != "" {
			_, ok := wire.DecodeError([]byte(body))
			require.True(t, ok)
		}
		require.NotEmpty(t, e.Error())
	})
}
