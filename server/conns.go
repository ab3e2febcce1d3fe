package server

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/arcgym/arcgym/wire"
)

// connLimiter is the listener of Serve: it keeps the open connections
// within a bound below the descriptor limit, so that accept never fails
// for lack of descriptors. At the bound it closes the connection idle the
// longest (kept alive after a response, or accepted and silent since), and
// when none is idle it answers the new connection 503 LIMIT_ERROR and
// closes it. Its connections also rewrite the plain-text errors net/http
// answers before a request reaches the handler into JSON error bodies.
type connLimiter struct {
	net.Listener
	max int
	log func(msg string, args ...any)

	mu sync.Mutex
	n  int
	// idle is a list of the idle connections, the longest idle first.
	idle trackedConn
	// refusing counts the refused connections still being answered;
	// refused counts them all, lastLog is when the log last said so.
	refusing atomic.Int32
	refused  atomic.Int64
	lastLog  atomic.Int64
	// shed counts the idle connections closed to make room.
	shed atomic.Int64
}

// maxRefusing bounds the refused connections answered at once; past it a
// refused connection is closed without an answer.
const maxRefusing = 64

// refuseTimeout bounds the answer to a refused connection.
const refuseTimeout = time.Second

// limitConns wraps ln in the connection limiter of Config.MaxConns.
func (s *Server) limitConns(ln net.Listener) *connLimiter {
	limit := connCap(s.cfg.MaxConns)
	l := &connLimiter{Listener: ln, max: limit, log: s.cfg.Logger.Warn}
	l.idle.prev, l.idle.next = &l.idle, &l.idle
	return l
}

// connCap returns the bound of open connections: want, or the descriptor
// limit less a reserve for files, pipes and refused connections when that
// is lower or want is 0.
func connCap(want int) int {
	nofile := openFileLimit()
	if nofile <= 0 {
		if want > 0 {
			return want
		}
		return 1 << 16
	}
	reserve := max(256, nofile/10)
	most := max(1, nofile-reserve)
	if want <= 0 || want > most {
		return most
	}
	return want
}

// Accept returns the next connection, making room for it at the bound.
func (l *connLimiter) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		l.mu.Lock()
		var shed *trackedConn
		if l.n >= l.max {
			shed = l.idle.next
			if shed == &l.idle {
				l.mu.Unlock()
				l.refuse(c)
				continue
			}
			l.unlinkLocked(shed)
			shed.closed = true
			l.n--
		}
		tc := &trackedConn{Conn: c, l: l}
		l.n++
		// A connection that has sent nothing yet is idle: it is the
		// first shed when it stays silent.
		l.pushIdleLocked(tc)
		l.mu.Unlock()
		if shed != nil {
			l.shed.Add(1)
			_ = shed.Conn.Close()
		}
		return tc, nil
	}
}

// connState moves connections in and out of the idle list; it is
// http.Server.ConnState.
func (l *connLimiter) connState(c net.Conn, st http.ConnState) {
	tc, ok := c.(*trackedConn)
	if !ok {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if tc.closed {
		return
	}
	switch st {
	case http.StateIdle:
		l.unlinkLocked(tc)
		l.pushIdleLocked(tc)
	case http.StateActive, http.StateHijacked, http.StateClosed:
		l.unlinkLocked(tc)
	}
}

func (l *connLimiter) pushIdleLocked(tc *trackedConn) {
	tc.prev, tc.next = l.idle.prev, &l.idle
	tc.prev.next, l.idle.prev = tc, tc
}

func (l *connLimiter) unlinkLocked(tc *trackedConn) {
	if tc.next == nil {
		return
	}
	tc.prev.next, tc.next.prev = tc.next, tc.prev
	tc.prev, tc.next = nil, nil
}

// open returns the number of connections held.
func (l *connLimiter) open() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.n
}

// idleCount returns the number of idle connections.
func (l *connLimiter) idleCount() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for c := l.idle.next; c != &l.idle; c = c.next {
		n++
	}
	return n
}

// refusedAnswer is the answer to a connection past the bound.
var refusedAnswer = plainJSON(http.StatusServiceUnavailable, wire.CodeLimit,
	"the server is at its connection limit and no connection is idle; retry shortly", "Retry-After: 1\r\n")

// refuse answers c 503 and closes it, in the background: the client's
// request is read and dropped until it closes or refuseTimeout passes, so
// that the close does not reset the connection before the client reads
// the answer.
func (l *connLimiter) refuse(c net.Conn) {
	if l.refusing.Add(1) > maxRefusing {
		l.refusing.Add(-1)
		_ = c.Close()
		return
	}
	// A flood would flood the log too: it hears of refusals once a second.
	n := l.refused.Add(1)
	if now, last := time.Now().UnixNano(), l.lastLog.Load(); now-last >= int64(time.Second) && l.lastLog.CompareAndSwap(last, now) {
		l.log("connections refused at the connection limit", "limit", l.max, "refused", n)
	}
	go func() {
		defer l.refusing.Add(-1)
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(refuseTimeout))
		if _, err := c.Write(refusedAnswer); err != nil {
			return
		}
		if cw, ok := c.(interface{ CloseWrite() error }); ok {
			_ = cw.CloseWrite()
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(c, 64<<10))
	}()
}

// trackedConn is a connection of a connLimiter, linked into its idle list
// while idle.
type trackedConn struct {
	net.Conn
	l          *connLimiter
	prev, next *trackedConn
	// closed is set, under l.mu, when the connection leaves the count.
	closed bool
}

// Close gives the connection's place back and closes it.
func (c *trackedConn) Close() error {
	l := c.l
	l.mu.Lock()
	if !c.closed {
		c.closed = true
		l.n--
		l.unlinkLocked(c)
	}
	l.mu.Unlock()
	return c.Conn.Close()
}

// CloseWrite shuts the writing side down, as net/http does before closing
// a connection it answered an error on, when the connection can.
func (c *trackedConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// Write writes p, or its JSON form when p is one of the plain-text error
// responses net/http writes before the handler.
func (c *trackedConn) Write(p []byte) (int, error) {
	if len(p) < 1024 && bytes.HasPrefix(p, httpPrefix) {
		if out, ok := rewritePlainError(p); ok {
			if _, err := c.Conn.Write(out); err != nil {
				return 0, err
			}
			return len(p), nil
		}
	}
	return c.Conn.Write(p)
}

// net/http answers a request it cannot read (bad framing or headers, an
// unknown transfer coding, headers past MaxHeaderBytes) itself, in one
// write to the connection: a status line, then exactly these headers, then
// a text body. The handler's answers always carry Content-Length and Date,
// so they never match.
var (
	httpPrefix        = []byte("HTTP/1.1 ")
	plainErrorHeaders = []byte("\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n")
)

// rewritePlainError returns the JSON form of a plain-text error response
// of net/http, or false when p is not one.
func rewritePlainError(p []byte) ([]byte, bool) {
	// The headers follow the status line: the first CRLF starts them, so
	// that other answers are told apart at their first header.
	rest := p[len(httpPrefix):]
	end := bytes.Index(rest, []byte("\r\n"))
	if end < 4 || !bytes.HasPrefix(rest[end:], plainErrorHeaders) {
		return nil, false
	}
	status, err := strconv.Atoi(string(rest[:3]))
	if err != nil || rest[3] != ' ' || status < 400 || status > 599 {
		return nil, false
	}
	msg := rest[end+len(plainErrorHeaders):]
	code := wire.CodeValidation
	if status >= 500 && status != http.StatusNotImplemented {
		code = wire.CodeServer
	}
	return plainJSON(status, code, string(msg), ""), true
}

// plainJSON returns a whole response that closes its connection, with an
// error body and extra header lines.
func plainJSON(status int, code, msg, extra string) []byte {
	body := append(wire.AppendError(nil, code, msg), '\n')
	out := make([]byte, 0, 256+len(body))
	out = append(out, "HTTP/1.1 "...)
	out = strconv.AppendInt(out, int64(status), 10)
	out = append(out, ' ')
	out = append(out, http.StatusText(status)...)
	out = append(out, "\r\nContent-Type: application/json\r\nContent-Length: "...)
	out = strconv.AppendInt(out, int64(len(body)), 10)
	out = append(out, "\r\nConnection: close\r\n"...)
	out = append(out, wire.HeaderNotApplied...)
	out = append(out, ": 1\r\n"...)
	out = append(out, extra...)
	out = append(out, "\r\n"...)
	return append(out, body...)
}
