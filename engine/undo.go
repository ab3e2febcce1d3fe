package engine

// undoStack keeps the last depth game states in one preallocated ring, so
// pushing and popping never allocate.
type undoStack struct {
	size, depth int
	buf         []byte
	lens        []int
	head, n     int
}

func newUndoStack(size, depth int) undoStack {
	return undoStack{size: size, depth: depth, buf: make([]byte, size*depth), lens: make([]int, depth)}
}

func (u *undoStack) enabled() bool { return u.depth > 0 }

func (u *undoStack) clear() { u.head, u.n = 0, 0 }

// slot returns the storage of the entry that the next push would fill,
// evicting the oldest entry when the ring is full.
func (u *undoStack) slot() (int, []byte) {
	if u.n == u.depth {
		u.head = (u.head + 1) % u.depth
		u.n--
	}
	i := (u.head + u.n) % u.depth
	return i, u.buf[i*u.size : (i+1)*u.size]
}

// push commits the entry written into slot i.
func (u *undoStack) push(i, length int) {
	u.lens[i] = length
	u.n++
}

// pop returns the newest state, or nil when the stack is empty.
func (u *undoStack) pop() []byte {
	if u.n == 0 {
		return nil
	}
	u.n--
	i := (u.head + u.n) % u.depth
	return u.buf[i*u.size : i*u.size+u.lens[i]]
}
