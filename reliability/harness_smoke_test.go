package reliability

import (
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHarnessRestartsOnTheSameAddress checks the suite's harness: a server
// answers, dies by SIGKILL, and a new one listens on its address.
func TestHarnessRestartsOnTheSameAddress(t *testing.T) {
	p := startServer(t)
	assert.Positive(t, p.RSS(t))
	get := func(url string) string {
		resp, err := http.Get(url + "/api/healthcheck")
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return string(b)
	}
	assert.Equal(t, "okay", get(p.URL))
	p.Kill9(t)
	assert.True(t, p.Exited())
	_, err := http.Get(p.URL + "/api/healthcheck")
	require.Error(t, err, "a killed server must not answer")

	q := startServer(t, "-addr", p.Addr)
	assert.Equal(t, p.Addr, q.Addr)
	assert.Equal(t, "okay", get(q.URL))
	q.Stop(t)
	assert.True(t, q.Exited())
}
