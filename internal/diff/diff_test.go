package diff

import (
	"math/bits"
	"math/rand/v2"
	"slices"
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

// TestTrackFollowsChanges checks Track against a recount from scratch, on
// changes that are sparse, dense, alike and mixed, with colours past 15.
func TestTrackFollowsChanges(t *testing.T) {
	for _, mode := range []struct{ asm, avx512 bool }{{false, false}, {true, false}, {true, true}} {
		if mode.asm && !useAsm || mode.avx512 && !useAVX512 {
			continue
		}
		saved, saved512 := useAsm, useAVX512
		useAsm, useAVX512 = mode.asm, mode.avx512
		rng := rand.New(rand.NewPCG(5, 6))
		for _, n := range []int{0, 64, 4096} {
			prev := make([]uint8, n)
			for i := range prev {
				prev[i] = uint8(rng.IntN(4))
			}
			bg := uint8(rng.IntN(4))
			var hist [16]int
			for _, c := range prev {
				hist[c&15]++
			}
			notBg := make([]bool, n)
			notEqualGeneric(notBg, prev, bg)
			for step := range 200 {
				frame := slices.Clone(prev)
				if n > 0 {
					switch step % 4 {
					case 0: // a few cells, any colour
						for range 1 + rng.IntN(5) {
							frame[rng.IntN(n)] = uint8(rng.IntN(256))
						}
					case 1: // a region turned from one colour to another
						from, to := uint8(rng.IntN(4)), uint8(rng.IntN(16))
						lo := rng.IntN(n)
						for i := lo; i < min(n, lo+rng.IntN(600)); i++ {
							if frame[i] == from {
								frame[i] = to
							}
						}
					case 2: // many cells, mixed
						for range rng.IntN(2000) {
							frame[rng.IntN(n)] = uint8(rng.IntN(5))
						}
					case 3: // nothing
					}
				}
				Track(prev, frame, notBg, bg, &hist)
				require.Equal(t, frame, prev, "mode %+v, step %d: prev follows frame", mode, step)
				var want [16]int
				for _, c := range frame {
					want[c&15]++
				}
				require.Equal(t, want, hist, "mode %+v, step %d: histogram", mode, step)
				wantMask := make([]bool, n)
				notEqualGeneric(wantMask, frame, bg)
				require.Equal(t, wantMask, notBg, "mode %+v, step %d: mask", mode, step)
			}
		}
		useAsm, useAVX512 = saved, saved512
	}
	assert.Panics(t, func() { Track(make([]uint8, 64), make([]uint8, 64), make([]bool, 10), 0, &[16]int{}) })
}

// BenchmarkTrack follows a frame where a region of 400 cells turns from
// one colour to another and back, as in a flood-fill game, with a few
// mixed changes beside it.
func BenchmarkTrack(b *testing.B) {
	frames := [2][]uint8{make([]uint8, 4096), make([]uint8, 4096)}
	for i := 1000; i < 1400; i++ {
		frames[1][i] = 3
	}
	frames[1][10], frames[1][20], frames[1][2000] = 5, 6, 7
	prev := slices.Clone(frames[0])
	notBg := make([]bool, 4096)
	var hist [16]int
	hist[0] = 4096
	b.SetBytes(4096)
	b.ReportAllocs()
	k := 0
	for b.Loop() {
		k ^= 1
		Track(prev, frames[k], notBg, 0, &hist)
	}
	if hist[0]+hist[3]+hist[5]+hist[6]+hist[7] != 4096 {
		b.Fatal("histogram lost cells")
	}
}
