package arcengine

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/arcgym/arcgym/arc"
)

// Pool runs the games of one games directory in worker processes. Sessions
// (New) take a slot in a worker, starting one when none has room; workers
// whose sessions have all closed are kept for reuse for a while. A Pool is
// safe for concurrent use; Close stops every worker and waits for them.
type Pool struct {
	cfg      Config
	script   string
	games    []Game
	scanErrs []error

	spinState

	mu      sync.Mutex
	workers []*worker // every worker started and not yet stopped
	infos   map[string]arc.GameInfo
	// closed is set by Close, under mu; sessions read it without mu.
	closed atomic.Bool
	reaper *time.Timer
	stops  sync.WaitGroup // workers being stopped in the background
}

// Open scans the games directory and finds the interpreter; it starts no
// process (the first session does). It fails with ErrGamesDir for a
// missing or empty games directory and ErrNoPython when no interpreter is
// found.
func Open(cfg Config) (*Pool, error) {
	cfg, err := cfg.resolve()
	if err != nil {
		return nil, err
	}
	if cfg.Output != nil {
		cfg.Output = &lockedWriter{w: cfg.Output}
	}
	games, scanErrs := Scan(cfg.GamesDir)
	if len(games) == 0 {
		if len(scanErrs) > 0 {
			return nil, fmt.Errorf("%w: %s holds no readable metadata.json of a game: %w", ErrGamesDir, cfg.GamesDir, errorsJoin(scanErrs))
		}
		return nil, fmt.Errorf("%w: %s holds no metadata.json of a game", ErrGamesDir, cfg.GamesDir)
	}
	script := cfg.WorkerScript
	if script == "" {
		if script, err = installScript(); err != nil {
			return nil, err
		}
	}
	p := &Pool{cfg: cfg, script: script, games: games, scanErrs: scanErrs, infos: map[string]arc.GameInfo{}}
	p.spinState.init(cfg.NoSpin)
	return p, nil
}

// GamesDir returns the directory the pool's games come from.
func (p *Pool) GamesDir() string { return p.cfg.GamesDir }

// Python returns the interpreter the pool runs.
func (p *Pool) Python() string { return p.cfg.Python }

// ScanErrors returns the problems met while scanning the games directory
// (metadata files that do not parse); those games are left out.
func (p *Pool) ScanErrors() []error { return slices.Clone(p.scanErrs) }

// Games returns the games found, sorted by id. A game's Info has its
// available actions and level count once a session of it has started.
func (p *Pool) Games() []Game {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]Game, len(p.games))
	for i, g := range p.games {
		out[i] = p.withInfo(g)
	}
	return out
}

// Lookup finds a game by versioned id, or by base id (its latest
// downloaded version).
func (p *Pool) Lookup(id string) (Game, error) {
	g, err := find(p.games, id)
	if err != nil {
		return Game{}, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.withInfo(g), nil
}

// withInfo returns g with what sessions learned of it. Caller holds p.mu.
func (p *Pool) withInfo(g Game) Game {
	g.Info = g.Info.Clone()
	if known, ok := p.infos[g.Info.ID]; ok {
		g.Info.Available, g.Info.Levels = known.Available, known.Levels
	}
	return g
}

// Probe starts the game once, if no session of it has yet, so that its
// Info has the available actions and level count, and returns the Info.
func (p *Pool) Probe(ctx context.Context, id string) (arc.GameInfo, error) {
	g, err := p.Lookup(id)
	if err != nil {
		return arc.GameInfo{}, err
	}
	if g.Info.Levels > 0 {
		return g.Info, nil
	}
	s, err := p.New(ctx, id)
	if err != nil {
		return arc.GameInfo{}, err
	}
	info := s.Info()
	return info, s.Close()
}

// ProbeAll probes every game of the pool (see Probe), n at a time, and
// returns the failures by game id (none: an empty map).
func (p *Pool) ProbeAll(ctx context.Context, n int) map[string]error {
	gs := p.Games()
	errs := make([]error, len(gs))
	sem := make(chan struct{}, max(n, 1))
	var wg sync.WaitGroup
	for i, g := range gs {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			_, errs[i] = p.Probe(ctx, g.Info.ID)
		})
	}
	wg.Wait()
	failed := map[string]error{}
	for i, err := range errs {
		if err != nil {
			failed[gs[i].Info.ID] = err
		}
	}
	return failed
}

// Warm starts workers until n are idle and ready, in parallel, so that the
// next n sessions start without waiting for an interpreter. Vector
// environments call it before making their sub-environments.
func (p *Pool) Warm(ctx context.Context, n int) error {
	p.mu.Lock()
	idle := 0
	for _, w := range p.workers {
		if w.sessions == 0 && !w.dead.Load() {
			idle++
		}
	}
	p.mu.Unlock()
	need := n - idle
	if need <= 0 {
		return nil
	}
	errs := make([]error, need)
	var wg sync.WaitGroup
	for i := range need {
		wg.Go(func() {
			w, err := startWorker(ctx, p)
			if err != nil {
				errs[i] = err
				return
			}
			p.mu.Lock()
			if p.closed.Load() {
				p.mu.Unlock()
				w.close()
				errs[i] = ErrClosed
				return
			}
			p.workers = append(p.workers, w)
			w.idleSince = time.Now()
			p.armReaper()
			p.mu.Unlock()
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// acquire returns a worker with room for one more session and a slot in
// it, starting a worker when none has room.
func (p *Pool) acquire(ctx context.Context) (*worker, uint32, error) {
	p.mu.Lock()
	if p.closed.Load() {
		p.mu.Unlock()
		return nil, 0, ErrClosed
	}
	// Fill the fullest worker first so that idle ones can be reaped.
	var best *worker
	for _, w := range p.workers {
		if w.dead.Load() || w.sessions >= p.cfg.EnvsPerWorker {
			continue
		}
		if best == nil || w.sessions > best.sessions {
			best = w
		}
	}
	if best != nil {
		slot := best.take()
		p.mu.Unlock()
		return best, slot, nil
	}
	p.mu.Unlock()
	w, err := startWorker(ctx, p)
	if err != nil {
		return nil, 0, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed.Load() {
		w.close()
		return nil, 0, ErrClosed
	}
	p.workers = append(p.workers, w)
	return w, w.take(), nil
}

// take books a slot. Caller holds p.mu.
func (w *worker) take() uint32 {
	w.sessions++
	w.nextSlot++
	return w.nextSlot
}

// release gives a session's slot back. A worker left without sessions is
// kept for reuse if it is healthy and there is room, and stopped
// otherwise; release waits for a stopped worker to exit.
func (p *Pool) release(w *worker) {
	p.mu.Lock()
	w.sessions--
	if w.sessions > 0 {
		p.mu.Unlock()
		return
	}
	// idleCount counts w too.
	keep := !p.closed.Load() && !w.dead.Load() && p.cfg.MaxIdleWorkers > 0 && p.idleCount() <= p.cfg.MaxIdleWorkers
	if keep {
		w.idleSince = time.Now()
		p.armReaper()
		p.mu.Unlock()
		return
	}
	p.remove(w)
	p.mu.Unlock()
	w.close()
}

// idleCount counts idle healthy workers. Caller holds p.mu.
func (p *Pool) idleCount() int {
	n := 0
	for _, w := range p.workers {
		if w.sessions == 0 && !w.dead.Load() {
			n++
		}
	}
	return n
}

// remove drops w from the pool's list. Caller holds p.mu.
func (p *Pool) remove(w *worker) {
	if i := slices.Index(p.workers, w); i >= 0 {
		p.workers = slices.Delete(p.workers, i, i+1)
	}
}

// armReaper schedules the stopping of idle workers. Caller holds p.mu.
func (p *Pool) armReaper() {
	if p.reaper == nil && !p.closed.Load() {
		p.reaper = time.AfterFunc(p.cfg.IdleTimeout, p.reap)
	}
}

// reap stops the workers idle for IdleTimeout and reschedules itself while
// idle workers remain.
func (p *Pool) reap() {
	p.mu.Lock()
	p.reaper = nil
	if p.closed.Load() {
		p.mu.Unlock()
		return
	}
	now := time.Now()
	var stop []*worker
	var next time.Duration
	for _, w := range slices.Clone(p.workers) {
		if w.sessions != 0 {
			continue
		}
		if idle := now.Sub(w.idleSince); idle >= p.cfg.IdleTimeout || w.dead.Load() {
			p.remove(w)
			stop = append(stop, w)
		} else if left := p.cfg.IdleTimeout - idle; next == 0 || left < next {
			next = left
		}
	}
	if next > 0 {
		p.reaper = time.AfterFunc(next, p.reap)
	}
	p.stops.Add(len(stop))
	p.mu.Unlock()
	for _, w := range stop {
		w.close()
		p.stops.Done()
	}
}

// Workers returns the process ids of the pool's live workers.
func (p *Pool) Workers() []int {
	p.mu.Lock()
	defer p.mu.Unlock()
	var pids []int
	for _, w := range p.workers {
		if !w.dead.Load() {
			pids = append(pids, w.pid)
		}
	}
	return pids
}

// Close stops every worker, idle or not, and waits for them to exit.
// Sessions still open fail with ErrClosed from then on.
func (p *Pool) Close() error {
	p.mu.Lock()
	if p.closed.Load() {
		p.mu.Unlock()
		p.stops.Wait()
		return nil
	}
	p.closed.Store(true)
	if p.reaper != nil {
		p.reaper.Stop()
		p.reaper = nil
	}
	workers := p.workers
	p.workers = nil
	p.mu.Unlock()
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Go(w.close)
	}
	wg.Wait()
	p.stops.Wait()
	return nil
}

// lockedWriter serialises the writes of several workers.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}
