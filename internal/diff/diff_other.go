//go:build !amd64 || purego

package diff

var useAsm, useAVX512 = false, false

func block(a, b []uint8) (int, uint64) { return blockGeneric(a, b) }

func notEqual(dst []bool, src []uint8, v uint8) { notEqualGeneric(dst, src, v) }

func track(prev, frame []uint8, notBg []bool, bg uint8, hist *[16]int) {
	trackGeneric(prev, frame, notBg, bg, hist)
}
