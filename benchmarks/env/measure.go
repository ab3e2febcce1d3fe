package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime"
	"time"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/encoding"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/games"
	"github.com/arcgym/arcgym/internal/ratio"
	"github.com/arcgym/arcgym/spaces"
	"github.com/arcgym/arcgym/wrappers"
)

// script is what one measurement plays: the agent's actions, the actions
// the env applied (they differ where a mask remapped one), and after which
// steps the episode ended and the env was reset.
type script struct {
	sent, applied []arc.Action
	resetAfter    []bool
}

// record plays n steps of actions (cycling) on e from a Reset, resetting
// whenever an episode ends, and returns what happened.
func record(ctx context.Context, e env.Env, actions []arc.Action, n int) (script, error) {
	s := script{sent: make([]arc.Action, n), applied: make([]arc.Action, n), resetAfter: make([]bool, n)}
	if _, _, err := e.Reset(ctx, env.ResetOptions{}); err != nil {
		return script{}, err
	}
	for i := range n {
		s.sent[i] = actions[i%len(actions)]
		st, err := e.Step(ctx, s.sent[i])
		if err != nil {
			return script{}, fmt.Errorf("step %d, %s: %w", i, s.sent[i], err)
		}
		s.applied[i], s.resetAfter[i] = st.Info.Action, st.Done()
		if st.Done() {
			if _, _, err := e.Reset(ctx, env.ResetOptions{}); err != nil {
				return script{}, err
			}
		}
	}
	return s, nil
}

// side is one of the things measured: a stack (or a plain loop) that plays
// the steps of a script block by block.
type side interface {
	// open builds a new stack and resets it, untimed.
	open() error
	// play plays steps [i, j) of the script.
	play(i, j int) error
	// last returns the last frame seen (nil when there is none).
	last() []uint8
	close()
}

// envSide plays a script on an env: acts, and a reset where resetAfter
// says.
type envSide struct {
	ctx        context.Context
	mk         func() (env.Env, error)
	acts       []arc.Action
	resetAfter []bool
	e          env.Env
	info       env.Info
}

func (s *envSide) open() (err error) {
	if s.e, err = s.mk(); err != nil {
		return err
	}
	_, s.info, err = s.e.Reset(s.ctx, env.ResetOptions{})
	return err
}

func (s *envSide) play(i, j int) error {
	for k := i; k < j; k++ {
		st, err := s.e.Step(s.ctx, s.acts[k])
		if err != nil {
			return fmt.Errorf("step %d, %s: %w", k, s.acts[k], err)
		}
		s.info = st.Info
		if s.resetAfter[k] {
			if _, s.info, err = s.e.Reset(s.ctx, env.ResetOptions{}); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *envSide) last() []uint8 {
	return s.info.Frames.Data[s.info.Frames.Len()-arc.FrameCells:]
}

func (s *envSide) close() { s.e.Close() }

// backendSide replays on a session the commands an env sent: bounds[k] is
// the first command of step k (the commands before bounds[0] are the
// opening reset's).
type backendSide struct {
	ctx    context.Context
	id     string
	cmds   []arc.Action
	bounds []int
	s      env.Backend
	out    arc.FrameData
	frames int
}

func (b *backendSide) open() (err error) {
	if b.s, err = games.New(b.id); err != nil {
		return err
	}
	b.frames = 0
	return b.send(0, b.bounds[0])
}

func (b *backendSide) play(i, j int) error { return b.send(b.bounds[i], b.bounds[j]) }

func (b *backendSide) send(from, to int) error {
	for _, a := range b.cmds[from:to] {
		if err := b.s.Do(b.ctx, a, &b.out); err != nil {
			return fmt.Errorf("%s: %w", a, err)
		}
		b.frames += b.out.NumFrames()
	}
	return nil
}

func (b *backendSide) last() []uint8 { return b.out.Last() }
func (b *backendSide) close()        { b.s.Close() }

// copySide copies a 4 KiB frame per step: the least work any environment
// does to hand out an observation.
type copySide struct{ src, dst arc.Frame }

func (c *copySide) open() error {
	for i := range c.src {
		c.src[i] = uint8(i % arc.NumColors)
	}
	return nil
}

func (c *copySide) play(i, j int) error {
	for range j - i {
		copy(c.dst[:], c.src[:])
	}
	return nil
}

func (c *copySide) last() []uint8 { return nil }
func (c *copySide) close()        {}

// commands plays steps of s on an env.Game over a recording session of
// game id and returns the commands it sent and where each step's begin.
func commands(ctx context.Context, id string, s script, steps int) ([]arc.Action, []int, error) {
	rec := &recorder{}
	var err error
	if rec.Backend, err = games.New(id); err != nil {
		return nil, nil, err
	}
	g, err := env.New(rec, env.Config{})
	if err != nil {
		return nil, nil, err
	}
	defer g.Close()
	es := &envSide{ctx: ctx, mk: func() (env.Env, error) { return g, nil }, acts: s.applied, resetAfter: s.resetAfter}
	if err := es.open(); err != nil {
		return nil, nil, err
	}
	bounds := make([]int, steps+1)
	bounds[0] = len(rec.cmds)
	for k := range steps {
		if err := es.play(k, k+1); err != nil {
			return nil, nil, err
		}
		bounds[k+1] = len(rec.cmds)
	}
	return rec.cmds, bounds, nil
}

// recorder is a Backend that notes every command it passes on.
type recorder struct {
	env.Backend
	cmds []arc.Action
}

// Do records a and passes it on.
func (r *recorder) Do(ctx context.Context, a arc.Action, out *arc.FrameData) error {
	r.cmds = append(r.cmds, a)
	return r.Backend.Do(ctx, a, out)
}

// solo times steps of s from a new start, rounds times, and returns the
// steps per second of the fastest round.
func solo(s side, steps, rounds int) (float64, error) {
	var best time.Duration
	for r := range rounds {
		runtime.GC()
		if err := s.open(); err != nil {
			return 0, err
		}
		t0 := time.Now()
		err := s.play(0, steps)
		d := time.Since(t0)
		s.close()
		if err != nil {
			return 0, err
		}
		if r == 0 || d < best {
			best = d
		}
	}
	return float64(steps) / best.Seconds(), nil
}

// pair plays the script on a and b in alternating blocks of block steps,
// the side going first alternating too, over rounds on new stacks. It
// returns the median over all blocks of b's time over a's, and the steps
// per second of each side's fastest round. Blocks close in time see the
// same machine, so the median ratio holds on a machine busy with other
// work. Both sides must end every round on the same frame.
func pair(a, b side, steps, block, rounds int) (median, rateA, rateB float64, err error) {
	var ratios []float64
	var bestA, bestB time.Duration
	for r := range rounds {
		runtime.GC()
		if err := a.open(); err != nil {
			return 0, 0, 0, err
		}
		if err := b.open(); err != nil {
			a.close()
			return 0, 0, 0, err
		}
		var totA, totB time.Duration
		for i, blk := 0, 0; i < steps && err == nil; i, blk = i+block, blk+1 {
			j := min(i+block, steps)
			var ta, tb time.Duration
			if (r+blk)%2 == 0 {
				if ta, err = timed(a, i, j); err == nil {
					tb, err = timed(b, i, j)
				}
			} else if tb, err = timed(b, i, j); err == nil {
				ta, err = timed(a, i, j)
			}
			totA, totB = totA+ta, totB+tb
			ratios = append(ratios, float64(tb)/float64(ta))
		}
		same := bytes.Equal(a.last(), b.last())
		a.close()
		b.close()
		if err != nil {
			return 0, 0, 0, err
		}
		if !same {
			return 0, 0, 0, errors.New("the two sides ended on different frames: the comparison is not like for like")
		}
		if r == 0 || totA < bestA {
			bestA = totA
		}
		if r == 0 || totB < bestB {
			bestB = totB
		}
	}
	return ratio.Median(ratios), float64(steps) / bestA.Seconds(), float64(steps) / bestB.Seconds(), nil
}

func timed(s side, i, j int) (time.Duration, error) {
	t0 := time.Now()
	err := s.play(i, j)
	return time.Since(t0), err
}

// withEnv builds an env, hands it to f and closes it.
func withEnv[T any](mk func() (env.Env, error), f func(env.Env) (T, error)) (T, error) {
	e, err := mk()
	if err != nil {
		var zero T
		return zero, err
	}
	defer e.Close()
	return f(e)
}

// actionStream returns n actions drawn from the available ones, the same
// in every run.
func actionStream(avail arc.ActionSet, n int) []arc.Action {
	space := spaces.NewAction(avail)
	space.Seed(1)
	out := make([]arc.Action, n)
	for i := range out {
		out[i], _ = space.Sample(nil)
	}
	return out
}

// stack wraps a new env of game id in the four standard wrappers, and a
// one-hot encoding of the stack when encode is set.
func stack(id string, encode bool) (env.Env, error) {
	g, err := env.Make(context.Background(), id, env.Config{})
	if err != nil {
		return nil, err
	}
	ws := []env.Wrapper{
		wrappers.ActionMaskConfig{},
		wrappers.FrameStackConfig{Depth: 4},
		wrappers.TimeLimitConfig{Max: 500},
		wrappers.EpisodeStatsConfig{},
	}
	if encode {
		ws = append(ws, wrappers.EncodeConfig{Encoder: encoding.OneHot{}})
	}
	return env.Wrap(g, ws...)
}

// measure records the scripts of one game and measures every side.
func measure(ctx context.Context, info arc.GameInfo, steps, block, rounds int) (Result, error) {
	actions := actionStream(info.Available, 1<<12)
	newEnv := func() (env.Env, error) { return env.Make(ctx, info.ID, env.Config{}) }
	newStack := func() (env.Env, error) { return stack(info.ID, false) }
	ws, err := withEnv(newStack, func(e env.Env) (script, error) { return record(ctx, e, actions, steps) })
	if err != nil {
		return Result{}, fmt.Errorf("recording the wrapped stack: %w", err)
	}
	cmds, bounds, err := commands(ctx, info.ID, ws, steps)
	if err != nil {
		return Result{}, fmt.Errorf("recording the env's commands: %w", err)
	}
	res := Result{Game: info.ID, Commands: float64(len(cmds)) / float64(steps)}
	if res.Copy, err = solo(&copySide{}, steps, rounds); err != nil {
		return Result{}, err
	}
	backend := &backendSide{ctx: ctx, id: info.ID, cmds: cmds, bounds: bounds}
	plain := func(s script) *envSide {
		return &envSide{ctx: ctx, mk: newEnv, acts: s.applied, resetAfter: s.resetAfter}
	}
	if res.EnvOverBackend, res.Backend, res.Env, err = pair(backend, plain(ws), steps, block, rounds); err != nil {
		return Result{}, fmt.Errorf("backend vs env: %w", err)
	}
	res.Frames = float64(backend.frames) / float64(steps)
	wrapped := &envSide{ctx: ctx, mk: newStack, acts: ws.sent, resetAfter: ws.resetAfter}
	if res.WrappedOverEnv, _, res.Wrapped, err = pair(plain(ws), wrapped, steps, block, rounds); err != nil {
		return Result{}, fmt.Errorf("env vs wrapped: %w", err)
	}
	encoded := &envSide{ctx: ctx, mk: func() (env.Env, error) { return stack(info.ID, true) }, acts: ws.sent, resetAfter: ws.resetAfter}
	if res.Encoded, err = solo(encoded, steps/16, rounds); err != nil {
		return Result{}, fmt.Errorf("encoded: %w", err)
	}
	if !info.Available.Has(arc.Action6) {
		return res, nil
	}
	newMasked := func() (env.Env, error) {
		g, err := env.Make(ctx, info.ID, env.Config{})
		if err != nil {
			return nil, err
		}
		return env.Wrap(g, wrappers.ActionMaskConfig{Cells: wrappers.NonBackground, Policy: wrappers.MaskRemap, Seed: 1})
	}
	ms, err := withEnv(newMasked, func(e env.Env) (script, error) { return record(ctx, e, actions, steps) })
	if err != nil {
		return Result{}, fmt.Errorf("recording the masked env: %w", err)
	}
	masked := &envSide{ctx: ctx, mk: newMasked, acts: ms.sent, resetAfter: ms.resetAfter}
	if res.MaskedOverEnv, res.MaskEnv, res.Masked, err = pair(plain(ms), masked, steps, block, rounds); err != nil {
		return Result{}, fmt.Errorf("env vs masked: %w", err)
	}
	return res, nil
}
