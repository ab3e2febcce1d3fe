// Package framestack keeps the last frames of an episode in one contiguous
// view: the core of both frame stacks, the single-env wrapper's and the
// vector one's.
package framestack

// Stack holds the last n frames of size bytes each, oldest first, in a
// buffer of several slots written one after the other, so that the n most
// recent frames are always one contiguous view. When the buffer is full its
// last n-1 frames move to the front: a push copies its frame once, plus n-1
// frames every slots-n+1 pushes, where a ring that keeps the view contiguous
// by writing every frame twice would copy two frames a push.
type Stack struct {
	n, size int
	buf     []uint8
	end     int // slot after the newest frame; 0 before the first Fill
}

// New returns a stack of n frames of size bytes over buf, which holds
// len(buf)/size slots, at least n+1.
func New(buf []uint8, n, size int) Stack {
	if n < 1 || size < 1 || len(buf) < (n+1)*size || len(buf)%size != 0 {
		panic("framestack: buffer too small for the stack")
	}
	return Stack{n: n, size: size, buf: buf}
}

// Started reports whether Fill has been called.
func (s *Stack) Started() bool { return s.end > 0 }

// Fill starts an episode: the stack holds n copies of first, or n zero
// frames followed by nothing when zeros is set (the caller then pushes the
// first frame).
func (s *Stack) Fill(first []uint8, zeros bool) {
	s.end = s.n
	pad := s.buf[:s.n*s.size]
	if zeros {
		clear(pad)
		return
	}
	for i := range s.n {
		copy(pad[i*s.size:], first)
	}
}

// Push adds frame f, dropping the oldest.
func (s *Stack) Push(f []uint8) {
	if s.end*s.size == len(s.buf) {
		keep := s.n - 1
		copy(s.buf, s.buf[(s.end-keep)*s.size:s.end*s.size])
		s.end = keep
	}
	copy(s.buf[s.end*s.size:(s.end+1)*s.size], f)
	s.end++
}

// View returns the n frames, oldest first: valid until the next Push or
// Fill.
func (s *Stack) View() []uint8 { return s.buf[(s.end-s.n)*s.size : s.end*s.size] }
