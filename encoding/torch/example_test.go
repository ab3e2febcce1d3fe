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

// A policy over a game's compact layout has one logit per action: here a
// game with ACTION1 and clicks, 1 + 4,096 logits. The mask rules ACTION1
// out; the layout maps the chosen index back to an action.
func ExampleMaskedArgmax() {
	layout := spaces.Compact(arc.ActionSetOf(arc.Action1, arc.Action6))
	logits := tensor.New[float32](1, layout.N())
	logits.Data[layout.Index(arc.Click(3, 4))] = 2 // the policy likes a click
	logits.Data[0] = 5                             // and ACTION1 even more
	x, _ := torch.FromF32(logits)
	defer x.MustDrop()

	masks := make([]bool, layout.N())
	_ = layout.Mask(masks, arc.ActionSetOf(arc.Action6)) // only clicks allowed now
	mask, _ := torch.Mask(masks, layout.N())
	defer mask.MustDrop()

	idx := make([]int, 1)
	actions := make([]arc.Action, 1)
	_ = torch.MaskedArgmax(idx, x, mask)
	_ = layout.Actions(actions, idx)
	fmt.Println(actions[0].ID, actions[0].X, actions[0].Y)
	// Output: ACTION6 3 4
}
