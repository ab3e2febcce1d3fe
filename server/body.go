package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"
	"sync"

	"github.com/arcgym/arcgym/wire"
)

// bufPool recycles request and response buffers; a frame response needs
// about 8.7 KB per frame.
var bufPool = sync.Pool{New: func() any {
	b := make([]byte, 0, 16<<10)
	return &b
}}

// maxPooledBuf keeps buffers grown by huge responses out of the pool.
const maxPooledBuf = 1 << 20

func getBuf() *[]byte { return bufPool.Get().(*[]byte) }

func putBuf(b *[]byte) {
	if cap(*b) > maxPooledBuf {
		return
	}
	*b = (*b)[:0]
	bufPool.Put(b)
}

// readBody reads the request body into *buf, enforcing the size limit and,
// for a non-empty body, the JSON content type.
func (s *Server) readBody(r *http.Request, buf *[]byte) ([]byte, *apiError) {
	limit := s.cfg.MaxBodyBytes
	if r.ContentLength > limit {
		return nil, tooLarge(limit)
	}
	b := (*buf)[:0]
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Body.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if int64(len(b)) > limit {
			*buf = b
			return nil, tooLarge(limit)
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			*buf = b
			return nil, validationf("reading request body: %v", err)
		}
	}
	*buf = b
	if len(b) > 0 && !isJSON(r.Header.Get("Content-Type")) {
		ct := r.Header.Get("Content-Type")
		if ct == "" {
			ct = "none"
		}
		return nil, errorf(http.StatusUnsupportedMediaType, wire.CodeValidation, "Content-Type must be application/json, got %s", ct)
	}
	return b, nil
}

func tooLarge(limit int64) *apiError {
	return errorf(http.StatusRequestEntityTooLarge, wire.CodeValidation, "request body exceeds %d bytes", limit)
}

func isJSON(ct string) bool {
	mt, _, _ := strings.Cut(ct, ";")
	return strings.EqualFold(strings.TrimSpace(mt), "application/json")
}

// readObject reads the request body (see readBody) and decodes it into v
// (see decodeObject), with a pooled buffer.
func (s *Server) readObject(r *http.Request, v any) *apiError {
	buf := getBuf()
	defer putBuf(buf)
	body, aerr := s.readBody(r, buf)
	if aerr != nil {
		return aerr
	}
	return decodeObject(body, v)
}

// decodeObject decodes a JSON object body into v; an empty body is read as
// {}. Errors name the offending field and value.
func decodeObject(body []byte, v any) *apiError {
	if len(bytes.Trim(body, " \t\r\n")) == 0 {
		return nil
	}
	err := json.Unmarshal(body, v)
	if err == nil {
		return nil
	}
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return validationf("malformed JSON body at byte %d: %v", se.Offset, se)
	case errors.As(err, &te) && te.Field == "":
		return validationf("request body must be a JSON object, got %s", te.Value)
	case errors.As(err, &te):
		return validationf("%s: expected %s, got %s", te.Field, kindName(te.Type), te.Value)
	}
	return validationf("malformed JSON body: %v", err)
}

func kindName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Slice:
		return "an array"
	case reflect.Bool:
		return "a boolean"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return "a number"
}
