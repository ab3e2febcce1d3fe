package games_test

import (
	"context"
	"fmt"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/games"
)

// ExampleNew plays the first level of Keyway with the keyboard.
func ExampleNew() {
	s, err := games.New("kw01")
	if err != nil {
		panic(err)
	}
	defer s.Close()
	ctx := context.Background()
	var out arc.FrameData
	_ = s.Do(ctx, arc.Simple(arc.Reset), &out)
	fmt.Println(out.GameID, out.State, out.LevelsCompleted, "of", out.WinLevels, "full reset:", out.FullReset)

	// Down five, right three, up two, left one.
	for _, id := range []arc.ActionID{2, 2, 2, 2, 2, 4, 4, 4, 1, 1, 3} {
		_ = s.Do(ctx, arc.Simple(id), &out)
	}
	fmt.Println(out.State, out.LevelsCompleted, "level done;", out.NumFrames(), "frames in the last response")
	// Output:
	// kw01-5e3a91c4 NOT_FINISHED 0 of 5 full reset: true
	// NOT_FINISHED 1 level done; 3 frames in the last response
}
