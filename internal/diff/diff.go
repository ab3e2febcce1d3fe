// Package diff finds where two byte buffers differ, fast enough to run on
// every step of an environment: consecutive frames of a game usually differ
// in a few cells, and code that keeps state derived from a frame (a
// histogram, a mask) can update it for those cells alone.
package diff

// Next returns the first index i >= from at which a and b differ, or
// min(len(a), len(b)) when they do not differ from there on. Loop over
// every difference with
//
//	for i := diff.Next(a, b, 0); i < n; i = diff.Next(a, b, i+1) { ... }
func Next(a, b []uint8, from int) int {
	n := min(len(a), len(b))
	if from >= n {
		return n
	}
	if from < 0 {
		from = 0
	}
	return from + next(a[from:n], b[from:n])
}

// nextGeneric is the portable scan: eight bytes at a time while they are
// equal, then byte by byte.
func nextGeneric(a, b []uint8) int {
	n := len(a)
	b = b[:n]
	i := 0
	for ; i+8 <= n; i += 8 {
		if load64(a[i:]) != load64(b[i:]) {
			break
		}
	}
	for ; i < n; i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}

// load64 reads eight bytes as one word (the compiler makes it one load).
func load64(b []uint8) uint64 {
	_ = b[7]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}
