//go:build !purego

package diff

import "golang.org/x/sys/cpu"

// useAsm selects the assembly scans, AVX2 and, where the CPU has it,
// AVX-512 (twice the bytes a compare); tests turn them off to check the
// portable scan on the same machine.
var (
	useAsm    = cpu.X86.HasAVX2
	useAVX512 = cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW
)

//go:noescape
func nextAVX2(a, b *uint8, n int) int

//go:noescape
func nextAVX512(a, b *uint8, n int) int

func next(a, b []uint8) int {
	switch {
	case useAsm && useAVX512 && len(a) >= 128:
		return nextAVX512(&a[0], &b[0], len(a))
	case useAsm && len(a) >= 64:
		return nextAVX2(&a[0], &b[0], len(a))
	}
	return nextGeneric(a, b)
}
