package games

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/arcgym/arcgym/arc"
)

// actionStream returns n random actions drawn uniformly from the game's
// available set, clicks at uniform frame coordinates.
func actionStream(info arc.GameInfo, n int, seed uint64) []arc.Action {
	r := rand.New(rand.NewPCG(seed, 7))
	ids := info.Available.IDs(nil)
	out := make([]arc.Action, n)
	for i := range out {
		id := ids[r.IntN(len(ids))]
		if id == arc.Action6 {
			out[i] = arc.Click(r.IntN(arc.GridSize), r.IntN(arc.GridSize))
		} else {
			out[i] = arc.Simple(id)
		}
	}
	return out
}

// player drives a session with a random action stream, resetting whenever a
// command ends the run.
type player struct {
	s      Instance
	stream []arc.Action
	i      int
	out    arc.FrameData
}

func newPlayer(tb testing.TB, id string) *player {
	tb.Helper()
	s, err := New(id)
	if err != nil {
		tb.Fatal(err)
	}
	p := &player{s: s, stream: actionStream(s.Info(), 1<<14, 1)}
	if err := s.Do(context.Background(), arc.Simple(arc.Reset), &p.out); err != nil {
		tb.Fatal(err)
	}
	return p
}

func (p *player) step(ctx context.Context) error {
	a := p.stream[p.i&(len(p.stream)-1)]
	p.i++
	if p.out.State.Terminal() {
		a = arc.Simple(arc.Reset)
	}
	return p.s.Do(ctx, a, &p.out)
}

func BenchmarkStep(b *testing.B) {
	for _, info := range List() {
		b.Run(info.ID, func(b *testing.B) {
			p := newPlayer(b, info.ID)
			ctx := context.Background()
			// Warm up the frame buffer and measure the mean frames per step,
			// so SetBytes counts every 64x64 frame produced.
			frames := 0
			const warm = 4096
			for range warm {
				if err := p.step(ctx); err != nil {
					b.Fatal(err)
				}
				frames += p.out.NumFrames()
			}
			b.SetBytes(int64(arc.FrameCells * frames / warm))
			b.ReportAllocs()
			for b.Loop() {
				if err := p.step(ctx); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
			b.ReportMetric(float64(frames)/warm, "frames/step")
		})
	}
}

// BenchmarkFrameCopyBaseline is the floor a step cannot beat: appending
// one 64x64 frame to a reused result buffer.
func BenchmarkFrameCopyBaseline(b *testing.B) {
	var out arc.FrameData
	var f arc.Frame
	b.SetBytes(arc.FrameCells)
	b.ReportAllocs()
	for b.Loop() {
		out.Frames = out.Frames[:0]
		out.AppendFrame(f[:])
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
}

// BenchmarkReseed is a training loop's episode start: a new seed and a full
// reset, which builds that seed's level set.
func BenchmarkReseed(b *testing.B) {
	for _, info := range List() {
		b.Run(info.ID, func(b *testing.B) {
			s, err := New(info.ID)
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			var out arc.FrameData
			seed := int64(1)
			b.ReportAllocs()
			for b.Loop() {
				s.Seed(seed)
				seed++
				if err := s.Do(ctx, arc.Simple(arc.Reset), &out); err != nil {
					b.Fatal(err)
				}
				if !out.FullReset {
					b.Fatal("not a full reset")
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "episodes/s")
		})
	}
}
