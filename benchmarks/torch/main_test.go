//go:build gotch

package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTargets(t *testing.T) {
	got := targets([]Result{
		{Name: "f32", FramesPS: 100},
		{Name: "u8/onehot", FramesPS: 399},
		{Name: "u8", FramesPS: 400},
		{Name: "f32/pooled", FramesPS: 10},
		{Name: "u8/pooled", FramesPS: 50},
		{Name: "shares", FramesPS: 39.9},
	})
	require.Len(t, got, 2, "u8/onehot and u8/pooled carry no target")
	assert.Equal(t, Target{Name: "u8 / f32", Measured: 4, Want: 4, Pass: true}, got[0])
	assert.InDelta(t, 3.99, got[1].Measured, 1e-9)
	assert.Equal(t, Target{Name: "shares / f32/pooled", Measured: got[1].Measured, Want: 4, Pass: false}, got[1])

	assert.Empty(t, targets([]Result{{Name: "u8", FramesPS: 400}}), "no ratio without its baseline")
}

func TestRunPrintsVerdicts(t *testing.T) {
	var out bytes.Buffer
	err := run([]string{"-envs", "2", "-duration", "1ms", "-rounds", "1", "-run", "^(f32|u8)$"}, &out)
	require.NoError(t, err)
	assert.Contains(t, out.String(), "end to end u8 / f32")
	assert.Regexp(t, `(PASS|FAIL)\n`, out.String())
	assert.NotContains(t, out.String(), "pooled", "-run leaves the other paths out")
}
