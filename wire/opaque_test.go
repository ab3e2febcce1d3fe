package wire

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCompactOpaque(t *testing.T) {
	got, err := CompactOpaque(json.RawMessage(" { \"a\" : [1, 2] } "))
	require.NoError(t, err)
	assert.Equal(t, `{"a":[1,2]}`, string(got))
	for _, none := range []string{"", "null", " null "} {
		got, err = CompactOpaque(json.RawMessage(none))
		require.NoError(t, err)
		assert.Nil(t, got, "%q", none)
	}
	_, err = CompactOpaque(json.RawMessage(`{"a":`))
	var oe *OpaqueError
	require.ErrorAs(t, err, &oe)
	var syntax *json.SyntaxError
	assert.ErrorAs(t, err, &syntax)
	assert.ErrorContains(t, err, "opaque is not valid JSON")
	// Spaces do not count: the limit is on the compact form.
	big := `"` + strings.Repeat("x", MaxOpaqueBytes-2) + `"`
	got, err = CompactOpaque(json.RawMessage("   " + big + "   "))
	require.NoError(t, err)
	assert.Len(t, got, MaxOpaqueBytes)
	_, err = CompactOpaque(json.RawMessage(`"` + strings.Repeat("x", MaxOpaqueBytes-1) + `"`))
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, MaxOpaqueBytes+1, oe.Size)
	assert.EqualError(t, err, "opaque is 16385 bytes, limit 16384")
}
