package server

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/wire"
)

// serveLoopback serves srv with Serve on a loopback port until the end of
// the test and returns its address.
func serveLoopback(t *testing.T, srv *Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(serveOn(t, srv, ln))
	return ln.Addr().String()
}

// rawConn is a client connection that writes requests by hand.
type rawConn struct {
	t  *testing.T
	c  net.Conn
	br *bufio.Reader
}

func dialRaw(t *testing.T, addr string) *rawConn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	// Generous: every read below is answered at once or not at all.
	require.NoError(t, c.SetDeadline(time.Now().Add(10*time.Second)))
	return &rawConn{t: t, c: c, br: bufio.NewReader(c)}
}

func (r *rawConn) send(s string) {
	r.t.Helper()
	_, err := io.WriteString(r.c, s)
	require.NoError(r.t, err)
}

// response reads one response and its body.
func (r *rawConn) response() (*http.Response, []byte) {
	r.t.Helper()
	resp, err := http.ReadResponse(r.br, nil)
	require.NoError(r.t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(r.t, err)
	return resp, body
}

// closed reports whether the server closed the connection.
func (r *rawConn) closed() bool {
	_, err := r.br.ReadByte()
	return err == io.EOF
}

const healthcheck = "GET /api/healthcheck HTTP/1.1\r\nHost: x\r\n\r\n"

// TestConnCapShedsIdle fills the connection limit with kept-alive idle
// connections: a new client is served, and the connection idle the
// longest is closed to make room for it.
func TestConnCapShedsIdle(t *testing.T) {
	srv, err := New(Config{Games: newTestCatalog(), MaxConns: 3})
	require.NoError(t, err)
	addr := serveLoopback(t, srv)
	var idle []*rawConn
	for range 3 {
		c := dialRaw(t, addr)
		c.send(healthcheck)
		resp, _ := c.response()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		idle = append(idle, c)
		// The server marks a connection idle just after its answer: wait
		// for it, so that the order of the idle list is known.
		require.Eventually(t, func() bool { return srv.conns.Load().idleCount() == len(idle) }, 5*time.Second, time.Millisecond)
	}
	fresh := dialRaw(t, addr)
	fresh.send(healthcheck)
	resp, body := fresh.response()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "okay", string(body))
	assert.True(t, idle[0].closed(), "the connection idle the longest is closed")
	idle[1].send(healthcheck)
	resp, _ = idle[1].response()
	assert.Equal(t, http.StatusOK, resp.StatusCode, "the others are kept")

	// The metrics count the connections and the one shed.
	fresh.send("GET " + MetricsPath + " HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, body = fresh.response()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	for _, want := range []string{
		"arcgym_connections_open 3\n",
		"arcgym_connections_max 3\n",
		"arcgym_connections_shed_total 1\n",
		"arcgym_connections_refused_total 0\n",
	} {
		assert.Contains(t, string(body), want)
	}
}

// TestConnCapRefusesWhenBusy fills the connection limit with connections
// whose requests are in progress: a new client is answered 503
// LIMIT_ERROR in JSON, and the busy connections are left alone.
func TestConnCapRefusesWhenBusy(t *testing.T) {
	cat := newTestCatalog()
	cat.gate = make(chan struct{})
	cat.entered = make(chan struct{}, 2)
	srv, err := New(Config{Games: cat, MaxConns: 2})
	require.NoError(t, err)
	addr := serveLoopback(t, srv)
	post := func(c *rawConn, path, body string) {
		c.send("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body)
	}
	var busy []*rawConn
	var card string
	for i := range 2 {
		c := dialRaw(t, addr)
		busy = append(busy, c)
		if i == 0 {
			post(c, "/api/scorecard/open", `{}`)
			_, body := c.response()
			card, err = wire.DecodeOpenScorecard(body)
			require.NoError(t, err)
		}
		post(c, "/api/cmd/RESET", `{"game_id":"`+ttInfo.ID+`","card_id":"`+card+`"}`)
		resp, body := c.response()
		require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
		var fd struct{ GUID string }
		require.NoError(t, json.Unmarshal(body, &fd))
		// ACTION5 waits for the gate: the connection stays busy.
		post(c, "/api/cmd/ACTION5", `{"game_id":"`+ttInfo.ID+`","guid":"`+fd.GUID+`"}`)
	}
	<-cat.entered
	<-cat.entered

	c := dialRaw(t, addr)
	c.send(healthcheck)
	resp, body := c.response()
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	assert.Equal(t, "1", resp.Header.Get(wire.HeaderNotApplied))
	assert.Equal(t, "1", resp.Header.Get("Retry-After"))
	var e wire.ErrorBody
	require.NoError(t, json.Unmarshal(body, &e))
	assert.Equal(t, wire.CodeLimit, e.Error)
	assert.True(t, c.closed())

	close(cat.gate)
	for _, c := range busy {
		resp, _ := c.response()
		assert.Equal(t, http.StatusOK, resp.StatusCode, "the busy connections are served")
	}
}

// TestPreHandlerErrorsAreJSON sends requests net/http refuses before the
// handler: each answer is a JSON error body.
func TestPreHandlerErrorsAreJSON(t *testing.T) {
	srv, err := New(Config{Games: newTestCatalog()})
	require.NoError(t, err)
	addr := serveLoopback(t, srv)
	tests := []struct {
		name    string
		request string
		status  int
		msg     string
	}{
		{"negative Content-Length", "POST /api/cmd/RESET HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", http.StatusBadRequest, "400 Bad Request"},
		{"NUL in a header", "GET /api/games HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\n\r\n", http.StatusBadRequest, "400 Bad Request"},
		{"oversized headers", "GET /api/games HTTP/1.1\r\nHost: x\r\nX-Padding: " + strings.Repeat("p", 2*MaxHeaderBytes) + "\r\n\r\n", http.StatusRequestHeaderFieldsTooLarge, "431 Request Header Fields Too Large"},
		{"unknown transfer coding", "POST /api/cmd/RESET HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: rot13\r\n\r\n", http.StatusNotImplemented, "Unsupported transfer encoding"},
		{"no Host", "GET /api/games HTTP/1.1\r\n\r\n", http.StatusBadRequest, "missing required Host header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dialRaw(t, addr)
			// The server may answer before reading all of a large request.
			go func() { _, _ = io.WriteString(c.c, tt.request) }()
			resp, body := c.response()
			assert.Equal(t, tt.status, resp.StatusCode)
			assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
			assert.Equal(t, "1", resp.Header.Get(wire.HeaderNotApplied))
			var e wire.ErrorBody
			require.NoError(t, json.Unmarshal(body, &e), string(body))
			assert.Equal(t, wire.CodeValidation, e.Error)
			assert.Contains(t, e.Message, tt.msg)
		})
	}
}

// TestRewritePlainError leaves everything but net/http's own error
// answers as they are.
func TestRewritePlainError(t *testing.T) {
	for _, p := range []string{
		"HTTP/1.1 200 OK\r\nContent-Length: 4\r\nContent-Type: text/plain; charset=utf-8\r\nDate: x\r\n\r\nokay",
		"HTTP/1.1 400 Bad Request\r\nContent-Length: 2\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\nno",
		"HTTP/1.1 abc Bad\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\nx",
		"HTTP/1.1 400 Bad\r\nDate: x\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\nx",
	} {
		_, ok := rewritePlainError([]byte(p))
		assert.False(t, ok, "%q", p)
	}
	out, ok := rewritePlainError([]byte("HTTP/1.1 400 Bad Request: invalid header" + string(plainErrorHeaders) + "400 Bad Request: invalid \"header\""))
	require.True(t, ok)
	resp, err := http.ReadResponse(bufio.NewReader(strings.NewReader(string(out))), nil)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.JSONEq(t, `{"error":"VALIDATION_ERROR","message":"400 Bad Request: invalid \"header\""}`, string(body))
}

// FuzzRewritePlainError checks that whatever net/http might write, the
// rewrite either leaves it alone or makes a well-formed response whose
// body is a valid JSON error.
func FuzzRewritePlainError(f *testing.F) {
	f.Add([]byte("HTTP/1.1 431 Request Header Fields Too Large" + string(plainErrorHeaders) + "431 Request Header Fields Too Large"))
	f.Add([]byte("HTTP/1.1 400 Bad Request: bad \xff" + string(plainErrorHeaders) + "400 Bad Request: bad \xff"))
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nokay"))
	f.Fuzz(func(t *testing.T, p []byte) {
		if !bytes.HasPrefix(p, httpPrefix) {
			return
		}
		out, ok := rewritePlainError(p)
		if !ok {
			return
		}
		resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(out)), nil)
		require.NoError(t, err)
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		assert.True(t, utf8.Valid(body))
		var e wire.ErrorBody
		require.NoError(t, json.Unmarshal(body, &e))
		assert.NotEmpty(t, e.Error)
		assert.GreaterOrEqual(t, resp.StatusCode, 400)
	})
}
