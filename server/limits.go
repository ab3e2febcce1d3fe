package server

import (
	"net/http"
	"runtime/metrics"
	"strconv"
	"sync"

	"github.com/arcgym/arcgym/wire"
)

// usage counts what is open, in all and per API key. It is guarded by
// Server.mu; a key's entry goes when it holds nothing.
type usage struct {
	sessions, cards int
	perKey          map[string]*keyUsage
}

type keyUsage struct{ sessions, cards int }

func (u *usage) key(k string) *keyUsage {
	if u.perKey == nil {
		u.perKey = make(map[string]*keyUsage)
	}
	ku := u.perKey[k]
	if ku == nil {
		ku = new(keyUsage)
		u.perKey[k] = ku
	}
	return ku
}

func (u *usage) drop(k string, ku *keyUsage) {
	if ku.sessions == 0 && ku.cards == 0 {
		delete(u.perKey, k)
	}
}

// heapGauge reads the bytes of the Go heap held by objects, live or not
// yet swept: what the process holds for them until the next collection.
type heapGauge struct {
	mu     sync.Mutex
	sample [1]metrics.Sample
}

func (g *heapGauge) bytes() int64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.sample[0].Name = "/memory/classes/heap/objects:bytes"
	metrics.Read(g.sample[:])
	if g.sample[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return int64(g.sample[0].Value.Uint64())
}

// limitError is a refusal for a limit: 429 LIMIT_ERROR, with the seconds
// after which a retry may succeed.
func limitError(retryAfter int, format string, args ...any) *apiError {
	e := errorf(http.StatusTooManyRequests, wire.CodeLimit, format, args...)
	e.retryAfter = retryAfter
	return e
}

// retryServer is the Retry-After of a server-wide limit: other clients'
// sessions close or expire, and the collector returns memory, all the time.
const retryServer = 1

// retryKey is the Retry-After of a per-key limit: the key's own idle
// sessions expire within the session idle timeout.
func (s *Server) retryKey() int {
	d := s.cfg.SessionIdleTimeout
	if d < 0 {
		d = s.cfg.IdleTimeout
	}
	if d < 0 {
		return 60
	}
	return max(1, int(d.Seconds()))
}

// reserveSession counts a session of key about to be started, or refuses
// it for a limit; releaseSession undoes it. Nothing is allocated for the
// session before the reservation succeeds.
func (s *Server) reserveSession(key string) *apiError {
	// The heap is read outside the lock: a reading may take microseconds.
	heap := s.heap.bytes()
	s.mu.Lock()
	defer s.mu.Unlock()
	u := &s.usage
	if u.sessions >= s.cfg.MaxSessions {
		return limitError(retryServer, "the server has %d open sessions, limit %d", u.sessions, s.cfg.MaxSessions)
	}
	ku := u.key(key)
	if ku.sessions >= s.cfg.MaxSessionsPerKey {
		u.drop(key, ku)
		return limitError(s.retryKey(), "this API key has %d open sessions, limit %d; close a scorecard or let sessions expire", ku.sessions, s.cfg.MaxSessionsPerKey)
	}
	need := max(heap, int64(u.sessions)*s.cfg.SessionBytes) + s.cfg.SessionBytes
	if need > s.cfg.MemoryBudget {
		u.drop(key, ku)
		return limitError(retryServer, "a new session would take the server past its memory budget of %d bytes (heap %d bytes, %d sessions)", s.cfg.MemoryBudget, heap, u.sessions)
	}
	u.sessions++
	ku.sessions++
	return nil
}

func (s *Server) releaseSession(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.usage.sessions--
	ku := s.usage.key(key)
	ku.sessions--
	s.usage.drop(key, ku)
}

// reserveCard counts a scorecard of key about to be opened, or refuses it
// for a limit. The caller holds s.mu; heap is the heap gauge read before.
func (s *Server) reserveCardLocked(key string, heap int64) *apiError {
	u := &s.usage
	if u.cards >= s.cfg.MaxCards {
		return limitError(retryServer, "the server has %d open scorecards, limit %d", u.cards, s.cfg.MaxCards)
	}
	ku := u.key(key)
	if ku.cards >= s.cfg.MaxCardsPerKey {
		u.drop(key, ku)
		return limitError(s.retryKey(), "this API key has %d open scorecards, limit %d; close one first", ku.cards, s.cfg.MaxCardsPerKey)
	}
	if heap > s.cfg.MemoryBudget {
		u.drop(key, ku)
		return limitError(retryServer, "the server is past its memory budget of %d bytes (heap %d bytes)", s.cfg.MemoryBudget, heap)
	}
	u.cards++
	ku.cards++
	return nil
}

// releaseCardLocked undoes reserveCardLocked; the caller holds s.mu.
func (s *Server) releaseCardLocked(key string) {
	s.usage.cards--
	ku := s.usage.key(key)
	ku.cards--
	s.usage.drop(key, ku)
}

// setRetryAfter sets the Retry-After header of e, if it has one.
func setRetryAfter(h http.Header, e *apiError) {
	if e.retryAfter > 0 {
		h["Retry-After"] = []string{strconv.Itoa(e.retryAfter)}
	}
}
