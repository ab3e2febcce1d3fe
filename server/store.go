package server

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/wire"
)

// The state directory (Config.StateDir) holds two logs of checksummed
// records:
//
//   - state.log, the open state: one record per scorecard opened, per
//     session started and per command applied. Records of closed cards are
//     dropped when the log is compacted: at startup, and whenever it has
//     grown past both the compaction threshold and twice its size after the
//     last compaction.
//   - closed.log, the final summary of every closed scorecard, append-only.
//
// Every record is written with a single write(2) before the request is
// answered, so a record survives the death of the process (kill -9: the
// page cache belongs to the kernel). With Config.StateSync the log is also
// fsync'd after each record, so that a record survives the loss of the
// machine too, at the cost of a disk flush per command.
//
// A record is a little-endian uint32 payload length, the CRC-32C of the
// payload and the payload: a kind byte, then fields (uvarint-prefixed
// strings, bytes, uvarints). Reading stops at the first record that is
// incomplete (the torn tail of a write cut short) or fails its checksum;
// what follows a bad checksum is kept aside in <log>.bad for inspection.
const (
	stateLogName  = "state.log"
	closedLogName = "closed.log"
	lockName      = "lock"
)

// Record kinds.
const (
	recCard    byte = 1 // id, key, source_url, opaque, competition, tags
	recSession byte = 2 // guid, card id, game id
	recStep    byte = 3 // guid, action id, x, y, full reset, state, levels, frames CRC
	recRepeat  byte = 4 // guid: a competition RESET charged as a repeat of the last answer
	recClosed  byte = 5 // card id, key, final summary (closed.log only)
	recEnd     byte = 6 // guid: a session ended (expired) while its card stays open
)

// recHeader is the size of a record's length and checksum.
const recHeader = 8

// DefaultStateCompactBytes is the size past which the state log is
// compacted while the server runs (when it has also doubled since the last
// compaction), unless Config.StateCompactBytes says otherwise.
const DefaultStateCompactBytes = 64 << 20

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Errors of a log's tail.
var (
	errTornRecord    = errors.New("incomplete record")
	errCorruptRecord = errors.New("record fails its checksum")
)

// beginRecord starts a record of kind in b, leaving room for its header.
func beginRecord(b []byte, kind byte) []byte {
	return append(b, 0, 0, 0, 0, 0, 0, 0, 0, kind)
}

// finishRecord fills in the header of the record that starts at b[start:].
func finishRecord(b []byte, start int) []byte {
	payload := b[start+recHeader:]
	binary.LittleEndian.PutUint32(b[start:], uint32(len(payload)))
	binary.LittleEndian.PutUint32(b[start+4:], crc32.Checksum(payload, castagnoli))
	return b
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendBytes(b, s []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// scanRecords calls fn with the payload of every record of data, in order,
// and returns the length of the well-formed prefix of data. err is nil when
// that is all of data, errTornRecord or errCorruptRecord otherwise.
func scanRecords(data []byte, fn func(payload []byte)) (good int64, err error) {
	off := 0
	for off < len(data) {
		if len(data)-off < recHeader {
			return int64(off), errTornRecord
		}
		n := binary.LittleEndian.Uint32(data[off:])
		sum := binary.LittleEndian.Uint32(data[off+4:])
		if uint64(n) > uint64(len(data)-off-recHeader) {
			return int64(off), errTornRecord
		}
		payload := data[off+recHeader : off+recHeader+int(n)]
		if n == 0 || crc32.Checksum(payload, castagnoli) != sum {
			return int64(off), errCorruptRecord
		}
		fn(payload)
		off += recHeader + int(n)
	}
	return int64(off), nil
}

// fields reads the fields of a payload; the first failure sticks.
type fields struct {
	b   []byte
	err error
}

var errShortField = errors.New("record ends inside a field")

func (f *fields) byte() byte {
	if f.err != nil || len(f.b) == 0 {
		f.err = errShortField
		return 0
	}
	c := f.b[0]
	f.b = f.b[1:]
	return c
}

func (f *fields) uvarint() uint64 {
	if f.err != nil {
		return 0
	}
	v, n := binary.Uvarint(f.b)
	if n <= 0 {
		f.err = errShortField
		return 0
	}
	f.b = f.b[n:]
	return v
}

func (f *fields) bytes() []byte {
	n := f.uvarint()
	if f.err != nil || n > uint64(len(f.b)) {
		f.err = errShortField
		return nil
	}
	v := f.b[:n:n]
	f.b = f.b[n:]
	return v
}

func (f *fields) string() string { return string(f.bytes()) }

func (f *fields) uint32() uint32 {
	if f.err != nil || len(f.b) < 4 {
		f.err = errShortField
		return 0
	}
	v := binary.LittleEndian.Uint32(f.b)
	f.b = f.b[4:]
	return v
}

// store is the durable state of a server in Config.StateDir. Its methods
// are safe for concurrent use and do nothing on a nil store, so that the
// server calls them whether or not it has a state directory.
//
// A failed write (a full disk) is logged and stops all further writes, so
// that the logs stay a consistent prefix of what happened: the server goes
// on in memory, and a restart restores the state as of the failure.
type store struct {
	dir        string
	sync       bool
	logger     *slog.Logger
	minCompact int64

	// mu is held shared by appends to the state log and exclusively by
	// compaction and close, which replace or drop f.
	mu        sync.RWMutex
	f         *os.File
	lock      *os.File
	shut      bool
	size      atomic.Int64
	compactAt atomic.Int64
	failed    atomic.Bool

	compacting atomic.Bool
	wg         sync.WaitGroup

	// cmu guards the closed log and its index.
	cmu        sync.Mutex
	closedF    *os.File
	closedSize int64
	closed     map[string]closedRef

	// lmu guards the sessions a restart could not restore.
	lmu  sync.Mutex
	lost map[string]lostSession
}

// closedRef locates the summary of a closed card in the closed log.
type closedRef struct {
	key string
	off int64
	n   int
}

// lostSession is a session a restart knows of but could not restore.
type lostSession struct {
	key, card, game, why string
}

// openStore opens (creating it if needed) the state directory dir, takes
// its lock, loads the closed log and returns the state log's contents for
// the server to restore. The caller then calls compact.
func openStore(dir string, syncEach bool, minCompact int64, logger *slog.Logger) (*store, []byte, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, nil, fmt.Errorf("server: state directory: %w", err)
	}
	st := &store{
		dir: dir, sync: syncEach, logger: logger, minCompact: minCompact,
		closed: make(map[string]closedRef),
		lost:   make(map[string]lostSession),
	}
	lock, err := lockDir(filepath.Join(dir, lockName))
	if err != nil {
		return nil, nil, err
	}
	st.lock = lock
	if err := st.loadClosed(); err != nil {
		_ = lock.Close()
		return nil, nil, err
	}
	data, err := st.readLog(filepath.Join(dir, stateLogName))
	if err != nil {
		_ = st.closedF.Close()
		_ = lock.Close()
		return nil, nil, err
	}
	return st, data, nil
}

// readLog reads a log and returns its well-formed prefix, setting a bad
// tail aside.
func (st *store) readLog(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("server: state: %w", err)
	}
	good, err := scanRecords(data, func([]byte) {})
	switch {
	case err == nil:
	case errors.Is(err, errTornRecord):
		st.logger.Warn("state log ends in an incomplete record (a write cut short); ignoring it",
			"file", path, "offset", good, "bytes", int64(len(data))-good)
	default:
		bad := path + ".bad"
		st.logger.Error("state log has a corrupt record; keeping the records before it and the rest aside",
			"file", path, "offset", good, "bytes", int64(len(data))-good, "aside", bad)
		if werr := os.WriteFile(bad, data[good:], 0o644); werr != nil {
			return nil, fmt.Errorf("server: state: setting a corrupt tail aside: %w", werr)
		}
	}
	return data[:good], nil
}

// loadClosed indexes the closed log and opens it for appending, cutting
// off a bad tail so that new records follow good ones.
func (st *store) loadClosed() error {
	path := filepath.Join(st.dir, closedLogName)
	data, err := st.readLog(path)
	if err != nil {
		return err
	}
	var off int64
	_, _ = scanRecords(data, func(p []byte) {
		f := fields{b: p}
		if f.byte() == recClosed {
			id, key := f.string(), f.string()
			sum := f.bytes()
			if f.err == nil {
				st.closed[id] = closedRef{key: key, off: off + int64(len(p)-len(sum)) + recHeader, n: len(sum)}
			}
		}
		off += int64(recHeader + len(p))
	})
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return fmt.Errorf("server: state: %w", err)
	}
	if err := f.Truncate(off); err != nil {
		_ = f.Close()
		return fmt.Errorf("server: state: %w", err)
	}
	if _, err := f.Seek(off, io.SeekStart); err != nil {
		_ = f.Close()
		return fmt.Errorf("server: state: %w", err)
	}
	st.closedF, st.closedSize = f, off
	return nil
}

// live returns the records of data that a restart still needs: those of
// cards not closed, and of sessions of such cards.
func (st *store) live(data []byte) []byte {
	st.cmu.Lock()
	defer st.cmu.Unlock()
	out := make([]byte, 0, len(data))
	open := map[string]bool{}
	sessions := map[string]bool{}
	_, _ = scanRecords(data, func(p []byte) {
		f := fields{b: p}
		keep := false
		switch f.byte() {
		case recCard:
			id := f.string()
			_, gone := st.closed[id]
			keep = !gone
			open[id] = keep
		case recSession:
			guid, card := f.string(), f.string()
			keep = open[card]
			sessions[guid] = keep
		case recStep, recRepeat, recEnd:
			keep = sessions[f.string()]
		}
		if keep && f.err == nil {
			start := len(out)
			out = append(out, make([]byte, recHeader)...)
			out = append(out, p...)
			out = finishRecord(out, start)
		}
	})
	return out
}

// compact rewrites the state log with its live records (data when given,
// else the log as it is) and opens the new log for appending. The new file
// is fsync'd before it replaces the old one, so a compaction never loses
// what the old log held.
func (st *store) compact(data []byte, fromDisk bool) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.shut {
		return nil
	}
	path := filepath.Join(st.dir, stateLogName)
	if fromDisk {
		var err error
		if data, err = st.readLog(path); err != nil {
			return err
		}
	}
	live := st.live(data)
	tmp := path + ".tmp"
	if err := writeFileSync(tmp, live); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("server: state: %w", err)
	}
	if err := syncDir(st.dir); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("server: state: %w", err)
	}
	if st.f != nil {
		_ = st.f.Close()
	}
	st.f = f
	n := int64(len(live))
	st.size.Store(n)
	st.compactAt.Store(max(st.minCompact, 2*n))
	return nil
}

func writeFileSync(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("server: state: %w", err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("server: state: writing %s: %w", path, err)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("server: state: %w", err)
	}
	err = d.Sync()
	_ = d.Close()
	if err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("server: state: syncing %s: %w", dir, err)
	}
	return nil
}

// append writes one framed record to the state log, and starts a
// compaction when the log has grown past its threshold.
func (st *store) append(rec []byte) {
	st.mu.RLock()
	defer st.mu.RUnlock()
	if st.f == nil || st.failed.Load() {
		return
	}
	_, err := st.f.Write(rec)
	if err == nil && st.sync {
		err = st.f.Sync()
	}
	if err != nil {
		st.fail(err)
		return
	}
	if st.size.Add(int64(len(rec))) > st.compactAt.Load() && st.compacting.CompareAndSwap(false, true) {
		// Added under mu, so close (which takes mu) waits for it.
		st.wg.Add(1)
		go func() {
			defer st.wg.Done()
			defer st.compacting.Store(false)
			if err := st.compact(nil, true); err != nil {
				st.fail(err)
			}
		}()
	}
}

func (st *store) fail(err error) {
	if st.failed.CompareAndSwap(false, true) {
		st.logger.Error("state directory failed; state is no longer saved", "dir", st.dir, "err", err)
	}
}

// begin starts a record of kind in a pooled buffer; commit ends it.
func begin(kind byte) (*[]byte, []byte) {
	bp := getBuf()
	return bp, beginRecord((*bp)[:0], kind)
}

// commit frames the record b, appends it to the state log and gives the
// buffer back to the pool.
func (st *store) commit(bp *[]byte, b []byte) {
	*bp = finishRecord(b, 0)
	st.append(*bp)
	putBuf(bp)
}

// openCard records a card being opened.
func (st *store) openCard(c *card) {
	if st == nil {
		return
	}
	m := c.sc.Meta()
	bp, b := begin(recCard)
	b = appendString(b, m.ID)
	b = appendString(b, c.key)
	b = appendString(b, m.SourceURL)
	b = appendBytes(b, m.Opaque)
	comp := byte(0)
	if m.Competition {
		comp = 1
	}
	b = append(b, comp)
	b = binary.AppendUvarint(b, uint64(len(m.Tags)))
	for _, t := range m.Tags {
		b = appendString(b, t)
	}
	st.commit(bp, b)
}

// startSession records a session being started, before its first command.
func (st *store) startSession(sess *session) {
	if st == nil {
		return
	}
	bp, b := begin(recSession)
	b = appendString(b, sess.guid)
	b = appendString(b, sess.card.sc.ID())
	b = appendString(b, sess.game.info.ID)
	st.commit(bp, b)
}

// step records a command applied to session guid and its result. It
// allocates nothing.
func (st *store) step(guid string, a arc.Action, res *arc.FrameData) {
	if st == nil {
		return
	}
	bp, b := begin(recStep)
	b = appendString(b, guid)
	full := byte(0)
	if res.FullReset {
		full = 1
	}
	b = append(b, byte(a.ID), a.X, a.Y, full, byte(res.State))
	b = binary.AppendUvarint(b, uint64(res.LevelsCompleted))
	b = binary.LittleEndian.AppendUint32(b, crc32.Checksum(res.Frames, castagnoli))
	st.commit(bp, b)
}

// repeat records a competition RESET answered by repeating the session's
// last answer.
func (st *store) repeat(guid string) { st.guidRecord(recRepeat, guid) }

// endSession records that session guid ended before its card closed.
func (st *store) endSession(guid string) { st.guidRecord(recEnd, guid) }

// guidRecord records an event of kind that carries a session guid only.
func (st *store) guidRecord(kind byte, guid string) {
	if st == nil {
		return
	}
	bp, b := begin(kind)
	st.commit(bp, appendString(b, guid))
}

// closeCard records the final summary of a closed card in the closed log
// and forgets the card's lost sessions.
func (st *store) closeCard(key string, sum *wire.Scorecard) {
	if st == nil {
		return
	}
	bp, b := begin(recClosed)
	b = appendString(b, sum.CardID)
	b = appendString(b, key)
	body := wire.AppendScorecard(nil, sum)
	b = appendBytes(b, body)
	*bp = finishRecord(b, 0)

	st.cmu.Lock()
	if st.closedF != nil && !st.failed.Load() {
		_, err := st.closedF.Write(*bp)
		if err == nil && st.sync {
			err = st.closedF.Sync()
		}
		if err != nil {
			st.fail(err)
		} else {
			st.closed[sum.CardID] = closedRef{key: key, off: st.closedSize + int64(len(*bp)-len(body)), n: len(body)}
			st.closedSize += int64(len(*bp))
		}
	}
	st.cmu.Unlock()
	putBuf(bp)

	st.lmu.Lock()
	for guid, ls := range st.lost {
		if ls.card == sum.CardID {
			delete(st.lost, guid)
		}
	}
	st.lmu.Unlock()
}

// closedSummary returns the final summary of card id, closed under key,
// as wire.AppendScorecard wrote it.
func (st *store) closedSummary(id, key string) ([]byte, bool) {
	if st == nil {
		return nil, false
	}
	st.cmu.Lock()
	defer st.cmu.Unlock()
	ref, ok := st.closed[id]
	if !ok || ref.key != key || st.closedF == nil {
		return nil, false
	}
	b := make([]byte, ref.n, ref.n+1)
	if _, err := st.closedF.ReadAt(b, ref.off); err != nil {
		st.logger.Error("reading a closed scorecard", "card_id", id, "err", err)
		return nil, false
	}
	return b, true
}

// isClosed reports whether card id was closed.
func (st *store) isClosed(id string) bool {
	st.cmu.Lock()
	defer st.cmu.Unlock()
	_, ok := st.closed[id]
	return ok
}

// numClosed returns how many closed cards the store holds.
func (st *store) numClosed() int {
	st.cmu.Lock()
	defer st.cmu.Unlock()
	return len(st.closed)
}

// markLost records that session guid of a card could not be restored.
func (st *store) markLost(guid string, ls lostSession) {
	st.lmu.Lock()
	st.lost[guid] = ls
	st.lmu.Unlock()
}

// lostSession returns what is known of session guid if a restart lost it.
func (st *store) lostSession(guid []byte) (lostSession, bool) {
	if st == nil {
		return lostSession{}, false
	}
	st.lmu.Lock()
	ls, ok := st.lost[string(guid)]
	st.lmu.Unlock()
	return ls, ok
}

// close waits for a compaction in progress and closes the logs; records
// written later are dropped.
func (st *store) close() error {
	if st == nil {
		return nil
	}
	st.mu.Lock()
	st.shut = true
	f := st.f
	st.f = nil
	st.mu.Unlock()
	st.wg.Wait()
	var err error
	if f != nil {
		err = f.Close()
	}
	st.cmu.Lock()
	if st.closedF != nil {
		err = errors.Join(err, st.closedF.Close())
		st.closedF = nil
	}
	st.cmu.Unlock()
	err = errors.Join(err, st.lock.Close())
	if err != nil {
		return fmt.Errorf("server: closing state: %w", err)
	}
	return nil
}
