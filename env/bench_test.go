package env_test

import (
	"context"
	"testing"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/games"
	"github.com/arcgym/arcgym/spaces"
)

// recorder is a backend that notes every command it is given.
type recorder struct {
	env.Backend
	cmds []arc.Action
}

func (r *recorder) Do(ctx context.Context, a arc.Action, out *arc.FrameData) error {
	r.cmds = append(r.cmds, a)
	return r.Backend.Do(ctx, a, out)
}

// benchSteps is the length of the action stream of BenchmarkStep; the
// measured loops start over on a fresh game after that many steps.
const benchSteps = 4096

// BenchmarkStep measures env.Game.Step over each built-in game next to the
// backend's own Do, like for like: the backend loop sends exactly the
// commands that the env sent for the same steps (episode-ending resets
// included), recorded beforehand, so the pair differs only by the env's own
// work per step.
func BenchmarkStep(b *testing.B) {
	for _, info := range games.List() {
		space := spaces.NewAction(info.Available)
		space.Seed(1)
		actions := make([]arc.Action, benchSteps)
		for i := range actions {
			actions[i], _ = space.Sample(nil)
		}
		// envLoop runs step k of the stream on g: the action, and a reset
		// when the episode ended.
		envLoop := func(tb testing.TB, g *env.Game, k int) {
			st, err := g.Step(tb.Context(), actions[k])
			if err != nil {
				tb.Fatal(err)
			}
			if st.Done() {
				if _, _, err := g.Reset(tb.Context(), env.ResetOptions{}); err != nil {
					tb.Fatal(err)
				}
			}
		}
		newGame := func(tb testing.TB, rec *recorder) *env.Game {
			s, err := games.New(info.ID)
			if err != nil {
				tb.Fatal(err)
			}
			var be env.Backend = s
			if rec != nil {
				rec.Backend = s
				be = rec
			}
			g, err := env.New(be, env.Config{})
			if err != nil {
				tb.Fatal(err)
			}
			if _, _, err := g.Reset(tb.Context(), env.ResetOptions{}); err != nil {
				tb.Fatal(err)
			}
			return g
		}
		// The commands of each step, as the env sends them.
		rec := &recorder{}
		g := newGame(b, rec)
		reset := len(rec.cmds)
		perStep := make([][]arc.Action, benchSteps)
		for k := range actions {
			n := len(rec.cmds)
			envLoop(b, g, k)
			perStep[k] = rec.cmds[n:]
		}
		_ = g.Close()

		b.Run(info.ID+"/backend", func(b *testing.B) {
			ctx := b.Context()
			var out arc.FrameData
			var s games.Instance
			start := func() {
				if s != nil {
					_ = s.Close()
				}
				var err error
				if s, err = games.New(info.ID); err != nil {
					b.Fatal(err)
				}
				for _, a := range rec.cmds[:reset] {
					if err := s.Do(ctx, a, &out); err != nil {
						b.Fatal(err)
					}
				}
			}
			start()
			b.SetBytes(arc.FrameCells)
			b.ReportAllocs()
			k := 0
			for b.Loop() {
				if k == benchSteps {
					b.StopTimer()
					start()
					k = 0
					b.StartTimer()
				}
				for _, a := range perStep[k] {
					if err := s.Do(ctx, a, &out); err != nil {
						b.Fatal(err)
					}
				}
				k++
			}
		})
		b.Run(info.ID+"/env", func(b *testing.B) {
			g := newGame(b, nil)
			b.SetBytes(arc.FrameCells)
			b.ReportAllocs()
			k := 0
			for b.Loop() {
				if k == benchSteps {
					b.StopTimer()
					_ = g.Close()
					g = newGame(b, nil)
					k = 0
					b.StartTimer()
				}
				envLoop(b, g, k)
				k++
			}
		})
	}
}
