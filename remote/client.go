package remote

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/wire"
)

// Client talks to an ARC-AGI-3 REST service. It is safe for concurrent use
// by many sessions; it keeps one cookie jar (the hosted service pins game
// sessions to a backend by cookie) and a pool of keep-alive connections.
type Client struct {
	base        string // scheme://host[/prefix], no trailing slash
	origin      *url.URL
	apiKey      string
	hc          *http.Client
	ownsConns   bool
	retry       retryPolicy
	maxResponse int64
	userAgent   string
}

// NewClient returns a Client of the service at baseURL, e.g.
// "http://127.0.0.1:8001"; "" means the value of ARC_BASE_URL, else
// DefaultBaseURL. cfg sets the API key, retries and bounds (see
// ClientConfig).
func NewClient(baseURL string, cfg ClientConfig) (*Client, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return newClient(baseURL, &cfg)
}

// newClient returns a Client of baseURL for a validated cfg.
func newClient(baseURL string, cfg *ClientConfig) (*Client, error) {
	base := baseURL
	if base == "" {
		base = os.Getenv(EnvBaseURL)
	}
	if base == "" {
		base = DefaultBaseURL
	}
	u, err := url.Parse(base)
	if err != nil {
		return nil, fmt.Errorf("remote: base URL %q: %w", base, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("remote: base URL %q: want http(s)://host[:port]", base)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("remote: base URL %q: must not have a query or fragment", base)
	}
	c := &Client{
		base:        strings.TrimSuffix(u.String(), "/"),
		origin:      u,
		apiKey:      cfg.APIKey,
		retry:       cfg.retryPolicy(),
		maxResponse: cfg.MaxResponseBytes,
		userAgent:   cfg.UserAgent,
	}
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, fmt.Errorf("remote: cookie jar: %w", err)
	}
	if cfg.HTTPClient != nil {
		hc := *cfg.HTTPClient
		if hc.Jar == nil {
			hc.Jar = jar
		}
		c.hc = &hc
	} else {
		c.hc = &http.Client{Transport: newTransport(), Jar: jar}
		c.ownsConns = true
	}
	c.hc.CheckRedirect = c.checkRedirect(c.hc.CheckRedirect)
	return c, nil
}

// maxRedirects bounds the redirects followed by one GET.
const maxRedirects = 10

// checkRedirect returns the redirect policy: only a GET follows redirects,
// and only within the base URL's scheme and host, so that neither a
// command nor the API key and cookies ever go anywhere else. Any other
// redirect is returned as it is and becomes an *APIError. next, the
// policy of ClientConfig.HTTPClient, then has its say.
func (c *Client) checkRedirect(next func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if via[0].Method != http.MethodGet || req.Method != http.MethodGet || !sameOrigin(req.URL, c.origin) {
			return http.ErrUseLastResponse
		}
		if len(via) >= maxRedirects {
			return fmt.Errorf("stopped after %d redirects", len(via))
		}
		if next != nil {
			return next(req, via)
		}
		return nil
	}
}

// sameOrigin reports whether u has base's scheme and host (with the port
// spelled out the same way).
func sameOrigin(u, base *url.URL) bool {
	return strings.EqualFold(u.Scheme, base.Scheme) && strings.EqualFold(u.Host, base.Host)
}

// newTransport returns a transport tuned for many small requests to one
// host over kept-alive connections.
func newTransport() *http.Transport {
	d := &net.Dialer{Timeout: 15 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           d.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          256,
		MaxIdleConnsPerHost:   64,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   15 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}

// BaseURL returns the service URL the Client talks to.
func (c *Client) BaseURL() string { return c.base }

// Close releases the Client's idle connections. The Client stays usable.
func (c *Client) Close() error {
	if c.ownsConns {
		c.hc.CloseIdleConnections()
	}
	return nil
}

// bufPool recycles response and request buffers.
var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func getBuf() *bytes.Buffer { b := bufPool.Get().(*bytes.Buffer); b.Reset(); return b }

func putBuf(b *bytes.Buffer) {
	if b.Cap() <= 4<<20 {
		bufPool.Put(b)
	}
}

// call sends one request, with retries where they cannot apply a command
// twice, and returns the body of a 2xx response in a pooled buffer the
// caller must put back. The policy is the table in the package doc.
func (c *Client) call(ctx context.Context, method, path string, body []byte) (*bytes.Buffer, error) {
	route := method + " " + path
	idempotent := method == http.MethodGet
	var last error
	for attempt := 1; ; attempt++ {
		buf, resp, err := c.send(ctx, method, path, body)
		var wait time.Duration
		retry := false
		switch {
		case err != nil && ctx.Err() != nil:
			return nil, &TransportError{Route: route, Err: context.Cause(ctx), MaybeApplied: !idempotent && !notSent(err), Attempts: attempt}
		case err != nil:
			sent := !notSent(err)
			te := &TransportError{Route: route, Err: err, MaybeApplied: sent && !idempotent, Attempts: attempt}
			last = te
			retry = !sent || idempotent && transient(err)
			wait = c.retry.backoff(attempt)
		case resp.StatusCode >= 200 && resp.StatusCode < 300:
			return buf, nil
		default:
			ae := newAPIError(route, resp, buf.Bytes(), time.Now())
			ae.Attempts = attempt
			ae.NotApplied = resp.Header.Get(wire.HeaderNotApplied) == "1"
			ae.MaybeApplied = !idempotent && !ae.NotApplied && maybeApplied(ae.Status)
			putBuf(buf)
			last = ae
			retry = retryStatus(ae.Status, idempotent, ae.NotApplied)
			wait = c.retry.backoff(attempt)
			if ae.RetryAfter > 0 {
				// A server asking for a longer pause than the cap is not
				// retried sooner than it asked: the caller gets the error
				// and its RetryAfter.
				retry = retry && ae.RetryAfter <= c.retry.maxRetryAfter
				wait = ae.RetryAfter
			}
		}
		if !retry || attempt >= c.retry.maxAttempts || !fitsDeadline(ctx, wait) {
			return nil, last
		}
		if err := sleep(ctx, wait); err != nil {
			return nil, &TransportError{Route: route, Err: fmt.Errorf("waiting to retry: %w (last error: %v)", err, last), Attempts: attempt}
		}
	}
}

// send makes one attempt. It reads the whole body (up to the size limit)
// and closes it so that the connection can be reused.
func (c *Client) send(ctx context.Context, method, path string, body []byte) (*bytes.Buffer, *http.Response, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return nil, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if c.apiKey != "" {
		req.Header.Set("X-API-Key", c.apiKey)
	}
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	ok := resp.StatusCode >= 200 && resp.StatusCode < 300
	limit := c.maxResponse
	if !ok {
		// Only the start of an error body is kept; its status says what
		// happened even when the rest is cut off.
		limit = min(limit, maxErrorBody)
	}
	buf := getBuf()
	if resp.ContentLength > 0 && resp.ContentLength <= limit {
		buf.Grow(int(resp.ContentLength) + bytes.MinRead)
	}
	n, err := buf.ReadFrom(io.LimitReader(resp.Body, limit+1))
	if err != nil && ok {
		putBuf(buf)
		return nil, nil, fmt.Errorf("reading %d %s response after %d bytes: %w", resp.StatusCode, http.StatusText(resp.StatusCode), n, err)
	}
	if err != nil {
		// An error status tells what happened even if its body was cut.
		return buf, resp, nil
	}
	if n > limit {
		if ok {
			putBuf(buf)
			return nil, nil, fmt.Errorf("%d response is larger than %d bytes", resp.StatusCode, limit)
		}
		buf.Truncate(int(limit))
		// Drain a little more so that the connection can be reused;
		// beyond that closing it is cheaper.
		_, _ = io.CopyN(io.Discard, resp.Body, maxErrorBody)
	}
	return buf, resp, nil
}

// maxErrorBody bounds how much of a non-2xx body is read.
const maxErrorBody = 64 << 10

// maybeApplied reports whether an answer with this status to a command
// that does not carry wire.HeaderNotApplied leaves open whether the command
// was applied: a redirect (the server may have acted before sending it
// elsewhere), a 429 or 503 (a proxy or a server that cannot say whether it
// refused the command before or after applying it), and any 5xx but 501
// (the route does not exist). Other 4xx answers refuse the request.
func maybeApplied(status int) bool {
	switch {
	case status >= 300 && status < 400:
		return true
	case status == http.StatusTooManyRequests:
		return true
	case status >= 500:
		return status != http.StatusNotImplemented
	}
	return false
}

// getJSON sends a GET and decodes the 2xx body with dec.
func getJSON[T any](ctx context.Context, c *Client, path string, dec func([]byte) (T, error)) (T, error) {
	return postJSON(ctx, c, http.MethodGet, path, nil, dec)
}

func postJSON[T any](ctx context.Context, c *Client, method, path string, body []byte, dec func([]byte) (T, error)) (T, error) {
	var zero T
	buf, err := c.call(ctx, method, path, body)
	if err != nil {
		return zero, err
	}
	defer putBuf(buf)
	v, err := dec(buf.Bytes())
	if err != nil {
		if method != http.MethodGet {
			return zero, &UndecodedError{Route: method + " " + path, Err: err}
		}
		return zero, fmt.Errorf("remote: %s %s: %w", method, path, err)
	}
	return v, nil
}

// Healthcheck checks that the service answers GET /api/healthcheck (a
// route of the reference server only).
func (c *Client) Healthcheck(ctx context.Context) error {
	_, err := getJSON(ctx, c, "/api/healthcheck", func([]byte) (struct{}, error) { return struct{}{}, nil })
	return err
}

// Games lists the games the service offers.
func (c *Client) Games(ctx context.Context) ([]wire.GameInfo, error) {
	return getJSON(ctx, c, "/api/games", wire.DecodeGames)
}

// Game returns the metadata of one game, by versioned or base id. An
// unknown game is an error matching both ErrNotFound and
// arc.ErrUnknownGame.
func (c *Client) Game(ctx context.Context, gameID string) (wire.GameInfo, error) {
	if gameID == "" {
		return wire.GameInfo{}, fmt.Errorf("%w: empty game id", arc.ErrUnknownGame)
	}
	g, err := getJSON(ctx, c, "/api/games/"+url.PathEscape(gameID), wire.DecodeGameInfo)
	if errors.Is(err, ErrNotFound) {
		return g, fmt.Errorf("%w %q: %w", arc.ErrUnknownGame, gameID, err)
	}
	return g, err
}

// AnonKey asks the hosted service for an anonymous API key
// (GET /api/games/anonkey).
func (c *Client) AnonKey(ctx context.Context) (string, error) {
	return getJSON(ctx, c, "/api/games/anonkey", wire.DecodeAnonKey)
}

// OpenOptions are the optional fields of a new scorecard.
type OpenOptions struct {
	// SourceURL links the scorecard to the agent's code.
	SourceURL string
	// Tags label the scorecard.
	Tags []string
	// Opaque is any JSON value stored with the scorecard, at most 16 KiB
	// once compacted.
	Opaque json.RawMessage
	// CompetitionMode opens a competition scorecard (one instance per
	// game, no full resets, not readable until closed).
	CompetitionMode bool
}

// OpenScorecard opens a scorecard and returns its card id.
func (c *Client) OpenScorecard(ctx context.Context, o OpenOptions) (string, error) {
	req := wire.OpenScorecardRequest{SourceURL: o.SourceURL, Tags: o.Tags}
	opaque, err := wire.CompactOpaque(o.Opaque)
	if err != nil {
		return "", fmt.Errorf("remote: scorecard %w", err)
	}
	req.Opaque = opaque
	if o.CompetitionMode {
		req.CompetitionMode = json.RawMessage("true")
	}
	body, err := json.Marshal(req)
	if err != nil {
		return "", fmt.Errorf("remote: encode scorecard request: %w", err)
	}
	return postJSON(ctx, c, http.MethodPost, "/api/scorecard/open", body, wire.DecodeOpenScorecard)
}

// GetScorecard returns the current summary of a scorecard.
func (c *Client) GetScorecard(ctx context.Context, cardID string) (*wire.Scorecard, error) {
	if cardID == "" {
		return nil, errors.New("remote: empty card id")
	}
	return getJSON(ctx, c, "/api/scorecard/"+url.PathEscape(cardID), wire.DecodeScorecard)
}

// GetScorecardGame returns a scorecard's entry for one game (use the full
// versioned id): the older aggregate shape from the reference server, a
// summary from the hosted service.
func (c *Client) GetScorecardGame(ctx context.Context, cardID, gameID string) (wire.ScorecardGame, error) {
	if cardID == "" || gameID == "" {
		return wire.ScorecardGame{}, fmt.Errorf("remote: card id %q and game id %q must not be empty", cardID, gameID)
	}
	return getJSON(ctx, c, "/api/scorecard/"+url.PathEscape(cardID)+"/"+url.PathEscape(gameID), wire.DecodeScorecardGame)
}

// CloseScorecard closes a scorecard and returns its final summary. The
// scorecard's game sessions end with it.
func (c *Client) CloseScorecard(ctx context.Context, cardID string) (*wire.Scorecard, error) {
	if cardID == "" {
		return nil, errors.New("remote: empty card id")
	}
	body := wire.AppendString([]byte(`{"card_id":`), cardID)
	body = append(body, '}')
	return postJSON(ctx, c, http.MethodPost, "/api/scorecard/close", body, wire.DecodeScorecard)
}

// Reset sends RESET and decodes the frame object into out, reusing its
// buffers. Without a guid it starts a new session attributed to cardID;
// with the guid of a session it resets that session (a level reset when an
// action was taken in the current level, a full reset otherwise).
func (c *Client) Reset(ctx context.Context, gameID, cardID, guid string, out *arc.FrameData) error {
	if gameID == "" {
		return fmt.Errorf("%w: RESET without a game id", arc.ErrInvalidAction)
	}
	if cardID == "" && guid == "" {
		return fmt.Errorf("%w: RESET needs a card id or a session guid", arc.ErrInvalidAction)
	}
	return c.command(ctx, gameID, cardID, guid, arc.Action{ID: arc.Reset}, out)
}

// Action sends ACTION1..ACTION7 to the session guid and decodes the frame
// object into out, reusing its buffers. gameID must be the full versioned
// id. The action is checked before anything is sent: a known id, ACTION6
// coordinates within 0..63, a reasoning value that is JSON of at most
// arc.MaxReasoningBytes.
func (c *Client) Action(ctx context.Context, gameID, guid string, a arc.Action, out *arc.FrameData) error {
	if a.ID == arc.Reset {
		return fmt.Errorf("%w: use Reset for RESET", arc.ErrInvalidAction)
	}
	if gameID == "" || guid == "" {
		return fmt.Errorf("%w: %s needs a game id and a session guid (game %q, guid %q)", arc.ErrInvalidAction, a, gameID, guid)
	}
	return c.command(ctx, gameID, "", guid, a, out)
}

func (c *Client) command(ctx context.Context, gameID, cardID, guid string, a arc.Action, out *arc.FrameData) error {
	if err := a.Validate(); err != nil {
		return err
	}
	if len(a.Reasoning) > 0 && !json.Valid(a.Reasoning) {
		return fmt.Errorf("%w: reasoning is not valid JSON", arc.ErrInvalidAction)
	}
	if out == nil {
		return errors.New("remote: nil output FrameData")
	}
	// The body is not pooled: a transport may go on reading a request body
	// after the response has come back (see http.RoundTripper).
	body := appendCommand(make([]byte, 0, 128+len(gameID)+len(cardID)+len(guid)+len(a.Reasoning)), gameID, cardID, guid, a)
	path := "/api/cmd/" + a.ID.String()
	buf, err := c.call(ctx, http.MethodPost, path, body)
	if err != nil {
		return err
	}
	defer putBuf(buf)
	if err := wire.DecodeFrame(buf.Bytes(), out); err != nil {
		return &UndecodedError{Route: http.MethodPost + " " + path, Err: err}
	}
	return nil
}

// appendCommand writes the JSON body of a command.
func appendCommand(dst []byte, gameID, cardID, guid string, a arc.Action) []byte {
	dst = append(dst, `{"game_id":`...)
	dst = wire.AppendString(dst, gameID)
	if cardID != "" {
		dst = append(dst, `,"card_id":`...)
		dst = wire.AppendString(dst, cardID)
	}
	if guid != "" {
		dst = append(dst, `,"guid":`...)
		dst = wire.AppendString(dst, guid)
	}
	if a.ID == arc.Action6 {
		dst = append(dst, `,"x":`...)
		dst = strconv.AppendUint(dst, uint64(a.X), 10)
		dst = append(dst, `,"y":`...)
		dst = strconv.AppendUint(dst, uint64(a.Y), 10)
	}
	if len(a.Reasoning) > 0 {
		dst = append(dst, `,"reasoning":`...)
		dst = append(dst, a.Reasoning...)
	}
	return append(dst, '}')
}
