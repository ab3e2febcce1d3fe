package vector

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/env/envtest"
)

// The script: env 0 completes level 1, then wins (its episode ends on the
// second step); env 1 paints all along. The third step shows how each mode
// handles the ended episode.
var (
	twoLevels = envtest.FakeConfig{Levels: 2}
	script    = [][]arc.Action{
		{arc.Simple(arc.Action1), arc.Simple(arc.Action3)},
		{arc.Simple(arc.Action1), arc.Simple(arc.Action4)},
		{arc.Simple(arc.Action3), arc.Simple(arc.Action5)},
	}
)

func TestAutoresetNextStep(t *testing.T) {
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			v := newVec(t, k, 2, sameFakes(twoLevels), Config{Autoreset: NextStep})
			ref0, ref1 := newReference(t, twoLevels, 10), newReference(t, twoLevels, 11)
			b, err := v.Reset(t.Context(), env.WithSeed(10))
			require.NoError(t, err)
			require.NoError(t, b.Err())
			assert.Equal(t, []bool{true, true}, b.First)
			assert.Equal(t, ref0.grid(), row(b.Obs, 0))
			assert.Equal(t, ref1.grid(), row(b.Obs, 1))
			assert.Nil(t, b.HasFinal, "no final observations outside SameStep")

			b, err = v.Step(t.Context(), script[0])
			require.NoError(t, err)
			require.NoError(t, b.Err())
			ref0.step(t, script[0][0])
			ref1.step(t, script[0][1])
			assert.Equal(t, []float64{1, 0}, b.Rewards)
			assert.Equal(t, []bool{false, false}, b.Terminated)
			assert.Equal(t, []bool{false, false}, b.First)

			b, err = v.Step(t.Context(), script[1])
			require.NoError(t, err)
			require.NoError(t, b.Err())
			win := ref0.step(t, script[1][0])
			ref1.step(t, script[1][1])
			assert.Equal(t, []bool{true, false}, b.Terminated)
			assert.Equal(t, []float64{1, 0}, b.Rewards)
			assert.Equal(t, ref0.grid(), row(b.Obs, 0), "the ending step returns the final observation")
			assert.Equal(t, arc.Win, b.Infos[0].State)
			assert.Equal(t, win.Info.Frames.Data, b.Infos[0].Frames.Data)

			b, err = v.Step(t.Context(), script[2])
			require.NoError(t, err)
			require.NoError(t, b.Err())
			ref0.reset(t)
			ref1.step(t, script[2][1])
			assert.Equal(t, []bool{true, false}, b.First, "the next step resets")
			assert.Equal(t, []float64{0, 0}, b.Rewards)
			assert.Equal(t, []bool{false, false}, b.Terminated)
			assert.Equal(t, ref0.grid(), row(b.Obs, 0), "the action of the resetting step is ignored")
			assert.Equal(t, ref1.grid(), row(b.Obs, 1))
			assert.Equal(t, arc.NotFinished, b.Infos[0].State)
			assert.True(t, b.Infos[0].FullReset)
			assert.Equal(t, 0, b.Infos[0].EpisodeSteps)
			assert.Equal(t, NextStep, v.Metadata().Autoreset)
		})
	}
}

func TestAutoresetSameStep(t *testing.T) {
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			v := newVec(t, k, 2, sameFakes(twoLevels), Config{Autoreset: SameStep})
			ref0, ref1 := newReference(t, twoLevels, 10), newReference(t, twoLevels, 11)
			_, err := v.Reset(t.Context(), env.WithSeed(10))
			require.NoError(t, err)
			for _, acts := range script[:1] {
				b, err := v.Step(t.Context(), acts)
				require.NoError(t, err)
				require.NoError(t, b.Err())
				assert.Equal(t, []bool{false, false}, b.HasFinal)
				ref0.step(t, acts[0])
				ref1.step(t, acts[1])
			}

			b, err := v.Step(t.Context(), script[1])
			require.NoError(t, err)
			require.NoError(t, b.Err())
			win := ref0.step(t, script[1][0])
			winGrid, winFrames := ref0.grid(), append([]uint8(nil), win.Info.Frames.Data...)
			ref0.reset(t)
			ref1.step(t, script[1][1])
			assert.Equal(t, []bool{true, false}, b.Terminated, "the ending step keeps its flags")
			assert.Equal(t, []float64{1, 0}, b.Rewards, "and its reward")
			assert.Equal(t, []bool{true, false}, b.HasFinal)
			assert.Equal(t, []bool{true, false}, b.First)
			assert.Equal(t, winGrid, row(b.FinalObs, 0), "the final observation is kept")
			assert.Equal(t, arc.Win, b.FinalInfos[0].State, "and the final info")
			assert.Equal(t, winFrames, b.FinalInfos[0].Frames.Data, "final frames survive the reset")
			assert.Equal(t, ref0.grid(), row(b.Obs, 0), "the row holds the new episode's first observation")
			assert.Equal(t, arc.NotFinished, b.Infos[0].State, "and the reset info")
			assert.True(t, b.Infos[0].FullReset)
			assert.Equal(t, ref1.grid(), row(b.Obs, 1))
			assert.NotEqual(t, row(b.FinalObs, 0), row(b.Obs, 0))

			b, err = v.Step(t.Context(), script[2])
			require.NoError(t, err)
			require.NoError(t, b.Err())
			ref0.step(t, script[2][0])
			assert.Equal(t, []bool{false, false}, b.HasFinal)
			assert.Equal(t, []bool{false, false}, b.First)
			assert.Equal(t, ref0.grid(), row(b.Obs, 0), "the next step acts in the new episode")
		})
	}
}

func TestAutoresetDisabled(t *testing.T) {
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			v := newVec(t, k, 2, sameFakes(twoLevels), Config{Autoreset: Disabled})
			ref0, ref1 := newReference(t, twoLevels, 10), newReference(t, twoLevels, 11)
			_, err := v.Reset(t.Context(), env.WithSeed(10))
			require.NoError(t, err)
			for _, acts := range script[:2] {
				_, err := v.Step(t.Context(), acts)
				require.NoError(t, err)
				ref0.step(t, acts[0])
				ref1.step(t, acts[1])
			}

			b, err := v.Step(t.Context(), script[2])
			require.NoError(t, err, "a failed row does not fail the call")
			ref1.step(t, script[2][1])
			require.Error(t, b.Errs[0])
			assert.ErrorIs(t, b.Errs[0], env.ErrNeedsReset)
			var ee *EnvError
			require.ErrorAs(t, b.Errs[0], &ee)
			assert.Equal(t, 0, ee.Env)
			assert.Equal(t, "step", ee.Op)
			assert.NoError(t, b.Errs[1])
			assert.Equal(t, ref1.grid(), row(b.Obs, 1))
			assert.ErrorIs(t, b.Err(), env.ErrNeedsReset)
			row1 := append([]uint8(nil), row(b.Obs, 1)...)

			b, err = v.ResetMask(t.Context(), []bool{true, false}, env.ResetOptions{})
			require.NoError(t, err)
			require.NoError(t, b.Err())
			ref0.reset(t)
			assert.Equal(t, []bool{true, false}, b.First)
			assert.Equal(t, ref0.grid(), row(b.Obs, 0))
			assert.Equal(t, row1, row(b.Obs, 1), "rows left out of the mask are untouched")

			b, err = v.Step(t.Context(), script[2])
			require.NoError(t, err)
			require.NoError(t, b.Err())
			ref0.step(t, script[2][0])
			ref1.step(t, script[2][1])
			assert.Equal(t, ref0.grid(), row(b.Obs, 0))
			assert.Equal(t, ref1.grid(), row(b.Obs, 1))
		})
	}
}

func TestAutoresetModeString(t *testing.T) {
	tests := []struct {
		m    AutoresetMode
		want string
	}{{NextStep, "NEXT_STEP"}, {SameStep, "SAME_STEP"}, {Disabled, "DISABLED"}, {9, "AutoresetMode(9)"}}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.m.String())
	}
}

// Float observations are batched alongside the grids, final ones too.
func TestFloatObservations(t *testing.T) {
	f := func(context.Context, int) (env.Env, error) {
		g, err := env.New(envtest.NewFake(envtest.FakeConfig{Levels: 1}), env.Config{})
		if err != nil {
			return nil, err
		}
		return newFloatEnv(g), nil
	}
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			v := newVec(t, k, 3, f, Config{Autoreset: SameStep})
			b, err := v.Reset(t.Context(), env.WithSeed(3))
			require.NoError(t, err)
			require.NoError(t, b.Err())
			assert.Equal(t, []int{3, arc.GridSize, arc.GridSize}, b.Float.Shape)
			for r := range 3 {
				for i, c := range row(b.Obs, r) {
					require.InDelta(t, float32(c)/15, b.Float.Data[r*arc.FrameCells+i], 1e-6)
				}
			}
			acts := []arc.Action{arc.Click(1, 2), arc.Simple(arc.Action1), arc.Click(3, 4)}
			b, err = v.Step(t.Context(), acts)
			require.NoError(t, err)
			require.NoError(t, b.Err())
			require.Equal(t, []bool{false, true, false}, b.HasFinal)
			for i, c := range row(b.FinalObs, 1) {
				require.InDelta(t, float32(c)/15, b.FinalFloat.Data[arc.FrameCells+i], 1e-6)
			}
			for i, c := range row(b.Obs, 0) {
				require.InDelta(t, float32(c)/15, b.Float.Data[i], 1e-6)
			}
		})
	}
}

// A failed row carries no reward and no episode end, not even one left over
// from the previous call, so that a training loop counting ends does not
// count one twice.
func TestFailedRowClearsFlags(t *testing.T) {
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			v := newVec(t, k, 2, sameFakes(envtest.FakeConfig{Levels: 1}), Config{Autoreset: Disabled})
			_, err := v.Reset(t.Context(), env.WithSeed(1))
			require.NoError(t, err)
			acts := []arc.Action{arc.Simple(arc.Action1), arc.Simple(arc.Action3)}
			b, err := v.Step(t.Context(), acts)
			require.NoError(t, err)
			require.NoError(t, b.Err())
			require.Equal(t, []bool{true, false}, b.Terminated)
			require.Equal(t, []float64{1, 0}, b.Rewards)

			b, err = v.Step(t.Context(), acts)
			require.NoError(t, err)
			require.ErrorIs(t, b.Errs[0], env.ErrNeedsReset)
			assert.Equal(t, []bool{false, false}, b.Terminated, "the failed row does not end an episode again")
			assert.Equal(t, []bool{false, false}, b.Truncated)
			assert.Zero(t, b.Rewards[0])
			assert.False(t, b.First[0])
		})
	}
}

// In the autoreset modes a sub-environment that could not be reset is
// reset again by its next step, which returns the first observation of a
// new episode, as NextStep does; Disabled leaves it to ResetMask.
func TestFailedAutoresetIsRetried(t *testing.T) {
	boom := errors.New("reset refused")
	for _, mode := range []AutoresetMode{NextStep, SameStep} {
		for _, k := range kinds {
			t.Run(mode.String()+"/"+k.name, func(t *testing.T) {
				var refuse atomic.Bool
				f := sameFakes(envtest.FakeConfig{Levels: 1, Fail: func(_ int, a arc.Action) error {
					if a.ID == arc.Reset && refuse.Load() {
						return boom
					}
					return nil
				}})
				v := newVec(t, k, 2, f, Config{Autoreset: mode})
				_, err := v.Reset(t.Context(), env.WithSeed(1))
				require.NoError(t, err)
				ref := newReference(t, envtest.FakeConfig{Levels: 1}, 1)
				refuse.Store(true)
				acts := []arc.Action{arc.Simple(arc.Action1), arc.Simple(arc.Action3)}
				b, err := v.Step(t.Context(), acts)
				require.NoError(t, err)
				if mode == SameStep {
					require.ErrorIs(t, b.Errs[0], boom, "the same-step reset fails")
					var ee *EnvError
					require.ErrorAs(t, b.Errs[0], &ee)
					assert.Equal(t, "autoreset", ee.Op)
					assert.True(t, b.Terminated[0], "the ending step keeps its flags")
					assert.Equal(t, 1.0, b.Rewards[0])
					assert.True(t, b.HasFinal[0])
					assert.Equal(t, arc.Win, b.FinalInfos[0].State)
				} else {
					require.NoError(t, b.Err())
					b, err = v.Step(t.Context(), acts)
					require.NoError(t, err)
					require.ErrorIs(t, b.Errs[0], boom, "the next-step reset fails")
				}
				assert.NoError(t, b.Errs[1])

				refuse.Store(false)
				b, err = v.Step(t.Context(), acts)
				require.NoError(t, err)
				require.NoError(t, b.Err(), "the reset is retried")
				assert.Equal(t, []bool{true, false}, b.First)
				assert.Equal(t, []bool{false, false}, b.Terminated)
				ref.step(t, acts[0])
				ref.reset(t)
				assert.Equal(t, ref.grid(), row(b.Obs, 0), "the row starts a new episode")
				assert.Equal(t, arc.NotFinished, b.Infos[0].State)
			})
		}
	}
}
