package env_test

import (
	"testing"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/games"
	"github.com/arcgym/arcgym/spaces"
)

// BenchmarkStep measures env.Game.Step over each built-in game, next to the
// backend's own Do on the same action stream, so the adapter's overhead
// reads off the pair.
func BenchmarkStep(b *testing.B) {
	for _, info := range games.List() {
		space := spaces.NewAction(info.Available)
		space.Seed(1)
		actions := make([]arc.Action, 1024)
		for i := range actions {
			actions[i], _ = space.Sample(nil)
		}
		b.Run(info.ID+"/backend", func(b *testing.B) {
			s, err := games.New(info.ID)
			if err != nil {
				b.Fatal(err)
			}
			ctx := b.Context()
			var out arc.FrameData
			if err := s.Do(ctx, arc.Simple(arc.Reset), &out); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(arc.FrameCells)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if err := s.Do(ctx, actions[i%len(actions)], &out); err != nil {
					b.Fatal(err)
				}
				i++
				if out.State.Terminal() {
					_ = s.Do(ctx, arc.Simple(arc.Reset), &out)
				}
			}
		})
		b.Run(info.ID+"/env", func(b *testing.B) {
			g, err := env.Make(info.ID)
			if err != nil {
				b.Fatal(err)
			}
			ctx := b.Context()
			if _, _, err := g.Reset(ctx, env.ResetOptions{}); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(arc.FrameCells)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				st, err := g.Step(ctx, actions[i%len(actions)])
				if err != nil {
					b.Fatal(err)
				}
				i++
				if st.Done() {
					_, _, _ = g.Reset(ctx, env.ResetOptions{})
				}
			}
		})
	}
}
