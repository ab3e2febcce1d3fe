package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/wire"
)

// Server serves a catalog of local games over the ARC-AGI-3 REST API. It is
// an http.Handler; Close stops its background work and releases every
// session. It is safe for concurrent use.
type Server struct {
	cfg Config

	games    []*gameEntry
	byID     map[string]*gameEntry
	listJSON []byte
	keys     map[string]bool

	// sessions maps a guid to its session: commands look sessions up
	// without any server-wide lock.
	sessions sessionTable

	// metrics are the counters MetricsPath answers.
	metrics serverMetrics

	mu                sync.Mutex
	cards             map[string]*card
	competitionOpened bool
	closed            bool
	// usage counts open sessions and cards against the limits of Config.
	usage usage
	heap  heapGauge
	// conns is the connection limiter of the latest Serve.
	conns atomic.Pointer[connLimiter]

	// store keeps cards and sessions in Config.StateDir (nil without
	// one); restored is what New found there.
	store    *store
	restored RestoreStats
	closeErr error

	// shutdownTimeout bounds Serve's drain; tests shorten it.
	shutdownTimeout time.Duration

	// down is set by Close; later requests get 503.
	down    atomic.Bool
	stop    chan struct{}
	sweeper sync.WaitGroup
	once    sync.Once
}

// gameEntry is one game of the catalog with its pre-encoded metadata.
type gameEntry struct {
	info     arc.GameInfo
	infoJSON []byte
}

var _ http.Handler = (*Server)(nil)

// New returns a server for cfg. It validates cfg, reads the catalog and,
// unless the idle timeout is disabled, starts the goroutine that closes idle
// scorecards; Close stops it.
func New(cfg Config) (*Server, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	list := cfg.Games.List()
	if len(list) == 0 {
		return nil, errNoGames
	}
	s := &Server{
		cfg:   cfg,
		byID:  make(map[string]*gameEntry, len(list)),
		cards: make(map[string]*card),
		stop:  make(chan struct{}),

		shutdownTimeout: ShutdownTimeout,
	}
	infos := make([]wire.GameInfo, 0, len(list))
	// The catalog is "downloaded" when the server loads it; the reference
	// server lists the date its files were fetched.
	loaded := time.Now().UTC().Format(dateLayout)
	for _, info := range list {
		if err := arc.ValidateGameID(info.ID); err != nil {
			return nil, fmt.Errorf("server: catalog: %w", err)
		}
		if _, dup := s.byID[info.ID]; dup {
			return nil, fmt.Errorf("server: catalog lists %s twice", info.ID)
		}
		w := wireInfo(&info, loaded)
		infos = append(infos, w)
		// The single-game route also carries the baselines, as the hosted
		// service does, so that clients can score runs themselves.
		w.BaselineActions = slices.Clone(info.BaselineActions)
		raw, err := json.Marshal(w)
		if err != nil {
			return nil, fmt.Errorf("server: encode game %s: %w", info.ID, err)
		}
		e := &gameEntry{info: info, infoJSON: append(raw, '\n')}
		s.games = append(s.games, e)
		s.byID[info.ID] = e
	}
	raw, err := json.Marshal(infos)
	if err != nil {
		return nil, fmt.Errorf("server: encode game list: %w", err)
	}
	s.listJSON = append(raw, '\n')
	if len(cfg.APIKeys) > 0 {
		s.keys = make(map[string]bool, len(cfg.APIKeys))
		for _, k := range cfg.APIKeys {
			s.keys[k] = true
		}
	}
	if cfg.StateDir != "" {
		if err := s.openState(); err != nil {
			return nil, err
		}
	}
	if cfg.IdleTimeout > 0 || cfg.SessionIdleTimeout > 0 {
		s.sweeper.Add(1)
		go s.sweep()
	}
	return s, nil
}

// dateLayout is how the reference server writes date_downloaded.
const dateLayout = "2006-01-02T15:04:05.000000Z"

// wireInfo returns the listed metadata of a game with every field the
// reference server sends.
func wireInfo(info *arc.GameInfo, loaded string) wire.GameInfo {
	tags := slices.Clone(info.Tags)
	if tags == nil {
		tags = []string{}
	}
	class := info.ClassName
	if class == "" {
		class = defaultClassName(info.ID)
	}
	return wire.GameInfo{
		ClassName:      class,
		DateDownloaded: loaded,
		DefaultFPS:     info.DefaultFPS,
		GameID:         info.ID,
		Tags:           tags,
		Title:          info.Title,
	}
}

// defaultClassName is the toolkit's class name for a game that names none:
// the base id with its first letter upper-cased ("ls20" gives "Ls20").
func defaultClassName(id string) string {
	base, _ := arc.SplitGameID(id)
	if base == "" {
		return ""
	}
	return strings.ToUpper(base[:1]) + base[1:]
}

// lookupGame finds a game by versioned id or by base id; with several
// versions of one base, the last in id order wins.
func (s *Server) lookupGame(id string) *gameEntry {
	if e, ok := s.byID[id]; ok {
		return e
	}
	var found *gameEntry
	for _, e := range s.games {
		if arc.MatchGameID(e.info.ID, id) {
			found = e
		}
	}
	return found
}

// Close closes every open scorecard (reporting each to OnCardClose),
// releases every session and stops the idle sweeper. It waits for the
// sweeper to exit. Requests arriving later fail with 503. With a state
// directory (Config.StateDir), open scorecards are not closed but kept
// there, with their sessions, for the next server to restore.
func (s *Server) Close() error {
	s.once.Do(func() {
		s.down.Store(true)
		close(s.stop)
		s.sweeper.Wait()
		s.mu.Lock()
		s.closed = true
		cards := make([]*card, 0, len(s.cards))
		for _, c := range s.cards {
			cards = append(cards, c)
		}
		s.mu.Unlock()
		for _, c := range cards {
			if s.store != nil {
				// Open cards live on in the store for the next server:
				// end their sessions without closing them.
				s.dropCard(c)
			} else {
				s.closeCard(c)
			}
		}
		s.closeErr = s.store.close()
	})
	return s.closeErr
}

// sweep closes idle scorecards and idle sessions until Close. A timeout
// is kept to within a quarter of itself (a minute at most).
func (s *Server) sweep() {
	defer s.sweeper.Done()
	every := time.Minute
	for _, d := range []time.Duration{s.cfg.IdleTimeout, s.cfg.SessionIdleTimeout} {
		if d > 0 {
			every = min(every, max(d/4, time.Millisecond))
		}
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case now := <-t.C:
			if s.cfg.IdleTimeout > 0 {
				for _, c := range s.idleCards(now) {
					s.closeCard(c)
				}
			}
			if s.cfg.SessionIdleTimeout > 0 {
				for _, sess := range s.sessions.idle(now.Add(-s.cfg.SessionIdleTimeout).UnixNano()) {
					s.expireSession(sess)
				}
			}
		}
	}
}

func (s *Server) idleCards(now time.Time) []*card {
	limit := now.Add(-s.cfg.IdleTimeout).UnixNano()
	s.mu.Lock()
	defer s.mu.Unlock()
	var idle []*card
	for _, c := range s.cards {
		if c.lastActive.Load() < limit {
			idle = append(idle, c)
		}
	}
	return idle
}

// serveAPI answers a request of the REST API; rt is its route as routeOf
// named it, which serveAPI checks further.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, rt route) {
	path := r.URL.Path
	var handle func(w http.ResponseWriter, r *http.Request, key string) *apiError
	isPost := false
	switch rt {
	case routeHealthcheck:
		if get(w, r) {
			writeBody(w, http.StatusOK, hdrText, []byte("okay"))
		}
		return
	case routeReset, routeAction:
		name := path[len("/api/cmd/"):]
		id, err := arc.ParseActionID(name)
		if err != nil || name != id.String() {
			writeError(w, errorf(http.StatusNotFound, wire.CodeServer, "no route %s %s; commands are RESET and ACTION1..ACTION7", r.Method, path))
			return
		}
		if post(w, r) {
			s.command(w, r, id)
		}
		return
	case routeGames:
		handle = s.listGames
	case routeGame:
		if id := path[len("/api/games/"):]; id != "" && !strings.Contains(id, "/") {
			handle = s.gameInfo
		}
	case routeScorecardOpen:
		handle, isPost = s.openCard, true
	case routeScorecardClose:
		handle, isPost = s.closeCardRoute, true
	case routeScorecardGet:
		if validCardPath(path[len("/api/scorecard/"):]) {
			handle = s.getCard
		}
	}
	if handle == nil {
		writeError(w, errorf(http.StatusNotFound, wire.CodeServer, "no route %s %s", r.Method, path))
		return
	}
	if isPost && !post(w, r) || !isPost && !get(w, r) {
		return
	}
	if s.down.Load() {
		writeError(w, errShuttingDown)
		return
	}
	key, aerr := s.apiKey(r)
	if aerr == nil {
		aerr = handle(w, r, key)
	}
	if aerr != nil {
		writeError(w, aerr)
	}
}

// validCardPath accepts "<card_id>" and "<card_id>/<game_id>".
func validCardPath(p string) bool {
	card, game, two := strings.Cut(p, "/")
	return card != "" && (!two || game != "" && !strings.Contains(game, "/"))
}

func get(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	w.Header().Set("Allow", "GET, HEAD")
	writeError(w, errorf(http.StatusMethodNotAllowed, wire.CodeValidation, "method %s not allowed on %s; use GET", r.Method, r.URL.Path))
	return false
}

func post(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodPost {
		return true
	}
	w.Header().Set("Allow", "POST")
	writeError(w, errorf(http.StatusMethodNotAllowed, wire.CodeValidation, "method %s not allowed on %s; use POST", r.Method, r.URL.Path))
	return false
}

// apiKey returns the key a request acts under.
func (s *Server) apiKey(r *http.Request) (string, *apiError) {
	vals := r.Header["X-Api-Key"]
	key := ""
	if len(vals) > 0 {
		key = vals[0]
	}
	if s.keys == nil {
		if key == "" {
			key = DefaultAPIKey
		}
		return key, nil
	}
	if key == "" {
		return "", errorf(http.StatusUnauthorized, wire.CodeValidation, "missing X-API-Key header")
	}
	if !s.keys[key] {
		return "", errorf(http.StatusUnauthorized, wire.CodeValidation, "invalid API key")
	}
	return key, nil
}

func (s *Server) listGames(w http.ResponseWriter, _ *http.Request, _ string) *apiError {
	writeBody(w, http.StatusOK, hdrJSON, s.listJSON)
	return nil
}

func (s *Server) gameInfo(w http.ResponseWriter, r *http.Request, _ string) *apiError {
	id := strings.TrimPrefix(r.URL.Path, "/api/games/")
	e := s.lookupGame(id)
	if e == nil {
		return errorf(http.StatusNotFound, wire.CodeServer, "game %s not found", id)
	}
	writeBody(w, http.StatusOK, hdrJSON, e.infoJSON)
	return nil
}

// ListenAndServe serves the games of cfg on addr until ctx is cancelled,
// then shuts down gracefully: it stops accepting connections, waits up to
// ShutdownTimeout for requests in flight, and closes the server.
func ListenAndServe(ctx context.Context, addr string, cfg Config) error {
	srv, err := New(cfg)
	if err != nil {
		return err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		_ = srv.Close()
		return fmt.Errorf("server: listen on %s: %w", addr, err)
	}
	err = srv.Serve(ctx, ln)
	return errors.Join(err, srv.Close())
}

// ShutdownTimeout bounds how long Serve waits for requests in flight once
// its context is cancelled.
const ShutdownTimeout = 10 * time.Second

// Limits of the HTTP connections Serve accepts, against clients that send
// or read slowly on purpose (slow loris) or by accident. A request's
// headers must arrive within ReadHeaderTimeout and the whole request within
// ReadTimeout; the response must be written within WriteTimeout; a
// kept-alive connection is closed after IdleTimeout without a request.
// These are the defaults of the Config fields of the same names
// (KeepAliveTimeout for IdleTimeout).
const (
	ReadHeaderTimeout = 10 * time.Second
	ReadTimeout       = 30 * time.Second
	WriteTimeout      = 60 * time.Second
	IdleTimeout       = 2 * time.Minute
	MaxHeaderBytes    = 64 << 10
)

// Serve serves HTTP on ln until ctx is cancelled, then drains requests in
// flight and returns nil. Requests still running after ShutdownTimeout have
// their connections cut, and Serve returns an error saying so. It does not
// Close the server. Connections are kept alive between requests, within
// the limits above (or those of Config), and their number within
// Config.MaxConns: at the bound the connection idle the longest is closed
// for a new one, or, when none is idle, the new one is answered 503 and
// closed. The answers net/http gives before the handler are JSON, as the
// handler's are (see the package documentation).
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	cl := s.limitConns(ln)
	s.conns.Store(cl)
	hs := s.httpServer(ctx, cl)
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(cl) }()
	select {
	case err := <-errc:
		return fmt.Errorf("server: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.shutdownTimeout)
	defer cancel()
	err := hs.Shutdown(sctx)
	if err != nil {
		// Clients of requests still running past the timeout lose their
		// connections at once rather than wait on a server that is gone.
		err = errors.Join(err, hs.Close())
	}
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	if err != nil {
		return fmt.Errorf("server: shutdown: %w", err)
	}
	return nil
}

// httpServer returns the net/http server of Serve, which serves the
// connections of cl.
func (s *Server) httpServer(ctx context.Context, cl *connLimiter) *http.Server {
	return &http.Server{
		Handler:           s,
		ReadHeaderTimeout: s.cfg.ReadHeaderTimeout,
		ReadTimeout:       s.cfg.ReadTimeout,
		WriteTimeout:      s.cfg.WriteTimeout,
		IdleTimeout:       s.cfg.KeepAliveTimeout,
		MaxHeaderBytes:    MaxHeaderBytes,
		ConnState:         cl.connState,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
}
