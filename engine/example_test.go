package engine_test

import (
	"context"
	"fmt"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/engine"
)

// ExampleNewInstance runs the three-level walker game of this package's
// tests through the ARC command protocol.
func ExampleNewInstance() {
	s := engine.NewInstance(newWalker())
	ctx := context.Background()
	var out arc.FrameData
	for _, a := range []arc.Action{reset, dash, right} {
		if err := s.Do(ctx, a, &out); err != nil {
			panic(err)
		}
		fmt.Println(a, out.State, out.LevelsCompleted, out.NumFrames())
	}
	// Output:
	// RESET NOT_FINISHED 0 1
	// ACTION5 NOT_FINISHED 0 3
	// ACTION4 NOT_FINISHED 1 3
}

// ExampleCamera shows how a small play area is scaled and letterboxed.
func ExampleCamera() {
	c := engine.NewCamera(10, 10, engine.Black)
	fmt.Println("scale", c.Scale, "offset", c.OffX, c.OffY)
	gx, gy, ok := c.ToGrid(32, 32)
	fmt.Println(gx, gy, ok)
	_, _, ok = c.ToGrid(0, 0)
	fmt.Println("letterbox:", !ok)
	// Output:
	// scale 6 offset 2 2
	// 5 5 true
	// letterbox: true
}
