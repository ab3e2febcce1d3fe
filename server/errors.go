package server

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/arcgym/arcgym/wire"
)

// apiError is a failure answered with a JSON error body.
type apiError struct {
	status int
	code   string
	msg    string
	// retryAfter, when positive, is sent as Retry-After (seconds).
	retryAfter int
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.status, e.code, e.msg) }

func errorf(status int, code, format string, args ...any) *apiError {
	return &apiError{status: status, code: code, msg: fmt.Sprintf(format, args...)}
}

func validationf(format string, args ...any) *apiError {
	return errorf(http.StatusBadRequest, wire.CodeValidation, format, args...)
}

// Header values shared by every response; net/http only reads them.
var (
	hdrJSON = []string{"application/json"}
	hdrText = []string{"text/plain; charset=utf-8"}
	hdrOne  = []string{"1"}
)

// writeBody writes a complete response with an explicit Content-Length, so
// keep-alive connections never need chunked encoding.
func writeBody(w http.ResponseWriter, status int, ctype []string, body []byte) {
	h := w.Header()
	h["Content-Type"] = ctype
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeError answers e. Every error but a 500 is a refusal before anything
// was applied, and says so (wire.HeaderNotApplied); a 500 may come from a
// game that failed halfway through a command.
func writeError(w http.ResponseWriter, e *apiError) {
	h := w.Header()
	if e.status != http.StatusInternalServerError {
		h[wire.HeaderNotApplied] = hdrOne
	}
	setRetryAfter(h, e)
	noteErrorCode(w, e.code)
	buf := getBuf()
	*buf = append(wire.AppendError((*buf)[:0], e.code, e.msg), '\n')
	writeBody(w, e.status, hdrJSON, *buf)
	putBuf(buf)
}
