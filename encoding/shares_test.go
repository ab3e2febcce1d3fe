package encoding_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/encoding"
	"github.com/arcgym/arcgym/tensor"
)

// refShares is the one-hot of src averaged over pool x pool patches,
// computed the long way: the reference one-hot, then the mean of each
// patch of each channel.
func refShares(src tensor.U8, pool int) tensor.F32 {
	hot := refOneHot[float32](src, false)
	s := 64 / pool
	rank := len(hot.Shape)
	shape := append(append([]int(nil), hot.Shape[:rank-2]...), s, s)
	out := tensor.New[float32](shape...)
	planes := len(hot.Data) / 4096
	for k := range planes {
		plane := hot.Data[k*4096 : (k+1)*4096]
		for py := range s {
			for px := range s {
				sum := 0.0
				for y := py * pool; y < (py+1)*pool; y++ {
					for x := px * pool; x < (px+1)*pool; x++ {
						sum += float64(plane[y*64+x])
					}
				}
				out.Data[k*s*s+py*s+px] = float32(sum / float64(pool*pool))
			}
		}
	}
	return out
}

func TestSharesIsPooledOneHot(t *testing.T) {
	for name, src := range sources(t) {
		for _, pool := range []int{1, 2, 4, 8, 16, 64} {
			t.Run(fmt.Sprintf("%s/pool=%d", name, pool), func(t *testing.T) {
				e := encoding.Shares{Pool: pool}
				shape := e.OutShape(src.Shape)
				require.NotNil(t, shape)
				dst := tensor.New[float32](shape...)
				for i := range dst.Data {
					dst.Data[i] = -1 // every element must be written
				}
				require.NoError(t, e.Encode(dst, src))
				want := refShares(src, pool)
				assert.Equal(t, want.Shape, dst.Shape)
				assert.Equal(t, want.Data, dst.Data, "bit for bit")
			})
		}
	}
}

func TestSharesErrors(t *testing.T) {
	src := filled(3, 2, 64, 64)
	for _, pool := range []int{0, -4, 3, 128} {
		e := encoding.Shares{Pool: pool}
		assert.Nil(t, e.OutShape(src.Shape), "pool %d", pool)
		assert.ErrorIs(t, e.Encode(tensor.New[float32](32, 16, 16), src), encoding.ErrShape, "pool %d", pool)
	}
	e := encoding.Shares{Pool: 4}
	assert.Nil(t, e.OutShape([]int{64, 32}))
	assert.ErrorIs(t, e.Encode(tensor.New[float32](32, 8, 8), src), encoding.ErrShape, "wrong destination")
	bad := filled(3, 2, 64, 64)
	bad.Data[4096+65] = 16
	err := e.Encode(tensor.New[float32](32, 16, 16), bad)
	require.ErrorIs(t, err, encoding.ErrColor)
	assert.Contains(t, err.Error(), "frame 1 at x=1 y=1")
}

func TestSharesAllocatesNothing(t *testing.T) {
	src := filled(5, 8, 2, 64, 64)
	e := encoding.Shares{Pool: 4}
	dst := tensor.New[float32](e.OutShape(src.Shape)...)
	assert.Zero(t, testing.AllocsPerRun(20, func() {
		if err := e.Encode(dst, src); err != nil {
			t.Fatal(err)
		}
	}))
}
