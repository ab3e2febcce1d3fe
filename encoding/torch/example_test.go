//go:build gotch

package torch_test

import (
	"fmt"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/encoding"
	"github.com/arcgym/arcgym/encoding/torch"
	"github.com/arcgym/arcgym/spaces"
	"github.com/arcgym/arcgym/tensor"
)

func ExampleEncode() {
	frames := tensor.New[uint8](8, 1, 64, 64) // a batch of 8 observations
	obs, err := torch.Encode(encoding.OneHot{}, frames)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer obs.MustDrop()
	shape, _ := torch.Shape(obs)
	fmt.Println(shape, obs.DType())
	// Output: [8 16 64 64] float32
}

func ExampleMaskedArgmax() {
	logits := tensor.New[float32](1, spaces.FlatSize)
	logits.Data[spaces.Flatten(arc.Click(3, 4))] = 2 // the policy likes a click
	logits.Data[0] = 5                               // and ACTION1 even more
	x, _ := torch.FromF32(logits)
	defer x.MustDrop()

	avail := spaces.NewAction(arc.ActionSetOf(arc.Action6)) // only clicks allowed
	mask, _ := torch.Mask([][]bool{avail.Mask(nil)})
	defer mask.MustDrop()

	flat := make([]int, 1)
	actions := make([]arc.Action, 1)
	_ = torch.MaskedArgmax(flat, x, mask)
	_ = torch.Actions(actions, flat)
	fmt.Println(actions[0].ID, actions[0].X, actions[0].Y)
	// Output: ACTION6 3 4
}
