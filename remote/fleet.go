package remote

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/wire"
)

// Fleet defaults.
const (
	// DefaultProbeInterval is how often the prober checks the servers
	// marked unhealthy.
	DefaultProbeInterval = 2 * time.Second
	// DefaultProbeTimeout bounds one health probe.
	DefaultProbeTimeout = 2 * time.Second
	// DefaultLatencyFloor is the latency below which servers count as
	// equally fast: well above the jitter of a loaded machine's loopback,
	// well below a distant server's round trip.
	DefaultLatencyFloor = 50 * time.Millisecond
)

// Fleet errors; match them with errors.Is.
var (
	// ErrFleetClosed is returned by a Fleet, and by the Reset of its envs,
	// after Fleet.Close.
	ErrFleetClosed = errors.New("remote: fleet closed")
	// ErrNoServer is returned when no server of a fleet could start a
	// session.
	ErrNoServer = errors.New("remote: no server of the fleet could start a session")
	// ErrSessionLost matches the error of a FleetEnv step whose session was
	// lost with its server: the error also matches env.ErrNeedsReset, and
	// the next Reset starts a new session on a healthy server.
	ErrSessionLost = errors.New("remote: session lost")
)

// FleetConfig configures a Fleet (NewFleet, Factory). The zero value is
// useful.
type FleetConfig struct {
	// Client configures the Client of every server (API key, retries,
	// HTTP client...); each Client gets its server's URL.
	Client ClientConfig
	// Scorecard holds the options of the scorecard the fleet opens on each
	// server.
	Scorecard OpenOptions
	// Env configures the env.Game of every session (see env.New).
	Env env.Config
	// CloseTimeout bounds the closing of the scorecards when the fleet
	// closes itself (CloseWhenIdle); 0 means DefaultCloseTimeout.
	CloseTimeout time.Duration
	// ProbeInterval is how often a background prober sends
	// GET /api/healthcheck to the servers marked unhealthy, so that a
	// server that comes back receives envs again. 0 means
	// DefaultProbeInterval; a negative value disables the prober (Probe
	// still works, and a fleet with no healthy server probes on demand).
	ProbeInterval time.Duration
	// ProbeTimeout bounds one probe; 0 means DefaultProbeTimeout.
	ProbeTimeout time.Duration
	// MaxStartAttempts bounds the servers one Reset or Env call tries
	// before giving up; 0 means one per server.
	MaxStartAttempts int
	// LatencyFloor is the latency below which servers count as equally
	// fast; 0 means DefaultLatencyFloor.
	LatencyFloor time.Duration
	// CloseWhenIdle closes the fleet (and its scorecards) when its last
	// open env is closed, or when an Env call fails while no env is open.
	CloseWhenIdle bool
}

// validate applies the defaults and checks the values, those of the
// client config included.
func (c *FleetConfig) validate() error {
	if err := c.Client.validate(); err != nil {
		return err
	}
	if c.ProbeInterval == 0 {
		c.ProbeInterval = DefaultProbeInterval
	}
	if c.ProbeTimeout == 0 {
		c.ProbeTimeout = DefaultProbeTimeout
	}
	if c.LatencyFloor == 0 {
		c.LatencyFloor = DefaultLatencyFloor
	}
	if c.CloseTimeout == 0 {
		c.CloseTimeout = DefaultCloseTimeout
	}
	switch {
	case c.ProbeTimeout < 0:
		return fmt.Errorf("remote: fleet probe timeout %v, want a positive duration", c.ProbeTimeout)
	case c.LatencyFloor < 0:
		return fmt.Errorf("remote: fleet latency floor %v, want a positive duration", c.LatencyFloor)
	case c.MaxStartAttempts < 0:
		return fmt.Errorf("remote: fleet start attempts %d, want 0 or more", c.MaxStartAttempts)
	case c.CloseTimeout < 0:
		return fmt.Errorf("remote: fleet close timeout %v, want a positive duration", c.CloseTimeout)
	}
	return nil
}

// Fleet spreads remote envs over several servers of the same games and
// moves them away from a server that fails. It is safe for concurrent use.
//
// Env hands out a FleetEnv that plays on the healthy server with the least
// load: the number of envs assigned to it, weighted by how much slower
// than the fastest server it answers (latencies are smoothed over the
// fleet's calls, and differences below FleetConfig.LatencyFloor do not
// count). When a call fails at the connection level (a broken or refused
// connection, a 5xx, a deadline), the server is marked unhealthy and the
// env's session is dropped: the failing Step reports an error matching
// ErrSessionLost and env.ErrNeedsReset, which makes a vector env reset the
// row, and the Reset starts a new session on a healthy server, trying the
// next one when that fails, up to FleetConfig.MaxStartAttempts servers. A
// session the server no longer knows (it restarted) is replaced the same
// way without marking the server. A full game reset also moves an env when
// another server, at least as fast, has at least two envs fewer, so a
// server that comes back fills up again; latency alone never moves an env
// (the estimates move with the load, and envs chasing them would bounce).
//
// Servers marked unhealthy get no new sessions until a probe
// (GET /api/healthcheck, by the background prober or by Probe) or a call
// succeeds.
//
// Scorecards are per server: the fleet opens one card per server lazily,
// with the options of FleetConfig.Scorecard, when the first session starts
// there, and plays every session on that server under it. When a server
// forgot the card (it restarted), the fleet opens a new one. Close closes
// every card on the servers that are healthy and drops those of unhealthy
// servers, whose cards are gone with them; Scorecards returns the final
// summaries.
type Fleet struct {
	cfg     FleetConfig
	servers []*fleetServer

	mu      sync.Mutex
	closed  bool
	open    int
	summary []FleetScorecard

	stop      context.CancelFunc
	probeDone chan struct{}
}

// fleetServer is one server of a Fleet. The fields after cardMu are
// guarded by Fleet.mu.
type fleetServer struct {
	url    string
	client *Client
	// probe is client without retries.
	probe *Client
	// cardMu serialises the opening of the server's scorecard.
	cardMu sync.Mutex

	healthy  bool
	fails    int
	failures int
	lastErr  error
	latency  time.Duration
	assigned int
	sessions int
	card     string
	cards    []string
}

// FleetScorecard is the final summary of a scorecard the fleet closed.
type FleetScorecard struct {
	// URL is the server's base URL.
	URL string
	// Scorecard is the summary the server returned.
	Scorecard *wire.Scorecard
}

// ServerStats is the health record of one server of a Fleet.
type ServerStats struct {
	// URL is the server's base URL.
	URL string
	// Healthy is false from a connection-level failure until a probe or a
	// call succeeds.
	Healthy bool
	// Assigned is the number of envs playing on the server now.
	Assigned int
	// Sessions is the number of sessions started on the server.
	Sessions int
	// ConsecutiveFailures counts failures since the last success;
	// Failures counts them all.
	ConsecutiveFailures, Failures int
	// LastError is the last connection-level failure, nil if none.
	LastError error
	// Latency is the smoothed duration of the server's calls.
	Latency time.Duration
	// CardID is the scorecard the server's sessions play on, empty until
	// the first session.
	CardID string
}

// NewFleet returns a Fleet over the servers at urls, configured by cfg:
// the per-server Clients (cfg.Client), the scorecards (cfg.Scorecard), the
// env.Games (cfg.Env), health probes and placement. Close stops the prober
// and closes the scorecards.
func NewFleet(urls []string, cfg FleetConfig) (*Fleet, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return newFleet(urls, cfg)
}

// newFleet returns a Fleet for a validated cfg.
func newFleet(urls []string, cfg FleetConfig) (*Fleet, error) {
	if len(urls) == 0 {
		return nil, errors.New("remote: fleet without a server URL")
	}
	f := &Fleet{cfg: cfg}
	seen := make(map[string]bool, len(urls))
	for _, u := range urls {
		if u == "" {
			return nil, errors.New("remote: fleet server URL is empty")
		}
		c, err := newClient(u, &cfg.Client)
		if err != nil {
			return nil, err
		}
		if seen[c.BaseURL()] {
			return nil, fmt.Errorf("remote: fleet server %q given twice", u)
		}
		seen[c.BaseURL()] = true
		// Probes fail fast: the prober itself is the retry. They share the
		// client's connections.
		p := *c
		p.retry.maxAttempts = 1
		f.servers = append(f.servers, &fleetServer{url: c.BaseURL(), client: c, probe: &p, healthy: true})
	}
	if cfg.ProbeInterval > 0 {
		ctx, stop := context.WithCancel(context.Background())
		f.stop, f.probeDone = stop, make(chan struct{})
		go f.prober(ctx)
	}
	return f, nil
}

// prober probes the unhealthy servers every ProbeInterval until ctx ends.
func (f *Fleet) prober(ctx context.Context) {
	defer close(f.probeDone)
	t := time.NewTicker(f.cfg.ProbeInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			f.probe(ctx, func(s *fleetServer) bool { return !s.healthy })
		}
	}
}

// Probe sends GET /api/healthcheck to every server at once, each bounded
// by FleetConfig.ProbeTimeout and ctx, and records the outcomes. It
// returns the failures joined, nil when every server answered.
func (f *Fleet) Probe(ctx context.Context) error {
	return f.probe(ctx, func(*fleetServer) bool { return true })
}

func (f *Fleet) probe(ctx context.Context, which func(*fleetServer) bool) error {
	f.mu.Lock()
	var todo []*fleetServer
	for _, s := range f.servers {
		if which(s) {
			todo = append(todo, s)
		}
	}
	f.mu.Unlock()
	errs := make([]error, len(todo))
	var wg sync.WaitGroup
	for i, s := range todo {
		wg.Go(func() {
			pctx, cancel := context.WithTimeout(ctx, f.cfg.ProbeTimeout)
			defer cancel()
			start := time.Now()
			err := s.probe.Healthcheck(pctx)
			if err == nil {
				f.succeeded(s, time.Since(start))
				return
			}
			if ctx.Err() == nil {
				f.failed(s, err)
			}
			errs[i] = fmt.Errorf("remote: probe of %s: %w", s.url, err)
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// succeeded records a successful call that took d.
func (f *Fleet) succeeded(s *fleetServer, d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s.healthy, s.fails = true, 0
	if s.latency == 0 {
		s.latency = max(d, 1)
	} else {
		// An exponentially weighted average over about eight calls.
		s.latency += (d - s.latency) / 8
	}
}

// failed records a connection-level failure of s.
func (f *Fleet) failed(s *fleetServer, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s.healthy = false
	s.fails++
	s.failures++
	s.lastErr = err
}

// latencyRef is the latency costs are measured in: that of the fastest
// healthy server, at least LatencyFloor. f.mu is held.
func (f *Fleet) latencyRef() time.Duration {
	ref := time.Duration(0)
	for _, o := range f.servers {
		if o.healthy && o.latency > 0 && (ref == 0 || o.latency < ref) {
			ref = o.latency
		}
	}
	return max(ref, f.cfg.LatencyFloor)
}

// cost is how many times slower than ref (see latencyRef) s answers, at
// least 1.
func cost(s *fleetServer, ref time.Duration) int {
	return max(1, int(s.latency/ref))
}

// best returns the healthy server outside skip with the least load (envs
// weighted by cost) once given one more env, nil if there is none. f.mu
// is held.
func (f *Fleet) best(skip func(*fleetServer) bool) *fleetServer {
	ref := f.latencyRef()
	var b *fleetServer
	bl := 0
	for _, s := range f.servers {
		if !s.healthy || skip(s) {
			continue
		}
		if l := (s.assigned + 1) * cost(s, ref); b == nil || l < bl || l == bl && s.assigned < b.assigned {
			b, bl = s, l
		}
	}
	return b
}

// reserve picks the server for a new session and assigns it one env. When
// no untried server is healthy it probes the untried ones first.
func (f *Fleet) reserve(ctx context.Context, tried []*fleetServer) (*fleetServer, error) {
	skip := func(s *fleetServer) bool { return slices.Contains(tried, s) }
	for probed := false; ; probed = true {
		f.mu.Lock()
		if f.closed {
			f.mu.Unlock()
			return nil, ErrFleetClosed
		}
		if s := f.best(skip); s != nil {
			s.assigned++
			f.mu.Unlock()
			return s, nil
		}
		f.mu.Unlock()
		if probed {
			return nil, nil
		}
		_ = f.probe(ctx, func(s *fleetServer) bool { return !skip(s) })
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
}

// release unassigns one env from s.
func (f *Fleet) release(s *fleetServer) {
	f.mu.Lock()
	s.assigned--
	f.mu.Unlock()
}

// moveTarget returns a server that an env on cur should move to at a full
// reset, and moves the env's share to it from cur in the same step, so
// that envs resetting at once see each other's moves (released later, cur
// would look loaded to them, and more envs would leave it than balance
// asks): the best server when cur is unhealthy, else a server at least as
// fast as cur with two envs fewer.
// Latency alone never moves an env: estimates move with the load, and envs
// chasing them would bounce between servers. f.mu is not held.
func (f *Fleet) moveTarget(cur *fleetServer) *fleetServer {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return nil
	}
	var b *fleetServer
	if !cur.healthy {
		b = f.best(func(s *fleetServer) bool { return s == cur })
	} else {
		ref := f.latencyRef()
		c := cost(cur, ref)
		for _, s := range f.servers {
			if s != cur && s.healthy && cost(s, ref) <= c && s.assigned+1 < cur.assigned && (b == nil || s.assigned < b.assigned) {
				b = s
			}
		}
	}
	if b != nil {
		b.assigned++
		cur.assigned--
	}
	return b
}

// cardFor returns the scorecard of s, opening it on first use; a stale
// card that is still the current one is forgotten first (the server no
// longer knows it).
func (f *Fleet) cardFor(ctx context.Context, s *fleetServer, stale string) (string, error) {
	s.cardMu.Lock()
	defer s.cardMu.Unlock()
	f.mu.Lock()
	if stale != "" && s.card == stale {
		s.card = ""
	}
	card := s.card
	f.mu.Unlock()
	if card != "" {
		return card, nil
	}
	card, err := s.client.OpenScorecard(ctx, f.cfg.Scorecard)
	if err != nil {
		return "", err
	}
	f.mu.Lock()
	s.card = card
	s.cards = append(s.cards, card)
	f.mu.Unlock()
	return card, nil
}

// session starts a session of gameID on s under the server's card, opening
// a new card once if the server forgot the current one.
func (f *Fleet) session(ctx context.Context, s *fleetServer, gameID string) (*env.Game, error) {
	stale := ""
	for {
		card, err := f.cardFor(ctx, s, stale)
		if err != nil {
			return nil, err
		}
		start := time.Now()
		sess, err := newSession(ctx, s.client, gameID, &SessionConfig{CardID: card, CloseTimeout: f.cfg.CloseTimeout})
		if err != nil {
			if stale == "" && sessionGone(err) {
				stale = card
				continue
			}
			return nil, err
		}
		g, err := env.New(sess, f.cfg.Env)
		if err != nil {
			return nil, errors.Join(err, sess.Close())
		}
		f.mu.Lock()
		s.sessions++
		f.mu.Unlock()
		// Starting a session takes three requests.
		f.succeeded(s, time.Since(start)/3)
		return g, nil
	}
}

// start starts a session of gameID on the best healthy server, trying the
// next one after a connection-level failure, up to MaxStartAttempts
// servers. The server returned has the env assigned.
func (f *Fleet) start(ctx context.Context, gameID string, first *fleetServer) (*fleetServer, *env.Game, error) {
	attempts := f.cfg.MaxStartAttempts
	if attempts == 0 {
		attempts = len(f.servers)
	}
	var tried []*fleetServer
	var errs []error
	for len(tried) < attempts {
		s := first
		first = nil
		if s == nil {
			var err error
			if s, err = f.reserve(ctx, tried); err != nil {
				return nil, nil, errors.Join(append(errs, err)...)
			}
			if s == nil {
				break
			}
		}
		tried = append(tried, s)
		g, err := f.session(ctx, s, gameID)
		if err == nil {
			return s, g, nil
		}
		f.release(s)
		errs = append(errs, fmt.Errorf("%s: %w", s.url, err))
		if classify(ctx, err) != faultServer {
			return nil, nil, errors.Join(errs...)
		}
		f.failed(s, err)
		if ctx.Err() != nil {
			return nil, nil, errors.Join(errs...)
		}
	}
	return nil, nil, fmt.Errorf("%w (%d tried): %w", ErrNoServer, len(tried), errors.Join(errs...))
}

// fault is what a failed call says about its session and server.
type fault uint8

const (
	// faultNone: the call failed for a reason of its own (bad action,
	// cancelled context); session and server are fine.
	faultNone fault = iota
	// faultSession: the server is up but no longer knows the session.
	faultSession
	// faultServer: the server failed; the session cannot be trusted.
	faultServer
)

// classify tells what err, returned by a call under ctx, says about the
// server.
func classify(ctx context.Context, err error) fault {
	if cerr := ctx.Err(); cerr != nil {
		if errors.Is(cerr, context.DeadlineExceeded) {
			// A server that does not answer within the caller's deadline
			// is as good as gone, and the command's outcome is unknown.
			return faultServer
		}
		return faultNone
	}
	if _, ok := errors.AsType[*TransportError](err); ok {
		return faultServer
	}
	if errors.Is(err, ErrServer) {
		return faultServer
	}
	if sessionGone(err) {
		return faultSession
	}
	return faultNone
}

// sessionGone reports whether err says that the server does not know the
// session or scorecard of a command: arcgym's SESSION_LOST_ERROR, a 404,
// or the reference server's 400 SERVER_ERROR for an unknown guid or card
// (the game itself was known when the session started).
func sessionGone(err error) bool {
	if errors.Is(err, arc.ErrUnknownGame) {
		return false
	}
	ae, ok := errors.AsType[*APIError](err)
	if !ok {
		return false
	}
	switch {
	case ae.Code == wire.CodeSessionLost, ae.Status == http.StatusNotFound:
		return true
	case ae.Status == http.StatusBadRequest && ae.Code == wire.CodeServer:
		return strings.HasPrefix(ae.Route, "POST /api/cmd/")
	}
	return false
}

// Env starts a session of gameID on the best healthy server and returns
// the env that plays it. ctx bounds the start.
func (f *Fleet) Env(ctx context.Context, gameID string) (*FleetEnv, error) {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return nil, ErrFleetClosed
	}
	f.open++
	f.mu.Unlock()
	s, g, err := f.start(ctx, gameID, nil)
	if err != nil {
		f.envClosed()
		return nil, err
	}
	return &FleetEnv{f: f, gameID: gameID, srv: s, g: g, obsSpace: g.ObservationSpace(), actSpace: g.ActionSpace()}, nil
}

// envClosed counts one env fewer and closes an idle fleet when configured
// to.
func (f *Fleet) envClosed() {
	f.mu.Lock()
	f.open--
	idle := f.open == 0 && f.cfg.CloseWhenIdle && !f.closed
	f.mu.Unlock()
	if idle {
		ctx, cancel := context.WithTimeout(context.Background(), f.cfg.CloseTimeout)
		defer cancel()
		_ = f.Close(ctx)
	}
}

// Stats returns the health record of every server, in the order of the
// URLs given to NewFleet.
func (f *Fleet) Stats() []ServerStats {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]ServerStats, len(f.servers))
	for i, s := range f.servers {
		out[i] = ServerStats{
			URL: s.url, Healthy: s.healthy, Assigned: s.assigned, Sessions: s.sessions,
			ConsecutiveFailures: s.fails, Failures: s.failures, LastError: s.lastErr,
			Latency: s.latency, CardID: s.card,
		}
	}
	return out
}

// Closed reports whether Close was called (or the fleet closed itself,
// see FleetConfig.CloseWhenIdle).
func (f *Fleet) Closed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.closed
}

// Scorecards returns the summaries of the scorecards Close closed.
func (f *Fleet) Scorecards() []FleetScorecard {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.summary)
}

// Close stops the prober and closes the scorecards of the healthy servers
// under ctx; the cards of unhealthy servers are dropped. Envs still open
// fail at their next Reset with ErrFleetClosed. It is safe to call more
// than once.
func (f *Fleet) Close(ctx context.Context) error {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return nil
	}
	f.closed = true
	type card struct {
		s  *fleetServer
		id string
	}
	var cards []card
	for _, s := range f.servers {
		if s.healthy {
			for _, id := range s.cards {
				cards = append(cards, card{s, id})
			}
		}
		s.card, s.cards = "", nil
	}
	f.mu.Unlock()
	if f.stop != nil {
		f.stop()
		<-f.probeDone
	}
	var errs []error
	for _, c := range cards {
		sc, err := c.s.client.CloseScorecard(ctx, c.id)
		switch {
		case err == nil:
			f.mu.Lock()
			f.summary = append(f.summary, FleetScorecard{URL: c.s.url, Scorecard: sc})
			f.mu.Unlock()
		case errors.Is(err, ErrNotFound):
			// The server restarted and forgot the card: nothing to close.
		default:
			errs = append(errs, fmt.Errorf("remote: closing scorecard %s on %s: %w", c.id, c.s.url, err))
		}
	}
	for _, s := range f.servers {
		_ = s.client.Close()
	}
	return errors.Join(errs...)
}
