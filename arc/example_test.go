package arc_test

import (
	"fmt"

	"github.com/arcgym/arcgym/arc"
)

// Actions are small values; ACTION6 carries the clicked cell.
func ExampleAction() {
	click := arc.Click(10, 20)
	fmt.Println(click, click.Validate() == nil)
	fmt.Println(arc.Action{ID: arc.Action6, X: 64}.Validate())

	avail := arc.ActionSetOf(arc.Action1, arc.Action2, arc.Action6)
	fmt.Println(avail, avail.Has(click.ID), avail.Has(arc.Action5))
	// Output:
	// ACTION6(10,20) true
	// arc: invalid action: ACTION6 at (64,0) is outside 0..63
	// [1 2 6] true false
}

// A result holds its frames back to back; the last one is the settled state.
func ExampleFrameData() {
	var fd arc.FrameData
	var frame arc.Frame
	frame[5*arc.GridSize+3] = 9 // x=3, y=5
	fd.AppendFrame(frame[:])
	frame[5*arc.GridSize+4] = 9
	fd.AppendFrame(frame[:])
	fd.State, fd.WinLevels = arc.NotFinished, 5

	fmt.Println(fd.NumFrames(), fd.Last()[5*arc.GridSize+4], fd.Validate())
	// Output: 2 9 <nil>
}
