//go:build !purego

package encoding

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/tensor"
)

func TestStreamDecision(t *testing.T) {
	buf := make([]byte, 128)
	base := uintptr(unsafe.Pointer(&buf[0]))
	aligned := unsafe.Pointer(&buf[(32-base%32)%32])
	odd := unsafe.Add(aligned, 4)
	tests := []struct {
		name  string
		p     unsafe.Pointer
		n     int
		align int
		want  int
	}{
		{"at threshold", aligned, 32 << 20, 32, 1},
		{"above threshold", aligned, 64 << 20, 32, 1},
		{"below threshold", aligned, 32<<20 - 1, 32, 0},
		{"misaligned", odd, 64 << 20, 32, 0},
		{"16-byte kernel", unsafe.Add(aligned, 16), 64 << 20, 16, 1},
		{"16-byte kernel misaligned", unsafe.Add(aligned, 8), 64 << 20, 16, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, stream(tt.p, tt.n, tt.align))
		})
	}
}

// TestOneHotKernelsAtStreamingSize encodes outputs of 32 MiB, the size from
// which the kernels stream, at the real threshold: aligned (non-temporal
// stores) and misaligned (the fallback to ordinary stores). Without AVX2 it
// checks the portable code at that size.
func TestOneHotKernelsAtStreamingSize(t *testing.T) {
	const frames = (32 << 20) / (4 * Colors * Cells) // float32 CHW of exactly 32 MiB
	rng := rand.New(rand.NewPCG(5, 6))
	src := tensor.New[uint8](frames, 1, Side, Side)
	for i := range src.Data {
		src.Data[i] = uint8(rng.IntN(Colors))
	}
	for _, off := range []int{0, 3} {
		for _, layout := range []Layout{ChannelFirst, ChannelLast} {
			t.Run(fmt.Sprintf("%v/off%d", layout, off), func(t *testing.T) {
				e := OneHot{Layout: layout}
				shape := e.OutShape(src.Shape)
				dst := offset[float32](tensor.Size(shape), off, shape)
				require.Equal(t, off == 0, stream(unsafe.Pointer(&dst.Data[0]), 4*len(dst.Data), 32) == 1)
				for i := range dst.Data {
					dst.Data[i] = 3
				}
				require.NoError(t, e.Encode(dst, src))
				want := naiveOneHot[float32](src, 1, layout == ChannelLast)
				for i := range want {
					if dst.Data[i] != want[i] {
						t.Fatalf("element %d: %v, want %v", i, dst.Data[i], want[i])
					}
				}
			})
		}
	}
}
