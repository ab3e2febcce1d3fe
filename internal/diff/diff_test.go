package diff

import (
	"math/bits"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// naive lists every index where a and b differ, one by one.
func naive(a, b []uint8) []int {
	var out []int
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			out = append(out, i)
		}
	}
	return out
}

func TestBlockFindsEveryDifference(t *testing.T) {
	for _, mode := range []struct{ asm, avx512 bool }{{false, false}, {true, false}, {true, true}} {
		if mode.asm && !useAsm || mode.avx512 && !useAVX512 {
			continue
		}
		saved, saved512 := useAsm, useAVX512
		useAsm, useAVX512 = mode.asm, mode.avx512
		rng := rand.New(rand.NewPCG(7, 8))
		for _, n := range []int{0, 64, 128, 192, 4096} {
			for _, changes := range []int{0, 1, 3, 100, 3000} {
				a := make([]uint8, n)
				b := make([]uint8, n)
				for range changes {
					if n > 0 {
						b[rng.IntN(n)] = uint8(1 + rng.IntN(255))
					}
				}
				var got []int
				for off, m := Block(a, b, 0); m != 0; off, m = Block(a, b, off+64) {
					for ; m != 0; m &= m - 1 {
						got = append(got, off+bits.TrailingZeros64(m))
					}
				}
				assert.Equal(t, naive(a, b), got, "mode %+v, %d bytes, %d changes", mode, n, changes)
			}
		}
		useAsm, useAVX512 = saved, saved512
	}
	assert.Panics(t, func() { Block(make([]uint8, 10), make([]uint8, 10), 0) }, "length not a multiple of 64")
}

func TestNotEqualMarksOtherBytes(t *testing.T) {
	for _, asm := range []bool{false, true} {
		if asm && !useAsm {
			continue
		}
		saved := useAsm
		useAsm = asm
		rng := rand.New(rand.NewPCG(9, 10))
		for _, n := range []int{0, 1, 31, 32, 33, 100, 4096} {
			src := make([]uint8, n)
			for i := range src {
				src[i] = uint8(rng.IntN(4))
			}
			dst := make([]bool, n+1)
			dst[n] = true // past the end: left alone
			NotEqual(dst, src, 2)
			for i, c := range src {
				require.Equal(t, c != 2, dst[i], "asm %v, %d bytes, byte %d", asm, n, i)
			}
			assert.True(t, dst[n])
		}
		useAsm = saved
	}
	assert.Panics(t, func() { NotEqual(make([]bool, 1), make([]uint8, 2), 0) })
}

func BenchmarkBlockFrame(b *testing.B) {
	x := make([]uint8, 4096)
	y := make([]uint8, 4096)
	y[4000] = 1
	b.SetBytes(2 * 4096)
	b.ReportAllocs()
	for b.Loop() {
		if off, m := Block(x, y, 0); off+bits.TrailingZeros64(m) != 4000 {
			b.Fatal("wrong index")
		}
	}
}
