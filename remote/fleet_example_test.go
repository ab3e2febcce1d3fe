package remote_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/remote"
	"github.com/arcgym/arcgym/server"
)

// A fleet of two servers: envs spread over them, and an env whose server
// dies moves to the other at its next Reset.
func ExampleFleet() {
	ctx := context.Background()
	var urls []string
	var servers []*httptest.Server
	for range 2 {
		s, err := server.New(server.Config{})
		if err != nil {
			panic(err)
		}
		defer s.Close()
		hs := httptest.NewServer(s)
		defer hs.Close()
		servers = append(servers, hs)
		urls = append(urls, hs.URL)
	}
	f, err := remote.NewFleet(urls, remote.FleetConfig{Client: remote.ClientConfig{NoAPIKey: true, MaxAttempts: 1}})
	if err != nil {
		panic(err)
	}
	defer f.Close(ctx)
	a, _ := f.Env(ctx, "kw01")
	defer a.Close()
	b, _ := f.Env(ctx, "kw01")
	defer b.Close()
	fmt.Println("on two servers:", a.Server() != b.Server())
	for _, e := range []*remote.FleetEnv{a, b} {
		if _, _, err := e.Reset(ctx, env.ResetOptions{}); err != nil {
			panic(err)
		}
	}

	servers[0].CloseClientConnections()
	servers[0].Close()
	var lost *remote.FleetEnv
	for _, e := range []*remote.FleetEnv{a, b} {
		if _, err := e.Step(ctx, arc.Simple(arc.Action3)); err != nil {
			fmt.Println("session lost:", errors.Is(err, remote.ErrSessionLost), errors.Is(err, env.ErrNeedsReset))
			lost = e
		}
	}
	if _, _, err := lost.Reset(ctx, env.ResetOptions{}); err != nil {
		panic(err)
	}
	fmt.Println("moved to the live server:", lost.Server() == urls[1])
	// Output:
	// on two servers: true
	// session lost: true true
	// moved to the live server: true
}
