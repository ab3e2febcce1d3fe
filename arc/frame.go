package arc

import "fmt"

// Frame geometry: every frame on the wire is GridSize x GridSize cells, each a
// colour index below NumColors.
const (
	GridSize   = 64
	FrameCells = GridSize * GridSize
	NumColors  = 16
)

// MaxFrames bounds the number of frames one command may return; the
// reference engine fails an action that animates for longer.
const MaxFrames = 1000

// Frame is one 64x64 grid of colour indices, row-major: cell (x, y) is
// Frame[y*GridSize+x].
type Frame = [FrameCells]uint8

// ValidateFrame checks that cells holds exactly one 64x64 frame of colours
// 0..15 and says which cell is wrong if not.
func ValidateFrame(cells []uint8) error {
	if len(cells) != FrameCells {
		return fmt.Errorf("%w: %d cells, want %d", ErrInvalidFrame, len(cells), FrameCells)
	}
	// Colours fit in 4 bits: one pass ORs the cells, and only a frame that
	// fails is searched for the cell to name.
	var all uint8
	for _, c := range cells {
		all |= c
	}
	if all < NumColors {
		return nil
	}
	for i, c := range cells {
		if c < NumColors {
			continue
		}
		err := fmt.Errorf("%w: colour %d at x=%d y=%d is outside 0..%d", ErrInvalidFrame, c, i%GridSize, i/GridSize, NumColors-1)
		if c >= 128 {
			// Engines render int8 cells: a negative colour shows so.
			err = fmt.Errorf("%w (%d as a signed byte)", err, int8(c))
		}
		return err
	}
	return nil
}

// FrameData is the result of one command (RESET or ACTIONn): the frame object
// of the REST API with frames held densely.
//
// Frames holds NumFrames() frames back to back, each FrameCells bytes; the
// last one is the settled state. Backends reuse the slice between commands, so
// a caller that keeps a result across commands must Clone it.
type FrameData struct {
	GameID string
	GUID   string
	State  GameState
	// LevelsCompleted and WinLevels are the progress counters. Servers that
	// send the older score/win_score pair fill these fields too.
	LevelsCompleted int
	WinLevels       int
	// Action echoes the command that produced this result (action_input).
	Action    Action
	Available ActionSet
	// FullReset is true when this result started a new run from level one.
	FullReset bool
	Frames    []uint8

	// buf is the storage given to UseBuffer; own keeps the FrameData's own
	// storage while Frames is in buf.
	buf, own []uint8
}

// NumFrames returns the number of frames in the result.
func (fd *FrameData) NumFrames() int { return len(fd.Frames) / FrameCells }

// Frame returns frame i as a view into Frames.
func (fd *FrameData) Frame(i int) []uint8 { return fd.Frames[i*FrameCells : (i+1)*FrameCells] }

// Last returns the last (settled) frame as a view, or nil when there is none.
func (fd *FrameData) Last() []uint8 {
	n := fd.NumFrames()
	if n == 0 {
		return nil
	}
	return fd.Frame(n - 1)
}

// SetFrames sets the number of frames to n, reusing the Frames buffer when it
// is large enough, and returns the buffer. Contents are unspecified.
func (fd *FrameData) SetFrames(n int) []uint8 {
	need := n * FrameCells
	switch {
	case fd.buf != nil && need <= cap(fd.buf):
		fd.toBuf()
	case cap(fd.Frames) < need || fd.inBuf():
		fd.Frames = fd.ownStorage(need)
	}
	fd.Frames = fd.Frames[:need]
	return fd.Frames
}

// UseBuffer makes buf the place where the frames of later results are
// written while they fit (ClearFrames, AppendFrame and SetFrames put them
// there), so that a caller that keeps frames in memory of its own saves
// copying them: a result with more frames than buf holds moves them to
// storage of the FrameData's own. A nil buf undoes it. The FrameData lets
// go of a buffer given before: frames it holds there move to storage of
// its own.
func (fd *FrameData) UseBuffer(buf []uint8) {
	if fd.inBuf() {
		fd.Frames = append(fd.ownStorage(len(fd.Frames)), fd.Frames...)
	}
	fd.buf = nil
	if cap(buf) > 0 {
		fd.buf = buf[:0:cap(buf)]
	}
}

// ClearFrames empties Frames before a result's frames are appended; with a
// buffer given to UseBuffer, the buffer holds them again.
func (fd *FrameData) ClearFrames() {
	if fd.buf != nil {
		fd.toBuf()
		return
	}
	fd.Frames = fd.Frames[:0]
}

// inBuf reports whether Frames is in the buffer given to UseBuffer.
func (fd *FrameData) inBuf() bool {
	return cap(fd.buf) > 0 && cap(fd.Frames) > 0 && &fd.Frames[:1][0] == &fd.buf[:1][0]
}

// toBuf empties Frames into the buffer given to UseBuffer, keeping the
// storage of its own it leaves.
func (fd *FrameData) toBuf() {
	if !fd.inBuf() && cap(fd.Frames) > cap(fd.own) {
		fd.own = fd.Frames[:0]
	}
	fd.Frames = fd.buf
}

// ownStorage returns empty storage of the FrameData's own for need bytes
// that Frames does not use.
func (fd *FrameData) ownStorage(need int) []uint8 {
	if fd.inBuf() && cap(fd.own) >= need {
		s := fd.own[:0]
		fd.own = nil
		return s
	}
	return make([]uint8, 0, max(need, 2*len(fd.Frames)+FrameCells))
}

// AppendFrame adds one frame copied from f and returns the new frame's view.
func (fd *FrameData) AppendFrame(f []uint8) []uint8 {
	n := len(fd.Frames)
	if cap(fd.Frames)-n < FrameCells {
		fd.Frames = append(fd.ownStorage(n+FrameCells), fd.Frames...)
	}
	fd.Frames = fd.Frames[:n+FrameCells]
	dst := fd.Frames[n:]
	copy(dst, f)
	return dst
}

// Validate checks the whole result against the contract: at least one frame
// (unless the state is NOT_PLAYED), whole frames, colours in range, counters
// within 0..254 and levels_completed <= win_levels.
func (fd *FrameData) Validate() error {
	if len(fd.Frames)%FrameCells != 0 {
		return fmt.Errorf("%w: %d bytes is not a whole number of 64x64 frames", ErrInvalidFrame, len(fd.Frames))
	}
	if fd.NumFrames() == 0 && fd.State != NotPlayed {
		return fmt.Errorf("%w: no frames in a %s result", ErrInvalidFrame, fd.State)
	}
	if fd.NumFrames() > MaxFrames {
		return fmt.Errorf("%w: %d frames, limit %d", ErrInvalidFrame, fd.NumFrames(), MaxFrames)
	}
	for i := range fd.NumFrames() {
		if err := ValidateFrame(fd.Frame(i)); err != nil {
			return fmt.Errorf("frame %d: %w", i, err)
		}
	}
	if fd.State > GameOver {
		return fmt.Errorf("%w: state %d", ErrInvalidFrame, fd.State)
	}
	if fd.LevelsCompleted < 0 || fd.LevelsCompleted > 254 || fd.WinLevels < 0 || fd.WinLevels > 254 {
		return fmt.Errorf("%w: counters %d/%d outside 0..254", ErrInvalidFrame, fd.LevelsCompleted, fd.WinLevels)
	}
	return nil
}

// CopyFrom makes fd a deep copy of src, reusing fd's frame buffer.
func (fd *FrameData) CopyFrom(src *FrameData) {
	frames, buf, own := fd.Frames, fd.buf, fd.own
	*fd = *src
	// The storage is fd's own: a buffer given to src's UseBuffer is not.
	fd.buf, fd.own = buf, own
	fd.Frames = append(frames[:0], src.Frames...)
	if src.Action.Reasoning != nil {
		fd.Action.Reasoning = append([]byte(nil), src.Action.Reasoning...)
	}
}

// Clone returns a deep copy of fd.
func (fd *FrameData) Clone() *FrameData {
	c := new(FrameData)
	c.CopyFrom(fd)
	return c
}
