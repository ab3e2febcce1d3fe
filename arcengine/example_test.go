package arcengine_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/arcengine"
	"github.com/arcgym/arcgym/env"
)

// Scan lists the games of a folder in the toolkit's layout, with their
// metadata, without starting Python.
func ExampleScan() {
	games, problems := arcengine.Scan("testdata/games")
	for _, g := range games {
		fmt.Println(g.Info.ID, g.Info.Title, g.Info.ClassName, g.Info.BaselineActions)
	}
	fmt.Println(len(problems), "problems")
	// Output:
	// er01-0d5b9a47 Err Walk ErrWalk [18 38]
	// ih01-3f9a2c1e Ice Hall IceHall [32 16 125]
	// lg01-7b04d5e2 Lantern Grid Lg01 [2 8 13]
	// sd01-c2e81f60 Seed Dash Sd01 [12 18 24]
	// 0 problems
}

// ClassName is the toolkit's rule for the class a game's file defines.
func ExampleClassName() {
	fmt.Println(arcengine.ClassName("ls20-9607627b", ""))
	fmt.Println(arcengine.ClassName("ft09-0d8bbf25", "FillTheGap"))
	// Output:
	// Ls20
	// FillTheGap
}

// A Pool runs the games of a folder in worker processes; an Instance is an
// env.Backend. (Not run as a test: it needs Python with arcengine, which
// scripts/setup-python.sh installs.)
func ExamplePool() {
	ctx := context.Background()
	pool, err := arcengine.Open(arcengine.Config{GamesDir: "environment_files"})
	if err != nil {
		log.Fatal(err) // ErrGamesDir, ErrNoPython...
	}
	defer pool.Close()
	s, err := pool.New(ctx, "ls20")
	if err != nil {
		log.Fatal(err) // ErrEngineVersion, ErrLoad...
	}
	g, err := env.New(s, env.Config{})
	if err != nil {
		log.Fatal(err)
	}
	defer g.Close()
	obs, info, err := g.Reset(ctx, env.ResetOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(obs.Grid.Shape, info.Available, g.GameInfo().BaselineActions)
	st, err := g.Step(ctx, arc.Simple(arc.Action1))
	var we *arcengine.WorkerError
	if errors.As(err, &we) {
		// The game raised, its worker crashed or hung: the next Reset
		// starts it anew.
		fmt.Println(we.Kind, we.Detail)
	}
	fmt.Println(st.Info.State, st.Reward)
}
