package train

import (
	"context"

	"github.com/arcgym/arcgym/env"
)

// Reseed is an env wrapper that gives every episode a fresh game seed, so
// that a procedurally generated game plays new levels each time even when
// the caller (a vector env's autoreset, say) resets without a seed. Episode
// n of the wrapper plays seed First + n*Stride; a Reset that carries its own
// seed keeps it and does not advance the count.
type Reseed struct {
	env.Env
	// First and Stride lay out the seeds; Stride 0 means 1.
	First, Stride int64
	n             int64
}

// NewReseed wraps e so that its episodes play seeds first, first+stride, ...
func NewReseed(e env.Env, first, stride int64) *Reseed {
	return &Reseed{Env: e, First: first, Stride: stride}
}

// Unwrap returns the wrapped Env.
func (r *Reseed) Unwrap() env.Env { return r.Env }

// Episodes returns the number of seeds handed out so far.
func (r *Reseed) Episodes() int64 { return r.n }

// SetEpisodes sets the number of seeds handed out, to resume a run.
func (r *Reseed) SetEpisodes(n int64) { r.n = n }

// Reset implements env.Env.
func (r *Reseed) Reset(ctx context.Context, opts env.ResetOptions) (env.Obs, env.Info, error) {
	if !opts.HasSeed && opts.Mode == env.ResetGame {
		stride := r.Stride
		if stride == 0 {
			stride = 1
		}
		opts.Seed, opts.HasSeed = r.First+r.n*stride, true
		r.n++
	}
	return r.Env.Reset(ctx, opts)
}
