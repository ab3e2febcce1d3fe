//go:build gotch

package torch_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/encoding"
	"github.com/arcgym/arcgym/encoding/torch"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/tensor"
	"github.com/arcgym/arcgym/vector"
)

// pipeline steps a vector env of a built-in keyboard game with random
// moves and stacks its frames, as a learner's rollout does.
type pipeline struct {
	venv    vector.Env // a Sync env under a vector.FrameStack
	actions []arc.Action
	rng     *rand.Rand
}

func newPipeline(tb testing.TB, game string, envs, k int) (*pipeline, tensor.U8) {
	tb.Helper()
	venv, err := vector.New(context.Background(), vector.Spec{
		NumEnvs: envs, Make: vector.Make(game, env.Config{}), Vector: []vector.Wrapper{vector.FrameStackConfig{Depth: k}},
	})
	require.NoError(tb, err)
	tb.Cleanup(func() { venv.Close() })
	b, err := venv.Reset(context.Background(), env.ResetOptions{})
	require.NoError(tb, err)
	return &pipeline{venv: venv, actions: make([]arc.Action, envs), rng: rand.New(rand.NewPCG(1, 2))}, b.Obs
}

// step moves every sub-environment once and returns the new stacks.
func (p *pipeline) step(ctx context.Context) (tensor.U8, error) {
	for i := range p.actions {
		p.actions[i] = arc.Simple(arc.Action1 + arc.ActionID(p.rng.IntN(4)))
	}
	b, err := p.venv.Step(ctx, p.actions)
	if err != nil {
		return tensor.U8{}, err
	}
	return b.Obs, nil
}

func TestExpanderMatchesOneHot(t *testing.T) {
	const envs, k = 3, 2
	p, obs := newPipeline(t, "gl02", envs, k)
	for _, layout := range []encoding.Layout{encoding.ChannelFirst, encoding.ChannelLast} {
		for _, stacked := range []bool{true, false} {
			shape := obs.Shape
			if !stacked {
				shape = []int{envs * k, arc.GridSize, arc.GridSize}
			}
			in, err := torch.NewIndices(shape...)
			require.NoError(t, err)
			defer in.Close()
			ex, err := torch.NewExpander(layout, shape...)
			require.NoError(t, err)
			defer ex.Close()
			enc := encoding.OneHot{Layout: layout}
			want := tensor.New[float32](enc.OutShape(shape)...)
			for s := range 6 {
				src, err := obs.Reshape(shape...)
				require.NoError(t, err)
				require.NoError(t, in.Load(src))
				x, err := ex.Expand(in)
				require.NoError(t, err)
				got := values[float32](t, x)
				require.NoError(t, enc.Encode(want, src))
				assert.Equal(t, want.Shape, got.Shape)
				require.True(t, slices.Equal(want.Data, got.Data), "layout %v, stacked %v, step %d", layout, stacked, s)
				obs, err = p.step(t.Context())
				require.NoError(t, err)
			}
		}
	}
}

func TestIndicesErrors(t *testing.T) {
	for _, shape := range [][]int{{64, 64}, {2, 64, 63}, {0, 64, 64}, {2, 0, 64, 64}, {1, 2, 3, 64, 64}} {
		_, err := torch.NewIndices(shape...)
		assert.ErrorIs(t, err, torch.ErrShape, "shape %v", shape)
		_, err = torch.NewExpander(encoding.ChannelFirst, shape...)
		assert.ErrorIs(t, err, torch.ErrShape, "shape %v", shape)
	}
	in, err := torch.NewIndices(2, 64, 64)
	require.NoError(t, err)
	defer in.Close()
	good := randomFrames(3, 2, 64, 64)
	require.NoError(t, in.Load(good))

	err = in.Load(randomFrames(3, 3, 64, 64))
	assert.ErrorIs(t, err, torch.ErrShape)
	err = in.Load(randomFrames(3, 2, 1, 64, 64))
	assert.ErrorIs(t, err, torch.ErrShape)

	for _, at := range []int{0, 7, 8, 4095, 2*4096 - 1} {
		bad := good.Clone()
		bad.Data[at] = 16 + uint8(at%200)
		err := in.Load(bad)
		require.ErrorIs(t, err, torch.ErrColor, "colour at %d", at)
		assert.Contains(t, err.Error(), "flat index")
		assert.Contains(t, err.Error(), " "+strconv.Itoa(at)+" ")
		assert.Equal(t, good.Data, in.View().Data, "a failed load leaves the tensor as it was")
	}

	ex, err := torch.NewExpander(encoding.ChannelFirst, 3, 64, 64)
	require.NoError(t, err)
	defer ex.Close()
	_, err = ex.Expand(in)
	assert.ErrorIs(t, err, torch.ErrShape)
	_, err = torch.NewExpander(encoding.Layout(7), 2, 64, 64)
	assert.ErrorIs(t, err, torch.ErrShape)

	closed, err := torch.NewIndices(3, 64, 64)
	require.NoError(t, err)
	closed.Close()
	assert.ErrorIs(t, closed.Load(randomFrames(3, 3, 64, 64)), torch.ErrShape, "load after close")
	_, err = ex.Expand(closed)
	assert.ErrorIs(t, err, torch.ErrShape, "expand after close")
}

// A colour above 15 written past Load's check makes libtorch's scatter
// fail, and Expand report it rather than crash.
func TestExpanderRejectsOutOfRange(t *testing.T) {
	in, err := torch.NewIndices(1, 64, 64)
	require.NoError(t, err)
	defer in.Close()
	clear(in.View().Data)
	in.View().Data[100] = 16
	ex, err := torch.NewExpander(encoding.ChannelFirst, 1, 64, 64)
	require.NoError(t, err)
	defer ex.Close()
	_, err = ex.Expand(in)
	assert.Error(t, err)
}

func TestSteadyStateAllocatesNothing(t *testing.T) {
	_, obs := newPipeline(t, "gl02", 4, 2)
	in, err := torch.NewIndices(obs.Shape...)
	require.NoError(t, err)
	defer in.Close()
	allocs := testing.AllocsPerRun(20, func() {
		if err := in.Load(obs); err != nil {
			t.Fatal(err)
		}
	})
	assert.Zero(t, allocs)

	// The libtorch side keeps its handles in the Expander and the Pooler:
	// nothing is allocated on the Go side either.
	require.NoError(t, in.Load(obs))
	ex, err := torch.NewExpander(encoding.ChannelFirst, obs.Shape...)
	require.NoError(t, err)
	defer ex.Close()
	pl, err := torch.NewPooler(4, obs.Shape...)
	require.NoError(t, err)
	defer pl.Close()
	assert.Zero(t, testing.AllocsPerRun(20, func() {
		if _, err := ex.Expand(in); err != nil {
			t.Fatal(err)
		}
	}), "Expand")
	assert.Zero(t, testing.AllocsPerRun(20, func() {
		if _, err := pl.Pool(in); err != nil {
			t.Fatal(err)
		}
	}), "Pool")
}

// pooledOneHot is the f32 path's pooled input: the Go one-hot in a libtorch
// tensor, average-pooled by libtorch.
func pooledOneHot(t *testing.T, src tensor.U8, pool int) tensor.F32 {
	t.Helper()
	x, err := torch.Encode(encoding.OneHot{}, src)
	require.NoError(t, err)
	defer x.MustDrop()
	k := []int64{int64(pool), int64(pool)}
	p, err := x.AvgPool2d(k, k, []int64{0, 0}, false, true, nil, false)
	require.NoError(t, err)
	defer p.MustDrop()
	return values[float32](t, p)
}

func TestPoolerMatchesPooledOneHot(t *testing.T) {
	const envs, k = 3, 2
	p, obs := newPipeline(t, "gl02", envs, k)
	in, err := torch.NewIndices(obs.Shape...)
	require.NoError(t, err)
	defer in.Close()
	for _, pool := range []int{1, 4, 8} {
		pl, err := torch.NewPooler(pool, obs.Shape...)
		require.NoError(t, err)
		defer pl.Close()
		for s := range 4 {
			require.NoError(t, in.Load(obs))
			x, err := pl.Pool(in)
			require.NoError(t, err)
			got := values[float32](t, x)
			want := pooledOneHot(t, obs, pool)
			assert.Equal(t, want.Shape, got.Shape)
			require.True(t, slices.Equal(want.Data, got.Data), "pool %d, step %d", pool, s)
			obs, err = p.step(t.Context())
			require.NoError(t, err)
		}
	}
	// Random frames reach every colour in every patch position.
	src := randomFrames(5, 2, 3, 64, 64)
	in3, err := torch.NewIndices(src.Shape...)
	require.NoError(t, err)
	defer in3.Close()
	require.NoError(t, in3.Load(src))
	pl, err := torch.NewPooler(4, src.Shape...)
	require.NoError(t, err)
	defer pl.Close()
	x, err := pl.Pool(in3)
	require.NoError(t, err)
	assert.Equal(t, pooledOneHot(t, src, 4).Data, values[float32](t, x).Data)
}

func TestPoolerErrors(t *testing.T) {
	for _, c := range []struct {
		pool  int
		shape []int
	}{{4, []int{2, 64, 64}}, {3, []int{1, 2, 64, 64}}, {0, []int{1, 2, 64, 64}}, {4, []int{1, 2, 64, 32}}} {
		_, err := torch.NewPooler(c.pool, c.shape...)
		assert.ErrorIs(t, err, torch.ErrShape, "pool %d over %v", c.pool, c.shape)
	}
	pl, err := torch.NewPooler(4, 1, 2, 64, 64)
	require.NoError(t, err)
	defer pl.Close()
	in, err := torch.NewIndices(2, 2, 64, 64)
	require.NoError(t, err)
	defer in.Close()
	_, err = pl.Pool(in)
	assert.ErrorIs(t, err, torch.ErrShape)

	one, err := torch.NewIndices(1, 2, 64, 64)
	require.NoError(t, err)
	defer one.Close()
	one.View().Data[77] = 16
	_, err = pl.Pool(one)
	assert.Error(t, err, "an index past the table makes libtorch fail")
}
