package env_test

import (
	"context"
	"fmt"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
)

// Play one episode of a built-in game with uniformly random available
// actions.
func ExampleMake() {
	ctx := context.Background()
	g, err := env.Make(ctx, "kw01", env.Config{}) // base id or full "kw01-5e3a91c4"
	if err != nil {
		panic(err)
	}
	defer g.Close()

	obs, info, err := g.Reset(ctx, env.WithSeed(0))
	if err != nil {
		panic(err)
	}
	fmt.Println(info.GameID, obs.Grid.Shape, info.State, info.Available)

	space, _ := env.ActionSpaceOf(g) // a Game's action space is always a *spaces.Action
	steps := 0
	for {
		a, _ := space.Sample(nil)
		st, err := g.Step(ctx, a)
		if err != nil {
			panic(err)
		}
		steps++
		if st.Done() {
			fmt.Println("episode over:", st.Info.State == arc.GameOver || st.Info.State == arc.Win, steps > 0)
			break
		}
	}
	// Output:
	// kw01-5e3a91c4 [64 64] NOT_FINISHED [1 2 3 4]
	// episode over: true true
}

// Reset kinds: a level reset keeps progress, a game reset starts over.
func ExampleGame_Reset() {
	ctx := context.Background()
	g, err := env.Make(ctx, "kw01", env.Config{})
	if err != nil {
		panic(err)
	}
	defer g.Close()
	if _, _, err := g.Reset(ctx, env.ResetOptions{}); err != nil {
		panic(err)
	}
	if _, err := g.Step(ctx, arc.Simple(arc.Action4)); err != nil {
		panic(err)
	}
	_, info, _ := g.Reset(ctx, env.ResetOptions{Mode: env.ResetLevel})
	fmt.Println("level reset:", info.FullReset, info.ScoreActions)
	_, info, _ = g.Reset(ctx, env.ResetOptions{Mode: env.ResetGame})
	fmt.Println("game reset:", info.FullReset, info.ScoreActions)
	// Output:
	// level reset: false 2
	// game reset: true 0
}
