package server

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sampleLine is one sample of the Prometheus text format: a metric name,
// optional labels, and a value.
var sampleLine = regexp.MustCompile(`^([a-z_]+)(\{[a-z_]+="[^"\\]*"(,[a-z_]+="[^"\\]*")*\})? ([0-9.e+-]+|\+Inf|NaN)$`)

// scrape reads the metrics of ts into a map from "name{labels}" to value,
// checking that every line is well-formed and every sample is declared.
func scrape(t *testing.T, c *apiClient) map[string]float64 {
	t.Helper()
	r := c.get(MetricsPath)
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	require.Equal(t, "text/plain; version=0.0.4; charset=utf-8", r.header.Get("Content-Type"))
	out := map[string]float64{}
	typed := map[string]bool{}
	for line := range strings.SplitSeq(strings.TrimSuffix(string(r.body), "\n"), "\n") {
		if rest, ok := strings.CutPrefix(line, "# TYPE "); ok {
			f := strings.Fields(rest)
			require.Len(t, f, 2, line)
			require.Contains(t, []string{"counter", "gauge", "histogram"}, f[1], line)
			typed[f[0]] = true
			continue
		}
		if strings.HasPrefix(line, "# HELP ") {
			continue
		}
		m := sampleLine.FindStringSubmatch(line)
		require.NotNil(t, m, "malformed sample line %q", line)
		family := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(m[1], "_bucket"), "_sum"), "_count")
		assert.True(t, typed[family] || typed[m[1]], "sample %q before its # TYPE", line)
		v, err := strconv.ParseFloat(m[4], 64)
		require.NoError(t, err)
		out[m[1]+m[2]] = v
	}
	return out
}

func TestMetricsCountRequestsErrorsAndOpenState(t *testing.T) {
	_, ts := newTestServer(t, Config{IdleTimeout: -1})
	c := newClient(t, ts, "k1")
	before := scrape(t, c)
	assert.Equal(t, 0.0, before[`arcgym_sessions_open`])
	assert.Equal(t, 0.0, before[`arcgym_scorecards_open`])

	card := c.open(nil)
	p := c.start("tt01", card)
	p.do("ACTION1", 3)
	status, e := c.fail("ACTION1", map[string]any{"game_id": "tt01"})
	require.Equal(t, http.StatusBadRequest, status)
	require.Equal(t, "VALIDATION_ERROR", e.Error)
	c.get("/api/nowhere")

	m := scrape(t, c)
	assert.Equal(t, 1.0, m[`arcgym_requests_total{route="cmd_reset",status="200"}`])
	assert.Equal(t, 3.0, m[`arcgym_requests_total{route="cmd_action",status="200"}`])
	assert.Equal(t, 1.0, m[`arcgym_requests_total{route="cmd_action",status="400"}`])
	assert.Equal(t, 1.0, m[`arcgym_requests_total{route="scorecard_open",status="200"}`])
	assert.Equal(t, 1.0, m[`arcgym_requests_total{route="other",status="404"}`])
	assert.Equal(t, 1.0, m[`arcgym_errors_total{code="VALIDATION_ERROR"}`])
	assert.Equal(t, 1.0, m[`arcgym_errors_total{code="SERVER_ERROR"}`], "the unknown route")
	assert.Equal(t, 1.0, m[`arcgym_sessions_open`])
	assert.Equal(t, 1.0, m[`arcgym_scorecards_open`])
	// The histogram counts every action answered, and its buckets are
	// cumulative up to that count.
	assert.Equal(t, 4.0, m[`arcgym_request_duration_seconds_count{route="cmd_action"}`])
	assert.Equal(t, 4.0, m[`arcgym_request_duration_seconds_bucket{route="cmd_action",le="+Inf"}`])
	assert.LessOrEqual(t, m[`arcgym_request_duration_seconds_bucket{route="cmd_action",le="0.0001"}`],
		m[`arcgym_request_duration_seconds_bucket{route="cmd_action",le="10"}`])
	assert.Positive(t, m[`arcgym_request_duration_seconds_sum{route="cmd_action"}`])
	assert.Positive(t, m[`arcgym_go_goroutines`])
	assert.Positive(t, m[`arcgym_go_heap_objects_bytes`])
	// The first scrape is counted by the second.
	assert.Equal(t, 1.0, m[`arcgym_requests_total{route="metrics",status="200"}`])

	c.close(card)
	after := scrape(t, c)
	assert.Equal(t, 0.0, after[`arcgym_sessions_open`])
	assert.Equal(t, 0.0, after[`arcgym_scorecards_open`])

	r := c.post(MetricsPath, "{}")
	status, _ = errorOf(t, r)
	assert.Equal(t, http.StatusMethodNotAllowed, status)
}

func TestPprofOnlyWhenEnabled(t *testing.T) {
	_, off := newTestServer(t, Config{IdleTimeout: -1})
	status, e := errorOf(t, newClient(t, off, "").get(PprofPath))
	assert.Equal(t, http.StatusNotFound, status)
	assert.Equal(t, "SERVER_ERROR", e.Error)

	_, on := newTestServer(t, Config{IdleTimeout: -1, Pprof: true})
	c := newClient(t, on, "")
	r := c.get(PprofPath)
	require.Equal(t, http.StatusOK, r.status)
	assert.Contains(t, string(r.body), "goroutine")
	r = c.get(PprofPath + "goroutine?debug=1")
	require.Equal(t, http.StatusOK, r.status)
	assert.Contains(t, string(r.body), "goroutine profile:")
	m := scrape(t, c)
	assert.Equal(t, 2.0, m[`arcgym_requests_total{route="pprof",status="200"}`])
}

func TestRequestsLoggedAtDebugLevel(t *testing.T) {
	var buf syncBuffer
	log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	_, ts := newTestServer(t, Config{IdleTimeout: -1, Logger: log})
	c := newClient(t, ts, "")
	c.get("/api/games")
	c.post("/api/cmd/ACTION1", "{")

	var entries []map[string]any
	for line := range strings.SplitSeq(strings.TrimSpace(buf.String()), "\n") {
		var e map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &e), line)
		if e["msg"] == "request" {
			entries = append(entries, e)
		}
	}
	require.Len(t, entries, 2)
	assert.Equal(t, "DEBUG", entries[0]["level"])
	assert.Equal(t, "/api/games", entries[0]["path"])
	assert.Equal(t, 200.0, entries[0]["status"])
	assert.Equal(t, "POST", entries[1]["method"])
	assert.Equal(t, 400.0, entries[1]["status"])
	assert.Equal(t, "VALIDATION_ERROR", entries[1]["code"])

	// At the default level nothing is logged per request.
	var quiet syncBuffer
	_, ts = newTestServer(t, Config{IdleTimeout: -1, Logger: slog.New(slog.NewJSONHandler(&quiet, nil))})
	newClient(t, ts, "").get("/api/games")
	assert.Empty(t, quiet.String())
}

// syncBuffer is a buffer a handler goroutine writes while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
