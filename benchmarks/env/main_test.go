package main

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/games"
)

func TestTargets(t *testing.T) {
	tests := []struct {
		name string
		r    Result
		want map[string]bool
	}{
		{"gl02 within", Result{Game: "gl02-a47c0e19", EnvOverBackend: 1.5, WrappedOverEnv: 1.25}, map[string]bool{
			"wrapped (mask+stack4+limit+stats) / env step": true, "env step / backend Do, same commands": true}},
		{"gl02 wrappers too slow", Result{Game: "gl02-a47c0e19", EnvOverBackend: 1, WrappedOverEnv: 1.26}, map[string]bool{
			"wrapped (mask+stack4+limit+stats) / env step": false, "env step / backend Do, same commands": true}},
		{"env too slow, wrappers not a target", Result{Game: "kw01-5e3a91c4", EnvOverBackend: 1.51, WrappedOverEnv: 9}, map[string]bool{
			"env step / backend Do, same commands": false}},
		{"mask", Result{Game: "tl03-0b6d2e87", EnvOverBackend: 1, MaskedOverEnv: 2.01}, map[string]bool{
			"NonBackground mask / env step": false, "env step / backend Do, same commands": true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := map[string]bool{}
			ts := targets([]Result{tt.r})
			for _, g := range ts {
				assert.Equal(t, tt.r.Game, g.Game)
				got[g.Name] = g.Pass
			}
			assert.Equal(t, tt.want, got)
			allPass := true
			for _, g := range ts {
				allPass = allPass && g.Pass
			}
			if err := missed(ts); allPass {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, errTargets)
			}
		})
	}
}

// TestRunJSON runs the program on two games, one with ACTION6, and checks
// the report: every figure measured, the masked pair only where clicks are
// offered, and the targets computed from the same figures.
func TestRunJSON(t *testing.T) {
	for _, game := range []string{"gl02", "tl03"} {
		t.Run(game, func(t *testing.T) {
			var out bytes.Buffer
			require.NoError(t, run(t.Context(), []string{"-steps", "64", "-block", "16", "-rounds", "2", "-game", game, "-json", "-"}, &out))
			var rep Report
			require.NoError(t, json.Unmarshal(out.Bytes(), &rep))
			require.Len(t, rep.Results, 1)
			r := rep.Results[0]
			for name, v := range map[string]float64{"copy": r.Copy, "backend": r.Backend, "env": r.Env, "wrapped": r.Wrapped, "encoded": r.Encoded} {
				assert.Positive(t, v, name)
			}
			assert.GreaterOrEqual(t, r.Commands, 1.0)
			assert.GreaterOrEqual(t, r.Frames, 1.0)
			names := map[string]float64{}
			for _, tg := range rep.Targets {
				names[tg.Name] = tg.Measured
			}
			assert.Positive(t, r.EnvOverBackend)
			assert.Equal(t, r.EnvOverBackend, names["env step / backend Do, same commands"])
			if game == "gl02" {
				assert.Zero(t, r.Masked)
				assert.Zero(t, r.MaskedOverEnv)
				assert.Positive(t, r.WrappedOverEnv)
				assert.Equal(t, r.WrappedOverEnv, names["wrapped (mask+stack4+limit+stats) / env step"])
			} else {
				assert.Positive(t, r.Masked)
				assert.Positive(t, r.MaskedOverEnv)
				assert.Equal(t, r.MaskedOverEnv, names["NonBackground mask / env step"])
			}
		})
	}
}

func TestRunErrors(t *testing.T) {
	for _, args := range [][]string{{"-steps", "8"}, {"-rounds", "0"}, {"-block", "0"}, {"-game", "zz99"}, {"-frames"}} {
		assert.Error(t, run(t.Context(), args, &bytes.Buffer{}), "%v", args)
	}
}

// TestRecordedCommands checks that the backend side replays what the env
// sent: one RESET to start, and after every ended episode the RESETs of a
// full reset (two after a GAME_OVER mid-level), so that both sides do the
// same reset work and end on the same frame.
func TestRecordedCommands(t *testing.T) {
	ctx := t.Context()
	const steps = 2000
	info, err := games.Lookup("gl02")
	require.NoError(t, err)
	s, err := withEnv(func() (env.Env, error) { return stack(info.ID, false) }, func(e env.Env) (script, error) {
		return record(ctx, e, actionStream(info.Available, 1<<12), steps)
	})
	require.NoError(t, err)
	cmds, bounds, err := commands(ctx, info.ID, s, steps)
	require.NoError(t, err)
	require.Len(t, bounds, steps+1)
	assert.Equal(t, 1, bounds[0], "one RESET opens the run")
	assert.Equal(t, len(cmds), bounds[steps])

	resets, episodes := 0, 0
	for _, a := range cmds {
		if a.ID == arc.Reset {
			resets++
		}
	}
	for k, r := range s.resetAfter {
		if r {
			episodes++
			assert.Equal(t, arc.Reset, cmds[bounds[k+1]-1].ID, "step %d ends with its reset", k)
		} else {
			assert.Equal(t, 1, bounds[k+1]-bounds[k], "step %d is one command", k)
		}
	}
	require.Positive(t, episodes, "the script should end some episodes")
	assert.Equal(t, steps, len(cmds)-resets, "one command per step besides RESETs")
	assert.Greater(t, resets, 1+episodes, "a GAME_OVER mid-level takes two RESETs")
	assert.LessOrEqual(t, resets, 1+2*episodes)

	// pair checks the final frames; a script cut between blocks too.
	plain := &envSide{ctx: ctx, mk: func() (env.Env, error) { return env.Make(t.Context(), info.ID, env.Config{}) }, acts: s.applied, resetAfter: s.resetAfter}
	backend := &backendSide{ctx: ctx, id: info.ID, cmds: cmds, bounds: bounds}
	ratio, a, b, err := pair(backend, plain, steps, 300, 2)
	require.NoError(t, err)
	assert.Positive(t, ratio)
	assert.Positive(t, a)
	assert.Positive(t, b)
}

// TestPairNotLikeForLike checks that two sides ending on different frames
// are refused.
func TestPairNotLikeForLike(t *testing.T) {
	_, _, _, err := pair(&fixedSide{frame: []uint8{1}}, &fixedSide{frame: []uint8{1}}, 8, 3, 2)
	require.NoError(t, err)
	_, _, _, err = pair(&fixedSide{frame: []uint8{1}}, &fixedSide{frame: []uint8{2}}, 8, 3, 2)
	assert.ErrorContains(t, err, "not like for like")
}

// fixedSide does nothing and always shows the same frame.
type fixedSide struct{ frame []uint8 }

func (f *fixedSide) open() error         { return nil }
func (f *fixedSide) play(i, j int) error { return nil }
func (f *fixedSide) last() []uint8       { return f.frame }
func (f *fixedSide) close()              {}
