package reliability

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// full runs every test at the size its finding was measured at (100,000
// RESETs, 21,000 connections...); without it each runs a short version.
var full = flag.Bool("reliability.full", false, "run the full-size versions (minutes, not seconds)")

// binDir holds the arcgym binary built for the suite.
var (
	binDir   string
	binOnce  sync.Once
	binPath  string
	errBuild error
)

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if binDir != "" {
		_ = os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// arcgymBinary builds cmd/arcgym once per test binary and returns its path.
func arcgymBinary(t testing.TB) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "arcgym-reliability-")
		if err != nil {
			errBuild = err
			return
		}
		binDir = dir
		binPath = filepath.Join(dir, "arcgym")
		if runtime.GOOS == "windows" {
			binPath += ".exe"
		}
		cmd := exec.Command("go", "build", "-o", binPath, "github.com/arcgym/arcgym/cmd/arcgym")
		out, err := cmd.CombinedOutput()
		if err != nil {
			errBuild = fmt.Errorf("go build ./cmd/arcgym: %v\n%s", err, out)
		}
	})
	require.NoError(t, errBuild)
	return binPath
}

// serverProc is an `arcgym serve` child process.
type serverProc struct {
	// URL is the base URL, "http://127.0.0.1:port"; Addr its host:port.
	URL, Addr string
	// PID is the process id.
	PID int

	cmd    *exec.Cmd
	stderr *lockedBuffer
	done   chan struct{}
	waitMu sync.Mutex
	err    error
}

// addrLine matches the line serve prints once it listens.
var addrLine = regexp.MustCompile(`on http://([^ ]+) `)

// startServer runs `arcgym serve -addr 127.0.0.1:0 args...` (a later -addr
// in args wins) with no real-games directory, waits until it listens and
// stops it with SIGKILL at the end of the test unless it has exited.
func startServer(t testing.TB, args ...string) *serverProc {
	t.Helper()
	bin := arcgymBinary(t)
	cmd := exec.Command(bin, append([]string{"serve", "-addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = childEnv()
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	p := &serverProc{cmd: cmd, stderr: &lockedBuffer{}, done: make(chan struct{})}
	cmd.Stderr = p.stderr
	require.NoError(t, cmd.Start())
	p.PID = cmd.Process.Pid
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-p.done
	})

	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			default:
			}
		}
		close(lines)
		_, _ = io.Copy(io.Discard, stdout)
	}()
	timeout := time.NewTimer(60 * time.Second)
	defer timeout.Stop()
	for p.Addr == "" {
		select {
		case line, ok := <-lines:
			if !ok {
				<-p.done
				t.Fatalf("arcgym serve %v exited before listening: %v\n%s", args, p.err, p.stderr.String())
			}
			if m := addrLine.FindStringSubmatch(line); m != nil {
				p.Addr = m[1]
			}
		case <-timeout.C:
			t.Fatalf("arcgym serve %v did not listen within 60s\n%s", args, p.stderr.String())
		}
	}
	p.URL = "http://" + p.Addr
	waitHealthy(t, p.URL)
	return p
}

// childEnv is the environment of a server process: this one's, without a
// real-games directory.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "ARCGYM_GAMES_DIR=") || strings.HasPrefix(kv, "ENVIRONMENTS_DIR=") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// waitHealthy polls the healthcheck until it answers 200.
func waitHealthy(t testing.TB, base string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/healthcheck", nil)
		require.NoError(t, err)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s never became healthy: %v", base, err)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// Kill9 kills the server with SIGKILL and waits for it to exit.
func (p *serverProc) Kill9(t testing.TB) {
	t.Helper()
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGKILL))
	<-p.done
}

// Stop interrupts the server (a graceful shutdown) and waits for it to
// exit; it fails the test if the server does not exit cleanly within a
// minute.
func (p *serverProc) Stop(t testing.TB) {
	t.Helper()
	require.NoError(t, p.cmd.Process.Signal(os.Interrupt))
	select {
	case <-p.done:
		require.NoError(t, p.err, "arcgym serve exit\n%s", p.stderr.String())
	case <-time.After(time.Minute):
		t.Fatalf("arcgym serve did not stop within a minute\n%s", p.stderr.String())
	}
}

// Exited reports whether the process has exited.
func (p *serverProc) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Stderr returns what the server wrote to standard error so far.
func (p *serverProc) Stderr() string { return p.stderr.String() }

// RSS returns the resident set size of the server in bytes.
func (p *serverProc) RSS(t testing.TB) int64 {
	t.Helper()
	return rssOf(t, p.PID)
}

// rssOf reads VmRSS of a process from /proc.
func rssOf(t testing.TB, pid int) int64 {
	t.Helper()
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	require.NoError(t, err)
	for line := range strings.SplitSeq(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(rest)
			require.Len(t, f, 2, "VmRSS line %q", line)
			kb, err := strconv.ParseInt(f[0], 10, 64)
			require.NoError(t, err)
			return kb << 10
		}
	}
	t.Fatalf("no VmRSS in /proc/%d/status", pid)
	return 0
}

// lockedBuffer is a bytes buffer safe for one writer and concurrent
// readers.
type lockedBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	b.buf = append(b.buf, p...)
	b.mu.Unlock()
	return len(p), nil
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}
