package arc_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
)

func TestActionIDNamesRoundTrip(t *testing.T) {
	for id := arc.ActionID(0); id < arc.NumActionIDs; id++ {
		got, err := arc.ParseActionID(id.String())
		require.NoError(t, err)
		assert.Equal(t, id, got)
		got, err = arc.ParseActionID(strings.ToLower(id.String()))
		require.NoError(t, err)
		assert.Equal(t, id, got)
		got, err = arc.ParseActionID(string(rune('0' + id)))
		require.NoError(t, err)
		assert.Equal(t, id, got)
	}
	for _, bad := range []string{"", "ACTION8", "8", "RESETS", "-1"} {
		_, err := arc.ParseActionID(bad)
		assert.Error(t, err, bad)
	}
	assert.Equal(t, "ActionID(9)", arc.ActionID(9).String())
	assert.True(t, arc.Action6.IsComplex())
	assert.False(t, arc.Action5.IsComplex())
}

func TestActionValidate(t *testing.T) {
	tests := []struct {
		name string
		a    arc.Action
		ok   bool
	}{
		{"simple", arc.Simple(arc.Action3), true},
		{"reset", arc.Simple(arc.Reset), true},
		{"click corner", arc.Click(63, 63), true},
		{"click x off grid", arc.Action{ID: arc.Action6, X: 64}, false},
		{"click y off grid", arc.Action{ID: arc.Action6, Y: 255}, false},
		{"unknown id", arc.Action{ID: 8}, false},
		{"reasoning at limit", arc.Action{ID: arc.Action1, Reasoning: json.RawMessage(strings.Repeat("1", arc.MaxReasoningBytes))}, true},
		{"reasoning over limit", arc.Action{ID: arc.Action1, Reasoning: json.RawMessage(strings.Repeat("1", arc.MaxReasoningBytes+1))}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.a.Validate()
			if tt.ok {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, arc.ErrInvalidAction)
			}
		})
	}
	assert.Equal(t, "ACTION6(3,7)", arc.Click(3, 7).String())
	assert.Equal(t, "ACTION2", arc.Simple(arc.Action2).String())
}

func TestActionSet(t *testing.T) {
	s := arc.ActionSetOf(arc.Action1, arc.Action6, arc.Action6, 12)
	assert.Equal(t, 2, s.Len())
	assert.True(t, s.Has(arc.Action6))
	assert.False(t, s.Has(arc.Action2))
	assert.False(t, s.Has(200))
	assert.Equal(t, []int{1, 6}, s.Ints())
	assert.Equal(t, []arc.ActionID{arc.Action1, arc.Action6}, s.IDs(nil))
	assert.Equal(t, "[1 6]", s.String())
}

func TestGameState(t *testing.T) {
	for s := arc.NotPlayed; s <= arc.GameOver; s++ {
		got, err := arc.ParseGameState(s.String())
		require.NoError(t, err)
		assert.Equal(t, s, got)
	}
	got, err := arc.ParseGameState("NOT_STARTED")
	require.NoError(t, err)
	assert.Equal(t, arc.NotPlayed, got)
	_, err = arc.ParseGameState("LOST")
	require.ErrorIs(t, err, arc.ErrInvalidFrame)
	assert.True(t, arc.Win.Terminal())
	assert.True(t, arc.GameOver.Terminal())
	assert.False(t, arc.NotFinished.Terminal())
}

func TestValidateFrame(t *testing.T) {
	f := make([]uint8, arc.FrameCells)
	require.NoError(t, arc.ValidateFrame(f))
	f[3*arc.GridSize+5] = 16
	err := arc.ValidateFrame(f)
	require.ErrorIs(t, err, arc.ErrInvalidFrame)
	assert.Contains(t, err.Error(), "x=5 y=3")
	assert.ErrorIs(t, arc.ValidateFrame(f[:100]), arc.ErrInvalidFrame)
}

func TestFrameDataBuffers(t *testing.T) {
	var fd arc.FrameData
	assert.Nil(t, fd.Last())
	one := make([]uint8, arc.FrameCells)
	one[0] = 7
	fd.AppendFrame(one)
	one[0] = 9
	fd.AppendFrame(one)
	assert.Equal(t, 2, fd.NumFrames())
	assert.Equal(t, uint8(7), fd.Frame(0)[0])
	assert.Equal(t, uint8(9), fd.Last()[0])

	fd.State = arc.NotFinished
	fd.WinLevels = 5
	require.NoError(t, fd.Validate())

	c := fd.Clone()
	c.Frames[0] = 1
	assert.Equal(t, uint8(7), fd.Frames[0], "clone is deep")

	buf := fd.SetFrames(1)
	assert.Len(t, buf, arc.FrameCells)
	assert.Equal(t, 1, fd.NumFrames())
}

func TestFrameDataValidate(t *testing.T) {
	good := func() *arc.FrameData {
		fd := &arc.FrameData{State: arc.NotFinished, WinLevels: 3}
		fd.SetFrames(1)
		clear(fd.Frames)
		return fd
	}
	tests := []struct {
		name   string
		mutate func(fd *arc.FrameData)
	}{
		{"partial frame", func(fd *arc.FrameData) { fd.Frames = fd.Frames[:100] }},
		{"no frames", func(fd *arc.FrameData) { fd.Frames = nil }},
		{"bad colour", func(fd *arc.FrameData) { fd.Frames[4095] = 200 }},
		{"bad state", func(fd *arc.FrameData) { fd.State = 9 }},
		{"negative levels", func(fd *arc.FrameData) { fd.LevelsCompleted = -1 }},
		{"counter too large", func(fd *arc.FrameData) { fd.WinLevels = 255 }},
	}
	require.NoError(t, good().Validate())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fd := good()
			tt.mutate(fd)
			assert.ErrorIs(t, fd.Validate(), arc.ErrInvalidFrame)
		})
	}
	empty := &arc.FrameData{State: arc.NotPlayed}
	assert.NoError(t, empty.Validate(), "a game not played yet has no frames")
}

func TestGameIDs(t *testing.T) {
	base, version := arc.SplitGameID("ls20-9607627b")
	assert.Equal(t, "ls20", base)
	assert.Equal(t, "9607627b", version)
	assert.True(t, arc.MatchGameID("ls20-9607627b", "ls20"))
	assert.True(t, arc.MatchGameID("ls20-9607627b", "ls20-9607627b"))
	assert.False(t, arc.MatchGameID("ls20-9607627b", "ls2"))
	assert.False(t, arc.MatchGameID("ls20-9607627b", "ls20-0000"))
	require.NoError(t, arc.ValidateGameID("ls20-016295f7601e"))
	for _, bad := range []string{"ls20", "-abc", "LS20-12", "ls20-xyz", "ls 0-12"} {
		assert.ErrorIs(t, arc.ValidateGameID(bad), arc.ErrUnknownGame, bad)
	}
}

func FuzzParseActionID(f *testing.F) {
	for _, s := range []string{"RESET", "action6", "7", "", "ACTION"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := arc.ParseActionID(s)
		if err == nil {
			require.True(t, id.Valid())
		}
	})
}

func TestNewGUID(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		g := arc.NewGUID()
		require.Len(t, g, 36)
		assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, g)
		assert.False(t, seen[g])
		seen[g] = true
	}
}

func TestGameInfoClone(t *testing.T) {
	a := arc.GameInfo{ID: "ab12-00", Tags: []string{"x"}, BaselineActions: []int{1, 2}}
	b := a.Clone()
	b.Tags[0], b.BaselineActions[0] = "y", 9
	assert.Equal(t, "x", a.Tags[0])
	assert.Equal(t, 1, a.BaselineActions[0])
	assert.Equal(t, "ab12-00", b.ID)
}

func TestValidateNamesTheBadCell(t *testing.T) {
	fd := arc.FrameData{State: arc.NotFinished}
	copy(fd.SetFrames(2), make([]uint8, 2*arc.FrameCells))
	assert.NoError(t, fd.Validate())
	fd.Frames[arc.FrameCells+2*arc.GridSize+5] = 251
	err := fd.Validate()
	require.ErrorIs(t, err, arc.ErrInvalidFrame)
	assert.Contains(t, err.Error(), "frame 1")
	assert.Contains(t, err.Error(), "colour 251 at x=5 y=2")
	assert.Contains(t, err.Error(), "-5", "an int8 engine's negative colour shows as such")
}

// A buffer given to UseBuffer receives the frames that fit in it; more go
// to storage of the FrameData's own, which later results reuse; a copy does
// not take the buffer; nil gives it up.
func TestFrameDataUseBuffer(t *testing.T) {
	var fd arc.FrameData
	buf := make([]uint8, arc.FrameCells)
	fd.UseBuffer(buf)
	frame := func(c uint8) []uint8 {
		f := make([]uint8, arc.FrameCells)
		f[0] = c
		return f
	}
	f1, f2, f3 := frame(1), frame(2), frame(3)

	fd.ClearFrames()
	got := fd.AppendFrame(f1)
	assert.Same(t, &buf[0], &got[0], "one frame goes into the buffer")
	assert.Equal(t, uint8(1), buf[0])

	fd.ClearFrames()
	fd.AppendFrame(f2)
	fd.AppendFrame(f3)
	require.Equal(t, 2, fd.NumFrames())
	assert.Equal(t, uint8(2), fd.Frame(0)[0], "frames moved out of the buffer keep their order")
	assert.Equal(t, uint8(3), fd.Last()[0])
	assert.NotSame(t, &buf[0], &fd.Frames[0], "two frames do not fit")

	fd.ClearFrames()
	fd.AppendFrame(f1)
	assert.Same(t, &buf[0], &fd.Frames[0], "the buffer again for one frame")

	allocs := testing.AllocsPerRun(100, func() {
		fd.ClearFrames()
		fd.AppendFrame(f2)
		fd.AppendFrame(f3)
		fd.ClearFrames()
		fd.AppendFrame(f1)
	})
	assert.Zero(t, allocs, "the own storage is kept for the next result of two frames")

	out := fd.SetFrames(1)
	assert.Same(t, &buf[0], &out[0], "SetFrames uses the buffer when it fits")
	out = fd.SetFrames(3)
	assert.NotSame(t, &buf[0], &out[0])
	assert.Len(t, out, 3*arc.FrameCells)

	var c arc.FrameData
	c.CopyFrom(&fd)
	c.ClearFrames()
	c.AppendFrame(f3)
	assert.NotSame(t, &buf[0], &c.Frames[0], "a copy does not write into the buffer")

	fd.UseBuffer(nil)
	fd.ClearFrames()
	fd.AppendFrame(f2)
	assert.NotSame(t, &buf[0], &fd.Frames[0], "nil gives the buffer up")
	assert.Equal(t, uint8(1), buf[0])
}
