package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
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
	base, stop, _ = startServeStderr(t, args...)
	return base, stop
}

// lockedBuffer is a bytes.Buffer safe for concurrent use.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startServeStderr is startServe that also returns what the server wrote
// to stderr so far.
func startServeStderr(t *testing.T, args ...string) (base string, stop func() (int, string), stderr func() string) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	pr, pw := io.Pipe()
	errb := new(lockedBuffer)
	done := make(chan int, 1)
	go func() {
		code := run(ctx, append([]string{"serve", "-addr", "127.0.0.1:0"}, args...), stdio{in: strings.NewReader(""), out: pw, err: errb})
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
	}, errb.String
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
		{"zero session idle timeout", []string{"-session-idle-timeout", "0s"}, exitUsage, "-session-idle-timeout"},
		{"bad size", []string{"-memory-budget", "4 apples"}, exitUsage, "memory-budget"},
		{"negative limit", []string{"-max-sessions", "-1"}, exitError, "MaxSessions -1 is negative"},
		{"budget below a session", []string{"-memory-budget", "1KiB"}, exitError, "MemoryBudget 1024 is below SessionBytes"},
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

func TestByteSize(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "1024": 1024, "64k": 64 << 10, "64KiB": 64 << 10, "512MiB": 512 << 20, "512MB": 512 << 20, "4G": 4 << 30, "4GiB": 4 << 30} {
		var b byteSize
		require.NoError(t, b.Set(in), in)
		assert.Equal(t, want, int64(b), in)
	}
	for _, in := range []string{"", "x", "1.5G", "-1", "4TiB", "GiB", "99999999999G"} {
		var b byteSize
		assert.Error(t, b.Set(in), in)
	}
}

// TestServeLimits checks that the limit flags reach the server: with one
// session per key, a second RESET is refused with LIMIT_ERROR.
func TestServeLimits(t *testing.T) {
	base, stop := startServe(t, "-max-sessions-per-key", "1", "-session-idle-timeout", "1h")
	post := func(path, body string) (int, string) {
		resp, err := http.Post(base+path, "application/json", strings.NewReader(body))
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(b)
	}
	status, body := post("/api/scorecard/open", `{}`)
	require.Equal(t, http.StatusOK, status, body)
	var card struct {
		CardID string `json:"card_id"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &card))
	game := games.List()[0].ID
	reset := `{"game_id":"` + game + `","card_id":"` + card.CardID + `"}`
	status, body = post("/api/cmd/RESET", reset)
	require.Equal(t, http.StatusOK, status, body)
	status, body = post("/api/cmd/RESET", reset)
	assert.Equal(t, http.StatusTooManyRequests, status)
	assert.Contains(t, body, "LIMIT_ERROR")
	code, _ := stop()
	assert.Equal(t, exitOK, code)
}

func TestServeObservability(t *testing.T) {
	base, stop, stderr := startServeStderr(t, "-pprof", "-log-level", "debug", "-log-format", "json")
	status, body := get(t, base+"/api/healthcheck", "")
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "okay", body)
	status, body = get(t, base+"/metrics", "")
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, `arcgym_requests_total{route="healthcheck",status="200"} 1`)
	assert.Contains(t, body, "arcgym_connections_open ")
	status, body = get(t, base+"/debug/pprof/", "")
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, "goroutine")
	code, _ := stop()
	assert.Equal(t, exitOK, code)

	// Every log line is one JSON object; the debug level logs each request.
	var requests []string
	for line := range strings.SplitSeq(strings.TrimSpace(stderr()), "\n") {
		var rec map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &rec), "log line %q", line)
		if rec["msg"] == "request" {
			requests = append(requests, rec["path"].(string))
			assert.Equal(t, "DEBUG", rec["level"])
		}
	}
	assert.Equal(t, []string{"/api/healthcheck", "/metrics", "/debug/pprof/"}, requests)
}

func TestServePprofOff(t *testing.T) {
	base, stop, stderr := startServeStderr(t)
	status, body := get(t, base+"/debug/pprof/cmdline", "")
	assert.Equal(t, http.StatusNotFound, status)
	assert.Contains(t, body, `"error"`)
	code, _ := stop()
	assert.Equal(t, exitOK, code)
	assert.Empty(t, stderr(), "no log without -v or -log-level")
}

func TestServeLogFlagErrors(t *testing.T) {
	for _, args := range [][]string{
		{"-log-level", "loud"},
		{"-log-level", "info", "-log-format", "xml"},
	} {
		var out, errb strings.Builder
		code := run(t.Context(), append([]string{"serve", "-addr", "127.0.0.1:0"}, args...), stdio{in: strings.NewReader(""), out: &out, err: &errb})
		assert.Equal(t, exitUsage, code, args)
		assert.Contains(t, errb.String(), args[len(args)-1], args)
	}
}
