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

	"github.com/arcgym/arcgym/encoding/torch"
	"github.com/arcgym/arcgym/spaces"
	"github.com/arcgym/arcgym/tensor"
)

var (
	inf = float32(math.Inf(1))
	nan = float32(math.NaN())
)

// TestMaskedNeverPicksMasked runs both choosers on rows whose logits make a
// masked entry tempting: masked entries far above the allowed ones, allowed
// entries at -Inf, a single allowed entry, and random logits and masks.
func TestMaskedNeverPicksMasked(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 1))
	type row struct {
		name    string
		logits  map[int]float32 // all others 0
		allowed []int
	}
	rows := []row{
		{"only-one-allowed", map[int]float32{0: 50, 9: -3}, []int{9}},
		{"only-last-allowed", map[int]float32{0: 50}, []int{spaces.FlatSize - 1}},
		{"allowed-at-minus-inf", map[int]float32{3: -inf, 0: 1}, []int{3}},
		{"all-allowed-at-minus-inf", map[int]float32{2: -inf, 5: -inf, 7: -inf}, []int{5, 7}},
		{"masked-plus-inf", map[int]float32{0: inf, 4: 1, 6: 2}, []int{4, 6}},
		{"masked-nan", map[int]float32{0: nan, 1: nan, 4: 1}, []int{4, 6}},
		{"allowed-plus-inf", map[int]float32{4: inf, 6: 2, 0: 9}, []int{4, 6}},
	}
	for i := range 5 {
		allowed := []int{rng.IntN(spaces.FlatSize)}
		for range rng.IntN(30) {
			allowed = append(allowed, rng.IntN(spaces.FlatSize))
		}
		l := map[int]float32{}
		for range 200 {
			l[rng.IntN(spaces.FlatSize)] = float32(rng.NormFloat64() * 10)
		}
		rows = append(rows, row{fmt.Sprintf("random-%d", i), l, allowed})
	}
	logits := tensor.New[float32](len(rows), spaces.FlatSize)
	masks := make([][]bool, len(rows))
	for i, r := range rows {
		for j, v := range r.logits {
			logits.Data[i*spaces.FlatSize+j] = v
		}
		masks[i] = maskOf(r.allowed...)
	}
	x, err := torch.FromF32(logits)
	require.NoError(t, err)
	defer x.MustDrop()
	mask, err := torch.Mask(joinRows(masks), spaces.FlatSize)
	require.NoError(t, err)
	defer mask.MustDrop()

	check := func(name string, got []int) {
		for i, r := range rows {
			assert.Contains(t, r.allowed, got[i], "%s row %s", name, r.name)
		}
	}
	got := make([]int, len(rows))
	require.NoError(t, torch.MaskedArgmax(got, x, mask))
	check("argmax", got)
	assert.Equal(t, 9, got[0])
	assert.Equal(t, 3, got[2], "the one allowed entry, even at -Inf")
	assert.Equal(t, 5, got[3], "ties at -Inf go to the first allowed entry")
	assert.Equal(t, 6, got[4])
	assert.Equal(t, 4, got[5])
	assert.Equal(t, 4, got[6])

	// Allowed logits all at -Inf (rows 2 and 3) leave no distribution to
	// sample from: TestMaskedBadLogits checks that case.
	sampleRows := []int{0, 1, 4, 5, 6, 7, 8, 9, 10, 11}
	sub := tensor.New[float32](len(sampleRows), spaces.FlatSize)
	subMasks := make([][]bool, len(sampleRows))
	for k, i := range sampleRows {
		copy(sub.Data[k*spaces.FlatSize:], logits.Data[i*spaces.FlatSize:(i+1)*spaces.FlatSize])
		subMasks[k] = masks[i]
	}
	sx, err := torch.FromF32(sub)
	require.NoError(t, err)
	defer sx.MustDrop()
	smask, err := torch.Mask(joinRows(subMasks), spaces.FlatSize)
	require.NoError(t, err)
	defer smask.MustDrop()
	drawn := make([]int, len(sampleRows))
	for range 200 {
		require.NoError(t, torch.MaskedSample(drawn, sx, smask, rng))
		for k, i := range sampleRows {
			assert.Contains(t, rows[i].allowed, drawn[k], "sample row %s", rows[i].name)
		}
		assert.Equal(t, 9, drawn[0])
		assert.Equal(t, 4, drawn[4], "an allowed +Inf logit takes all the probability")
	}
}

// TestMaskedBadLogits checks that logits no choice can be made from fail
// with ErrLogits naming the row, and leave dst alone.
func TestMaskedBadLogits(t *testing.T) {
	tests := []struct {
		name    string
		logits  map[int]float32
		allowed []int
		argmax  bool // argmax fails too
	}{
		{"nan-allowed", map[int]float32{4: nan}, []int{3, 4}, true},
		{"nan-only-allowed", map[int]float32{4: nan}, []int{4}, true},
		{"all-allowed-minus-inf", map[int]float32{3: -inf, 4: -inf}, []int{3, 4}, false},
		{"only-allowed-minus-inf", map[int]float32{3: -inf, 0: 1}, []int{3}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logits := tensor.New[float32](2, spaces.FlatSize)
			for j, v := range tt.logits {
				logits.Data[spaces.FlatSize+j] = v // row 1
			}
			x, err := torch.FromF32(logits)
			require.NoError(t, err)
			defer x.MustDrop()
			mask, err := torch.Mask(joinRows([][]bool{maskOf(0, 1), maskOf(tt.allowed...)}), spaces.FlatSize)
			require.NoError(t, err)
			defer mask.MustDrop()

			dst := []int{-7, -7}
			err = torch.MaskedArgmax(dst, x, mask)
			if tt.argmax {
				require.ErrorIs(t, err, torch.ErrLogits)
				assert.Contains(t, err.Error(), "row 1")
				assert.Equal(t, []int{-7, -7}, dst, "dst untouched")
			} else {
				require.NoError(t, err)
				assert.Contains(t, tt.allowed, dst[1])
			}
			dst = []int{-7, -7}
			err = torch.MaskedSample(dst, x, mask, rand.New(rand.NewPCG(1, 1)))
			require.ErrorIs(t, err, torch.ErrLogits)
			assert.Contains(t, err.Error(), "row 1")
			assert.Equal(t, []int{-7, -7}, dst, "dst untouched")
		})
	}
	// A NaN where nothing is masked fails too.
	logits := tensor.New[float32](1, spaces.FlatSize)
	logits.Data[17] = nan
	x, err := torch.FromF32(logits)
	require.NoError(t, err)
	defer x.MustDrop()
	assert.ErrorIs(t, torch.MaskedArgmax(make([]int, 1), x, nil), torch.ErrLogits)
	assert.ErrorIs(t, torch.MaskedSample(make([]int, 1), x, nil, rand.New(rand.NewPCG(1, 1))), torch.ErrLogits)
}

// TestMaskedNonContiguous feeds logits and a mask that are transposed views
// of their storage: the choosers must read them by index, not by memory
// order.
func TestMaskedNonContiguous(t *testing.T) {
	const batch = 3
	logits := tensor.New[float32](spaces.FlatSize, batch) // transposed below
	for j := range spaces.FlatSize {
		for i := range batch {
			logits.Data[j*batch+i] = float32(j%97) + float32(i)
		}
	}
	lt, err := torch.FromF32(logits)
	require.NoError(t, err)
	defer lt.MustDrop()
	x, err := lt.Transpose(0, 1, false) // (batch, FlatSize), strides (1, batch)
	require.NoError(t, err)
	defer x.MustDrop()

	m := tensor.New[uint8](spaces.FlatSize, batch) // transposed below
	allowed := [batch]int{5, 200, 4000}
	for i, a := range allowed {
		m.Data[a*batch+i] = 1
		m.Data[(a+1)*batch+i] = 1
	}
	mu, err := torch.FromU8(m)
	require.NoError(t, err)
	defer mu.MustDrop()
	mb, err := mu.Totype(gotch.Bool, false)
	require.NoError(t, err)
	defer mb.MustDrop()
	mask, err := mb.Transpose(0, 1, false)
	require.NoError(t, err)
	defer mask.MustDrop()

	got := make([]int, batch)
	require.NoError(t, torch.MaskedArgmax(got, x, mask))
	for i, a := range allowed {
		want := a
		if (a+1)%97 > a%97 {
			want = a + 1
		}
		assert.Equal(t, want, got[i], "row %d", i)
	}
	require.NoError(t, torch.MaskedSample(got, x, mask, rand.New(rand.NewPCG(2, 2))))
	for i, a := range allowed {
		assert.Contains(t, []int{a, a + 1}, got[i], "row %d", i)
	}
}

// TestMaskedSampleInfinities checks the limits of the softmax: allowed +Inf
// logits share all the probability equally, and a -Inf one gets none.
func TestMaskedSampleInfinities(t *testing.T) {
	logits := tensor.New[float32](1, spaces.FlatSize)
	logits.Data[2], logits.Data[5], logits.Data[6], logits.Data[0] = inf, inf, 3, inf
	x, err := torch.FromF32(logits)
	require.NoError(t, err)
	defer x.MustDrop()
	mask, err := torch.Mask(joinRows([][]bool{maskOf(2, 5, 6)}), spaces.FlatSize)
	require.NoError(t, err)
	defer mask.MustDrop()
	rng := rand.New(rand.NewPCG(8, 8))
	counts := map[int]int{}
	dst := make([]int, 1)
	const n = 2000
	for range n {
		require.NoError(t, torch.MaskedSample(dst, x, mask, rng))
		counts[dst[0]]++
	}
	assert.Equal(t, n, counts[2]+counts[5], "only the allowed +Inf entries: %v", counts)
	assert.InDelta(t, 0.5, float64(counts[2])/n, 0.05)

	logits.Data[2], logits.Data[5], logits.Data[6] = 1, float32(math.Inf(-1)), 1
	y, err := torch.FromF32(logits)
	require.NoError(t, err)
	defer y.MustDrop()
	clear(counts)
	for range n {
		require.NoError(t, torch.MaskedSample(dst, y, mask, rng))
		counts[dst[0]]++
	}
	assert.Zero(t, counts[5], "a -Inf logit is never drawn")
	assert.InDelta(t, 0.5, float64(counts[2])/n, 0.05)
}
