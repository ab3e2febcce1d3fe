package vector

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/env/envtest"
)

// stepActions cycles through paints, clicks and the level-ending ACTION1 so
// that the measured steps include autoresets.
func stepActions(n, s int, dst []arc.Action) {
	for i := range n {
		switch (s + i) % 6 {
		case 0:
			dst[i] = arc.Simple(arc.Action1)
		case 1, 2:
			dst[i] = arc.Simple(arc.Action3)
		default:
			dst[i] = arc.Click((s+i)%64, (s*3)%64)
		}
	}
}

func TestStepAllocatesNothing(t *testing.T) {
	const n = 4
	for _, mode := range []AutoresetMode{NextStep, SameStep, Disabled} {
		for _, k := range kinds {
			t.Run(mode.String()+"/"+k.name, func(t *testing.T) {
				f := func(context.Context, int) (env.Env, error) {
					g, err := env.New(envtest.NewFake(envtest.FakeConfig{Levels: 2, FramesPerAction: 2}), env.Config{})
					if err != nil {
						return nil, err
					}
					return newFloatEnv(g), nil
				}
				v := newVec(t, k, n, f, Config{Autoreset: mode})
				_, err := v.Reset(t.Context(), env.ResetOptions{})
				require.NoError(t, err)
				acts := make([]arc.Action, n)
				ctx := t.Context()
				s := 0
				step := func() {
					stepActions(n, s, acts)
					s++
					if _, err := v.Step(ctx, acts); err != nil {
						t.Fatal(err)
					}
				}
				if mode == Disabled {
					// Episodes end and stay ended; stepping them is an
					// error path, so measure paint steps only.
					step = func() {
						for i := range acts {
							acts[i] = arc.Click(s%64, i)
						}
						s++
						if _, err := v.Step(ctx, acts); err != nil {
							t.Fatal(err)
						}
					}
				}
				for range 12 {
					step() // grow the info buffers to their working size
				}
				assert.Zero(t, testing.AllocsPerRun(50, step))
			})
		}
	}
}

func TestSendRecvAllocatesNothing(t *testing.T) {
	a := newAsync(t, 6, sameFakes(envtest.FakeConfig{Levels: 2}), Config{BatchSize: 3, Autoreset: SameStep})
	ctx := t.Context()
	require.NoError(t, a.SendReset(ctx, nil, env.ResetOptions{}))
	acts := make([]arc.Action, 3)
	s := 0
	cycle := func() {
		b, err := a.Recv(ctx)
		if err != nil {
			t.Fatal(err)
		}
		stepActions(3, s, acts)
		s++
		if err := a.Send(ctx, b.EnvIDs, acts); err != nil {
			t.Fatal(err)
		}
	}
	for range 20 {
		cycle()
	}
	assert.Zero(t, testing.AllocsPerRun(50, cycle))
}
