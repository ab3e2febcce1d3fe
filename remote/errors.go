package remote

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/wire"
)

// Sentinel errors; match them with errors.Is. An *APIError matches the
// sentinel of its status code (and arc.ErrNotStarted for the
// GAME_NOT_STARTED_ERROR code); an *APIError, *TransportError or
// *UndecodedError matches ErrOutcomeUnknown when the request may have been
// applied.
var (
	// ErrBadRequest matches a 400 response.
	ErrBadRequest = errors.New("remote: bad request")
	// ErrUnauthorized matches a 401 response: the API key is missing or
	// invalid.
	ErrUnauthorized = errors.New("remote: unauthorized")
	// ErrForbidden matches a 403 response (for example reading a
	// competition scorecard).
	ErrForbidden = errors.New("remote: forbidden")
	// ErrNotFound matches a 404 response.
	ErrNotFound = errors.New("remote: not found")
	// ErrRateLimited matches a 429 response: one that was still refused
	// after the retries, or one to a command that was not retried because
	// nothing said it had not been applied.
	ErrRateLimited = errors.New("remote: rate limited")
	// ErrServer matches any 5xx response.
	ErrServer = errors.New("remote: server error")
	// ErrUnavailable matches a 503 response, retried or not as for
	// ErrRateLimited.
	ErrUnavailable = errors.New("remote: service unavailable")
	// ErrNotStarted is arc.ErrNotStarted: a command other than RESET was
	// sent to a session that is not running (after WIN or GAME_OVER).
	ErrNotStarted = arc.ErrNotStarted
	// ErrOutcomeUnknown matches a failure after a command or scorecard
	// request may have reached the server (a broken or timed-out exchange,
	// a 2xx answer that does not decode, a redirect, a 429 or 5xx without
	// wire.HeaderNotApplied): it may or may not have been applied, so it
	// was not sent again. The package doc has the whole table.
	ErrOutcomeUnknown = errors.New("remote: request may have been applied")
)

// maxSnippet bounds the body excerpt kept in an APIError.
const maxSnippet = 512

// APIError is a response with a status other than 2xx. Code and Message
// come from a JSON error body when there is one; HTML and empty bodies
// leave them empty and the status code alone tells what happened.
type APIError struct {
	// Route is the method and path, e.g. "POST /api/cmd/ACTION1".
	Route string
	// Status is the HTTP status code.
	Status int
	// Code is the error code of the body ("VALIDATION_ERROR", ...), or the
	// whole text of a {"error": text} body.
	Code string
	// Message is the message of the body.
	Message string
	// Body is the start of the response body, at most 512 bytes.
	Body string
	// RetryAfter is the delay the server asked for in a Retry-After header,
	// zero when there was none.
	RetryAfter time.Duration
	// Attempts is the number of times the request was sent.
	Attempts int
	// NotApplied is set when the answer carried wire.HeaderNotApplied: the
	// server refused the request before applying it.
	NotApplied bool
	// MaybeApplied is set for a command or scorecard request answered, without
	// NotApplied, by a redirect, a 429 or a 5xx other than 501: it may or
	// may not have been applied, so it was not sent again.
	MaybeApplied bool
}

func newAPIError(route string, resp *http.Response, body []byte, now time.Time) *APIError {
	e := &APIError{Route: route, Status: resp.StatusCode, Body: snippet(body)}
	if eb, ok := wire.DecodeError(body); ok {
		e.Code, e.Message = eb.Error, eb.Message
	}
	e.RetryAfter, _ = parseRetryAfter(resp.Header.Get("Retry-After"), now)
	return e
}

// snippet returns the start of body, at most maxSnippet bytes, as valid
// UTF-8 text: invalid bytes become U+FFFD, and a character is never cut.
func snippet(body []byte) string {
	var b strings.Builder
	for len(body) > 0 {
		r, size := utf8.DecodeRune(body)
		invalid := r == utf8.RuneError && size == 1
		n := size
		if invalid {
			n = utf8.RuneLen(utf8.RuneError)
		}
		if b.Len()+n > maxSnippet {
			break
		}
		if invalid {
			b.WriteRune(utf8.RuneError)
		} else {
			b.Write(body[:size])
		}
		body = body[size:]
	}
	return b.String()
}

// Error describes the failure with the route, status and what the body
// said.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "remote: %s: %d %s", e.Route, e.Status, http.StatusText(e.Status))
	switch {
	case e.Code != "" && e.Message != "":
		fmt.Fprintf(&b, ": %s: %s", e.Code, e.Message)
	case e.Code != "":
		fmt.Fprintf(&b, ": %s", e.Code)
	case e.Body != "":
		fmt.Fprintf(&b, ": body %q", oneLine(e.Body, 120))
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (after %d attempts)", e.Attempts)
	}
	if e.MaybeApplied {
		b.WriteString("; the request may have been applied and was not sent again")
	}
	return b.String()
}

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		s = s[:n] + "..."
	}
	return s
}

// Is matches the sentinel of the status code, arc.ErrNotStarted for a
// GAME_NOT_STARTED_ERROR body, and ErrOutcomeUnknown when MaybeApplied is
// set.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrOutcomeUnknown:
		return e.MaybeApplied
	case ErrBadRequest:
		return e.Status == http.StatusBadRequest
	case ErrUnauthorized:
		return e.Status == http.StatusUnauthorized
	case ErrForbidden:
		return e.Status == http.StatusForbidden
	case ErrNotFound:
		return e.Status == http.StatusNotFound
	case ErrRateLimited:
		return e.Status == http.StatusTooManyRequests
	case ErrUnavailable:
		return e.Status == http.StatusServiceUnavailable
	case ErrServer:
		return e.Status >= 500
	case arc.ErrNotStarted:
		return e.Code == wire.CodeGameNotStarted
	}
	return false
}

// TransportError is a failure to get a complete response: the connection
// could not be made, broke, timed out, or the body was cut short.
type TransportError struct {
	// Route is the method and path, e.g. "POST /api/cmd/ACTION1".
	Route string
	// Err is the underlying error.
	Err error
	// MaybeApplied is set when the request may have reached the server;
	// such a command is never sent twice.
	MaybeApplied bool
	// Attempts is the number of times the request was sent.
	Attempts int
}

// Error describes the failure with the route.
func (e *TransportError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "remote: %s: %v", e.Route, e.Err)
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (after %d attempts)", e.Attempts)
	}
	if e.MaybeApplied {
		b.WriteString("; the request may have been applied and was not sent again")
	}
	return b.String()
}

// Unwrap returns the underlying error, and ErrOutcomeUnknown when the
// request may have been applied.
func (e *TransportError) Unwrap() []error {
	if e.MaybeApplied {
		return []error{e.Err, ErrOutcomeUnknown}
	}
	return []error{e.Err}
}

// UndecodedError is a 2xx answer to a command or scorecard request whose
// body does not decode (empty, HTML, cut short, or an invalid frame): the
// request was most likely applied but its result is lost. It matches
// ErrOutcomeUnknown and unwraps to the decoding error.
type UndecodedError struct {
	// Route is the method and path, e.g. "POST /api/cmd/ACTION1".
	Route string
	// Err is the decoding error.
	Err error
}

// Error describes the failure with the route.
func (e *UndecodedError) Error() string {
	return fmt.Sprintf("remote: %s: the answer does not decode: %v; the request may have been applied and was not sent again", e.Route, e.Err)
}

// Unwrap returns the decoding error and ErrOutcomeUnknown.
func (e *UndecodedError) Unwrap() []error { return []error{e.Err, ErrOutcomeUnknown} }
