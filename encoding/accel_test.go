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
	want := naiveOneHot[T](src, stack, e.Layout == ChannelLast)
	require.Len(t, dst.Data, len(want))
	for i := range want {
		if dst.Data[i] != want[i] {
			t.Fatalf("element %d is %v, want %v", i, dst.Data[i], want[i])
		}
	}
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

// TestKernelsAgree checks the kernels, in every mode, against the naive
// encoding on batches of one frame, of a few more than the four of the
// worker split and of nine (neither a multiple of the other), split over
// workers unevenly, into destinations at odd element offsets from their
// allocation.
func TestKernelsAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	type source struct {
		src          tensor.U8
		chw, hwc     []float32
		chw8, hwc8   []uint8
		chw64, hwc64 []float64
		scaled       []float32
	}
	var srcs []source
	for _, n := range []int{1, 3, 9} {
		src := tensor.New[uint8](n, 1, Side, Side)
		for i := range src.Data {
			src.Data[i] = uint8(rng.IntN(Colors))
		}
		if n == 3 {
			clear(src.Data[:Cells]) // a frame of zeros
			for i := Cells; i < 2*Cells; i++ {
				src.Data[i] = Colors - 1 // and one of fifteens
			}
		}
		scaled := make([]float32, len(src.Data))
		for i, c := range src.Data {
			scaled[i] = float32(c) / 15
		}
		srcs = append(srcs, source{src,
			naiveOneHot[float32](src, 1, false), naiveOneHot[float32](src, 1, true),
			naiveOneHot[uint8](src, 1, false), naiveOneHot[uint8](src, 1, true),
			naiveOneHot[float64](src, 1, false), naiveOneHot[float64](src, 1, true),
			scaled})
	}
	kernelModes(t, func(t *testing.T) {
		for _, s := range srcs {
			for _, off := range []int{1, 3, 7} {
				for _, workers := range []int{0, 4} {
					t.Run(fmt.Sprintf("n%d/off%d/w%d", s.src.Shape[0], off, workers), func(t *testing.T) {
						chw, hwc := OneHot{Workers: workers}, OneHot{Layout: ChannelLast, Workers: workers}
						cs, hs := chw.OutShape(s.src.Shape), hwc.OutShape(s.src.Shape)
						agree(t, "chw/f32", s.chw, cs, off, func(d tensor.F32) error { return chw.Encode(d, s.src) })
						agree(t, "hwc/f32", s.hwc, hs, off, func(d tensor.F32) error { return hwc.Encode(d, s.src) })
						agree(t, "chw/u8", s.chw8, cs, off, func(d tensor.U8) error { return chw.EncodeU8(d, s.src) })
						agree(t, "hwc/u8", s.hwc8, hs, off, func(d tensor.U8) error { return hwc.EncodeU8(d, s.src) })
						agree(t, "chw/f64", s.chw64, cs, off, func(d tensor.Dense[float64]) error { return chw.EncodeF64(d, s.src) })
						agree(t, "hwc/f64", s.hwc64, hs, off, func(d tensor.Dense[float64]) error { return hwc.EncodeF64(d, s.src) })
						agree(t, "scaled", s.scaled, s.src.Shape, off, func(d tensor.F32) error { return Scaled{Workers: workers}.Encode(d, s.src) })
					})
				}
			}
		}
	})
}

// agree runs enc into a stale destination of the given shape, off elements
// into its allocation with guard elements either side, and compares it with
// want.
func agree[T elem](t *testing.T, name string, want []T, shape []int, off int, enc func(tensor.Dense[T]) error) {
	t.Helper()
	const guard = 9
	buf := make([]T, off+len(want)+guard)
	for i := range buf {
		buf[i] = guard
	}
	dst := buf[off : off+len(want)]
	require.NoError(t, enc(tensor.Dense[T]{Shape: shape, Data: dst}), name)
	for i, v := range buf[:off] {
		require.Equal(t, T(guard), v, "%s: element %d before the destination written", name, i)
	}
	for i, v := range buf[off+len(want):] {
		require.Equal(t, T(guard), v, "%s: element %d after the destination written", name, i)
	}
	for i := range want {
		if dst[i] != want[i] {
			t.Fatalf("%s: element %d is %v, want %v", name, i, dst[i], want[i])
		}
	}
}
