//go:build !purego

package encoding

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// useAsm selects the assembly kernels, which need AVX2; tests turn it off
// to check the portable ones on the same machine.
var useAsm = cpu.X86.HasAVX2

// streamThreshold is the output size from which the kernels use
// non-temporal stores, the size from which the runtime's memclr does too.
// Below it the output stays in the caches for the model that reads it
// next; above it, it would not fit anyway, and streaming stores save the
// read of every destination line before it is written. A variable so that
// tests can exercise both paths.
var streamThreshold = 32 << 20

//go:noescape
func oneHotCHWF32AVX2(dst *float32, src *uint8, frames int, nt int)

//go:noescape
func oneHotCHWF64AVX2(dst *float64, src *uint8, frames int, nt int)

//go:noescape
func oneHotCHWU8AVX2(dst *uint8, src *uint8, frames int, nt int)

//go:noescape
func oneHotHWCF32AVX2(dst *float32, src *uint8, cells int, pat *[Colors][Colors]float32, nt int)

//go:noescape
func oneHotHWCU8SSE(dst *uint8, src *uint8, cells int, pat *[Colors][Colors]uint8, nt int)

//go:noescape
func lookupF32AVX2(dst *float32, src *uint8, n int, lut *[Colors]float32, nt int)

// stream reports whether a destination of n bytes at p should be written
// with non-temporal stores, which also need p aligned to align bytes.
func stream(p unsafe.Pointer, n, align int) int {
	if n >= streamThreshold && uintptr(p)%uintptr(align) == 0 {
		return 1
	}
	return 0
}

// accelOneHotCHW runs the assembly kernel for dst's element type and
// reports whether it did.
func accelOneHotCHW[T elem](dst []T, src []uint8) bool {
	frames := len(src) / Cells
	if !useAsm || frames == 0 {
		return false
	}
	switch d := any(dst).(type) {
	case []float32:
		d = d[:frames*Colors*Cells]
		oneHotCHWF32AVX2(&d[0], &src[0], frames, stream(unsafe.Pointer(&d[0]), 4*len(d), 32))
	case []float64:
		d = d[:frames*Colors*Cells]
		oneHotCHWF64AVX2(&d[0], &src[0], frames, stream(unsafe.Pointer(&d[0]), 8*len(d), 32))
	case []uint8:
		d = d[:frames*Colors*Cells]
		oneHotCHWU8AVX2(&d[0], &src[0], frames, stream(unsafe.Pointer(&d[0]), len(d), 32))
	default:
		return false
	}
	return true
}

// accelOneHotHWC runs the assembly kernel for single-frame stacks (the
// pattern of cell i lands at 16i) and reports whether it did.
func accelOneHotHWC[T elem](dst []T, src []uint8, stack int) bool {
	if !useAsm || stack != 1 || len(src) == 0 {
		return false
	}
	switch d := any(dst).(type) {
	case []float32:
		d = d[:len(src)*Colors]
		oneHotHWCF32AVX2(&d[0], &src[0], len(src), &tabF32.onehot, stream(unsafe.Pointer(&d[0]), 4*len(d), 32))
	case []uint8:
		d = d[:len(src)*Colors]
		oneHotHWCU8SSE(&d[0], &src[0], len(src), &tabU8.onehot, stream(unsafe.Pointer(&d[0]), len(d), 16))
	default:
		return false
	}
	return true
}

// accelLookup maps src through lut with the assembly kernel for float32 and
// reports whether it did.
func accelLookup[T elem](dst []T, src []uint8, lut *[Colors]T) bool {
	if !useAsm || len(src) == 0 || len(src)%Cells != 0 {
		return false
	}
	d, ok := any(dst).([]float32)
	if !ok {
		return false
	}
	d = d[:len(src)]
	l := any(lut).(*[Colors]float32)
	lookupF32AVX2(&d[0], &src[0], len(src), l, stream(unsafe.Pointer(&d[0]), 4*len(d), 32))
	return true
}
