// Package faultproxy is an HTTP reverse proxy for tests that breaks
// exchanges on purpose: put it in front of a server (an httptest.Server or
// a child process) and a client in front of it, and a Rule decides, per
// request, whether to pass it through, answer in the server's place
// before forwarding, or forward it and then lose, replace or cut the
// server's answer. It tells a client's retry policy apart from luck: the
// server sees exactly the requests that were forwarded, whatever the
// client was told.
//
// The proxy reads each request body whole and each answer whole before
// writing anything, so a fault "after forwarding" always comes after the
// server has finished handling the request.
package faultproxy

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
)

// Kind is what the proxy does with one request.
type Kind int

// The kinds of fault. "Before" kinds never reach the upstream server;
// every other kind forwards the request and waits for the whole answer
// first.
const (
	// Pass forwards the request and relays the answer.
	Pass Kind = iota
	// StatusBefore answers Fault.Status (with Fault.Header and Fault.Body)
	// without forwarding the request.
	StatusBefore
	// CutBefore reads the request and closes the connection without
	// forwarding it or answering.
	CutBefore
	// StatusAfter forwards the request, then answers Fault.Status (with
	// Fault.Header and Fault.Body) instead of the server's answer.
	StatusAfter
	// RedirectAfter forwards the request, then answers Fault.Status (307
	// when zero) with Location: Fault.Location.
	RedirectAfter
	// HTMLAfter forwards the request, then answers 200 with an HTML page.
	HTMLAfter
	// EmptyAfter forwards the request, then answers 200 with an empty body.
	EmptyAfter
	// TruncateAfter forwards the request, then relays the server's status,
	// headers and Content-Length with only the first half of the body, and
	// closes the connection.
	TruncateAfter
	// CutAfter forwards the request, then closes the connection without
	// answering.
	CutAfter
	// StallAfter forwards the request, then answers nothing until the
	// client gives up or the proxy is closed.
	StallAfter
)

var kindNames = [...]string{"pass", "status-before", "cut-before", "status-after", "redirect-after",
	"html-after", "empty-after", "truncate-after", "cut-after", "stall-after"}

// String returns the kind's name, e.g. "cut-after".
func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Forwards reports whether the kind sends the request to the upstream
// server.
func (k Kind) Forwards() bool { return k != StatusBefore && k != CutBefore }

// Fault is the fate of one request.
type Fault struct {
	// Kind is what happens.
	Kind Kind
	// Status is the status of StatusBefore, StatusAfter and RedirectAfter.
	Status int
	// Header holds headers added to an answer the proxy makes up (Retry-After,
	// Arcgym-Not-Applied...).
	Header http.Header
	// Body is the body of StatusBefore and StatusAfter answers.
	Body []byte
	// Location is where RedirectAfter points.
	Location string
}

// Rule decides the fault of each request. n counts the requests the proxy
// received, from 1. A Rule may be called from many goroutines at once.
type Rule func(r *http.Request, n int64) Fault

// Proxy is the fault-injecting reverse proxy, an http.Handler. Its zero
// value is not usable; call New.
type Proxy struct {
	upstream *url.URL
	client   *http.Client

	mu   sync.Mutex
	rule Rule

	requests  atomic.Int64
	forwarded atomic.Int64
	injected  [len(kindNames)]atomic.Int64

	done      chan struct{}
	closeOnce sync.Once
}

// New returns a proxy to the server at upstream (scheme://host:port) that
// passes every request through until SetRule says otherwise.
func New(upstream string) (*Proxy, error) {
	u, err := url.Parse(upstream)
	if err != nil {
		return nil, fmt.Errorf("faultproxy: upstream %q: %w", upstream, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" || u.Path != "" && u.Path != "/" {
		return nil, fmt.Errorf("faultproxy: upstream %q: want http(s)://host:port", upstream)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil
	tr.MaxIdleConnsPerHost = 64
	return &Proxy{
		upstream: u,
		client: &http.Client{
			Transport: tr,
			// The proxy relays redirects; it does not follow them.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		done: make(chan struct{}),
	}, nil
}

// SetRule replaces the rule; nil passes everything through.
func (p *Proxy) SetRule(r Rule) {
	p.mu.Lock()
	p.rule = r
	p.mu.Unlock()
}

// Requests returns the number of requests received.
func (p *Proxy) Requests() int64 { return p.requests.Load() }

// Forwarded returns the number of requests sent to the upstream server
// (whether or not it answered).
func (p *Proxy) Forwarded() int64 { return p.forwarded.Load() }

// Injected returns the number of requests given the fault kind k.
func (p *Proxy) Injected(k Kind) int64 {
	if k < 0 || int(k) >= len(p.injected) {
		return 0
	}
	return p.injected[k].Load()
}

// Close releases stalled requests and idle upstream connections. The
// proxy answers later requests with 503.
func (p *Proxy) Close() error {
	p.closeOnce.Do(func() { close(p.done) })
	p.client.CloseIdleConnections()
	return nil
}

// ServeHTTP applies the rule's fault to one request.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := p.requests.Add(1)
	select {
	case <-p.done:
		http.Error(w, "faultproxy: closed", http.StatusServiceUnavailable)
		return
	default:
	}
	p.mu.Lock()
	rule := p.rule
	p.mu.Unlock()
	f := Fault{Kind: Pass}
	if rule != nil {
		f = rule(r, n)
	}
	if f.Kind < 0 || int(f.Kind) >= len(p.injected) {
		http.Error(w, fmt.Sprintf("faultproxy: unknown fault %v", f.Kind), http.StatusInternalServerError)
		return
	}
	p.injected[f.Kind].Add(1)
	body, err := io.ReadAll(r.Body)
	if err != nil {
		cut(w)
		return
	}
	switch f.Kind {
	case StatusBefore:
		writeMadeUp(w, f, f.Status, nil)
		return
	case CutBefore:
		cut(w)
		return
	}
	resp, err := p.forward(r, body)
	if err != nil {
		http.Error(w, "faultproxy: upstream: "+err.Error(), http.StatusBadGateway)
		return
	}
	switch f.Kind {
	case Pass:
		relay(w, resp, resp.body)
	case StatusAfter:
		writeMadeUp(w, f, f.Status, nil)
	case RedirectAfter:
		status := f.Status
		if status == 0 {
			status = http.StatusTemporaryRedirect
		}
		writeMadeUp(w, f, status, http.Header{"Location": {f.Location}})
	case HTMLAfter:
		f.Body = []byte("<!doctype html><html><head><title>Maintenance</title></head><body><h1>Back soon</h1></body></html>")
		writeMadeUp(w, f, http.StatusOK, http.Header{"Content-Type": {"text/html; charset=utf-8"}})
	case EmptyAfter:
		f.Body = nil
		writeMadeUp(w, f, http.StatusOK, http.Header{"Content-Type": {"application/json"}})
	case TruncateAfter:
		relay(w, resp, resp.body[:len(resp.body)/2])
		_ = http.NewResponseController(w).Flush()
		cut(w)
	case CutAfter:
		cut(w)
	case StallAfter:
		select {
		case <-r.Context().Done():
		case <-p.done:
		}
		cut(w)
	}
}

// answer is an upstream answer read whole.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// forward sends the request to the upstream server and reads its answer.
func (p *Proxy) forward(r *http.Request, body []byte) (*answer, error) {
	p.forwarded.Add(1)
	u := *p.upstream
	u.Path, u.RawPath, u.RawQuery = r.URL.Path, r.URL.RawPath, r.URL.RawQuery
	// The upstream exchange is not tied to the client's: a client that
	// gives up must not stop a request the server is handling.
	req, err := http.NewRequestWithContext(context.WithoutCancel(r.Context()), r.Method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	for k, vs := range r.Header {
		if !hopByHop[http.CanonicalHeaderKey(k)] {
			req.Header[k] = append([]string(nil), vs...)
		}
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("reading the answer: %w", err)
	}
	return &answer{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

// hopByHop are the headers of one connection, never relayed.
var hopByHop = map[string]bool{
	"Connection": true, "Keep-Alive": true, "Proxy-Authenticate": true, "Proxy-Authorization": true,
	"Te": true, "Trailer": true, "Transfer-Encoding": true, "Upgrade": true, "Content-Length": true,
}

// relay writes the upstream answer with body (all or part of its own),
// announcing the full length.
func relay(w http.ResponseWriter, a *answer, body []byte) {
	h := w.Header()
	for k, vs := range a.header {
		if !hopByHop[k] {
			h[k] = vs
		}
	}
	h.Set("Content-Length", strconv.Itoa(len(a.body)))
	w.WriteHeader(a.status)
	_, _ = w.Write(body)
}

// writeMadeUp writes an answer of the proxy's own.
func writeMadeUp(w http.ResponseWriter, f Fault, status int, extra http.Header) {
	h := w.Header()
	for k, vs := range extra {
		h[k] = vs
	}
	for k, vs := range f.Header {
		h[k] = vs
	}
	if h.Get("Content-Type") == "" && len(f.Body) > 0 {
		h.Set("Content-Type", "application/json")
	}
	h.Set("Content-Length", strconv.Itoa(len(f.Body)))
	if status == 0 {
		status = http.StatusInternalServerError
	}
	w.WriteHeader(status)
	_, _ = w.Write(f.Body)
}

// cut closes the client's connection without (any more of) an answer.
func cut(w http.ResponseWriter) {
	if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
		_ = conn.Close()
		return
	}
	// Past the headers, or over HTTP/2: the server resets the stream or
	// closes the connection on this panic, and logs nothing.
	panic(http.ErrAbortHandler)
}
