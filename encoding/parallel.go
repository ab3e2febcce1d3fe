package encoding

import "sync"

// parallel calls fn over [0,n) split into at most workers contiguous ranges,
// one goroutine each, and returns when all have finished. Encoders call it
// only when asked for more than one worker, so the default path starts no
// goroutine and allocates nothing.
func parallel(workers, n int, fn func(lo, hi int)) {
	workers = min(workers, n)
	if workers <= 1 {
		fn(0, n)
		return
	}
	var wg sync.WaitGroup
	for w := 1; w < workers; w++ {
		lo, hi := w*n/workers, (w+1)*n/workers
		wg.Go(func() { fn(lo, hi) })
	}
	fn(0, n/workers)
	wg.Wait()
}
