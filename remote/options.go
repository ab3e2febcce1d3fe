package remote

import (
	"net/http"
	"time"

	"github.com/arcgym/arcgym/env"
)

// DefaultBaseURL is the public ARC-AGI-3 service.
const DefaultBaseURL = "https://three.arcprize.org"

// Environment variables read by New when the matching option is not given.
const (
	EnvAPIKey  = "ARC_API_KEY"
	EnvBaseURL = "ARC_BASE_URL"
)

// DefaultMaxResponseBytes bounds a response body; the largest frame
// responses (1000 frames) are about 9 MB.
const DefaultMaxResponseBytes = 64 << 20

// DefaultCloseTimeout bounds closing a scorecard from Session.Close.
const DefaultCloseTimeout = 30 * time.Second

// Option configures a Client (New), a Session (NewSession) or both and the
// env.Game (Make). Each constructor ignores the options that do not concern
// it.
type Option func(*config)

type config struct {
	baseURL, apiKey       string
	hasBaseURL, hasAPIKey bool
	httpClient            *http.Client
	retry                 retryPolicy
	maxResponse           int64
	userAgent             string

	client       *Client
	cardID       string
	scorecard    OpenOptions
	closeTimeout time.Duration
	envOptions   []env.Option
}

func defaultConfig() config {
	return config{
		retry: retryPolicy{
			maxAttempts:   DefaultMaxAttempts,
			base:          DefaultBackoffBase,
			max:           DefaultBackoffMax,
			maxRetryAfter: DefaultMaxRetryAfter,
		},
		maxResponse:  DefaultMaxResponseBytes,
		userAgent:    "arcgym-remote/1",
		closeTimeout: DefaultCloseTimeout,
	}
}

// WithBaseURL sets the service URL, e.g. "http://127.0.0.1:8001". It wins
// over ARC_BASE_URL.
func WithBaseURL(u string) Option {
	return func(c *config) { c.baseURL, c.hasBaseURL = u, true }
}

// WithAPIKey sets the key sent in X-API-Key. It wins over ARC_API_KEY; an
// empty key sends no header.
func WithAPIKey(key string) Option {
	return func(c *config) { c.apiKey, c.hasAPIKey = key, true }
}

// WithHTTPClient makes the Client send requests through hc (a shallow copy
// of it; a cookie jar is added when hc has none). By default the Client
// builds its own keep-alive transport.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) { c.httpClient = hc }
}

// WithMaxAttempts sets how many times a request may be sent in all (at
// least 1; 1 disables retries).
func WithMaxAttempts(n int) Option {
	return func(c *config) { c.retry.maxAttempts = n }
}

// WithBackoff sets the first retry delay and the cap of the exponential
// backoff.
func WithBackoff(base, max time.Duration) Option {
	return func(c *config) { c.retry.base, c.retry.max = base, max }
}

// WithMaxRetryAfter sets the longest Retry-After delay the Client waits
// out before sending a refused request again; a server asking for a longer
// pause gets no retry, and the error carries its RetryAfter.
func WithMaxRetryAfter(d time.Duration) Option {
	return func(c *config) { c.retry.maxRetryAfter = d }
}

// WithMaxResponseBytes bounds the size of a response body.
func WithMaxResponseBytes(n int64) Option {
	return func(c *config) { c.maxResponse = n }
}

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option {
	return func(c *config) { c.userAgent = ua }
}

// WithClient makes NewSession's caller or Make use an existing Client
// instead of building one from the other options.
func WithClient(cl *Client) Option {
	return func(c *config) { c.client = cl }
}

// WithCardID attributes the session's plays to an open scorecard; the
// session then neither opens nor closes a scorecard.
func WithCardID(id string) Option {
	return func(c *config) { c.cardID = id }
}

// WithScorecard sets the options of the scorecard a session opens when no
// card id is given.
func WithScorecard(o OpenOptions) Option {
	return func(c *config) { c.scorecard = o }
}

// WithCloseTimeout bounds the scorecard close that Session.Close performs.
func WithCloseTimeout(d time.Duration) Option {
	return func(c *config) { c.closeTimeout = d }
}

// WithEnvOptions passes options to env.New in Make.
func WithEnvOptions(opts ...env.Option) Option {
	return func(c *config) { c.envOptions = append(c.envOptions, opts...) }
}
