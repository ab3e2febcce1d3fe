//go:build gotch

package torch_test

import (
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/encoding"
	"github.com/arcgym/arcgym/encoding/torch"
	"github.com/arcgym/arcgym/tensor"
)

// TestErrorsReachTheirCaller has goroutines whose libtorch operations fail
// run beside goroutines whose operations succeed. libtorch reports a
// failure in a thread-local variable that gotch reads with a second cgo
// call; every failure must come back to the call that caused it, and to no
// other, however the scheduler moves goroutines between threads.
func TestErrorsReachTheirCaller(t *testing.T) {
	bad := tensor.New[uint8](64, 64)
	bad.Data[77] = 16
	good := randomFrames(4, 64, 64)
	want := tensor.New[float32](encoding.OneHot{}.OutShape(good.Shape)...)
	require.NoError(t, encoding.OneHot{}.Encode(want, good))

	const goroutines, calls = 4, 100
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			src := good
			if g%2 == 0 {
				src = bad
			}
			idx, err := torch.FromU8(src)
			if !assert.NoError(t, err) {
				return
			}
			defer idx.MustDrop()
			got := tensor.New[float32](want.Shape...)
			for range calls {
				x, err := torch.OneHot(idx, encoding.ChannelFirst)
				if g%2 == 0 {
					if !assert.Error(t, err, "one_hot of colour 16") {
						x.MustDrop()
						return
					}
					continue
				}
				if !assert.NoError(t, err) {
					return
				}
				err = torch.CopyTo(got, x)
				x.MustDrop()
				if !assert.NoError(t, err) || !assert.True(t, slices.Equal(want.Data, got.Data), "values differ") {
					return
				}
			}
		})
	}
	wg.Wait()
}
