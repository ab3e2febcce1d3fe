package arcengine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/arcgym/arcgym/arc"
)

// Instance is one game running in a worker process. It is an env.Backend
// (and a games.Instance, so the REST server can serve it): Do sends RESET or
// ACTION1..ACTION7 and decodes the worker's answer straight into the
// caller's FrameData, without allocating.
//
// An Instance is not safe for concurrent use. Failures are *WorkerErrors: a
// game that raised, a worker that crashed or hung, or a protocol violation
// cost the instance its game, and every command but RESET then fails with
// ErrNeedsReset; RESET starts the game anew (in a new worker if the old one
// is gone), as a full reset.
type Instance struct {
	pool *Pool
	game Game
	info arc.GameInfo
	guid string

	w    *worker
	slot uint32
	r    response

	seed   int64
	seeded bool // the game's constructor takes a seed
	reseed bool // a new seed applies at the next RESET

	lost   error // the failure that cost the game, until a RESET
	closed bool

	// With several sessions per worker, the commands since the last full
	// reset, replayed on a new worker when another session's failure took
	// this one's worker down; sum is a checksum of the last frame.
	log     []arc.Action
	sum     uint64
	scratch arc.FrameData
}

// New starts a session of the game named by id (versioned, or a base id
// for its latest downloaded version): it takes a worker slot and
// constructs the game, as the toolkit's local mode does, but sends no
// command. The first command is RESET.
func (p *Pool) New(ctx context.Context, id string) (*Instance, error) {
	g, err := p.Lookup(id)
	if err != nil {
		return nil, err
	}
	s := &Instance{pool: p, game: g, info: g.Info, guid: arc.NewGUID()}
	if err := s.attach(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// attach takes a worker slot and opens the game in it.
func (s *Instance) attach(ctx context.Context) error {
	w, slot, err := s.pool.acquire(ctx)
	if err != nil {
		if we, ok := err.(*WorkerError); ok && we.Game == "" {
			we.Game = s.info.ID
		}
		return err
	}
	s.w, s.slot = w, slot
	if err := s.open(ctx); err != nil {
		s.detach()
		return err
	}
	return nil
}

// detach gives the worker slot back.
func (s *Instance) detach() {
	if s.w == nil {
		return
	}
	w := s.w
	s.w = nil
	if !w.dead.Load() {
		w.mu.Lock()
		w.wbuf = appendSimple(w.wbuf[:0], opClose, s.slot)
		var r response
		// Closing a slot is quick; a worker that does not answer it is
		// broken, and the call kills it.
		ctx, cancel := context.WithTimeout(context.Background(), gracePeriod)
		_ = w.call(ctx, "close", s.info.ID, nil, &r)
		cancel()
		w.mu.Unlock()
	}
	s.pool.release(w)
}

// open constructs the game in the session's slot with the session's seed,
// replacing any game there.
func (s *Instance) open(ctx context.Context) error {
	w := s.w
	w.mu.Lock()
	var err error
	w.wbuf, err = appendOpen(w.wbuf[:0], s.slot, s.seed, s.game.Dir, s.game.Info.ClassName, s.game.Info.ID)
	if err == nil {
		err = w.call(ctx, "open", s.info.ID, nil, &s.r)
	}
	w.mu.Unlock()
	if err != nil {
		return err
	}
	switch s.r.kind {
	case kindOpened:
	case kindError:
		return s.remoteError(ErrLoad, "open")
	default:
		return s.protocolError("open", fmt.Sprintf("answer of kind %d to open", s.r.kind))
	}
	if s.r.winLevels < 0 || s.r.winLevels > 254 {
		return &WorkerError{Kind: ErrLoad, Game: s.info.ID, PID: w.pid, Op: "open", Detail: fmt.Sprintf("win_levels %d outside 0..254", s.r.winLevels)}
	}
	s.info.Available = s.r.available
	s.info.Levels = int(s.r.winLevels)
	s.seeded = s.r.seeded
	s.log = s.log[:0]
	s.pool.mu.Lock()
	s.pool.infos[s.info.ID] = arc.GameInfo{Available: s.info.Available, Levels: s.info.Levels}
	s.pool.mu.Unlock()
	return nil
}

// Info returns the game's metadata; Available and Levels come from the
// game itself.
func (s *Instance) Info() arc.GameInfo { return s.info.Clone() }

// GUID returns the session's id, reported in every result.
func (s *Instance) GUID() string { return s.guid }

// Game returns the game the session plays.
func (s *Instance) Game() Game { return s.game }

// PID returns the process id of the session's worker (0 when it has none).
func (s *Instance) PID() int {
	if s.w == nil {
		return 0
	}
	return s.w.pid
}

// Blocking reports that a command waits on a worker process, which does
// the work: vector envs run such sub-environments without spinning for
// them.
func (s *Instance) Blocking() bool { return true }

// Seed sets the seed passed to the game's constructor, as the toolkit does
// when the constructor has a seed parameter; it takes effect at the next
// RESET, which then starts a new game. Games without a seed parameter
// ignore it.
func (s *Instance) Seed(seed int64) {
	if seed != s.seed {
		s.seed = seed
		s.reseed = true
	}
}

// Do runs one command and writes its result into out. After WIN or
// GAME_OVER every command but RESET fails with arc.ErrNotStarted (the
// engine answers those with no frames and nothing changes). ctx bounds the
// wait: a worker that does not answer in time is killed (ErrHung).
func (s *Instance) Do(ctx context.Context, a arc.Action, out *arc.FrameData) error {
	if s.closed || s.pool.closed.Load() {
		return ErrClosed
	}
	if err := a.Validate(); err != nil {
		return err
	}
	if s.lost != nil || s.w == nil || s.w.dead.Load() {
		if err := s.recover(ctx, a); err != nil {
			return err
		}
	}
	if a.ID == arc.Reset && s.reseed {
		s.reseed = false
		if s.seeded {
			if err := s.open(ctx); err != nil {
				return s.lose(err)
			}
		}
	}
	if err := s.command(ctx, a, out); err != nil {
		return err
	}
	if s.pool.cfg.EnvsPerWorker > 1 {
		s.remember(a, out)
	}
	return nil
}

// recover gets the session a working game after a failure: by replaying
// its commands on a new worker when another session's failure took the
// worker down, or, for RESET, by starting the game anew.
func (s *Instance) recover(ctx context.Context, a arc.Action) error {
	if s.lost == nil && s.w != nil && len(s.log) > 0 {
		// The worker died under another session: this game did nothing
		// wrong, so it is rebuilt where it was.
		cause := s.w.deathCause()
		if err := s.replay(ctx); err != nil {
			_ = s.lose(err)
			return &WorkerError{Kind: ErrNeedsReset, Game: s.info.ID, Op: a.ID.String(),
				Err: fmt.Errorf("replay after %v failed: %w", cause, err)}
		}
		return nil
	}
	if a.ID != arc.Reset {
		cause := s.lost
		if cause == nil && s.w != nil {
			cause = s.w.deathCause()
		}
		return &WorkerError{Kind: ErrNeedsReset, Game: s.info.ID, Op: a.ID.String(), Err: cause}
	}
	s.reseed = false
	if s.w != nil && !s.w.dead.Load() {
		// The worker is fine, only the game failed: construct it again.
		if err := s.open(ctx); err != nil {
			return err
		}
	} else {
		s.detach()
		if err := s.attach(ctx); err != nil {
			return err
		}
	}
	s.lost = nil
	return nil
}

// deathCause returns the failure that killed the worker.
func (w *worker) deathCause() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.broken != nil {
		return w.broken
	}
	return ErrCrashed
}

// replay rebuilds the game on a new worker from the command log and checks
// that it arrives at the same frame.
func (s *Instance) replay(ctx context.Context) error {
	log := slices.Clone(s.log)
	want := s.sum
	s.detach()
	if err := s.attach(ctx); err != nil {
		return err
	}
	for _, a := range log {
		if err := s.command(ctx, a, &s.scratch); err != nil {
			return err
		}
	}
	s.log = append(s.log[:0], log...)
	if got := frameSum(&s.scratch); got != want {
		return fmt.Errorf("%w: replayed game differs from the lost one", ErrProtocol)
	}
	return nil
}

// remember logs a command for replay.
func (s *Instance) remember(a arc.Action, out *arc.FrameData) {
	a.Reasoning = nil
	if a.ID == arc.Reset && out.FullReset {
		s.log = s.log[:0]
	}
	s.log = append(s.log, a)
	s.sum = frameSum(out)
}

// frameSum is a checksum of a result's last frame and counters.
func frameSum(fd *arc.FrameData) uint64 {
	const prime = 1099511628211
	h := uint64(14695981039346656037) // FNV-1a
	for _, c := range fd.Last() {
		h = (h ^ uint64(c)) * prime
	}
	return h ^ uint64(fd.State)<<56 ^ uint64(fd.LevelsCompleted)<<48
}

// command sends a and decodes the answer into out.
func (s *Instance) command(ctx context.Context, a arc.Action, out *arc.FrameData) error {
	w := s.w
	op := a.ID.String()
	w.mu.Lock()
	w.wbuf = appendCmd(w.wbuf[:0], s.slot, a)
	err := w.call(ctx, op, s.info.ID, out, &s.r)
	w.mu.Unlock()
	if err != nil {
		if !errors.Is(err, ErrHung) && !errors.Is(err, ErrCrashed) && !errors.Is(err, ErrProtocol) {
			// The context ended before anything was sent.
			return err
		}
		return s.lose(err)
	}
	switch s.r.kind {
	case kindFrames:
	case kindError:
		switch s.r.phase {
		case phaseAction:
			// The engine refused the action before running it.
			return fmt.Errorf("%w: %s", arc.ErrInvalidAction, s.r.message)
		case phaseFrame:
			return s.lose(&WorkerError{Kind: ErrGameRaised, Game: s.info.ID, PID: w.pid, Op: op, Err: arc.ErrInvalidFrame, Detail: s.r.message})
		}
		return s.lose(s.remoteError(ErrGameRaised, op))
	default:
		return s.lose(s.protocolError(op, fmt.Sprintf("answer of kind %d to a command", s.r.kind)))
	}
	if s.r.nFrames == 0 {
		if a.ID != arc.Reset && s.r.state.Terminal() {
			return fmt.Errorf("arcengine: %s on %s in state %s: %w", a.ID, s.info.ID, s.r.state, arc.ErrNotStarted)
		}
		return s.lose(s.protocolError(op, fmt.Sprintf("%s answered with no frames in state %s", a.ID, s.r.state)))
	}
	out.GameID = s.info.ID
	out.GUID = s.guid
	out.State = s.r.state
	out.LevelsCompleted = int(s.r.levels)
	out.WinLevels = int(s.r.winLevels)
	out.Action = a
	out.Available = s.r.available
	out.FullReset = s.r.fullReset
	// The game produced this result, so a result that breaks the contract
	// (colours outside 0..15, counters outside 0..254) is the game's fault.
	if err := out.Validate(); err != nil {
		return s.lose(&WorkerError{Kind: ErrGameRaised, Game: s.info.ID, PID: w.pid, Op: op, Err: err})
	}
	return nil
}

// lose records err as the failure that cost the session its game, and
// returns it.
func (s *Instance) lose(err error) error {
	s.lost = err
	return err
}

// TimeInProcess plays acts on the session's game inside the worker, in a
// plain Python loop that builds each ActionInput and calls perform_action,
// and returns how long each took: what a Python program stepping the engine
// itself would see. The game advances as if the commands had been sent by
// Do, but no result comes back. Benchmarks use it to measure the cost of
// the worker protocol against the engine on the same CPU, interleaved with
// Do on another session of the same worker (Config.EnvsPerWorker >= 2).
func (s *Instance) TimeInProcess(ctx context.Context, acts []arc.Action) ([]time.Duration, error) {
	if s.closed || s.pool.closed.Load() {
		return nil, ErrClosed
	}
	for _, a := range acts {
		if err := a.Validate(); err != nil {
			return nil, err
		}
	}
	if s.lost != nil || s.w == nil || s.w.dead.Load() {
		return nil, &WorkerError{Kind: ErrNeedsReset, Game: s.info.ID, Op: "time", Err: s.lost}
	}
	w := s.w
	w.mu.Lock()
	w.wbuf = appendTime(w.wbuf[:0], s.slot, acts)
	err := w.call(ctx, "time", s.info.ID, nil, &s.r)
	w.mu.Unlock()
	if err != nil {
		return nil, s.lose(err)
	}
	switch s.r.kind {
	case kindTimes:
		if len(s.r.times) != len(acts) {
			return nil, s.protocolError("time", fmt.Sprintf("%d times for %d commands", len(s.r.times), len(acts)))
		}
		return s.r.times, nil
	case kindError:
		return nil, s.lose(s.remoteError(ErrGameRaised, "time"))
	}
	return nil, s.protocolError("time", fmt.Sprintf("answer of kind %d to time", s.r.kind))
}

// remoteError turns an ERROR response into a *WorkerError of kind.
func (s *Instance) remoteError(kind error, op string) error {
	we := &WorkerError{Kind: kind, Game: s.info.ID, PID: s.w.pid, Op: op, Detail: s.r.message}
	switch s.r.phase {
	case phaseLoad, phaseInit:
		we.Kind = ErrLoad
	case phaseRequest:
		we.Kind = ErrProtocol
	}
	return we
}

// protocolError kills the worker over an answer that makes no sense.
func (s *Instance) protocolError(op, detail string) error {
	we := &WorkerError{Kind: ErrProtocol, Game: s.info.ID, PID: s.w.pid, Op: op, Detail: detail}
	s.w.mu.Lock()
	s.w.kill(we)
	s.w.mu.Unlock()
	return we
}

// Close gives the session's slot back to the pool; a worker left idle may
// be kept for the next session. It is safe to call more than once.
func (s *Instance) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	s.detach()
	return nil
}
