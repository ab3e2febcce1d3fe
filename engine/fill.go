package engine

// fill sets every byte of dst to v. It writes v once and then doubles the
// filled prefix with copy, so that all but a few bytes move at memmove's
// speed; a byte-by-byte loop of a non-zero value is about twenty times
// slower (the compiler turns only zeroing loops into memclr).
func fill(dst []uint8, v uint8) {
	if len(dst) == 0 {
		return
	}
	dst[0] = v
	for n := 1; n < len(dst); n *= 2 {
		copy(dst[n:], dst[:n])
	}
}
