//go:build !amd64 || purego

package encoding

// Without assembly kernels every encoder runs the portable Go code.

var useAsm = false

var streamThreshold = 0

func accelOneHotCHW[T elem](dst []T, src []uint8) bool { return false }

func accelOneHotHWC[T elem](dst []T, src []uint8, stack int) bool { return false }

func accelLookup[T elem](dst []T, src []uint8, lut *[Colors]T) bool { return false }
