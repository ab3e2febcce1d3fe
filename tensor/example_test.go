package tensor_test

import (
	"fmt"

	"github.com/arcgym/arcgym/tensor"
)

// Tensors are views: indexing and reshaping share the data.
func ExampleDense() {
	batch := tensor.New[uint8](2, 64, 64) // two frames
	second := batch.Index(1)              // (64,64) view of frame 1
	second.Data[0] = 7
	flat, _ := batch.Reshape(2, 4096)
	fmt.Println(second.Shape, flat.Shape, batch.Data[4096])
	// Output: [64 64] [2 4096] 7
}
