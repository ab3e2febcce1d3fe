package arcengine

import (
	"context"
	"testing"

	"github.com/arcgym/arcgym/arc"
)

// BenchmarkRoundTrip measures the protocol alone: a worker answers with
// one blank frame without running a game.
func BenchmarkRoundTrip(b *testing.B) {
	p := openPool(b, gamesDir(b))
	w, _, err := p.acquire(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	defer p.release(w)
	var fd arc.FrameData
	var r response
	ctx := context.Background()
	b.SetBytes(arc.FrameCells)
	b.ReportAllocs()
	for b.Loop() {
		w.mu.Lock()
		w.wbuf = appendEcho(w.wbuf[:0], 1)
		err := w.call(ctx, "echo", "", &fd, &r)
		w.mu.Unlock()
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStep steps a light test game (sd01, about 50 µs a step
// in-process) through an Instance.
func BenchmarkStep(b *testing.B) {
	p := openPool(b, gamesDir(b))
	ctx := context.Background()
	s, err := p.New(ctx, "sd01")
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	var fd arc.FrameData
	if err := s.Do(ctx, arc.Simple(arc.Reset), &fd); err != nil {
		b.Fatal(err)
	}
	moves := [...]arc.Action{arc.Simple(arc.Action1), arc.Simple(arc.Action4), arc.Simple(arc.Action2), arc.Simple(arc.Action3)}
	b.SetBytes(arc.FrameCells)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if err := s.Do(ctx, moves[i%len(moves)], &fd); err != nil {
			if err := s.Do(ctx, arc.Simple(arc.Reset), &fd); err != nil {
				b.Fatal(err)
			}
		}
		i++
	}
}
