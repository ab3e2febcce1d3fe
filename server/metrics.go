package server

import (
	"log/slog"
	"net/http"
	"net/http/pprof"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/arcgym/arcgym/wire"
)

// route is a route of the API as the metrics name it.
type route uint8

const (
	routeOther route = iota
	routeHealthcheck
	routeGames
	routeGame
	routeScorecardOpen
	routeScorecardClose
	routeScorecardGet
	routeReset
	routeAction
	routeMetrics
	routePprof
	numRoutes
)

var routeNames = [numRoutes]string{
	routeOther:          "other",
	routeHealthcheck:    "healthcheck",
	routeGames:          "games",
	routeGame:           "game",
	routeScorecardOpen:  "scorecard_open",
	routeScorecardClose: "scorecard_close",
	routeScorecardGet:   "scorecard_get",
	routeReset:          "cmd_reset",
	routeAction:         "cmd_action",
	routeMetrics:        "metrics",
	routePprof:          "pprof",
}

// routeOf names the route of path, for the metrics and for serveAPI,
// which checks the rest of the path.
func routeOf(path string) route {
	rest, ok := strings.CutPrefix(path, "/api/")
	if !ok {
		switch {
		case path == MetricsPath:
			return routeMetrics
		case strings.HasPrefix(path, PprofPath):
			return routePprof
		}
		return routeOther
	}
	switch {
	case rest == "cmd/RESET":
		return routeReset
	case strings.HasPrefix(rest, "cmd/"):
		return routeAction
	case rest == "healthcheck":
		return routeHealthcheck
	case rest == "games":
		return routeGames
	case strings.HasPrefix(rest, "games/"):
		return routeGame
	case rest == "scorecard/open":
		return routeScorecardOpen
	case rest == "scorecard/close":
		return routeScorecardClose
	case strings.HasPrefix(rest, "scorecard/"):
		return routeScorecardGet
	}
	return routeOther
}

// MetricsPath is where a server answers its metrics in the Prometheus text
// format (version 0.0.4): requests by route and status, request latencies
// by route, errors by code, open scorecards and sessions, and the Go
// runtime's heap and goroutines. It needs no API key.
const MetricsPath = "/metrics"

// PprofPath is the prefix of the profiling endpoints of net/http/pprof,
// served only when Config.Pprof is set.
const PprofPath = "/debug/pprof/"

// latencyBuckets are the upper bounds, in seconds, of the latency
// histogram: a local command takes tens of microseconds, a real game's
// some milliseconds.
var latencyBuckets = [...]float64{
	0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
	0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
}

// errorCodes are the codes counted by arcgym_errors_total; any other code
// counts as "other".
var errorCodes = [...]string{
	wire.CodeValidation, wire.CodeServer, wire.CodeGameNotStarted,
	wire.CodeGameNotAvailable, wire.CodeLimit, wire.CodeSessionLost, "other",
}

// serverMetrics are the counters of one server. Every field is updated
// with atomics, so recording a request takes no lock and no allocation.
type serverMetrics struct {
	// requests counts answers by route and status code (100..599).
	requests [numRoutes][500]atomic.Uint64
	// latency holds per route a cumulative-free histogram (one count per
	// bucket, the last for +Inf; their total is the count) and the sum in
	// nanoseconds.
	latency [numRoutes]struct {
		buckets [len(latencyBuckets) + 1]atomic.Uint64
		sumNs   atomic.Uint64
	}
	errors [len(errorCodes)]atomic.Uint64
}

// observe records one answered request.
func (m *serverMetrics) observe(rt route, status int, code string, d time.Duration) {
	if status < 100 || status > 599 {
		status = 599
	}
	m.requests[rt][status-100].Add(1)
	h := &m.latency[rt]
	secs := d.Seconds()
	i := 0
	for i < len(latencyBuckets) && secs > latencyBuckets[i] {
		i++
	}
	h.buckets[i].Add(1)
	h.sumNs.Add(uint64(max(d, 0)))
	if code != "" {
		j := len(errorCodes) - 1
		for k, c := range errorCodes[:j] {
			if c == code {
				j = k
				break
			}
		}
		m.errors[j].Add(1)
	}
}

// statusWriter records the status and error code of an answer for the
// metrics. It is pooled; ServeHTTP wraps every request in one.
type statusWriter struct {
	http.ResponseWriter
	status int
	code   string
}

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

// Flush lets streaming handlers (pprof's profiles) flush through the
// wrapper.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap gives http.ResponseController the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

var statusWriters = sync.Pool{New: func() any { return new(statusWriter) }}

// noteErrorCode tells the metrics which error code an answer carries.
func noteErrorCode(w http.ResponseWriter, code string) {
	if sw, ok := w.(*statusWriter); ok {
		sw.code = code
	}
}

// ServeHTTP answers a request of the REST API, the metrics or, when
// enabled, the profiler, and records it in the metrics. Every answer but
// the healthcheck, the metrics and the profiles is JSON, errors included.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	sw := statusWriters.Get().(*statusWriter)
	sw.ResponseWriter, sw.status, sw.code = w, 0, ""
	rt := routeOf(r.URL.Path)
	switch rt {
	case routeMetrics:
		if get(sw, r) {
			s.writeMetrics(sw)
		}
	case routePprof:
		if s.cfg.Pprof {
			servePprof(sw, r)
		} else {
			s.serveAPI(sw, r, routeOther)
		}
	default:
		s.serveAPI(sw, r, rt)
	}
	status := sw.status
	if status == 0 {
		status = http.StatusOK
	}
	d := time.Since(start)
	s.metrics.observe(rt, status, sw.code, d)
	if s.cfg.Logger.Enabled(r.Context(), slog.LevelDebug) {
		s.cfg.Logger.LogAttrs(r.Context(), slog.LevelDebug, "request",
			slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", status), slog.String("code", sw.code),
			slog.Duration("duration", d), slog.String("remote", r.RemoteAddr))
	}
	sw.ResponseWriter = nil
	statusWriters.Put(sw)
}

// servePprof serves net/http/pprof's endpoints under PprofPath.
func servePprof(w http.ResponseWriter, r *http.Request) {
	switch strings.TrimPrefix(r.URL.Path, PprofPath) {
	case "cmdline":
		pprof.Cmdline(w, r)
	case "profile":
		pprof.Profile(w, r)
	case "symbol":
		pprof.Symbol(w, r)
	case "trace":
		pprof.Trace(w, r)
	default:
		pprof.Index(w, r)
	}
}

// runtimeSamples are the runtime metrics the server exports.
var runtimeSamples = []struct{ name, metric, help string }{
	{"/memory/classes/heap/objects:bytes", "arcgym_go_heap_objects_bytes", "Bytes of live and not yet swept heap objects."},
	{"/memory/classes/total:bytes", "arcgym_go_memory_total_bytes", "All memory mapped by the Go runtime."},
	{"/sched/goroutines:goroutines", "arcgym_go_goroutines", "Live goroutines."},
}

// writeMetrics answers the metrics in the Prometheus text format.
func (s *Server) writeMetrics(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	m := &s.metrics
	var b []byte

	b = appendHelp(b, "arcgym_requests_total", "counter", "Requests answered, by route and HTTP status.")
	for rt := range numRoutes {
		for i := range m.requests[rt] {
			if n := m.requests[rt][i].Load(); n > 0 {
				b = append(b, `arcgym_requests_total{route="`...)
				b = append(b, routeNames[rt]...)
				b = append(b, `",status="`...)
				b = strconv.AppendInt(b, int64(i+100), 10)
				b = append(b, `"} `...)
				b = strconv.AppendUint(b, n, 10)
				b = append(b, '\n')
			}
		}
	}
	b = appendHelp(b, "arcgym_request_duration_seconds", "histogram", "Time from a request's routing to its answer, by route.")
	for rt := range numRoutes {
		l := &m.latency[rt]
		var counts [len(l.buckets)]uint64
		var total uint64
		for i := range l.buckets {
			counts[i] = l.buckets[i].Load()
			total += counts[i]
		}
		if total == 0 {
			continue
		}
		var cum uint64
		for i, n := range counts {
			cum += n
			b = append(b, `arcgym_request_duration_seconds_bucket{route="`...)
			b = append(b, routeNames[rt]...)
			b = append(b, `",le="`...)
			if i < len(latencyBuckets) {
				b = strconv.AppendFloat(b, latencyBuckets[i], 'g', -1, 64)
			} else {
				b = append(b, "+Inf"...)
			}
			b = append(b, `"} `...)
			b = strconv.AppendUint(b, cum, 10)
			b = append(b, '\n')
		}
		b = appendSample(b, "arcgym_request_duration_seconds_sum", "route", routeNames[rt], float64(l.sumNs.Load())/1e9)
		b = appendSample(b, "arcgym_request_duration_seconds_count", "route", routeNames[rt], float64(cum))
	}
	b = appendHelp(b, "arcgym_errors_total", "counter", "JSON error answers, by error code.")
	for i, code := range errorCodes {
		b = appendSample(b, "arcgym_errors_total", "code", code, float64(m.errors[i].Load()))
	}

	cards, sessions := s.openCounts()
	b = appendHelp(b, "arcgym_scorecards_open", "gauge", "Open scorecards.")
	b = appendSample(b, "arcgym_scorecards_open", "", "", float64(cards))
	b = appendHelp(b, "arcgym_sessions_open", "gauge", "Open game sessions.")
	b = appendSample(b, "arcgym_sessions_open", "", "", float64(sessions))

	if cl := s.conns.Load(); cl != nil {
		b = appendHelp(b, "arcgym_connections_open", "gauge", "Open client connections.")
		b = appendSample(b, "arcgym_connections_open", "", "", float64(cl.open()))
		b = appendHelp(b, "arcgym_connections_idle", "gauge", "Client connections kept alive with no request in flight.")
		b = appendSample(b, "arcgym_connections_idle", "", "", float64(cl.idleCount()))
		b = appendHelp(b, "arcgym_connections_max", "gauge", "Most open client connections.")
		b = appendSample(b, "arcgym_connections_max", "", "", float64(cl.max))
		b = appendHelp(b, "arcgym_connections_shed_total", "counter", "Idle connections closed to make room for new ones.")
		b = appendSample(b, "arcgym_connections_shed_total", "", "", float64(cl.shed.Load()))
		b = appendHelp(b, "arcgym_connections_refused_total", "counter", "Connections refused at the bound with none idle.")
		b = appendSample(b, "arcgym_connections_refused_total", "", "", float64(cl.refused.Load()))
	}

	samples := make([]metrics.Sample, len(runtimeSamples))
	for i, rs := range runtimeSamples {
		samples[i].Name = rs.name
	}
	metrics.Read(samples)
	for i, rs := range runtimeSamples {
		b = appendHelp(b, rs.metric, "gauge", rs.help)
		v := 0.0
		if samples[i].Value.Kind() == metrics.KindUint64 {
			v = float64(samples[i].Value.Uint64())
		}
		b = appendSample(b, rs.metric, "", "", v)
	}
	b = appendHelp(b, "arcgym_go_gomaxprocs", "gauge", "GOMAXPROCS.")
	b = appendSample(b, "arcgym_go_gomaxprocs", "", "", float64(runtime.GOMAXPROCS(0)))
	_, _ = w.Write(b)
}

func appendHelp(b []byte, name, typ, help string) []byte {
	b = append(b, "# HELP "...)
	b = append(b, name...)
	b = append(b, ' ')
	b = append(b, help...)
	b = append(b, "\n# TYPE "...)
	b = append(b, name...)
	b = append(b, ' ')
	b = append(b, typ...)
	return append(b, '\n')
}

// appendSample writes one sample line, with one label when label is set.
func appendSample(b []byte, name, label, value string, v float64) []byte {
	b = append(b, name...)
	if label != "" {
		b = append(b, '{')
		b = append(b, label...)
		b = append(b, `="`...)
		b = append(b, value...)
		b = append(b, `"}`...)
	}
	b = append(b, ' ')
	b = strconv.AppendFloat(b, v, 'g', -1, 64)
	return append(b, '\n')
}

// openCounts returns the numbers of open scorecards and sessions.
func (s *Server) openCounts() (cards, sessions int) {
	s.mu.Lock()
	cards = len(s.cards)
	s.mu.Unlock()
	for i := range s.sessions.shards {
		sh := &s.sessions.shards[i]
		sh.mu.RLock()
		sessions += len(sh.m)
		sh.mu.RUnlock()
	}
	return cards, sessions
}
