package reliability

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/internal/faultproxy"
	"github.com/arcgym/arcgym/remote"
	"github.com/arcgym/arcgym/wire"
)

// TestFaultProxyNeverAppliesTwice plays a remote session through a proxy
// that breaks about a third of the commands at random (seeded): refusals
// with and without Arcgym-Not-Applied, connections cut before and after the
// server handled the command, undecodable and truncated answers, 5xx,
// redirects to the same and to another host, stalls past the deadline. The
// server's scorecard then counts the commands it applied, which must lie
// between the commands the client reported applied and that number plus
// the ErrOutcomeUnknown results: the client never applied a command twice
// on its own, and every other error was a command that was not applied.
func TestFaultProxyNeverAppliesTwice(t *testing.T) {
	steps := 300
	if *full {
		steps = 5000
	}
	srv := startServer(t, "-idle-timeout", "-1s")

	var elsewhere atomic.Int64
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(other.Close)

	proxy, err := faultproxy.New(srv.URL)
	require.NoError(t, err)
	front := httptest.NewServer(proxy)
	t.Cleanup(func() {
		_ = proxy.Close()
		front.Close()
	})

	refused := http.Header{wire.HeaderNotApplied: {"1"}, "Retry-After": {"0"}}
	plain := http.Header{"Retry-After": {"0"}}
	faults := []faultproxy.Fault{
		{Kind: faultproxy.StatusBefore, Status: http.StatusTooManyRequests, Header: refused},
		{Kind: faultproxy.StatusBefore, Status: http.StatusServiceUnavailable, Header: refused},
		{Kind: faultproxy.StatusBefore, Status: http.StatusTooManyRequests, Header: plain},
		{Kind: faultproxy.StatusAfter, Status: http.StatusServiceUnavailable, Header: plain},
		{Kind: faultproxy.StatusAfter, Status: http.StatusInternalServerError},
		{Kind: faultproxy.StatusAfter, Status: http.StatusBadGateway},
		{Kind: faultproxy.StatusBefore, Status: http.StatusBadRequest},
		{Kind: faultproxy.CutBefore},
		{Kind: faultproxy.CutAfter},
		{Kind: faultproxy.HTMLAfter},
		{Kind: faultproxy.EmptyAfter},
		{Kind: faultproxy.TruncateAfter},
		{Kind: faultproxy.RedirectAfter, Status: http.StatusTemporaryRedirect, Location: front.URL + "/api/cmd/ACTION1"},
		{Kind: faultproxy.RedirectAfter, Status: http.StatusPermanentRedirect, Location: other.URL + "/api/cmd/ACTION1"},
		{Kind: faultproxy.StallAfter},
	}
	var (
		mu    sync.Mutex
		rng   = rand.New(rand.NewPCG(20261205, 3))
		armed atomic.Bool
	)
	proxy.SetRule(func(r *http.Request, n int64) faultproxy.Fault {
		if !armed.Load() || !strings.HasPrefix(r.URL.Path, "/api/cmd/") {
			return faultproxy.Fault{Kind: faultproxy.Pass}
		}
		mu.Lock()
		defer mu.Unlock()
		if rng.Float64() >= 0.35 {
			return faultproxy.Fault{Kind: faultproxy.Pass}
		}
		return faults[rng.IntN(len(faults))]
	})

	c, err := remote.NewClient(front.URL, remote.ClientConfig{APIKey: "fault-key",
		BackoffBase: time.Millisecond, BackoffMax: 5 * time.Millisecond, MaxRetryAfter: 50 * time.Millisecond})
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	ctx := t.Context()
	games, err := c.Games(ctx)
	require.NoError(t, err)
	var game wire.GameInfo
	for _, g := range games {
		if strings.HasPrefix(g.GameID, "gl02") {
			game = g
		}
	}
	require.NotEmpty(t, game.GameID, "the built-in game gl02")
	s, err := remote.NewSession(ctx, c, game.GameID, remote.SessionConfig{})
	require.NoError(t, err)
	available := s.Info().Available.IDs(nil)
	require.NotEmpty(t, available)

	// The RESET of NewSession is the first applied command. reached counts
	// the unknown outcomes of commands the proxy forwarded at all; resent
	// the commands it forwarded more than once.
	applied, unknown, failed, reached, resent := 1, 0, 0, 0, 0
	needReset := false
	play := rand.New(rand.NewPCG(7, 11))
	armed.Store(true)
	var fd arc.FrameData
	for range steps {
		a := arc.Simple(available[play.IntN(len(available))])
		if needReset || play.IntN(10) == 0 {
			a = arc.Action{ID: arc.Reset}
		}
		// A stalled command is given up after a short deadline; one that
		// merely runs late is an unknown outcome too, which the bounds
		// below allow for.
		cctx, cancel := context.WithTimeout(ctx, 150*time.Millisecond)
		before := proxy.Forwarded()
		err := s.Do(cctx, a, &fd)
		cancel()
		forwarded := proxy.Forwarded() - before
		if forwarded > 1 {
			resent++
		}
		switch {
		case err == nil:
			applied++
			needReset = fd.State == arc.GameOver || fd.State == arc.Win
		case errors.Is(err, remote.ErrOutcomeUnknown):
			unknown++
			if forwarded > 0 {
				reached++
			}
		default:
			failed++
			needReset = needReset || errors.Is(err, remote.ErrNotStarted)
		}
	}
	armed.Store(false)

	// Read the truth straight from the server, past the proxy.
	direct, err := remote.NewClient(srv.URL, remote.ClientConfig{APIKey: "fault-key"})
	require.NoError(t, err)
	t.Cleanup(func() { _ = direct.Close() })
	sc, err := direct.GetScorecard(ctx, s.CardID())
	require.NoError(t, err)
	// A level RESET and every ACTION cost one action; a full RESET starts
	// a run instead.
	onServer := sc.TotalActions
	for _, e := range sc.Environments {
		onServer += len(e.Runs)
	}
	t.Logf("%d steps: %d applied as reported, %d outcome unknown (%d of them reached the server), %d failed; server applied %d; proxy: %d requests, %d forwarded",
		steps, applied, unknown, reached, failed, onServer, proxy.Requests(), proxy.Forwarded())
	var kinds strings.Builder
	for k := faultproxy.Pass; k <= faultproxy.StallAfter; k++ {
		fmt.Fprintf(&kinds, " %v=%d", k, proxy.Injected(k))
	}
	t.Logf("faults:%s", kinds.String())
	assert.GreaterOrEqual(t, onServer, applied, "every command reported applied was applied")
	assert.LessOrEqual(t, onServer, applied+unknown, "no command was applied twice, or applied after a plain error")
	// Sharper, from what the proxy saw: only an unknown outcome that
	// reached the server may have been applied, and no command reached it
	// twice.
	assert.LessOrEqual(t, onServer, applied+reached, "applied only as reported or where the outcome is unknown")
	assert.Zero(t, resent, "commands forwarded to the server more than once")
	assert.Zero(t, elsewhere.Load(), "nothing went to another host")
	assert.Positive(t, unknown, "the faults left some outcomes unknown")
	// Each sort of fault happened (the draws are seeded; a kind alone may
	// be rare).
	n := proxy.Injected
	assert.Positive(t, n(faultproxy.StatusBefore), "refusals")
	assert.Positive(t, n(faultproxy.StatusAfter), "error answers after applying")
	assert.Positive(t, n(faultproxy.RedirectAfter), "redirects")
	assert.Positive(t, n(faultproxy.HTMLAfter)+n(faultproxy.EmptyAfter), "undecodable answers")
	assert.Positive(t, n(faultproxy.CutBefore)+n(faultproxy.CutAfter)+n(faultproxy.TruncateAfter), "cut connections")
	require.NoError(t, s.Close())
}
