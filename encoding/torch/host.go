//go:build gotch

package torch

/*
#include <stdint.h>

// From libtorch's C API compiled into gotch's libtch package; gotch v0.7.0
// does not expose the strides to Go.
void at_stride(void *t, int64_t *strides);
*/
import "C"

import (
	"fmt"
	"unsafe"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/ts"
)

// contiguous reports whether t's elements lie in row-major order with no
// gaps, the layout whose data pointer can be read as a flat slice. Like
// libtorch, it ignores the stride of a dimension of size one.
func contiguous(t *ts.Tensor, shape []int) (bool, error) {
	if len(shape) == 0 {
		return true, nil
	}
	strides := make([]int64, len(shape))
	C.at_stride(t.Ctensor(), (*C.int64_t)(unsafe.Pointer(&strides[0])))
	if err := ts.TorchErr(); err != nil {
		return false, fmt.Errorf("torch: strides: %w", err)
	}
	want := int64(1)
	for i := len(shape) - 1; i >= 0; i-- {
		if shape[i] != 1 && strides[i] != want {
			return false, nil
		}
		want *= int64(shape[i])
	}
	return true, nil
}

// host returns the n elements of t, whose element type must be T, as a Go
// slice in row-major order. A contiguous CPU tensor is read in place;
// anything else (a strided view, a tensor on another device) is first
// copied into a contiguous CPU tensor, returned as tmp for the caller to
// drop once done with the slice. The slice is valid while t (and tmp) live
// and nobody writes to them.
func host[T any](t *ts.Tensor, shape []int, n int) (data []T, tmp *ts.Tensor, err error) {
	if n == 0 {
		return nil, nil, nil
	}
	dev, err := t.Device()
	if err != nil {
		return nil, nil, fmt.Errorf("torch: device: %w", err)
	}
	src := t
	if dev.IsCuda() {
		if tmp, err = t.To(gotch.CPU, false); err != nil {
			return nil, nil, fmt.Errorf("torch: copy to CPU: %w", err)
		}
		src = tmp
	}
	ok, err := contiguous(src, shape)
	if err != nil {
		dropIf(tmp)
		return nil, nil, err
	}
	if !ok {
		c, err := src.Contiguous(false)
		dropIf(tmp)
		if err != nil {
			return nil, nil, fmt.Errorf("torch: contiguous: %w", err)
		}
		tmp, src = c, c
	}
	p, err := src.DataPtr()
	if err != nil {
		dropIf(tmp)
		return nil, nil, fmt.Errorf("torch: data pointer: %w", err)
	}
	return unsafe.Slice((*T)(p), n), tmp, nil
}

// dropIf drops t unless it is nil.
func dropIf(t *ts.Tensor) {
	if t != nil {
		t.MustDrop()
	}
}
