// Package diff finds where two byte buffers differ, fast enough to run on
// every step of an environment: consecutive frames of a game usually differ
// in a few cells, and code that keeps state derived from a frame (a
// histogram, a mask) can update it for those cells alone.
package diff

import "math/bits"

// load64 reads eight bytes as one word (the compiler makes it one load).
func load64(b []uint8) uint64 {
	_ = b[7]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

// Block returns the first 64-byte block of a and b, from offset from, in
// which they differ: its offset and a mask whose bit j is set when byte
// off+j differs. Without a difference it returns min(len(a), len(b)) and 0.
// Both from and the length must be multiples of 64. Visit every
// difference, one block scan and one bit each, with
//
//	for off, m := diff.Block(a, b, 0); m != 0; off, m = diff.Block(a, b, off+64) {
//		for ; m != 0; m &= m - 1 {
//			i := off + bits.TrailingZeros64(m)
//			...
//		}
//	}
//
// Where differences are many, this beats calling Next again from each.
func Block(a, b []uint8, from int) (off int, mask uint64) {
	n := min(len(a), len(b))
	if n%64 != 0 || from%64 != 0 || from < 0 {
		panic("diff: Block needs a length and an offset that are multiples of 64")
	}
	if from >= n {
		return n, 0
	}
	off, mask = block(a[from:n], b[from:n])
	return from + off, mask
}

// blockGeneric is the portable Block.
func blockGeneric(a, b []uint8) (int, uint64) {
	n := len(a)
	b = b[:n]
	for off := 0; off < n; off += 64 {
		var m uint64
		for j := 0; j < 64; j += 8 {
			x := load64(a[off+j:]) ^ load64(b[off+j:])
			for ; x != 0; x &= x - 1 {
				m |= 1 << (j + bits.TrailingZeros64(x)/8)
			}
		}
		if m != 0 {
			return off, m
		}
	}
	return n, 0
}

// NotEqual sets dst[i] to src[i] != v for every byte of src; dst must be
// at least as long as src.
func NotEqual(dst []bool, src []uint8, v uint8) {
	if len(dst) < len(src) {
		panic("diff: NotEqual needs dst as long as src")
	}
	notEqual(dst[:len(src)], src, v)
}

func notEqualGeneric(dst []bool, src []uint8, v uint8) {
	dst = dst[:len(src)]
	for i, c := range src {
		dst[i] = c != v
	}
}

// Track brings prev up to date with frame, block by block, and what is
// derived from it with it: for each 64-byte block where they differ it
// copies frame's block into prev, sets notBg's block to frame[i] != bg,
// and moves the changed cells' counts in hist from their colour in prev
// to their colour in frame (a colour counted by its low four bits). The
// blocks that did not change are left alone: notBg must hold their mask
// already. All three slices have the same length, a multiple of 64.
func Track(prev, frame []uint8, notBg []bool, bg uint8, hist *[16]int) {
	if len(frame) != len(prev) || len(notBg) != len(prev) || len(prev)%64 != 0 {
		panic("diff: Track needs slices of one length, a multiple of 64")
	}
	track(prev, frame, notBg, bg, hist)
}

// trackGeneric is the portable Track. Changed cells mostly change alike
// (from one colour to one other), so the histogram takes each run of alike
// changes at once rather than one increment per cell, each waiting for the
// one before.
func trackGeneric(prev, frame []uint8, notBg []bool, bg uint8, hist *[16]int) {
	var from, to uint8
	run := 0
	for off, changed := Block(prev, frame, 0); changed != 0; off, changed = Block(prev, frame, off+64) {
		for ; changed != 0; changed &= changed - 1 {
			i := off + bits.TrailingZeros64(changed)
			c, p := frame[i], prev[i]
			if p != from || c != to {
				hist[from&15] -= run
				hist[to&15] += run
				from, to, run = p, c, 0
			}
			run++
			prev[i] = c
			notBg[i] = c != bg
		}
	}
	hist[from&15] -= run
	hist[to&15] += run
}
