package main

import (
	"context"
	"slices"
	"testing"

	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/vector"
)

// TestSimpleMatchesSync checks that simpleVec plays the games as the
// vector envs do in NextStep mode: the same rows, step after step, over a
// script that ends episodes.
func TestSimpleMatchesSync(t *testing.T) {
	ctx := context.Background()
	const n = 16
	script, err := gameScript("kw01", n)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := vector.NewSync(ctx, n, vector.Make("kw01", env.Config{}), vector.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer ref.Close()
	if _, err := ref.Reset(ctx, env.ResetOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, opts := range []simpleOptions{{}, {InPlace: true}, {InPlace: true, CallerRuns: true}} {
		for _, w := range []int{1, 2, 3} {
			v, err := newSimple(ctx, n, w, vector.Make("kw01", env.Config{}), opts)
			if err != nil {
				t.Fatal(err)
			}
			if err := v.Reset(ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := ref.Reset(ctx, env.ResetOptions{}); err != nil {
				t.Fatal(err)
			}
			firsts := 0
			for s := range 600 {
				acts := script[s%len(script)]
				b, err := ref.Step(ctx, acts)
				if err != nil || b.Err() != nil {
					t.Fatal(err, b.Err())
				}
				if err := v.Step(ctx, acts); err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(b.Obs.Data, v.Obs().Data) || !slices.Equal(b.Rewards, v.rewards) ||
					!slices.Equal(b.Terminated, v.term) || !slices.Equal(b.Truncated, v.trunc) || !slices.Equal(b.First, v.first) {
					t.Fatalf("%+v, %d workers: step %d differs from Sync", opts, w, s)
				}
				for i := range n {
					if b.Infos[i].State != v.infos[i].State || b.Infos[i].EpisodeSteps != v.infos[i].EpisodeSteps {
						t.Fatalf("%+v, %d workers: step %d, row %d: info differs from Sync", opts, w, s, i)
					}
				}
				for _, f := range v.first {
					if f {
						firsts++
					}
				}
			}
			if firsts == 0 {
				t.Errorf("%+v, %d workers: no episode ended; the script tests no autoreset", opts, w)
			}
			if err := v.Close(); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestSimpleAllocatesNothing checks that a call of simpleVec, autoresets
// included, allocates nothing.
func TestSimpleAllocatesNothing(t *testing.T) {
	ctx := context.Background()
	const n = 64
	script, err := gameScript("kw01", n)
	if err != nil {
		t.Fatal(err)
	}
	for _, opts := range []simpleOptions{{}, {InPlace: true}, {InPlace: true, CallerRuns: true}} {
		for _, w := range []int{1, 2} {
			v, err := newSimple(ctx, n, w, vector.Make("kw01", env.Config{}), opts)
			if err != nil {
				t.Fatal(err)
			}
			if err := v.Reset(ctx); err != nil {
				t.Fatal(err)
			}
			s := 0
			allocs := testing.AllocsPerRun(2000, func() {
				if err := v.Step(ctx, script[s%len(script)]); err != nil {
					t.Fatal(err)
				}
				s++
			})
			if allocs != 0 {
				t.Errorf("%+v, %d workers: %.2f allocations per call, want 0", opts, w, allocs)
			}
			if err := v.Close(); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// BenchmarkSimple steps 64 games on two workers of simpleVec, with rows
// written in place.
func BenchmarkSimple(b *testing.B) {
	ctx := context.Background()
	const n = 64
	script, err := gameScript("kw01", n)
	if err != nil {
		b.Fatal(err)
	}
	v, err := newSimple(ctx, n, 2, vector.Make("kw01", env.Config{}), simpleOptions{InPlace: true})
	if err != nil {
		b.Fatal(err)
	}
	defer v.Close()
	if err := v.Reset(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	s := 0
	for b.Loop() {
		if err := v.Step(ctx, script[s%len(script)]); err != nil {
			b.Fatal(err)
		}
		s++
	}
}
