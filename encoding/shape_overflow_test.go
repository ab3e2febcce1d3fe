package encoding_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/arcgym/arcgym/encoding"
	"github.com/arcgym/arcgym/tensor"
)

// overflowShapes are shapes whose element counts wrap around int to a
// small number, so that empty data appears to fit them.
var overflowShapes = [][]int{
	{3 << 26, 1 << 26, 64, 64},
	{1 << 26, 3 << 26, 64, 64},
	{3 << 52, 64, 64},
	{1 << 40, 1 << 40, 64, 64},
}

func TestOverflowingShapesRefused(t *testing.T) {
	type encoder interface {
		OutShape([]int) []int
		Encode(tensor.F32, tensor.U8) error
	}
	for _, shape := range overflowShapes {
		for _, workers := range []int{0, 2, 5} {
			encoders := map[string]encoder{
				"onehot":      encoding.OneHot{Workers: workers},
				"onehot-last": encoding.OneHot{Layout: encoding.ChannelLast, Workers: workers},
				"scaled":      encoding.Scaled{Workers: workers},
				"diff":        encoding.Diff{Workers: workers},
			}
			for name, e := range encoders {
				t.Run(fmt.Sprintf("%s/%v/workers=%d", name, shape, workers), func(t *testing.T) {
					assert.Nil(t, e.OutShape(shape))
					src := tensor.U8{Shape: shape}
					// The destination shape an encoder would want if it
					// believed the source; its size wraps around too.
					dst := tensor.F32{Shape: append([]int(nil), shape...)}
					if name == "onehot-last" {
						dst.Shape = []int{shape[0], 64, 64, 16 * shape[1]}
					}
					err := e.Encode(dst, src)
					require.ErrorIs(t, err, encoding.ErrShape)
					assert.Contains(t, err.Error(), fmt.Sprint(shape))
				})
			}
			t.Run(fmt.Sprintf("pack4/%v/workers=%d", shape, workers), func(t *testing.T) {
				p := encoding.Pack4{Workers: workers}
				packed := append([]int(nil), shape...)
				packed[len(packed)-1] = 32
				assert.Nil(t, p.OutShape(shape))
				assert.Nil(t, p.UnpackedShape(packed))
				assert.ErrorIs(t, p.Encode(tensor.U8{Shape: packed}, tensor.U8{Shape: shape}), encoding.ErrShape)
				assert.ErrorIs(t, p.Decode(tensor.U8{Shape: shape}, tensor.U8{Shape: packed}), encoding.ErrShape)
			})
		}
	}
}

func TestGonumOverflowingShapesRefused(t *testing.T) {
	for _, shape := range [][]int{{1 << 32, 1 << 32}, {1 << 31, 1 << 31, 4}, {3, 1 << 62, 1 << 2}} {
		t.Run(fmt.Sprint(shape), func(t *testing.T) {
			_, err := encoding.DenseView(tensor.Dense[float64]{Shape: shape})
			assert.ErrorIs(t, err, encoding.ErrShape)
			_, err = encoding.VecDenseView(tensor.Dense[float64]{Shape: shape})
			assert.ErrorIs(t, err, encoding.ErrShape)
			var m mat.Dense
			assert.ErrorIs(t, encoding.CopyToDense(&m, tensor.F32{Shape: shape}), encoding.ErrShape)
			var v mat.VecDense
			assert.ErrorIs(t, encoding.CopyToVecDense(&v, tensor.F32{Shape: shape}), encoding.ErrShape)
			assert.ErrorIs(t, encoding.CopyFromMatrix(tensor.F32{Shape: shape}, mat.NewDense(2, 2, nil)), encoding.ErrShape)
		})
	}
}
