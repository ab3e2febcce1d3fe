//go:build gotch

package torch_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/encoding"
	"github.com/arcgym/arcgym/encoding/torch"
	"github.com/arcgym/arcgym/spaces"
	"github.com/arcgym/arcgym/tensor"
)

func randomFrames(seed uint64, shape ...int) tensor.U8 {
	rng := rand.New(rand.NewPCG(seed, seed))
	t := tensor.New[uint8](shape...)
	for i := range t.Data {
		t.Data[i] = uint8(rng.IntN(16))
	}
	return t
}

func values[T uint8 | float32 | int64](t *testing.T, x *ts.Tensor) tensor.Dense[T] {
	t.Helper()
	shape, err := torch.Shape(x)
	require.NoError(t, err)
	out := tensor.New[T](shape...)
	require.NoError(t, torch.CopyTo(out, x))
	return out
}

func TestFromU8(t *testing.T) {
	src := randomFrames(1, 2, 3, 64, 64)
	x, err := torch.FromU8(src)
	require.NoError(t, err)
	defer x.MustDrop()
	assert.Equal(t, gotch.Uint8, x.DType())
	got := values[uint8](t, x)
	assert.Equal(t, src.Shape, got.Shape)
	assert.Equal(t, src.Data, got.Data)

	_, err = torch.FromU8(tensor.Dense[uint8]{Shape: []int{2, 2}, Data: make([]uint8, 3)})
	assert.ErrorIs(t, err, torch.ErrShape)
}

func TestFromF32(t *testing.T) {
	src := tensor.Of([]float32{1, -2, 3.5, 4, 5, 6}, 2, 3)
	x, err := torch.FromF32(src)
	require.NoError(t, err)
	defer x.MustDrop()
	assert.Equal(t, gotch.Float, x.DType())
	got := values[float32](t, x)
	assert.Equal(t, src, got)
}

func TestNewF32ViewSharesMemory(t *testing.T) {
	x, view, err := torch.NewF32(2, 3)
	require.NoError(t, err)
	defer x.MustDrop()
	copy(view.Data, []float32{0, 1, 2, 3, 4, 5})
	sum := x.MustSum(gotch.Float, false)
	defer sum.MustDrop()
	assert.Equal(t, 15.0, sum.Float64Values()[0])
}

func TestEncodeMatchesGo(t *testing.T) {
	src := randomFrames(2, 3, 2, 64, 64)
	encoders := map[string]torch.Encoder{
		"onehot-chw": encoding.OneHot{},
		"onehot-hwc": encoding.OneHot{Layout: encoding.ChannelLast},
		"scaled":     encoding.Scaled{},
		"raw":        encoding.Raw{},
		"diff":       encoding.Diff{Signed: true},
	}
	for name, enc := range encoders {
		t.Run(name, func(t *testing.T) {
			want := tensor.New[float32](enc.OutShape(src.Shape)...)
			require.NoError(t, enc.Encode(want, src))
			x, err := torch.Encode(enc, src)
			require.NoError(t, err)
			defer x.MustDrop()
			assert.Equal(t, gotch.Float, x.DType())
			assert.Equal(t, want, values[float32](t, x))
		})
	}
	bad := src.Clone()
	bad.Data[7] = 99
	_, err := torch.Encode(encoding.OneHot{}, bad)
	assert.ErrorIs(t, err, encoding.ErrColor)
	_, err = torch.Encode(encoding.OneHot{}, tensor.New[uint8](3, 3))
	assert.ErrorIs(t, err, torch.ErrShape)
}

func TestOneHotOnTorchMatchesGo(t *testing.T) {
	shapes := [][]int{{64, 64}, {3, 64, 64}, {2, 3, 64, 64}}
	for _, shape := range shapes {
		for _, layout := range []encoding.Layout{encoding.ChannelFirst, encoding.ChannelLast} {
			t.Run(fmt.Sprintf("%v/%v", shape, layout), func(t *testing.T) {
				src := randomFrames(3, shape...)
				enc := encoding.OneHot{Layout: layout}
				want := tensor.New[float32](enc.OutShape(src.Shape)...)
				require.NoError(t, enc.Encode(want, src))

				idx, err := torch.FromU8(src)
				require.NoError(t, err)
				defer idx.MustDrop()
				x, err := torch.OneHot(idx, layout)
				require.NoError(t, err)
				defer x.MustDrop()
				assert.Equal(t, gotch.Float, x.DType())
				assert.Equal(t, want, values[float32](t, x))
			})
		}
	}
}

func TestOneHotOnTorchErrors(t *testing.T) {
	bad := tensor.New[uint8](64, 64)
	bad.Data[5] = 16
	idx, err := torch.FromU8(bad)
	require.NoError(t, err)
	defer idx.MustDrop()
	_, err = torch.OneHot(idx, encoding.ChannelFirst)
	assert.Error(t, err, "class 16 of 16 classes")

	small, err := torch.FromU8(tensor.New[uint8](8, 8))
	require.NoError(t, err)
	defer small.MustDrop()
	_, err = torch.OneHot(small, encoding.ChannelFirst)
	assert.ErrorIs(t, err, torch.ErrShape)

	floats, err := torch.FromF32(tensor.New[float32](64, 64))
	require.NoError(t, err)
	defer floats.MustDrop()
	_, err = torch.OneHot(floats, encoding.ChannelFirst)
	assert.ErrorIs(t, err, torch.ErrShape)
}

// logitsWith builds (batch, FlatSize) logits of zeros with the given
// entries set.
func logitsWith(t *testing.T, batch int, set map[[2]int]float32) *ts.Tensor {
	t.Helper()
	l := tensor.New[float32](batch, spaces.FlatSize)
	for k, v := range set {
		l.Data[k[0]*spaces.FlatSize+k[1]] = v
	}
	x, err := torch.FromF32(l)
	require.NoError(t, err)
	return x
}

// joinRows lays masks of one row each out one after the other, as
// vector.Batch.Masks writes them.
func joinRows(rows [][]bool) []bool {
	var all []bool
	for _, r := range rows {
		all = append(all, r...)
	}
	return all
}

func maskOf(allowed ...int) []bool {
	m := make([]bool, spaces.FlatSize)
	for _, i := range allowed {
		m[i] = true
	}
	return m
}

func TestMaskedArgmax(t *testing.T) {
	click := spaces.Flatten(arc.Click(10, 20))
	logits := logitsWith(t, 3, map[[2]int]float32{
		{0, 0}: 5, {0, 2}: 3, // row 0: best overall is ACTION1, masked out
		{1, click}: 9, {1, 1}: 1, // row 1: the click wins
		{2, 4}: -1, {2, 3}: -2, // row 2: everything else 0 but masked
	})
	defer logits.MustDrop()
	mask, err := torch.Mask(joinRows([][]bool{maskOf(1, 2, 3), maskOf(1, click), maskOf(3, 4)}), spaces.FlatSize)
	require.NoError(t, err)
	defer mask.MustDrop()

	got := make([]int, 3)
	require.NoError(t, torch.MaskedArgmax(got, logits, mask))
	assert.Equal(t, []int{2, click, 4}, got)

	require.NoError(t, torch.MaskedArgmax(got, logits, nil))
	assert.Equal(t, []int{0, click}, got[:2])

	actions := make([]arc.Action, 3)
	require.NoError(t, torch.MaskedArgmax(got, logits, mask))
	require.NoError(t, spaces.Full.Actions(actions, got))
	assert.Equal(t, []arc.Action{{ID: arc.Action3}, arc.Click(10, 20), {ID: arc.Action5}}, actions)
}

func TestMaskedErrors(t *testing.T) {
	logits := logitsWith(t, 2, nil)
	defer logits.MustDrop()
	none, err := torch.Mask(joinRows([][]bool{maskOf(1), maskOf()}), spaces.FlatSize)
	require.NoError(t, err)
	defer none.MustDrop()

	dst := make([]int, 2)
	err = torch.MaskedArgmax(dst, logits, none)
	assert.ErrorIs(t, err, torch.ErrNoAction)
	assert.Contains(t, err.Error(), "row 1")
	assert.ErrorIs(t, torch.MaskedSample(dst, logits, none, rand.New(rand.NewPCG(1, 1))), torch.ErrNoAction)
	assert.ErrorIs(t, torch.MaskedArgmax(make([]int, 3), logits, nil), torch.ErrShape)

	_, err = torch.Mask(make([]bool, 5), spaces.FlatSize)
	assert.ErrorIs(t, err, torch.ErrShape, "5 entries are no whole row")
	_, err = torch.Mask(make([]bool, 5), 0)
	assert.ErrorIs(t, err, torch.ErrShape)

	wrong, err := torch.FromF32(tensor.New[float32](2, 7, 1))
	require.NoError(t, err)
	defer wrong.MustDrop()
	assert.ErrorIs(t, torch.MaskedArgmax(dst, wrong, nil), torch.ErrShape)

	short, err := torch.Mask(joinRows([][]bool{maskOf(1)}), spaces.FlatSize)
	require.NoError(t, err)
	defer short.MustDrop()
	assert.ErrorIs(t, torch.MaskedArgmax(dst, logits, short), torch.ErrShape)

	// Logits of one width with masks of another.
	narrow, err := torch.Mask(make([]bool, 2*5), 5)
	require.NoError(t, err)
	defer narrow.MustDrop()
	assert.ErrorIs(t, torch.MaskedArgmax(dst, logits, narrow), torch.ErrShape)
}

// TestMaskedCompact picks actions from the logits of a compact layout: a
// keyboard game's five actions, masks from a batch of two rows.
func TestMaskedCompact(t *testing.T) {
	layout := spaces.Compact(arc.ActionSetOf(arc.Action1, arc.Action2, arc.Action3, arc.Action4, arc.Action5))
	l := tensor.New[float32](2, layout.N())
	copy(l.Data, []float32{9, 1, 2, 3, 4, 0, 0, 0, 7, 0})
	logits, err := torch.FromF32(l)
	require.NoError(t, err)
	defer logits.MustDrop()
	masks := make([]bool, 2*layout.N())
	require.NoError(t, layout.Mask(masks[:5], arc.ActionSetOf(arc.Action2, arc.Action3)))
	require.NoError(t, layout.Mask(masks[5:], arc.ActionSetOf(arc.Action1, arc.Action4, arc.Action5)))
	mask, err := torch.Mask(masks, layout.N())
	require.NoError(t, err)
	defer mask.MustDrop()
	shape, err := torch.Shape(mask)
	require.NoError(t, err)
	assert.Equal(t, []int{2, 5}, shape)

	idx := make([]int, 2)
	require.NoError(t, torch.MaskedArgmax(idx, logits, mask))
	actions := make([]arc.Action, 2)
	require.NoError(t, layout.Actions(actions, idx))
	assert.Equal(t, []arc.Action{{ID: arc.Action3}, {ID: arc.Action4}}, actions)

	rng := rand.New(rand.NewPCG(3, 3))
	for range 200 {
		require.NoError(t, torch.MaskedSample(idx, logits, mask, rng))
		assert.True(t, masks[idx[0]] && masks[5+idx[1]], "drawn %v", idx)
	}
}

func TestMaskedSample(t *testing.T) {
	// Row 0 allows ACTION1 (logit 0) and ACTION2 (logit ln 3): 1/4 and 3/4.
	// ACTION3 has the largest logit but is masked.
	logits := logitsWith(t, 2, map[[2]int]float32{{0, 1}: float32(math.Log(3)), {0, 2}: 50, {1, 7}: 1})
	defer logits.MustDrop()
	mask, err := torch.Mask(joinRows([][]bool{maskOf(0, 1), maskOf(6, 7, 8)}), spaces.FlatSize)
	require.NoError(t, err)
	defer mask.MustDrop()

	rng := rand.New(rand.NewPCG(4, 2))
	counts := map[int]int{}
	dst := make([]int, 2)
	const n = 4000
	for range n {
		require.NoError(t, torch.MaskedSample(dst, logits, mask, rng))
		counts[dst[0]]++
		assert.Contains(t, []int{6, 7, 8}, dst[1])
	}
	assert.Equal(t, n, counts[0]+counts[1], "only allowed actions: %v", counts)
	assert.InDelta(t, 0.75, float64(counts[1])/n, 0.03)

	// The same seed gives the same draws.
	a, b := make([]int, 2), make([]int, 2)
	require.NoError(t, torch.MaskedSample(a, logits, mask, rand.New(rand.NewPCG(9, 9))))
	require.NoError(t, torch.MaskedSample(b, logits, mask, rand.New(rand.NewPCG(9, 9))))
	assert.Equal(t, a, b)
}

// TestSmallCNN runs a batch encoded in Go through a small convolutional
// policy built with gotch's nn package and picks masked actions from its
// logits.
func TestSmallCNN(t *testing.T) {
	const batch, stack = 4, 2
	src := randomFrames(5, batch, stack, 64, 64)
	obs, err := torch.Encode(encoding.OneHot{}, src)
	require.NoError(t, err)
	defer obs.MustDrop()
	shape, err := torch.Shape(obs)
	require.NoError(t, err)
	require.Equal(t, []int{batch, 16 * stack, 64, 64}, shape)

	vs := nn.NewVarStore(gotch.CPU)
	root := vs.Root()
	conv1 := nn.NewConv2D(root.Sub("c1"), 16*stack, 16, 4, nn.NewConv2DConfig(nn.WithStride2D(4)))
	conv2 := nn.NewConv2D(root.Sub("c2"), 16, 32, 4, nn.NewConv2DConfig(nn.WithStride2D(4)))
	head := nn.NewLinear(root.Sub("head"), 32*4*4, spaces.FlatSize, nn.DefaultLinearConfig())
	net := nn.Seq()
	net.Add(conv1)
	net.AddFn(nn.NewFunc(func(x *ts.Tensor) *ts.Tensor { return x.MustRelu(false) }))
	net.Add(conv2)
	net.AddFn(nn.NewFunc(func(x *ts.Tensor) *ts.Tensor { return x.MustRelu(false) }))
	net.AddFn(nn.NewFunc(func(x *ts.Tensor) *ts.Tensor { return x.MustFlatten(1, -1, false) }))
	net.Add(head)

	logits := net.Forward(obs)
	defer logits.MustDrop()
	out, err := torch.Shape(logits)
	require.NoError(t, err)
	assert.Equal(t, []int{batch, spaces.FlatSize}, out)

	avail := spaces.NewAction(arc.ActionSetOf(arc.Action1, arc.Action6))
	masks := make([][]bool, batch)
	for i := range masks {
		masks[i] = avail.Mask(nil)
	}
	mask, err := torch.Mask(joinRows(masks), spaces.FlatSize)
	require.NoError(t, err)
	defer mask.MustDrop()
	flat := make([]int, batch)
	require.NoError(t, torch.MaskedArgmax(flat, logits, mask))
	actions := make([]arc.Action, batch)
	require.NoError(t, spaces.Full.Actions(actions, flat))
	for _, a := range actions {
		assert.True(t, avail.Contains(a), "action %v not available", a)
	}
}

// TestCopyToViews reads views whose memory is not a plain row-major block
// from the start of their storage: a narrowed one (an offset into the
// storage, still contiguous) and a transposed one (strided).
func TestCopyToViews(t *testing.T) {
	src := tensor.Of([]float32{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 3, 4)
	x, err := torch.FromF32(src)
	require.NoError(t, err)
	defer x.MustDrop()

	rows, err := x.Narrow(0, 1, 2, false)
	require.NoError(t, err)
	defer rows.MustDrop()
	got := tensor.New[float32](2, 4)
	require.NoError(t, torch.CopyTo(got, rows))
	assert.Equal(t, []float32{4, 5, 6, 7, 8, 9, 10, 11}, got.Data)

	cols, err := x.Narrow(1, 1, 2, false)
	require.NoError(t, err)
	defer cols.MustDrop()
	got = tensor.New[float32](3, 2)
	require.NoError(t, torch.CopyTo(got, cols))
	assert.Equal(t, []float32{1, 2, 5, 6, 9, 10}, got.Data)

	tr, err := x.Transpose(0, 1, false)
	require.NoError(t, err)
	defer tr.MustDrop()
	got = tensor.New[float32](4, 3)
	require.NoError(t, torch.CopyTo(got, tr))
	assert.Equal(t, []float32{0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}, got.Data)

	assert.ErrorIs(t, torch.CopyTo(tensor.New[float32](5), x), torch.ErrShape)
	assert.ErrorIs(t, torch.CopyTo(tensor.New[uint8](3, 4), x), torch.ErrShape)
}
