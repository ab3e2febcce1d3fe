package remote

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/arcgym/arcgym/env"
)

// DefaultBaseURL is the public ARC-AGI-3 service.
const DefaultBaseURL = "https://three.arcprize.org"

// Environment variables read by NewClient (and Make) when the base URL or
// the API key is not given.
const (
	EnvAPIKey  = "ARC_API_KEY"
	EnvBaseURL = "ARC_BASE_URL"
)

// DefaultMaxResponseBytes bounds a response body; the largest frame
// responses (1000 frames) are about 9 MB.
const DefaultMaxResponseBytes = 64 << 20

// minResponseBytes is the smallest valid ClientConfig.MaxResponseBytes.
const minResponseBytes = 1024

// DefaultUserAgent is the User-Agent header a Client sends by default.
const DefaultUserAgent = "arcgym-remote/1"

// DefaultCloseTimeout bounds closing a scorecard from Session.Close, and
// the closing of the scorecards of a fleet that closes itself.
const DefaultCloseTimeout = 30 * time.Second

// ClientConfig configures a Client (NewClient), and the Clients that Make
// and a Fleet build. The zero value is useful: the API key comes from
// ARC_API_KEY, and every bound is its default.
type ClientConfig struct {
	// APIKey is sent in X-API-Key; "" means the value of ARC_API_KEY
	// (EnvAPIKey), unless NoAPIKey is set.
	APIKey string
	// NoAPIKey sends no X-API-Key header, whatever ARC_API_KEY holds (a
	// server without required keys then uses its default key). It
	// excludes APIKey.
	NoAPIKey bool
	// HTTPClient, when set, sends the requests (through a shallow copy of
	// it; a cookie jar is added when it has none). By default the Client
	// builds its own keep-alive transport.
	HTTPClient *http.Client
	// MaxAttempts is how many times a request may be sent in all; 0 means
	// DefaultMaxAttempts and 1 disables retries.
	MaxAttempts int
	// BackoffBase is the first retry delay and BackoffMax the cap of the
	// exponential backoff; 0 means DefaultBackoffBase and DefaultBackoffMax.
	BackoffBase, BackoffMax time.Duration
	// MaxRetryAfter is the longest Retry-After delay the Client waits out
	// before sending a refused request again; a server asking for a longer
	// pause gets no retry, and the error carries its RetryAfter. 0 means
	// DefaultMaxRetryAfter.
	MaxRetryAfter time.Duration
	// MaxResponseBytes bounds the size of a response body, at least 1024;
	// 0 means DefaultMaxResponseBytes.
	MaxResponseBytes int64
	// UserAgent is the User-Agent header; "" means DefaultUserAgent.
	UserAgent string
}

// validate applies the defaults, resolves the API key (from ARC_API_KEY
// when none is given) and checks the values.
func (c *ClientConfig) validate() error {
	if c.NoAPIKey && c.APIKey != "" {
		return errors.New("remote: client config sets both APIKey and NoAPIKey")
	}
	if c.APIKey == "" && !c.NoAPIKey {
		c.APIKey = os.Getenv(EnvAPIKey)
	}
	if strings.ContainsAny(c.APIKey, "\r\n") {
		return errors.New("remote: API key holds a line break")
	}
	if c.MaxAttempts == 0 {
		c.MaxAttempts = DefaultMaxAttempts
	}
	if c.BackoffBase == 0 {
		c.BackoffBase = DefaultBackoffBase
	}
	if c.BackoffMax == 0 {
		c.BackoffMax = DefaultBackoffMax
	}
	if c.MaxRetryAfter == 0 {
		c.MaxRetryAfter = DefaultMaxRetryAfter
	}
	if c.MaxResponseBytes == 0 {
		c.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if c.UserAgent == "" {
		c.UserAgent = DefaultUserAgent
	}
	if c.MaxAttempts < 1 {
		return fmt.Errorf("remote: max attempts %d, want at least 1", c.MaxAttempts)
	}
	if c.BackoffBase < 0 || c.BackoffMax < c.BackoffBase || c.MaxRetryAfter < 0 {
		return fmt.Errorf("remote: backoff %v..%v (retry-after cap %v) is not a valid range",
			c.BackoffBase, c.BackoffMax, c.MaxRetryAfter)
	}
	if c.MaxResponseBytes < minResponseBytes {
		return fmt.Errorf("remote: max response size %d bytes is too small", c.MaxResponseBytes)
	}
	return nil
}

// retryPolicy returns the retry policy of a validated config.
func (c *ClientConfig) retryPolicy() retryPolicy {
	return retryPolicy{maxAttempts: c.MaxAttempts, base: c.BackoffBase, max: c.BackoffMax, maxRetryAfter: c.MaxRetryAfter}
}

// SessionConfig configures a Session (NewSession). The zero value opens a
// scorecard without options and closes it in Session.Close.
type SessionConfig struct {
	// CardID attributes the session's plays to an open scorecard; the
	// session then neither opens nor closes a scorecard. "" makes the
	// session open its own, with the Scorecard options.
	CardID string
	// Scorecard holds the options of the scorecard the session opens; it
	// must be zero when CardID is set.
	Scorecard OpenOptions
	// CloseTimeout bounds the scorecard close that Session.Close performs;
	// 0 means DefaultCloseTimeout.
	CloseTimeout time.Duration
}

// validate applies the defaults and checks the values.
func (c *SessionConfig) validate() error {
	if c.CardID != "" && !c.Scorecard.isZero() {
		return errors.New("remote: session config sets Scorecard options with a CardID; the session opens no scorecard then")
	}
	if c.CloseTimeout == 0 {
		c.CloseTimeout = DefaultCloseTimeout
	}
	if c.CloseTimeout < 0 {
		return fmt.Errorf("remote: session close timeout %v, want a positive duration", c.CloseTimeout)
	}
	return nil
}

// isZero reports whether o sets no option.
func (o OpenOptions) isZero() bool {
	return o.SourceURL == "" && len(o.Tags) == 0 && len(o.Opaque) == 0 && !o.CompetitionMode
}

// GameConfig configures NewGame: the Session it starts and the env.Game
// that plays it.
type GameConfig struct {
	// Session configures the session.
	Session SessionConfig
	// Env configures the env.Game (see env.New).
	Env env.Config
}

// MakeConfig configures Make: the Client it builds, the Session it starts
// and the env.Game that plays it. The zero value plays on ARC_BASE_URL (or
// DefaultBaseURL) with ARC_API_KEY, on a scorecard of its own.
type MakeConfig struct {
	// BaseURL is the service URL, e.g. "http://127.0.0.1:8001"; "" means
	// the value of ARC_BASE_URL (EnvBaseURL), else DefaultBaseURL.
	BaseURL string
	// Client configures the Client, which the game closes with it.
	Client ClientConfig
	// Session configures the session.
	Session SessionConfig
	// Env configures the env.Game (see env.New).
	Env env.Config
}
