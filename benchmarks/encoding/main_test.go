package main

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTargets(t *testing.T) {
	tests := []struct {
		name     string
		results  []Result
		want     []bool
		encoders int
	}{
		{"both met", []Result{{Name: "onehot/chw/f32", OfMemset: 0.8, FramesPS: 200_000}}, []bool{true, true}, 1},
		{"bandwidth missed", []Result{{Name: "onehot/chw/f32", OfMemset: 0.69, FramesPS: 200_000}}, []bool{false, true}, 1},
		{"rate missed", []Result{{Name: "onehot/chw/f32", OfMemset: 0.9, FramesPS: 105_999}}, []bool{true, false}, 1},
		{"other encoders ignored", []Result{{Name: "onehot/chw/f32/workers=2", OfMemset: 0.1}, {Name: "raw/f32"}}, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := targets(tt.results)
			var pass []bool
			for _, g := range got {
				pass = append(pass, g.Pass)
				assert.Equal(t, targetEncoder, g.Encoder)
			}
			assert.Equal(t, tt.want, pass)
		})
	}
}

// TestRunJSON runs the program on a small batch and checks the report it
// writes: every selected encoder measured against its baselines, and the
// targets evaluated on the same figures.
func TestRunJSON(t *testing.T) {
	var out bytes.Buffer
	err := run([]string{"-batch", "4", "-duration", "1ms", "-rounds", "1", "-run", "onehot/chw/f32$|raw", "-json", "-"}, &out)
	require.NoError(t, err)
	var rep Report
	require.NoError(t, json.Unmarshal(out.Bytes(), &rep))
	require.Len(t, rep.Results, 2)
	for _, r := range rep.Results {
		assert.Positive(t, r.FramesPS, r.Name)
		assert.Positive(t, r.MemsetGB, r.Name)
		assert.Positive(t, r.MemcpyGB, r.Name)
		assert.InDelta(t, r.GBPS/r.MemsetGB, r.OfMemset, 1e-9, r.Name)
		assert.Zero(t, r.Allocs, r.Name)
	}
	assert.Equal(t, []int{4, 16, 64, 64}, rep.Results[0].OutShape)
	assert.Equal(t, 4*16*64*64*4, rep.Results[0].OutBytes)
	require.Len(t, rep.Targets, 2)
	assert.Equal(t, rep.Results[0].OfMemset, rep.Targets[0].Measured)
	assert.Equal(t, rep.Results[0].FramesPS, rep.Targets[1].Measured)
}

func TestRunErrors(t *testing.T) {
	for _, args := range [][]string{{"-batch", "6"}, {"-rounds", "0"}, {"-input", "noise"}, {"-run", "("}} {
		assert.Error(t, run(args, &bytes.Buffer{}), "%v", args)
	}
	// With the target encoder left out there is nothing to miss.
	err := run([]string{"-batch", "4", "-duration", "1ms", "-rounds", "1", "-run", "^raw", "-check"}, &bytes.Buffer{})
	require.NoError(t, err)
}
