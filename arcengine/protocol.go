package arcengine

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/arcgym/arcgym/arc"
)

// The worker protocol (python/arcgym_worker.py documents it in full).
// Requests and responses are length-prefixed, little-endian; frames travel
// as raw bytes, one per cell.
const protocolVersion = 2

// Request ops.
const (
	opOpen  = 1
	opCmd   = 2
	opClose = 3
	opEcho  = 4
	opTime  = 5
)

// Response kinds.
const (
	kindHello  = 1
	kindOpened = 2
	kindFrames = 3
	kindError  = 4
	kindClosed = 5
	kindTimes  = 6
)

// Phases of an ERROR response.
const (
	phaseLoad    = 1
	phaseInit    = 2
	phaseStep    = 3
	phaseFrame   = 4
	phaseRequest = 5
	phaseAction  = 6
)

// maxResponse bounds a response: MaxFrames frames plus headers, or an
// error message.
const maxResponse = arc.MaxFrames*arc.FrameCells + 1<<16

// maxMessage bounds the text of a HELLO or ERROR response.
const maxMessage = 1 << 20

// appendHeader starts a request: length (patched by finishRequest), op, slot.
func appendHeader(b []byte, op byte, slot uint32) []byte {
	b = append(b, 0, 0, 0, 0, op)
	return binary.LittleEndian.AppendUint32(b, slot)
}

// finishRequest writes the length prefix.
func finishRequest(b []byte) []byte {
	binary.LittleEndian.PutUint32(b, uint32(len(b)-4))
	return b
}

// appendCmd encodes a command request.
func appendCmd(b []byte, slot uint32, a arc.Action) []byte {
	b = appendHeader(b, opCmd, slot)
	b = append(b, byte(a.ID), a.X, a.Y)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(a.Reasoning)))
	b = append(b, a.Reasoning...)
	return finishRequest(b)
}

// appendOpen encodes an open request.
func appendOpen(b []byte, slot uint32, seed int64, dir, className, gameID string) ([]byte, error) {
	for _, s := range []string{dir, className, gameID} {
		if len(s) > 0xffff {
			return b, fmt.Errorf("arcengine: %d-byte string in an open request", len(s))
		}
	}
	b = appendHeader(b, opOpen, slot)
	b = binary.LittleEndian.AppendUint64(b, uint64(seed))
	for _, s := range []string{dir, className, gameID} {
		b = binary.LittleEndian.AppendUint16(b, uint16(len(s)))
		b = append(b, s...)
	}
	return finishRequest(b), nil
}

// appendSimple encodes a request without payload (close).
func appendSimple(b []byte, op byte, slot uint32) []byte {
	return finishRequest(appendHeader(b, op, slot))
}

// appendEcho encodes an echo request for n blank frames.
func appendEcho(b []byte, n uint16) []byte {
	b = appendHeader(b, opEcho, 0)
	b = binary.LittleEndian.AppendUint16(b, n)
	return finishRequest(b)
}

// appendTime encodes a request to time commands in-process.
func appendTime(b []byte, slot uint32, acts []arc.Action) []byte {
	b = appendHeader(b, opTime, slot)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(acts)))
	for _, a := range acts {
		b = append(b, byte(a.ID), a.X, a.Y)
	}
	return finishRequest(b)
}

// response is a decoded response. For FRAMES the frames are in the
// FrameData passed to readResponse; the other fields are filled by kind.
type response struct {
	kind byte

	// FRAMES
	state     arc.GameState
	levels    int32
	winLevels int32
	fullReset bool
	available arc.ActionSet
	nFrames   int
	// step is how long the engine's step took in the worker (0 for
	// frames that no step made).
	step time.Duration

	// OPENED (available, winLevels too)
	numLevels int32
	seeded    bool

	// ERROR
	phase   byte
	message string

	// TIMES
	times []time.Duration

	// HELLO
	proto       uint16
	pid         uint32
	python      string
	engine      string
	importError string
}

// errShort is a response cut short.
var errShort = errors.New("response cut short")

// protoErr is a protocol violation.
func protoErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrProtocol, fmt.Sprintf(format, args...))
}

// readResponse reads one response from br. FRAMES responses write their
// frames into out (reusing its buffer) without allocating; other kinds may
// allocate. An I/O error is returned as it is (the caller decides whether
// the worker died or timed out); a malformed response is an ErrProtocol.
func readResponse(br *bufio.Reader, out *arc.FrameData, r *response) error {
	head, err := br.Peek(5)
	if err != nil {
		return ioErr(err, len(head))
	}
	n := int(binary.LittleEndian.Uint32(head))
	kind := head[4]
	if n < 1 || n > maxResponse {
		return protoErr("response length %d", n)
	}
	if _, err := br.Discard(5); err != nil {
		return err
	}
	rest := n - 1
	r.kind = kind
	r.step = 0
	switch kind {
	case kindFrames:
		return readFrames(br, rest, out, r)
	case kindOpened, kindHello, kindError, kindClosed, kindTimes:
		if rest > maxMessage {
			return protoErr("%d-byte response of kind %d", rest, kind)
		}
		body := make([]byte, rest)
		if _, err := io.ReadFull(br, body); err != nil {
			return ioErr(err, 1)
		}
		return parseSmall(kind, body, r)
	}
	return protoErr("unknown response kind %d", kind)
}

// ioErr turns an end of stream inside a response into a protocol error
// (the worker wrote part of a response) and leaves other errors alone.
func ioErr(err error, got int) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		if got > 0 {
			return fmt.Errorf("%w: %w", ErrProtocol, errShort)
		}
		return io.EOF
	}
	return err
}

// readFrames reads the body of a FRAMES response of rest bytes.
func readFrames(br *bufio.Reader, rest int, out *arc.FrameData, r *response) error {
	const fixed = 1 + 4 + 4 + 1 + 8 + 1
	if rest < fixed+2 {
		return protoErr("frames response of %d bytes", rest)
	}
	h, err := br.Peek(fixed)
	if err != nil {
		return ioErr(err, 1)
	}
	if h[0] > byte(arc.GameOver) {
		return protoErr("state %d", h[0])
	}
	r.state = arc.GameState(h[0])
	r.levels = int32(binary.LittleEndian.Uint32(h[1:]))
	r.winLevels = int32(binary.LittleEndian.Uint32(h[5:]))
	r.fullReset = h[9] != 0
	r.step = time.Duration(binary.LittleEndian.Uint64(h[10:]))
	na := int(h[18])
	if _, err := br.Discard(fixed); err != nil {
		return ioErr(err, 1)
	}
	if rest < fixed+na+2 {
		return protoErr("frames response of %d bytes with %d actions", rest, na)
	}
	ids, err := br.Peek(na + 2)
	if err != nil {
		return ioErr(err, 1)
	}
	if r.available, err = actionSet(ids[:na]); err != nil {
		return err
	}
	nf := int(binary.LittleEndian.Uint16(ids[na:]))
	if _, err := br.Discard(na + 2); err != nil {
		return ioErr(err, 1)
	}
	if rest != fixed+na+2+nf*arc.FrameCells {
		return protoErr("frames response of %d bytes holds %d frames", rest, nf)
	}
	if nf > arc.MaxFrames {
		return protoErr("%d frames, limit %d", nf, arc.MaxFrames)
	}
	r.nFrames = nf
	buf := out.SetFrames(nf)
	if _, err := io.ReadFull(br, buf); err != nil {
		return ioErr(err, 1)
	}
	return nil
}

// actionSet reads a list of available action ids (1..7).
func actionSet(ids []byte) (arc.ActionSet, error) {
	var s arc.ActionSet
	for _, id := range ids {
		if id == 0 || id >= arc.NumActionIDs {
			return 0, protoErr("available action %d", id)
		}
		s = s.With(arc.ActionID(id))
	}
	return s, nil
}

// parseSmall decodes the responses other than FRAMES.
func parseSmall(kind byte, b []byte, r *response) error {
	d := decoder{b: b}
	switch kind {
	case kindHello:
		r.proto = d.u16()
		r.pid = d.u32()
		r.python = d.str16()
		r.engine = d.str16()
		r.importError = d.str16()
	case kindOpened:
		if ids := d.bytes(int(d.u8())); d.err == nil {
			r.available, d.err = actionSet(ids)
		}
		r.winLevels = int32(d.u32())
		r.numLevels = int32(d.u32())
		r.seeded = d.u8() != 0
	case kindError:
		r.phase = d.u8()
		n := int(d.u32())
		r.message = toValidUTF8(d.bytes(n))
	case kindClosed:
	case kindTimes:
		n := int(d.u32())
		if n > len(d.b)/8 {
			return protoErr("%d times in %d bytes", n, len(d.b))
		}
		r.times = make([]time.Duration, n)
		for i := range r.times {
			r.times[i] = time.Duration(binary.LittleEndian.Uint64(d.bytes(8)))
		}
	}
	if d.err != nil {
		return d.err
	}
	if len(d.b) != 0 {
		return protoErr("%d bytes left over in a response of kind %d", len(d.b), kind)
	}
	return nil
}

// decoder reads little-endian fields and records the first shortfall.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) bytes(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > len(d.b) {
		d.err = fmt.Errorf("%w: %w", ErrProtocol, errShort)
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) u8() byte {
	if b := d.bytes(1); b != nil {
		return b[0]
	}
	return 0
}

func (d *decoder) u16() uint16 {
	if b := d.bytes(2); b != nil {
		return binary.LittleEndian.Uint16(b)
	}
	return 0
}

func (d *decoder) u32() uint32 {
	if b := d.bytes(4); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

func (d *decoder) str16() string {
	return toValidUTF8(d.bytes(int(d.u16())))
}

func toValidUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}
