//go:build !amd64 || purego

package diff

var useAsm, useAVX512 = false, false

func next(a, b []uint8) int { return nextGeneric(a, b) }
