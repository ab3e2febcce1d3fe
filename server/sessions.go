package server

import "sync"

// sessionTable maps guids to sessions. It is sharded so that concurrent
// commands rarely meet on a lock, and looks up []byte keys without
// allocating.
type sessionTable struct {
	shards [32]sessionShard
}

type sessionShard struct {
	mu sync.RWMutex
	m  map[string]*session
}

func shardOf(guid []byte) int {
	h := uint32(2166136261)
	for _, c := range guid {
		h = (h ^ uint32(c)) * 16777619
	}
	return int(h % 32)
}

func (t *sessionTable) get(guid []byte) *session {
	sh := &t.shards[shardOf(guid)]
	sh.mu.RLock()
	s := sh.m[string(guid)]
	sh.mu.RUnlock()
	return s
}

func (t *sessionTable) put(s *session) {
	sh := &t.shards[shardOf([]byte(s.guid))]
	sh.mu.Lock()
	if sh.m == nil {
		sh.m = make(map[string]*session)
	}
	sh.m[s.guid] = s
	sh.mu.Unlock()
}

func (t *sessionTable) del(guid string) {
	sh := &t.shards[shardOf([]byte(guid))]
	sh.mu.Lock()
	delete(sh.m, guid)
	sh.mu.Unlock()
}

// idle returns the open sessions whose last command came before limit
// (UnixNano).
func (t *sessionTable) idle(limit int64) []*session {
	var out []*session
	for i := range t.shards {
		sh := &t.shards[i]
		sh.mu.RLock()
		for _, s := range sh.m {
			if s.lastActive.Load() < limit {
				out = append(out, s)
			}
		}
		sh.mu.RUnlock()
	}
	return out
}
