package wire

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// OpaqueError reports a scorecard opaque value that is not valid JSON (Err
// says why) or larger than MaxOpaqueBytes once compacted (Size bytes).
type OpaqueError struct {
	Size int
	Err  error
}

// Error describes the fault as a server reports it.
func (e *OpaqueError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("opaque is not valid JSON: %v", e.Err)
	}
	return fmt.Sprintf("opaque is %d bytes, limit %d", e.Size, MaxOpaqueBytes)
}

// Unwrap returns the JSON error, if any.
func (e *OpaqueError) Unwrap() error { return e.Err }

// CompactOpaque returns the compact serialisation of a scorecard's opaque
// value, as clients send it and servers store it; nil for an absent value
// or JSON null. Invalid JSON, and a value larger than MaxOpaqueBytes once
// compacted, fail with an *OpaqueError.
func CompactOpaque(raw json.RawMessage) ([]byte, error) {
	if len(raw) == 0 || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return nil, nil
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, raw); err != nil {
		return nil, &OpaqueError{Err: err}
	}
	if compact.Len() > MaxOpaqueBytes {
		return nil, &OpaqueError{Size: compact.Len()}
	}
	return compact.Bytes(), nil
}
