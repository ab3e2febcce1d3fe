package reliability

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/games"
	"github.com/arcgym/arcgym/wire"
)

// The connection flood's clients are this test binary run again with
// floodClientEnv set: one process cannot hold 21,000 connections under a
// descriptor limit of 20,000.
const (
	floodClientEnv = "ARCGYM_FLOOD_CLIENT"
	floodAddrEnv   = "ARCGYM_FLOOD_ADDR"
	floodConnsEnv  = "ARCGYM_FLOOD_CONNS"
)

func init() {
	if os.Getenv(floodClientEnv) == "" {
		return
	}
	n, err := strconv.Atoi(os.Getenv(floodConnsEnv))
	if err != nil {
		fmt.Fprintln(os.Stderr, "flood client:", err)
		os.Exit(2)
	}
	floodClient(os.Getenv(floodAddrEnv), n)
	os.Exit(0)
}

// floodClient opens n keep-alive connections to addr, sends one
// healthcheck on each and leaves them open and idle. It prints
// "ready served=S failed=F" once every connection is served or failed,
// then waits for its standard input to close.
func floodClient(addr string, n int) {
	var served, failed atomic.Int64
	conns := make([]net.Conn, n)
	var wg sync.WaitGroup
	next := atomic.Int64{}
	for range 16 {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				c, err := net.DialTimeout("tcp", addr, 10*time.Second)
				if err != nil {
					failed.Add(1)
					continue
				}
				conns[i] = c
				_ = c.SetDeadline(time.Now().Add(30 * time.Second))
				_, err = io.WriteString(c, "GET /api/healthcheck HTTP/1.1\r\nHost: flood\r\n\r\n")
				var resp *http.Response
				if err == nil {
					resp, err = http.ReadResponse(bufio.NewReader(c), nil)
				}
				if err != nil || resp.StatusCode != http.StatusOK {
					failed.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = c.SetDeadline(time.Time{})
				served.Add(1)
			}
		})
	}
	wg.Wait()
	fmt.Printf("ready served=%d failed=%d\n", served.Load(), failed.Load())
	_, _ = io.Copy(io.Discard, os.Stdin)
	for _, c := range conns {
		if c != nil {
			_ = c.Close()
		}
	}
}

// floodProc is a running flood client process.
type floodProc struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	served int
	failed int
}

// startFlood runs a flood client of n connections to addr and waits until
// it holds them.
func startFlood(t *testing.T, addr string, n int) *floodProc {
	t.Helper()
	exe, err := os.Executable()
	require.NoError(t, err)
	cmd := exec.Command(exe, "-test.run", "^$")
	cmd.Env = append(os.Environ(), floodClientEnv+"=1", floodAddrEnv+"="+addr, floodConnsEnv+"="+strconv.Itoa(n))
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	p := &floodProc{cmd: cmd, stdin: stdin}
	t.Cleanup(func() {
		_ = stdin.Close()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err, "flood client: %s", stderr.String())
	_, err = fmt.Sscanf(line, "ready served=%d failed=%d", &p.served, &p.failed)
	require.NoError(t, err, "flood client said %q", line)
	return p
}

// TestConnectionFlood opens more idle keep-alive connections than the
// server may hold, from two client processes: the server keeps accepting
// (shedding the connections idle the longest), and a new client is then
// served within 100 ms.
func TestConnectionFlood(t *testing.T) {
	// Short: a bound of 200 connections flooded with 300. Full: the
	// default bound (the descriptor limit less its reserve) flooded with
	// 21,000, past the descriptor limit itself.
	total, args := 300, []string{"-max-conns", "200"}
	if *full {
		total, args = 21000, nil
	}
	p := startServer(t, args...)
	start := time.Now()
	var floods []*floodProc
	for range 2 {
		floods = append(floods, startFlood(t, p.Addr, total/2))
	}
	took := time.Since(start)
	served, failed := 0, 0
	for _, f := range floods {
		served += f.served
		failed += f.failed
	}
	t.Logf("%d connections opened in %s: %d served, %d failed; server RSS %d MiB", total, took.Round(time.Millisecond), served, failed, p.RSS(t)>>20)
	assert.Equal(t, total, served, "every connection of the flood was accepted and served")

	// A new client, on a new connection, is served at once.
	var worst time.Duration
	for range 5 {
		tr := &http.Transport{DisableKeepAlives: true}
		hc := &http.Client{Transport: tr, Timeout: 10 * time.Second}
		t0 := time.Now()
		resp, err := hc.Get(p.URL + "/api/games")
		elapsed := time.Since(t0)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		worst = max(worst, elapsed)
		tr.CloseIdleConnections()
	}
	t.Logf("a new client is served in %s at worst", worst)
	assert.Less(t, worst, 100*time.Millisecond, "a new client is served within 100 ms")
	assert.NotContains(t, p.Stderr(), "too many open files")
}

// TestSessionFlood sends RESETs from one key until the server refuses
// them for its memory budget, while another key plays on: the server's
// RSS stays under the budget and the other key's commands are answered
// with a p99 under 50 ms.
func TestSessionFlood(t *testing.T) {
	resets, budget := 5000, int64(128<<20)
	if *full {
		resets, budget = 100000, 1<<30
	}
	// Only the memory budget bounds the flood: the count limits are out
	// of its way, and nothing expires while it runs.
	p := startServer(t, "-memory-budget", strconv.FormatInt(budget, 10),
		"-max-sessions", "1000000", "-max-sessions-per-key", "1000000",
		"-idle-timeout", "1h", "-session-idle-timeout", "1h")
	rss0 := p.RSS(t)
	game := games.List()[0].ID
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}, Timeout: 30 * time.Second}
	defer hc.CloseIdleConnections()
	post := func(key, path, body string) (int, []byte, error) {
		req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, p.URL+path, strings.NewReader(body))
		if err != nil {
			return 0, nil, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-API-Key", key)
		resp, err := hc.Do(req)
		if err != nil {
			return 0, nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp.StatusCode, b, err
	}
	open := func(key string) string {
		status, body, err := post(key, "/api/scorecard/open", `{}`)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, status, string(body))
		id, err := wire.DecodeOpenScorecard(body)
		require.NoError(t, err)
		return id
	}
	floodCard, otherCard := open("flood"), open("other")
	status, body, err := post("other", "/api/cmd/RESET", `{"game_id":"`+game+`","card_id":"`+otherCard+`"}`)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, status, string(body))
	var fd struct{ GUID string }
	require.NoError(t, json.Unmarshal(body, &fd))

	// The other key plays one action every 5 ms while the flood runs.
	stop := make(chan struct{})
	var lat []time.Duration
	var probeErr error
	var probe sync.WaitGroup
	probe.Go(func() {
		action := `{"game_id":"` + game + `","guid":"` + fd.GUID + `"}`
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			t0 := time.Now()
			status, body, err := post("other", "/api/cmd/ACTION1", action)
			lat = append(lat, time.Since(t0))
			if err == nil && status != http.StatusOK && !bytes.Contains(body, []byte("GAME_NOT_STARTED")) {
				err = fmt.Errorf("%d %s", status, body)
			}
			if err == nil && status != http.StatusOK {
				status, body, err = post("other", "/api/cmd/RESET", `{"game_id":"`+game+`","guid":"`+fd.GUID+`"}`)
				if err == nil && status != http.StatusOK {
					err = fmt.Errorf("RESET: %d %s", status, body)
				}
			}
			if err != nil {
				probeErr = err
				return
			}
		}
	})

	var ok, refused, other atomic.Int64
	var next atomic.Int64
	reset := `{"game_id":"` + game + `","card_id":"` + floodCard + `"}`
	start := time.Now()
	var flood sync.WaitGroup
	for range 4 {
		flood.Go(func() {
			for next.Add(1) <= int64(resets) {
				status, body, err := post("flood", "/api/cmd/RESET", reset)
				switch {
				case err != nil:
					other.Add(1)
				case status == http.StatusOK:
					ok.Add(1)
				case status == http.StatusTooManyRequests && bytes.Contains(body, []byte(wire.CodeLimit)):
					refused.Add(1)
				default:
					other.Add(1)
				}
			}
		})
	}
	done := make(chan struct{})
	go func() {
		flood.Wait()
		close(done)
	}()
	rss := p.RSS(t)
	for sampling := true; sampling; {
		select {
		case <-done:
			sampling = false
		case <-time.After(50 * time.Millisecond):
		}
		rss = max(rss, p.RSS(t))
	}
	took := time.Since(start)
	close(stop)
	probe.Wait()

	slices.Sort(lat)
	require.NotEmpty(t, lat)
	p99 := lat[len(lat)*99/100]
	t.Logf("%d RESETs in %s: %d sessions, %d refused, %d other; RSS %d MiB at start, %d MiB at most (budget %d MiB); other key: %d actions, p50 %s, p99 %s, max %s",
		resets, took.Round(time.Millisecond), ok.Load(), refused.Load(), other.Load(), rss0>>20, rss>>20, budget>>20,
		len(lat), lat[len(lat)/2], p99, lat[len(lat)-1])
	require.NoError(t, probeErr, "the other key is answered during the flood")
	assert.Zero(t, other.Load(), "every RESET is answered with a session or a LIMIT_ERROR")
	assert.Positive(t, refused.Load(), "the flood reaches the budget")
	assert.Less(t, rss, budget, "the server stays within its memory budget")
	assert.Less(t, p99, 50*time.Millisecond, "the other key's p99 latency")
}
