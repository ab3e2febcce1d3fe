//go:build gotch && linux

package torch_test

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/encoding"
	"github.com/arcgym/arcgym/encoding/torch"
	"github.com/arcgym/arcgym/encoding/torch/internal/cmem"
	"github.com/arcgym/arcgym/spaces"
	"github.com/arcgym/arcgym/tensor"
)

// TestNoCMemoryLeaks runs every function of the package in a loop, dropping
// what the caller owns, and checks that the C heap does not grow. gotch
// v0.7.0 itself leaks a few dozen bytes per libtorch operation (each
// generated wrapper mallocs a result slot it never frees), hence the small
// allowance per call for functions that run operations; every tensor
// involved here is tens of kilobytes or more, so one left undropped shows.
func TestNoCMemoryLeaks(t *testing.T) {
	const batch = 4
	src := randomFrames(9, batch, 1, 64, 64)
	logits := tensor.New[float32](batch, spaces.FlatSize)
	masks := make([][]bool, batch)
	for i := range masks {
		masks[i] = maskOf(1, 2, 3, 100+i)
		logits.Data[i*spaces.FlatSize+100+i] = 1
	}
	lx, err := torch.FromF32(logits)
	require.NoError(t, err)
	defer lx.MustDrop()
	mask, err := torch.Mask(joinRows(masks), spaces.FlatSize)
	require.NoError(t, err)
	defer mask.MustDrop()
	// A strided view of the same logits, read through a copy.
	lt := tensor.New[float32](spaces.FlatSize, batch)
	for i := range batch {
		for j := range spaces.FlatSize {
			lt.Data[j*batch+i] = logits.Data[i*spaces.FlatSize+j]
		}
	}
	ltx, err := torch.FromF32(lt)
	require.NoError(t, err)
	defer ltx.MustDrop()
	strided, err := ltx.Transpose(0, 1, false)
	require.NoError(t, err)
	defer strided.MustDrop()
	rng := rand.New(rand.NewPCG(1, 2))
	dst := make([]int, batch)
	out := tensor.New[float32](batch, 16, 64, 64)

	tests := []struct {
		name  string
		slack int // bytes per call gotch may leak
		run   func(t *testing.T)
	}{
		{"Encode", 256, func(t *testing.T) {
			x, err := torch.Encode(encoding.OneHot{}, src)
			require.NoError(t, err)
			x.MustDrop()
		}},
		{"FromU8+OneHot+CopyTo", 512, func(t *testing.T) {
			idx, err := torch.FromU8(src)
			require.NoError(t, err)
			x, err := torch.OneHot(idx, encoding.ChannelLast)
			require.NoError(t, err)
			idx.MustDrop()
			require.NoError(t, torch.CopyTo(out, x))
			x.MustDrop()
		}},
		{"OneHot/error", 512, func(t *testing.T) {
			bad := src.Clone()
			bad.Data[5] = 200
			idx, err := torch.FromU8(bad)
			require.NoError(t, err)
			_, err = torch.OneHot(idx, encoding.ChannelFirst)
			require.Error(t, err)
			idx.MustDrop()
		}},
		{"Mask", 256, func(t *testing.T) {
			m, err := torch.Mask(joinRows(masks), spaces.FlatSize)
			require.NoError(t, err)
			m.MustDrop()
		}},
		{"MaskedArgmax", 0, func(t *testing.T) {
			require.NoError(t, torch.MaskedArgmax(dst, lx, mask))
		}},
		{"MaskedSample", 0, func(t *testing.T) {
			require.NoError(t, torch.MaskedSample(dst, lx, mask, rng))
		}},
		{"MaskedArgmax/strided", 256, func(t *testing.T) {
			require.NoError(t, torch.MaskedArgmax(dst, strided, mask))
			assert.Equal(t, []int{100, 101, 102, 103}, dst)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.run(t) // first-call set-up inside libtorch
			const n = 100
			before := cmem.InUse()
			for range n {
				tt.run(t)
			}
			grown := cmem.InUse() - before
			assert.LessOrEqual(t, grown, n*tt.slack+4096, "C heap grew by %d bytes over %d calls", grown, n)
		})
	}
}
