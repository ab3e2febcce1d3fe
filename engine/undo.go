package engine

// undoStack keeps the last depth game states in one preallocated ring, so
// pushing and popping never allocate. The ring has one slot more than
// depth: the state saved before an action goes to the spare slot and only
// becomes history (evicting the oldest entry when full) if the action
// changed something, so an idle action costs no history.
type undoStack struct {
	size, depth int
	buf         []byte
	lens        []int
	head, n     int
}

func newUndoStack(size, depth int) undoStack {
	return undoStack{size: size, depth: depth, buf: make([]byte, size*(depth+1)), lens: make([]int, depth+1)}
}

func (u *undoStack) enabled() bool { return u.depth > 0 }

func (u *undoStack) clear() { u.head, u.n = 0, 0 }

// slot returns the spare slot: the storage of the entry that the next push
// would commit. Its slice has length 0 and capacity size, so a Save that
// outgrows it reallocates and the caller can tell.
func (u *undoStack) slot() (int, []byte) {
	i := (u.head + u.n) % (u.depth + 1)
	return i, u.buf[i*u.size : i*u.size : (i+1)*u.size]
}

// push commits the entry written into slot i, evicting the oldest entry
// when the stack is full.
func (u *undoStack) push(i, length int) {
	u.lens[i] = length
	if u.n == u.depth {
		u.head = (u.head + 1) % (u.depth + 1)
		return
	}
	u.n++
}

// pop returns the newest state, or nil when the stack is empty.
func (u *undoStack) pop() []byte {
	if u.n == 0 {
		return nil
	}
	u.n--
	i := (u.head + u.n) % (u.depth + 1)
	return u.buf[i*u.size : i*u.size+u.lens[i]]
}
