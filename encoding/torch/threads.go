//go:build gotch

package torch

/*
// From libtorch's C API compiled into gotch's libtch package; gotch v0.7.0
// does not expose the thread-pool size to Go.
int at_get_num_threads();
void at_set_num_threads(int n_threads);
*/
import "C"

import (
	"fmt"

	"github.com/sugarme/gotch/ts"
)

// SetNumThreads sets the number of threads libtorch uses within one
// operation (its intra-op pool, at::set_num_threads) for the whole
// process. Small networks on a few shared cores often run fastest on one:
// the work of each kernel is too small to share out.
func SetNumThreads(n int) error {
	if n < 1 {
		return fmt.Errorf("torch: %d threads, need at least 1", n)
	}
	defer pin()()
	C.at_set_num_threads(C.int(n))
	if err := ts.TorchErr(); err != nil {
		return fmt.Errorf("torch: set %d threads: %w", n, err)
	}
	return nil
}

// NumThreads returns the size of libtorch's intra-op thread pool.
func NumThreads() int { return int(C.at_get_num_threads()) }
