package spaces_test

import (
	"fmt"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/spaces"
)

func ExampleDiscrete_SampleMask() {
	d := spaces.NewDiscrete(4, 10) // 10, 11, 12, 13
	d.Seed(1)
	v, err := d.SampleMask([]bool{false, false, true, false})
	fmt.Println(v, err)
	// No value allowed: Gymnasium's fallback is Start.
	v, err = d.SampleMask([]bool{false, false, false, false})
	fmt.Println(v, err)
	// Output:
	// 12 <nil>
	// 10 <nil>
}

func ExampleMultiDiscrete_SampleMask() {
	m := spaces.NewMultiDiscrete(3, 5)
	m.Seed(1)
	v, err := m.SampleMask(nil, [][]bool{{false, true, false}, {false, false, false, true, false}})
	fmt.Println(v, err, m.Contains(v))
	// Output: [1 3] <nil> true
}

func ExampleFlatten() {
	for _, a := range []arc.Action{arc.Simple(arc.Action1), arc.Simple(arc.Action7), arc.Click(3, 2)} {
		i := spaces.Flatten(a)
		back, _ := spaces.Unflatten(i)
		fmt.Println(a, i, back)
	}
	fmt.Println(spaces.FlatSize)
	// Output:
	// ACTION1 0 ACTION1
	// ACTION7 5 ACTION7
	// ACTION6(3,2) 137 ACTION6(3,2)
	// 4102
}

func ExampleAction_Sample() {
	s := spaces.NewAction(arc.ActionSetOf(arc.Action1, arc.Action2, arc.Action6))
	s.Seed(7)
	// Mask out everything but ACTION2 and a click at (5,5).
	mask := make([]bool, spaces.FlatSize)
	mask[spaces.Flatten(arc.Simple(arc.Action2))] = true
	mask[spaces.Flatten(arc.Click(5, 5))] = true
	seen := map[string]bool{}
	for range 20 {
		a, ok := s.Sample(mask)
		if ok {
			seen[a.String()] = true
		}
	}
	fmt.Println(len(seen), seen["ACTION2"], seen["ACTION6(5,5)"])
	// Output: 2 true true
}

func ExampleNewDict() {
	d := spaces.NewDict(map[string]spaces.Space{
		"frame":  spaces.NewBox(0, 15, spaces.Uint8, 64, 64),
		"action": spaces.NewAction(arc.ActionSetOf(arc.Action1, arc.Action6)),
		"level":  spaces.NewDiscrete(8, 0),
	})
	d.Seed(3)
	v, err := d.Sample(map[string]any{"level": []int8{0, 0, 0, 0, 0, 1, 0, 0}})
	fmt.Println(d)
	fmt.Println(err, d.Contains(v), v["level"])
	// Output:
	// Dict(action: Action([1 6]), frame: Box(0, 15, [64 64], uint8), level: Discrete(8))
	// <nil> true 5
}

func ExampleNewTuple() {
	t := spaces.NewTuple(spaces.NewDiscrete(2, 0), spaces.NewBox(-1, 1, spaces.Float32, 2))
	fmt.Println(t, t.Contains([]any{1, 0.5}))
	// Output: Tuple(Discrete(2), Box(-1, 1, [2], float32)) false
}
