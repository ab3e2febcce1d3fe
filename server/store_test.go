package server

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/scorecard"
	"github.com/arcgym/arcgym/wire"
)

// newTestStore opens a store on dir as a server does, compacting what the
// log held.
func newTestStore(t *testing.T, dir string, minCompact int64) (*store, []byte) {
	t.Helper()
	st, data, err := openStore(dir, false, minCompact, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	require.NoError(t, st.compact(data, false))
	t.Cleanup(func() { _ = st.close() })
	return st, data
}

// testCard returns an open card of key for the store's records.
// oneSessionLog writes the state log of one card, card-1 of key k1, with
// one session, guid-1, of steps steps in dir, and returns the card, the
// log's path and its contents.
func oneSessionLog(t *testing.T, dir string, steps int) (c *card, path string, data []byte) {
	t.Helper()
	st, _ := newTestStore(t, dir, DefaultStateCompactBytes)
	c = testCard("card-1", "k1")
	st.openCard(c)
	writeSession(st, c, "guid-1", steps)
	require.NoError(t, st.close())
	path = filepath.Join(dir, stateLogName)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return c, path, data
}

func testCard(id, key string) *card {
	return &card{sc: scorecard.New(scorecard.Meta{ID: id, Tags: []string{"agent"}, Opaque: []byte(`{"a":1}`)}), key: key}
}

// writeSession records a session of card c playing n ACTION1s after its
// RESET, and returns its guid.
func writeSession(st *store, c *card, guid string, n int) {
	g := &gameEntry{info: ttInfo}
	st.startSession(&session{guid: guid, card: c, game: g})
	fd := arc.FrameData{State: arc.NotFinished, FullReset: true, Frames: make([]uint8, arc.FrameCells)}
	st.step(guid, arc.Action{ID: arc.Reset}, &fd)
	fd.FullReset = false
	for i := range n {
		fd.Frames[0] = uint8(i)
		st.step(guid, arc.Action{ID: arc.Action1}, &fd)
	}
}

func TestStoreRoundTrip(t *testing.T) {
	dir := t.TempDir()
	st, _ := newTestStore(t, dir, DefaultStateCompactBytes)
	c := testCard("card-1", "k1")
	st.openCard(c)
	writeSession(st, c, "guid-1", 3)
	st.step("guid-1", arc.Action{ID: arc.Action6, X: 63, Y: 7}, &arc.FrameData{State: arc.GameOver, LevelsCompleted: 2})
	st.repeat("guid-1")
	require.NoError(t, st.close())

	data, err := os.ReadFile(filepath.Join(dir, stateLogName))
	require.NoError(t, err)
	ls, err := parseLog(data)
	require.NoError(t, err)
	require.Len(t, ls.cards, 1)
	assert.Equal(t, "k1", ls.cards[0].key)
	assert.Equal(t, scorecard.Meta{ID: "card-1", Tags: []string{"agent"}, Opaque: []byte(`{"a":1}`)}, ls.cards[0].meta)
	require.Len(t, ls.sessions, 1)
	sl := ls.sessions[0]
	assert.Equal(t, sessionLog{guid: "guid-1", card: "card-1", game: ttInfo.ID, steps: sl.steps}, *sl)
	require.Len(t, sl.steps, 6)
	assert.Equal(t, stepLog{a: arc.Action{ID: arc.Reset}, full: true, state: arc.NotFinished, frames: sl.steps[0].frames}, sl.steps[0])
	assert.Equal(t, stepLog{a: arc.Action{ID: arc.Action6, X: 63, Y: 7}, state: arc.GameOver, levels: 2, frames: sl.steps[4].frames}, sl.steps[4])
	assert.NotEqual(t, sl.steps[1].frames, sl.steps[2].frames, "the frames checksum follows the frames")
	assert.True(t, sl.steps[5].repeat)
	assert.Len(t, ls.events, 6)
}

func TestStoreTornTailIgnored(t *testing.T) {
	dir := t.TempDir()
	c, path, whole := oneSessionLog(t, dir, 2)

	// A record cut short by a crash mid-write, at every possible length.
	g := &gameEntry{info: ttInfo}
	var rec []byte
	rec = finishRecord(appendString(appendString(appendString(beginRecord(rec, recSession), "guid-2"), "card-1"), g.info.ID), 0)
	for cut := 1; cut < len(rec); cut++ {
		require.NoError(t, os.WriteFile(path, append(append([]byte(nil), whole...), rec[:cut]...), 0o644))
		st2, data, err := openStore(dir, false, DefaultStateCompactBytes, slog.New(slog.DiscardHandler))
		require.NoError(t, err, "cut %d", cut)
		assert.Equal(t, whole, data, "cut %d: the torn record is ignored, the rest kept", cut)
		require.NoError(t, st2.compact(data, false))
		// Appending after the restart follows the good records, so
		// nothing written later is hidden behind the torn one.
		writeSession(st2, c, "guid-3", 1)
		require.NoError(t, st2.close())
		after, err := os.ReadFile(path)
		require.NoError(t, err)
		ls, err := parseLog(after)
		require.NoError(t, err)
		require.Len(t, ls.sessions, 2, "cut %d", cut)
		assert.Equal(t, "guid-3", ls.sessions[1].guid)
		_, err = os.Stat(path + ".bad")
		assert.ErrorIs(t, err, os.ErrNotExist, "a torn tail is not corruption")
	}
}

func TestStoreCorruptRecordDetected(t *testing.T) {
	dir := t.TempDir()
	_, path, data := oneSessionLog(t, dir, 4)

	// Find the third record and flip one bit of its payload.
	var offs []int64
	off := int64(0)
	_, err := scanRecords(data, func(p []byte) { offs = append(offs, off); off += int64(recHeader + len(p)) })
	require.NoError(t, err)
	require.Len(t, offs, 7) // card, session, RESET, 4 ACTION1
	bad := append([]byte(nil), data...)
	bad[offs[3]+recHeader+2] ^= 0x10
	good, err := scanRecords(bad, func([]byte) {})
	assert.ErrorIs(t, err, errCorruptRecord)
	assert.Equal(t, offs[3], good)

	require.NoError(t, os.WriteFile(path, bad, 0o644))
	st2, kept, err := openStore(dir, false, DefaultStateCompactBytes, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	defer st2.close()
	assert.Equal(t, data[:offs[3]], kept, "records before the corrupt one are kept")
	aside, err := os.ReadFile(path + ".bad")
	require.NoError(t, err)
	assert.Equal(t, bad[offs[3]:], aside, "the corrupt record and what follows are set aside")

	// A length field pointing past the end is a torn record, not a crash.
	_, err = scanRecords([]byte{0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0, 1}, func([]byte) {})
	assert.ErrorIs(t, err, errTornRecord)
}

func TestStoreCompactionKeepsOpenCardsOnly(t *testing.T) {
	dir := t.TempDir()
	st, _ := newTestStore(t, dir, DefaultStateCompactBytes)
	open, closed := testCard("open", "k1"), testCard("closed", "k2")
	st.openCard(open)
	st.openCard(closed)
	writeSession(st, closed, "gc", 5)
	writeSession(st, open, "go", 3)
	st.endSession("go")
	writeSession(st, open, "go2", 1)
	st.closeCard("k2", &wire.Scorecard{CardID: "closed", Tags: []string{}})
	require.NoError(t, st.compact(nil, true))
	require.NoError(t, st.close())

	data, err := os.ReadFile(filepath.Join(dir, stateLogName))
	require.NoError(t, err)
	ls, err := parseLog(data)
	require.NoError(t, err)
	require.Len(t, ls.cards, 1)
	assert.Equal(t, "open", ls.cards[0].meta.ID)
	require.Len(t, ls.sessions, 2)
	assert.Equal(t, "go", ls.sessions[0].guid)
	assert.Len(t, ls.sessions[0].steps, 4, "every command of an open card's session is kept")
	assert.True(t, ls.sessions[0].ended, "an ended session stays ended")
	assert.Equal(t, "go2", ls.sessions[1].guid)
	assert.Len(t, ls.events, 6)

	// Exactly those records, byte for byte as written.
	want := t.TempDir()
	ref, _ := newTestStore(t, want, DefaultStateCompactBytes)
	ref.openCard(open)
	writeSession(ref, open, "go", 3)
	ref.endSession("go")
	writeSession(ref, open, "go2", 1)
	require.NoError(t, ref.close())
	wantData, err := os.ReadFile(filepath.Join(want, stateLogName))
	require.NoError(t, err)
	assert.Equal(t, wantData, data)

	// The closed card's summary is in the closed log, found after a restart.
	st2, _ := newTestStore(t, dir, DefaultStateCompactBytes)
	sum, ok := st2.closedSummary("closed", "k2")
	require.True(t, ok)
	assert.JSONEq(t, string(wire.AppendScorecard(nil, &wire.Scorecard{CardID: "closed", Tags: []string{}})), string(sum))
	_, ok = st2.closedSummary("closed", "k1")
	assert.False(t, ok, "a closed card is visible to its key only")
}

func TestStoreCompactsWhenLarge(t *testing.T) {
	dir := t.TempDir()
	const limit = 8 << 10
	st, _ := newTestStore(t, dir, limit)
	path := filepath.Join(dir, stateLogName)
	keep := testCard("keep", "k")
	st.openCard(keep)
	writeSession(st, keep, "keep-guid", 2)
	// 200 cards of 22 records each: over 100 KiB written in all.
	for i := range 200 {
		c := testCard(fmt.Sprintf("card-%03d", i), "k")
		st.openCard(c)
		writeSession(st, c, "g", 20)
		st.closeCard("k", &wire.Scorecard{CardID: c.sc.ID(), Tags: []string{}})
		// A compaction runs in the background: let it end before the
		// next card, so that the writes do not outrun it on a loaded
		// machine.
		for st.compacting.Load() {
			runtime.Gosched()
		}
	}
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.LessOrEqual(t, fi.Size(), int64(limit+1024), "the log is compacted as it grows")
	require.NoError(t, st.close())
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	ls, err := parseLog(data)
	require.NoError(t, err)
	require.NotEmpty(t, ls.cards)
	assert.Equal(t, "keep", ls.cards[0].meta.ID, "the open card survives every compaction")
	assert.Len(t, ls.byGUID["keep-guid"].steps, 3)
}

func TestStoreStepAllocatesNothing(t *testing.T) {
	st, _ := newTestStore(t, t.TempDir(), DefaultStateCompactBytes)
	fd := arc.FrameData{State: arc.NotFinished, Frames: make([]uint8, arc.FrameCells)}
	a := arc.Action{ID: arc.Action6, X: 1, Y: 2}
	const guid = "0b9d3c3e-8f4e-4a57-9d1f-2f4f1f0c0e11"
	st.step(guid, a, &fd)
	allocs := testing.AllocsPerRun(200, func() { st.step(guid, a, &fd) })
	assert.Zero(t, allocs)
	var nilStore *store
	assert.Zero(t, testing.AllocsPerRun(100, func() { nilStore.step(guid, a, &fd) }))
}

func TestStoreDirLocked(t *testing.T) {
	dir := t.TempDir()
	newTestStore(t, dir, DefaultStateCompactBytes)
	_, _, err := openStore(dir, false, DefaultStateCompactBytes, slog.New(slog.DiscardHandler))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "in use by another server")
}
