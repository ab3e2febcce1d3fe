//go:build gotch && linux

package cmem

/*
#include <malloc.h>

static size_t cmem_in_use(void) {
	struct mallinfo2 mi = mallinfo2();
	return mi.uordblks + mi.hblkhd;
}
*/
import "C"

// InUse returns the bytes glibc's malloc has handed out, from every arena
// and from mmap, and not yet got back. libtorch's CPU allocator takes its
// tensor memory from malloc, so a tensor that is never dropped shows here.
func InUse() int { return int(C.cmem_in_use()) }
