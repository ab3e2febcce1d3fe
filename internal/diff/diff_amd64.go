//go:build !purego

package diff

import "golang.org/x/sys/cpu"

// useAsm selects the assembly scans, AVX2 and, where the CPU has it,
// AVX-512 (twice the bytes a compare); tests turn them off to check the
// portable scan on the same machine. The Track kernels count with POPCNT,
// which every CPU with AVX2 has.
var (
	useAsm    = cpu.X86.HasAVX2 && cpu.X86.HasPOPCNT
	useAVX512 = cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW
)

//go:noescape
func blockAVX512(a, b *uint8, n int) (off int, mask uint64)

//go:noescape
func blockAVX2(a, b *uint8, n int) (off int, mask uint64)

func block(a, b []uint8) (int, uint64) {
	switch {
	case len(a) == 0:
		return 0, 0
	case useAsm && useAVX512:
		return blockAVX512(&a[0], &b[0], len(a))
	case useAsm:
		return blockAVX2(&a[0], &b[0], len(a))
	}
	return blockGeneric(a, b)
}

//go:noescape
func notEqualAVX2(dst *bool, src *uint8, n int, v uint8)

func notEqual(dst []bool, src []uint8, v uint8) {
	if useAsm && len(src) >= 32 {
		n := len(src) &^ 31
		notEqualAVX2(&dst[0], &src[0], n, v)
		dst, src = dst[n:], src[n:]
	}
	notEqualGeneric(dst, src, v)
}

//go:noescape
func trackAVX512(prev, frame *uint8, notBg *bool, n int, bg uint8, hist *[16]int)

//go:noescape
func trackAVX2(prev, frame *uint8, notBg *bool, n int, bg uint8, hist *[16]int)

func track(prev, frame []uint8, notBg []bool, bg uint8, hist *[16]int) {
	switch {
	case len(prev) == 0:
	case useAsm && useAVX512:
		trackAVX512(&prev[0], &frame[0], &notBg[0], len(prev), bg, hist)
	case useAsm:
		trackAVX2(&prev[0], &frame[0], &notBg[0], len(prev), bg, hist)
	default:
		trackGeneric(prev, frame, notBg, bg, hist)
	}
}
