package remote

import (
	"context"
	"fmt"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
)

// ExampleClient plays a few commands with the raw client: open a
// scorecard, start a session with RESET, act, and close the scorecard.
func ExampleClient() {
	srv := startARCServer() // stands in for https://three.arcprize.org
	defer srv.Close()
	ctx := context.Background()

	c, err := NewClient(srv.URL, ClientConfig{APIKey: "my-key"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()

	games, err := c.Games(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	gameID := games[0].GameID
	card, err := c.OpenScorecard(ctx, OpenOptions{Tags: []string{"example"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	var fd arc.FrameData // reused by every command
	if err := c.Reset(ctx, gameID, card, "", &fd); err != nil {
		fmt.Println(err)
		return
	}
	guid := fd.GUID
	for _, a := range []arc.Action{arc.Simple(arc.Action1), arc.Click(10, 20)} {
		if err := c.Action(ctx, gameID, guid, a, &fd); err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s -> %s, levels %d/%d, %d frame(s)\n", fd.Action, fd.State, fd.LevelsCompleted, fd.WinLevels, fd.NumFrames())
	}
	summary, err := c.CloseScorecard(ctx, card)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("actions on the scorecard:", summary.TotalActions)
	// Output:
	// ACTION1 -> NOT_FINISHED, levels 1/3, 2 frame(s)
	// ACTION6(10,20) -> NOT_FINISHED, levels 1/3, 1 frame(s)
	// actions on the scorecard: 2
}

// ExampleMake plays a remote game through the env.Env interface.
func ExampleMake() {
	srv := startARCServer()
	defer srv.Close()
	ctx := context.Background()

	g, err := Make(ctx, "fake", MakeConfig{
		BaseURL: srv.URL,
		Session: SessionConfig{Scorecard: OpenOptions{SourceURL: "https://example.com/agent"}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, _, err := g.Reset(ctx, env.ResetOptions{}); err != nil {
		fmt.Println(err)
		return
	}
	for {
		st, err := g.Step(ctx, arc.Simple(arc.Action1))
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("reward %.0f terminated %v state %s\n", st.Reward, st.Terminated, st.Info.State)
		if st.Done() {
			break
		}
	}
	if err := g.Close(); err != nil { // closes the scorecard Make opened
		fmt.Println(err)
		return
	}
	fmt.Println("game:", g.GameInfo().ID, "scorecard closed:", g.Backend().(*Session).Scorecard() != nil)
	// Output:
	// reward 1 terminated false state NOT_FINISHED
	// reward 1 terminated false state NOT_FINISHED
	// reward 1 terminated true state WIN
	// game: fake-0000000f scorecard closed: true
}
