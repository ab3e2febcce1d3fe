package server_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/games"
	"github.com/arcgym/arcgym/remote"
	"github.com/arcgym/arcgym/server"
)

// A server for the built-in games, played with arcgym's REST client.
// (From the command line, server.ListenAndServe(ctx, ":8001", cfg) serves
// until ctx is cancelled.)
func Example() {
	srv, err := server.New(server.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	ts := httptest.NewServer(srv)
	defer ts.Close()

	ctx := context.Background()
	c, err := remote.NewClient(ts.URL, remote.ClientConfig{APIKey: "my-key"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	game := games.List()[0]
	card, err := c.OpenScorecard(ctx, remote.OpenOptions{Tags: []string{"example"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	var fd arc.FrameData
	if err := c.Reset(ctx, game.ID, card, "", &fd); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("reset:", fd.State, "full reset:", fd.FullReset, "frames:", fd.NumFrames())
	first := fd.Available.IDs(nil)[0]
	if err := c.Action(ctx, game.ID, fd.GUID, arc.Simple(first), &fd); err != nil {
		fmt.Println(err)
		return
	}
	summary, err := c.CloseScorecard(ctx, card)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("tags:", summary.Tags, "actions:", summary.TotalActions)
	// Output:
	// reset: NOT_FINISHED full reset: true frames: 1
	// tags: [example agent] actions: 1
}
