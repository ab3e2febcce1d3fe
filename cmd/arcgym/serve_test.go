package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/games"
)

// startServe runs "arcgym serve args..." on a free port and returns its base
// URL and a function that stops it and returns its exit code and output.
func startServe(t *testing.T, args ...string) (base string, stop func() (int, string)) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	pr, pw := io.Pipe()
	var errb strings.Builder
	done := make(chan int, 1)
	go func() {
		code := run(ctx, append([]string{"serve", "-addr", "127.0.0.1:0"}, args...), stdio{in: strings.NewReader(""), out: pw, err: &errb})
		pw.Close()
		done <- code
	}()
	r := bufio.NewReader(pr)
	line, err := r.ReadString('\n')
	if err != nil {
		cancel()
		t.Fatalf("serve printed no address: %v (stderr %q)", err, errb.String())
	}
	m := regexp.MustCompile(`http://(\S+)`).FindStringSubmatch(line)
	require.NotNil(t, m, "address in %q", line)
	rest := make(chan string, 1)
	go func() {
		b, _ := io.ReadAll(r)
		rest <- string(b)
	}()
	return "http://" + m[1], func() (int, string) {
		cancel()
		select {
		case code := <-done:
			return code, line + <-rest
		case <-time.After(15 * time.Second):
			t.Fatal("serve did not stop after its context was cancelled")
			return 0, ""
		}
	}
}

func get(t *testing.T, url, key string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	require.NoError(t, err)
	if key != "" {
		req.Header.Set("X-API-Key", key)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

func TestServeAnswersAndStops(t *testing.T) {
	base, stop := startServe(t)
	status, body := get(t, base+"/api/healthcheck", "")
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, "okay", body)

	status, body = get(t, base+"/api/games", "")
	require.Equal(t, http.StatusOK, status)
	var list []struct {
		GameID string `json:"game_id"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &list))
	want := games.List()
	require.Len(t, list, len(want))
	for i, g := range want {
		assert.Equal(t, g.ID, list[i].GameID)
	}

	code, out := stop()
	assert.Equal(t, exitOK, code)
	assert.Contains(t, out, "arcgym stopped")
	// The listener is closed.
	_, err := http.Get(base + "/api/healthcheck")
	assert.Error(t, err)
}

func TestServeAPIKeys(t *testing.T) {
	base, stop := startServe(t, "-api-key", "k1,k2", "-api-key", "k3")
	for key, want := range map[string]int{"": http.StatusUnauthorized, "nope": http.StatusUnauthorized, "k1": http.StatusOK, "k3": http.StatusOK} {
		status, _ := get(t, base+"/api/games", key)
		assert.Equal(t, want, status, "key %q", key)
	}
	code, out := stop()
	assert.Equal(t, exitOK, code)
	assert.Contains(t, out, "3 API keys")
}

func TestServeErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		err  string
	}{
		{"zero idle timeout", []string{"-idle-timeout", "0s"}, exitUsage, "-idle-timeout"},
		{"bad address", []string{"-addr", "127.0.0.1:99999"}, exitError, "99999"},
		{"argument", []string{"x"}, exitUsage, "Usage"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errText, code := runCmd(t, t.Context(), "", append([]string{"serve"}, tt.args...)...)
			assert.Equal(t, tt.code, code)
			assert.Contains(t, errText, tt.err)
		})
	}
}
