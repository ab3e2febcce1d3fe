package arcengine

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
)

// testStep is the step time framesResponse reports.
const testStep = 1234567 * time.Nanosecond

// frames encodes a FRAMES response as the worker writes it.
func framesResponse(state, levels, win int32, full bool, avail []byte, frames [][]byte) []byte {
	var b []byte
	b = append(b, 0, 0, 0, 0, kindFrames, byte(state))
	b = binary.LittleEndian.AppendUint32(b, uint32(levels))
	b = binary.LittleEndian.AppendUint32(b, uint32(win))
	if full {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	b = binary.LittleEndian.AppendUint64(b, uint64(testStep))
	b = append(b, byte(len(avail)))
	b = append(b, avail...)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(frames)))
	for _, f := range frames {
		b = append(b, f...)
	}
	binary.LittleEndian.PutUint32(b, uint32(len(b)-4))
	return b
}

// small encodes a response of another kind around body.
func small(kind byte, body []byte) []byte {
	b := binary.LittleEndian.AppendUint32(nil, uint32(1+len(body)))
	return append(append(b, kind), body...)
}

func str16(s string) []byte {
	return append(binary.LittleEndian.AppendUint16(nil, uint16(len(s))), s...)
}

func frameOf(c byte) []byte { return bytes.Repeat([]byte{c}, arc.FrameCells) }

func read(b []byte) (*arc.FrameData, *response, error) {
	var fd arc.FrameData
	var r response
	err := readResponse(bufio.NewReader(bytes.NewReader(b)), &fd, &r)
	return &fd, &r, err
}

// A response read into the struct of a FRAMES one carries no step time of
// its own: only FRAMES report one.
func TestStepTimeOnlyFromFrames(t *testing.T) {
	var fd arc.FrameData
	var r response
	br := bufio.NewReader(bytes.NewReader(append(framesResponse(int32(arc.NotFinished), 0, 2, false, []byte{1}, [][]byte{frameOf(0)}), small(kindClosed, nil)...)))
	require.NoError(t, readResponse(br, &fd, &r))
	assert.Equal(t, testStep, r.step)
	require.NoError(t, readResponse(br, &fd, &r))
	assert.Equal(t, byte(kindClosed), r.kind)
	assert.Zero(t, r.step)
}

func TestReadFrames(t *testing.T) {
	msg := framesResponse(int32(arc.Win), 3, 3, true, []byte{1, 2, 6}, [][]byte{frameOf(4), frameOf(9)})
	fd, r, err := read(msg)
	require.NoError(t, err)
	assert.Equal(t, byte(kindFrames), r.kind)
	assert.Equal(t, arc.Win, r.state)
	assert.Equal(t, int32(3), r.levels)
	assert.Equal(t, int32(3), r.winLevels)
	assert.True(t, r.fullReset)
	assert.Equal(t, testStep, r.step)
	assert.Equal(t, arc.ActionSetOf(arc.Action1, arc.Action2, arc.Action6), r.available)
	require.Equal(t, 2, fd.NumFrames())
	assert.Equal(t, frameOf(4), fd.Frame(0))
	assert.Equal(t, frameOf(9), fd.Frame(1))
}

func TestReadSmallResponses(t *testing.T) {
	hello := append(binary.LittleEndian.AppendUint16(nil, protocolVersion), binary.LittleEndian.AppendUint32(nil, 4242)...)
	hello = append(hello, str16("3.12.1")...)
	hello = append(hello, str16("0.9.3")...)
	hello = append(hello, str16("")...)
	_, r, err := read(small(kindHello, hello))
	require.NoError(t, err)
	assert.Equal(t, uint16(protocolVersion), r.proto)
	assert.Equal(t, uint32(4242), r.pid)
	assert.Equal(t, "3.12.1", r.python)
	assert.Equal(t, "0.9.3", r.engine)

	opened := append([]byte{2, 1, 7}, binary.LittleEndian.AppendUint32(nil, 5)...)
	opened = append(opened, binary.LittleEndian.AppendUint32(nil, 5)...)
	opened = append(opened, 1)
	_, r, err = read(small(kindOpened, opened))
	require.NoError(t, err)
	assert.Equal(t, arc.ActionSetOf(arc.Action1, arc.Action7), r.available)
	assert.Equal(t, int32(5), r.winLevels)
	assert.True(t, r.seeded)

	msg := "Traceback: boom \xff"
	errBody := append([]byte{phaseStep}, binary.LittleEndian.AppendUint32(nil, uint32(len(msg)))...)
	_, r, err = read(small(kindError, append(errBody, msg...)))
	require.NoError(t, err)
	assert.Equal(t, byte(phaseStep), r.phase)
	assert.Equal(t, "Traceback: boom \uFFFD", r.message, "invalid UTF-8 is replaced")

	times := binary.LittleEndian.AppendUint32(nil, 2)
	times = binary.LittleEndian.AppendUint64(times, 1500)
	times = binary.LittleEndian.AppendUint64(times, 7)
	_, r, err = read(small(kindTimes, times))
	require.NoError(t, err)
	assert.Equal(t, []time.Duration{1500, 7}, r.times)
}

func TestReadRejectsGarbage(t *testing.T) {
	good := framesResponse(int32(arc.NotFinished), 0, 2, false, []byte{1}, [][]byte{frameOf(0)})
	cases := map[string][]byte{
		"huge length":        {0xff, 0xff, 0xff, 0x7f, kindFrames},
		"zero length":        {0, 0, 0, 0, kindFrames},
		"unknown kind":       small(99, nil),
		"state out of range": append(append([]byte{}, good[:5]...), append([]byte{9}, good[6:]...)...),
		"action id 0":        framesResponse(int32(arc.NotFinished), 0, 2, false, []byte{0}, [][]byte{frameOf(0)}),
		"action id 8":        framesResponse(int32(arc.NotFinished), 0, 2, false, []byte{8}, [][]byte{frameOf(0)}),
		"short frame": func() []byte {
			b := framesResponse(int32(arc.NotFinished), 0, 2, false, []byte{1}, [][]byte{frameOf(0)})
			b = b[:len(b)-10]
			binary.LittleEndian.PutUint32(b, uint32(len(b)-4))
			return b
		}(),
		"truncated stream": good[:len(good)-1],
		"short hello":      small(kindHello, []byte{1}),
		"leftover bytes":   small(kindClosed, []byte{1, 2}),
		"too many times":   small(kindTimes, binary.LittleEndian.AppendUint32(nil, 1000)),
	}
	for name, b := range cases {
		t.Run(name, func(t *testing.T) {
			_, _, err := read(b)
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrProtocol)
		})
	}
	// A clean end of stream before any byte is the worker's exit, not a
	// protocol violation.
	_, _, err := read(nil)
	assert.ErrorIs(t, err, io.EOF)
	assert.False(t, errors.Is(err, ErrProtocol))
}

func TestRequestEncoding(t *testing.T) {
	b := appendCmd(nil, 7, arc.Action{ID: arc.Action6, X: 3, Y: 60, Reasoning: []byte(`{"a":1}`)})
	require.Equal(t, uint32(len(b)-4), binary.LittleEndian.Uint32(b))
	assert.Equal(t, byte(opCmd), b[4])
	assert.Equal(t, uint32(7), binary.LittleEndian.Uint32(b[5:]))
	assert.Equal(t, []byte{6, 3, 60}, b[9:12])
	assert.Equal(t, uint32(7), binary.LittleEndian.Uint32(b[12:]))
	assert.Equal(t, `{"a":1}`, string(b[16:]))

	b, err := appendOpen(nil, 2, -5, "/g/ab12/v", "", "ab12-00ff")
	require.NoError(t, err)
	assert.Equal(t, byte(opOpen), b[4])
	assert.Equal(t, int64(-5), int64(binary.LittleEndian.Uint64(b[9:])))
	_, err = appendOpen(nil, 2, 0, string(make([]byte, 70000)), "", "x")
	assert.Error(t, err)

	b = appendTime(nil, 1, []arc.Action{arc.Simple(arc.Reset), arc.Click(5, 6)})
	assert.Equal(t, []byte{0, 0, 0, 6, 5, 6}, b[13:])
}

// FuzzReadResponse feeds arbitrary bytes to the decoder: it must never
// panic, and whatever it accepts as frames is whole frames.
func FuzzReadResponse(f *testing.F) {
	f.Add(framesResponse(int32(arc.NotFinished), 1, 3, false, []byte{1, 2}, [][]byte{frameOf(1)}))
	f.Add(small(kindError, append([]byte{phaseStep, 3, 0, 0, 0}, "abc"...)))
	f.Add(small(kindTimes, append(binary.LittleEndian.AppendUint32(nil, 1), make([]byte, 8)...)))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		fd, r, err := read(b)
		if err != nil {
			return
		}
		if r.kind == kindFrames {
			require.Equal(t, r.nFrames, fd.NumFrames())
			require.Zero(t, len(fd.Frames)%arc.FrameCells)
			require.LessOrEqual(t, r.state, arc.GameOver)
		}
	})
}
