package encoding

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/tensor"
)

// kernelModes runs fn once per way the one-hot kernels can run on this
// machine: portable Go, and where available assembly with ordinary and with
// non-temporal stores.
func kernelModes(t *testing.T, fn func(t *testing.T)) {
	asm, threshold := useAsm, streamThreshold
	t.Cleanup(func() { useAsm, streamThreshold = asm, threshold })
	type mode struct {
		name      string
		asm       bool
		threshold int
	}
	modes := []mode{{"go", false, threshold}}
	if asm {
		modes = append(modes, mode{"asm", true, 1 << 62}, mode{"asm-stream", true, 0})
	}
	for _, m := range modes {
		useAsm, streamThreshold = m.asm, m.threshold
		t.Run(m.name, fn)
	}
}

// naiveOneHot is the one-hot encoding written out cell by cell.
func naiveOneHot[T elem](src tensor.U8, stack int, last bool) []T {
	frames := len(src.Data) / Cells
	out := make([]T, frames*Colors*Cells)
	for f := range frames {
		g, j := f/stack, f%stack
		for i := range Cells {
			c := int(src.Data[f*Cells+i])
			if last {
				out[((g*Cells+i)*stack+j)*Colors+c] = 1
			} else {
				out[(f*Colors+c)*Cells+i] = 1
			}
		}
	}
	return out
}

// offset returns a destination of n elements that starts off elements into
// its allocation, to put it off the alignment streaming stores need.
func offset[T elem](n, off int, shape []int) tensor.Dense[T] {
	buf := make([]T, n+off)
	return tensor.Dense[T]{Shape: shape, Data: buf[off : off+n]}
}

func checkOneHot[T elem](t *testing.T, e OneHot, src tensor.U8, stack int, off int) {
	t.Helper()
	shape := e.OutShape(src.Shape)
	dst := offset[T](tensor.Size(shape), off, shape)
	for i := range dst.Data {
		dst.Data[i] = 3 // stale contents must be overwritten
	}
	var err error
	switch d := any(dst).(type) {
	case tensor.F32:
		err = e.Encode(d, src)
	case tensor.U8:
		err = e.EncodeU8(d, src)
	case tensor.Dense[float64]:
		err = e.EncodeF64(d, src)
	}
	require.NoError(t, err)
	assert.Equal(t, naiveOneHot[T](src, stack, e.Layout == ChannelLast), dst.Data)
}

func TestOneHotKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	srcs := map[string]tensor.U8{
		"single": tensor.New[uint8](64, 64),
		"batch":  tensor.New[uint8](5, 1, 64, 64),
		"stack":  tensor.New[uint8](2, 3, 64, 64),
	}
	for _, s := range srcs {
		for i := range s.Data {
			s.Data[i] = uint8(rng.IntN(Colors))
		}
	}
	stacks := map[string]int{"single": 1, "batch": 1, "stack": 3}
	kernelModes(t, func(t *testing.T) {
		for name, src := range srcs {
			for _, layout := range []Layout{ChannelFirst, ChannelLast} {
				for _, workers := range []int{0, 2} {
					for _, off := range []int{0, 1} {
						e := OneHot{Layout: layout, Workers: workers}
						t.Run(fmt.Sprintf("%s/%v/w%d/off%d", name, layout, workers, off), func(t *testing.T) {
							checkOneHot[float32](t, e, src, stacks[name], off)
							checkOneHot[uint8](t, e, src, stacks[name], off)
							checkOneHot[float64](t, e, src, stacks[name], off)
						})
					}
				}
			}
		}
	})
}

func TestFirstInvalid(t *testing.T) {
	for n := range 70 {
		b := make([]uint8, n)
		assert.Equal(t, -1, firstInvalid(b), "clean %d", n)
		for i := range n {
			b[i] = 16
			assert.Equal(t, i, firstInvalid(b), "len %d bad %d", n, i)
			b[i] = 15
		}
	}
}

func TestLookupKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	src := tensor.New[uint8](3, 2, 64, 64)
	for i := range src.Data {
		src.Data[i] = uint8(rng.IntN(Colors))
	}
	kernelModes(t, func(t *testing.T) {
		for _, off := range []int{0, 1} {
			for _, workers := range []int{0, 2} {
				scaled := offset[float32](len(src.Data), off, src.Shape)
				require.NoError(t, Scaled{Workers: workers}.Encode(scaled, src))
				raw := offset[float32](len(src.Data), off, src.Shape)
				require.NoError(t, Raw{Workers: workers}.Encode(raw, src))
				for i, c := range src.Data {
					if scaled.Data[i] != float32(c)/15 || raw.Data[i] != float32(c) {
						t.Fatalf("off %d workers %d cell %d colour %d: scaled %v raw %v", off, workers, i, c, scaled.Data[i], raw.Data[i])
					}
				}
			}
		}
	})
}
