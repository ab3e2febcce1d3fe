package encoding_test

import (
	"math/rand/v2"

	"github.com/arcgym/arcgym/tensor"
)

// The reference encoders below index every element by its coordinates, the
// slow and obvious way, for the fast kernels to be checked against.

// split reads a source shape as batch x stack frames and reports whether the
// input had a batch dimension.
func split(shape []int) (batch, stack, rank int) {
	switch len(shape) {
	case 2:
		return 1, 1, 2
	case 3:
		return 1, shape[0], 3
	}
	return shape[0], shape[1], 4
}

func cell(src tensor.U8, stack, b, j, y, x int) uint8 {
	return src.Data[((b*stack+j)*64+y)*64+x]
}

func refOneHot[T float32 | float64 | uint8](src tensor.U8, last bool) tensor.Dense[T] {
	batch, stack, rank := split(src.Shape)
	ch := 16 * stack
	var shape []int
	if rank == 4 {
		shape = append(shape, batch)
	}
	if last {
		shape = append(shape, 64, 64, ch)
	} else {
		shape = append(shape, ch, 64, 64)
	}
	out := tensor.New[T](shape...)
	for b := range batch {
		for j := range stack {
			for y := range 64 {
				for x := range 64 {
					for c := range 16 {
						var v T
						if int(cell(src, stack, b, j, y, x)) == c {
							v = 1
						}
						k := j*16 + c
						if last {
							out.Data[((b*64+y)*64+x)*ch+k] = v
						} else {
							out.Data[((b*ch+k)*64+y)*64+x] = v
						}
					}
				}
			}
		}
	}
	return out
}

func refMap[T float32 | float64](src tensor.U8, f func(c uint8) T) tensor.Dense[T] {
	out := tensor.New[T](src.Shape...)
	for i, c := range src.Data {
		out.Data[i] = f(c)
	}
	return out
}

func refDiff[T float32 | float64](src tensor.U8, signed bool) tensor.Dense[T] {
	batch, stack, rank := split(src.Shape)
	shape := []int{stack - 1, 64, 64}
	if rank == 4 {
		shape = append([]int{batch}, shape...)
	}
	out := tensor.New[T](shape...)
	for b := range batch {
		for j := range stack - 1 {
			for y := range 64 {
				for x := range 64 {
					prev, next := cell(src, stack, b, j, y, x), cell(src, stack, b, j+1, y, x)
					var v T
					switch {
					case signed:
						v = (T(next) - T(prev)) / 15
					case next != prev:
						v = 1
					}
					out.Data[((b*(stack-1)+j)*64+y)*64+x] = v
				}
			}
		}
	}
	return out
}

func refPack(src tensor.U8) tensor.U8 {
	shape := append([]int(nil), src.Shape...)
	shape[len(shape)-1] = 32
	out := tensor.New[uint8](shape...)
	for i := range out.Data {
		out.Data[i] = src.Data[2*i] | src.Data[2*i+1]<<4
	}
	return out
}

// Frame generators.

func randomFrames(rng *rand.Rand, shape ...int) tensor.U8 {
	t := tensor.New[uint8](shape...)
	for i := range t.Data {
		t.Data[i] = uint8(rng.IntN(16))
	}
	return t
}

// arcFrames draws frames that look like game screens: a background colour
// and a dozen filled rectangles.
func arcFrames(rng *rand.Rand, shape ...int) tensor.U8 {
	t := tensor.New[uint8](shape...)
	for f := range len(t.Data) / 4096 {
		fr := t.Data[f*4096 : (f+1)*4096]
		bg := uint8(rng.IntN(16))
		for i := range fr {
			fr[i] = bg
		}
		for range 12 {
			c := uint8(rng.IntN(16))
			x0, y0, w, h := rng.IntN(64), rng.IntN(64), 1+rng.IntN(20), 1+rng.IntN(20)
			for y := y0; y < min(64, y0+h); y++ {
				for x := x0; x < min(64, x0+w); x++ {
					fr[y*64+x] = c
				}
			}
		}
	}
	return t
}

func filled(v uint8, shape ...int) tensor.U8 {
	t := tensor.New[uint8](shape...)
	for i := range t.Data {
		t.Data[i] = v
	}
	return t
}
