package wire

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAppendScorecardSamples reads every scorecard summary the reference
// server answered and writes it back: the bytes must be the same, keys,
// order, optional fields and float notation included.
func TestAppendScorecardSamples(t *testing.T) {
	for _, name := range []string{
		"70_scorecard_get.json", "73_scorecard_close.json", "81_key1234_get_card_opened_without_key.json",
		"99_scorecard_after_edge_cases.json", "99b_close.json", "A8_close.json", "B5_scorecard_get_after_win.json",
		"B11_close.json", "C6_close_competition.json",
	} {
		t.Run(name, func(t *testing.T) {
			// The reference server ends its bodies with a newline.
			body := bytes.TrimSuffix(readDecodeSample(t, name), []byte("\n"))
			sc, err := DecodeScorecard(body)
			require.NoError(t, err)
			assert.Equal(t, string(body), string(AppendScorecard(nil, sc)))
			viaJSON, err := json.Marshal(sc)
			require.NoError(t, err)
			assert.Equal(t, string(body), string(viaJSON), "encoding/json uses the same encoder")
		})
	}
}

func TestAppendScorecardEmptyAndHosted(t *testing.T) {
	got := string(AppendScorecard(nil, &Scorecard{CardID: "c"}))
	assert.Equal(t, `{"card_id":"c","environments":[],"score":0.0,"tags":[],"tags_scores":[],"total_actions":0,"total_environments":0,"total_environments_completed":0,"total_levels":0,"total_levels_completed":0}`, got)

	s := Scorecard{CardID: "c", LastUpdate: "l", OpenAt: "o", PublishedAt: "p", UserID: "u", UserName: "n\"",
		Opaque: json.RawMessage(`{"a":1}`), Environments: []EnvironmentScore{{Runs: []RunScore{{ID: "r", Message: "m"}}}}}
	raw := AppendScorecard(nil, &s)
	require.True(t, json.Valid(raw), "%s", raw)
	assert.Contains(t, string(raw), `"last_update":"l","opaque":{"a":1},"open_at":"o","published_at":"p","score":0.0`)
	assert.Contains(t, string(raw), `"guid":"","id":"r","level_actions":[]`)
	assert.Contains(t, string(raw), `"levels_completed":0,"message":"m","resets":0`)
	assert.Contains(t, string(raw), `"user_id":"u","user_name":"n\""}`)
	back, err := DecodeScorecard(raw)
	require.NoError(t, err)
	assert.Equal(t, s.UserName, back.UserName)
	assert.Equal(t, s.Environments[0].Runs[0].Message, back.Environments[0].Runs[0].Message)
}

func TestAppendFloat(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0, "0.0"},
		{100, "100.0"},
		{115, "115.0"},
		{25, "25.0"},
		{1.6666666666666667, "1.6666666666666667"},
		{6.666666666666667, "6.666666666666667"},
		{3.3333333333333335, "3.3333333333333335"},
		{0.0001, "0.0001"},
		{0.00001, "1e-05"},
		{1.5e-7, "1.5e-07"},
		{1e16, "1e+16"},
		{123456789012345.0, "123456789012345.0"},
		{-2.5, "-2.5"},
		{math.NaN(), "null"},
		{math.Inf(1), "null"},
	}
	for _, tc := range tests {
		got := string(AppendFloat(nil, tc.in))
		assert.Equal(t, tc.want, got, "%v", tc.in)
		if tc.want != "null" {
			var back float64
			require.NoError(t, json.Unmarshal([]byte(got), &back))
			assert.Equal(t, tc.in, back)
		}
	}
}

func BenchmarkAppendScorecard(b *testing.B) {
	sc, err := DecodeScorecard(readDecodeSample(b, "70_scorecard_get.json"))
	require.NoError(b, err)
	dst := AppendScorecard(nil, sc)
	b.SetBytes(int64(len(dst)))
	b.ReportAllocs()
	for b.Loop() {
		dst = AppendScorecard(dst[:0], sc)
	}
}
