package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/wire"
)

// BenchmarkActionRoundTrip measures ACTION round trips over loopback TCP:
// 8 concurrent clients on keep-alive connections, each playing its own
// session, the server encoding one 64x64 frame per answer. The req/s metric
// is the server's throughput with client and server sharing the CPUs.
func BenchmarkActionRoundTrip(b *testing.B) {
	srv, err := New(Config{Games: newTestCatalog(), IdleTimeout: -1})
	require.NoError(b, err)
	ts := httptest.NewServer(srv)
	defer func() {
		ts.Close()
		_ = srv.Close()
	}()
	tr := &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr}

	post := func(path string, body []byte, dst *bytes.Buffer) error {
		req, err := http.NewRequest(http.MethodPost, ts.URL+path, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		dst.Reset()
		if _, err := dst.ReadFrom(resp.Body); err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%s: %d %s", path, resp.StatusCode, dst.Bytes())
		}
		return nil
	}
	var buf bytes.Buffer
	require.NoError(b, post("/api/scorecard/open", []byte(`{}`), &buf))
	card, err := wire.DecodeOpenScorecard(buf.Bytes())
	require.NoError(b, err)

	var bytesPerOp atomic.Int64
	// RunParallel starts parallelism×GOMAXPROCS goroutines: 8 clients.
	procs := runtime.GOMAXPROCS(0)
	b.SetParallelism(max(1, (8+procs-1)/procs))
	b.ReportAllocs()
	cpu0 := processCPU()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var out bytes.Buffer
		if err := post("/api/cmd/RESET", fmt.Appendf(nil, `{"game_id":%q,"card_id":%q}`, ttInfo.ID, card), &out); err != nil {
			b.Error(err)
			return
		}
		var fd struct {
			GUID string `json:"guid"`
		}
		if err := json.Unmarshal(out.Bytes(), &fd); err != nil {
			b.Error(err)
			return
		}
		body := fmt.Appendf(nil, `{"game_id":%q,"guid":%q}`, ttInfo.ID, fd.GUID)
		for pb.Next() {
			if err := post("/api/cmd/ACTION3", body, &out); err != nil {
				b.Error(err)
				return
			}
			bytesPerOp.Store(int64(out.Len()))
		}
	})
	b.StopTimer()
	b.SetBytes(bytesPerOp.Load())
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	// CPU per round trip (client and server together) tells what the
	// machine can do when other work competes for its cores.
	if cpu := processCPU() - cpu0; cpu > 0 {
		b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/op")
	}
}
