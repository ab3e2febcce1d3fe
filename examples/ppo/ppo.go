//go:build gotch

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"runtime"
	"time"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/ts"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/encoding"
	"github.com/arcgym/arcgym/encoding/torch"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/examples/internal/train"
	"github.com/arcgym/arcgym/spaces"
	"github.com/arcgym/arcgym/tensor"
	"github.com/arcgym/arcgym/vector"
	"github.com/arcgym/arcgym/wrappers"
)

// Config configures a PPO run; zero fields take DefaultConfig's values.
type Config struct {
	// Game is a built-in keyboard game with procedural levels.
	Game string
	// Envs sub-environments each collect Rollout steps per update; Updates
	// is the number of updates.
	Envs, Rollout, Updates int
	// Stack is the number of frames stacked per observation.
	Stack int
	// Epochs passes over each rollout in Minibatches minibatches.
	Epochs, Minibatches int
	LR, Gamma, Lambda   float64
	Clip, EntCoef       float64
	VFCoef, MaxGradNorm float64
	// Seed determines the weights, the training levels and the sampling.
	Seed uint64
	// EvalEvery is the number of updates between evaluations of the
	// sampled policy on seeds EvalFirstSeed..EvalFirstSeed+EvalEpisodes-1.
	EvalEvery, EvalEpisodes int
	EvalFirstSeed           int64
	// MaxEpisodeSteps truncates an episode.
	MaxEpisodeSteps int
	// Checkpoint is written every CheckpointEvery updates and at the end;
	// Resume continues from it.
	Checkpoint      string
	CheckpointEvery int
	Resume          bool
	// Plot is the learning-curve PNG; Progress receives the bar.
	Plot     string
	Progress io.Writer
}

// DefaultConfig returns the example's settings: Glacier's generated levels,
// 8 environments, 60 updates of 64 steps.
func DefaultConfig() Config {
	return Config{
		Game: "gl02", Envs: 8, Rollout: 64, Updates: 60, Stack: 2,
		Epochs: 4, Minibatches: 4,
		LR: 5e-4, Gamma: 0.99, Lambda: 0.95, Clip: 0.2, EntCoef: 0.01, VFCoef: 0.5, MaxGradNorm: 0.5,
		Seed: 1, EvalEvery: 10, EvalEpisodes: 100, EvalFirstSeed: 1_000_000,
		MaxEpisodeSteps: 500, CheckpointEvery: 10,
	}
}

func (c *Config) fill() error {
	d := DefaultConfig()
	setInt := func(v *int, def int) {
		if *v <= 0 {
			*v = def
		}
	}
	setF := func(v *float64, def float64) {
		if *v == 0 {
			*v = def
		}
	}
	if c.Game == "" {
		c.Game = d.Game
	}
	setInt(&c.Envs, d.Envs)
	setInt(&c.Rollout, d.Rollout)
	setInt(&c.Updates, d.Updates)
	setInt(&c.Stack, d.Stack)
	setInt(&c.Epochs, d.Epochs)
	setInt(&c.Minibatches, d.Minibatches)
	setInt(&c.EvalEvery, d.EvalEvery)
	setInt(&c.EvalEpisodes, d.EvalEpisodes)
	setInt(&c.MaxEpisodeSteps, d.MaxEpisodeSteps)
	setInt(&c.CheckpointEvery, d.CheckpointEvery)
	setF(&c.LR, d.LR)
	setF(&c.Gamma, d.Gamma)
	setF(&c.Lambda, d.Lambda)
	setF(&c.Clip, d.Clip)
	setF(&c.EntCoef, d.EntCoef)
	setF(&c.VFCoef, d.VFCoef)
	setF(&c.MaxGradNorm, d.MaxGradNorm)
	if c.EvalFirstSeed == 0 {
		c.EvalFirstSeed = d.EvalFirstSeed
	}
	if (c.Envs*c.Rollout)%c.Minibatches != 0 {
		return fmt.Errorf("ppo: %d samples per update do not split into %d minibatches", c.Envs*c.Rollout, c.Minibatches)
	}
	if c.Resume && c.Checkpoint == "" {
		return errors.New("ppo: resume needs a checkpoint path")
	}
	return nil
}

// State is the checkpoint content.
type State struct {
	Game     string
	Seed     uint64
	Weights  Weights
	Updates  int
	Steps    int
	Episodes int
	RNG      []byte
	Reseeds  []int64
	Curve    train.Curve
}

const (
	checkpointKind    = "ppo"
	checkpointVersion = 1
)

// Result is the outcome of a run.
type Result struct {
	Learner, Random train.Stats
	// Initial is the untrained policy's evaluation (zero when resumed).
	Initial        train.Stats
	Updates, Steps int
	Elapsed        time.Duration
	Curve          train.Curve
	Weights        Weights
}

// Train runs PPO over a vector env of cfg.Envs local games.
func Train(ctx context.Context, cfg Config) (*Result, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	// libtorch keeps the grad mode per OS thread: pin the goroutine so
	// that switching it off for inference and back on stays on one thread.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	start := time.Now()
	info, err := lookup(cfg.Game)
	if err != nil {
		return nil, err
	}
	if info.Available.Has(arc.Action6) {
		return nil, fmt.Errorf("ppo: game %s takes clicks; this policy plays keyboard games only", info.ID)
	}
	policy, err := NewPolicy(cfg.Stack, cfg.Seed)
	if err != nil {
		return nil, err
	}
	defer policy.Close()
	opt := Adam{LR: cfg.LR, Beta1: 0.9, Beta2: 0.999, Eps: 1e-5, MaxNorm: cfg.MaxGradNorm}

	st := State{Game: cfg.Game, Seed: cfg.Seed, Curve: train.Curve{
		Title:  fmt.Sprintf("PPO (CNN, gotch) on %s, procedurally generated levels", cfg.Game),
		XLabel: "environment steps",
		YLabel: "levels completed per game (return)",
	}}
	pcg := rand.NewPCG(cfg.Seed, 0x5050)
	if cfg.Resume {
		if err := train.Load(cfg.Checkpoint, checkpointKind, checkpointVersion, &st); err != nil {
			return nil, err
		}
		if st.Game != cfg.Game || st.Seed != cfg.Seed || len(st.Reseeds) != cfg.Envs {
			return nil, fmt.Errorf("%w: %s holds a run of %s with seed %d over %d envs", train.ErrCheckpoint, cfg.Checkpoint, st.Game, st.Seed, len(st.Reseeds))
		}
		if err := policy.Restore(&st.Weights); err != nil {
			return nil, err
		}
		opt = st.Weights.Adam
		if err := pcg.UnmarshalBinary(st.RNG); err != nil {
			return nil, err
		}
	}
	rng := rand.New(pcg)

	// Sub-environment i plays seeds base+i, base+i+Envs, ...: never the
	// held-out evaluation seeds.
	base := 1 + int64(cfg.Seed)*10_000_000
	reseeds := make([]*train.Reseed, cfg.Envs)
	factory := func(i int) (env.Env, error) {
		g, err := env.Make(cfg.Game)
		if err != nil {
			return nil, err
		}
		m, err := wrappers.NewActionMask(g, wrappers.ActionMaskConfig{})
		if err != nil {
			return nil, errors.Join(err, g.Close())
		}
		tl, err := wrappers.NewTimeLimit(m, cfg.MaxEpisodeSteps, wrappers.TimeLimitConfig{})
		if err != nil {
			return nil, errors.Join(err, m.Close())
		}
		r := train.NewReseed(tl, base+int64(i), int64(cfg.Envs))
		if st.Reseeds != nil {
			r.SetEpisodes(st.Reseeds[i])
		}
		reseeds[i] = r
		return r, nil
	}
	venv, err := vector.NewSync(cfg.Envs, factory, vector.Config{Autoreset: vector.SameStep})
	if err != nil {
		return nil, err
	}
	defer venv.Close()
	evalEnv, err := env.Make(cfg.Game)
	if err != nil {
		return nil, err
	}
	defer evalEnv.Close()
	evalSeeds := train.Seeds(cfg.EvalFirstSeed, cfg.EvalEpisodes)
	evaluate := func() (train.Stats, error) {
		a := &Agent{Policy: policy, Stack: cfg.Stack, rng: rand.New(rand.NewPCG(cfg.Seed, 0xe7a1))}
		return train.Evaluate(ctx, evalEnv, a, evalSeeds, cfg.MaxEpisodeSteps)
	}
	randomStats, err := train.Evaluate(ctx, evalEnv, train.NewRandom(cfg.Seed), evalSeeds, cfg.MaxEpisodeSteps)
	if err != nil {
		return nil, err
	}

	r := newRollout(&cfg)
	stack, err := vector.NewFrameStack(cfg.Envs, cfg.Stack, []int{arc.GridSize, arc.GridSize})
	if err != nil {
		return nil, err
	}
	batch, err := venv.Reset(ctx, env.ResetOptions{})
	if err != nil {
		return nil, err
	}
	if err := batch.Err(); err != nil {
		return nil, err
	}
	obs, _, err := stack.Update(batch)
	if err != nil {
		return nil, err
	}
	masks := batch.Masks(nil)

	prog := train.NewProgress(cfg.Progress, "ppo", cfg.Updates*cfg.Envs*cfg.Rollout)
	prog.Start(st.Steps, st.Episodes)
	var learner, initial train.Stats
	lastEval := -1
	record := func() error {
		s, err := evaluate()
		if err != nil {
			return err
		}
		if st.Updates == 0 {
			initial = s
		}
		learner, lastEval = s, st.Updates
		x := float64(st.Steps)
		st.Curve.Add("PPO policy (sampled, held-out seeds)", x, s.MeanReturn)
		st.Curve.Add("random policy (same seeds)", x, randomStats.MeanReturn)
		if mean, n := prog.MeanReturn(); n > 0 {
			st.Curve.Add("PPO (training episodes)", x, mean)
		}
		prog.Note("eval %.2f random %.2f", s.MeanReturn, randomStats.MeanReturn)
		prog.Draw()
		return nil
	}
	if st.Updates == 0 {
		if err := record(); err != nil {
			return nil, err
		}
	}
	epRet := make([]float64, cfg.Envs)
	flat := make([]int, cfg.Envs)
	actions := make([]arc.Action, cfg.Envs)
	for st.Updates < cfg.Updates {
		// Collect a rollout.
		for t := range cfg.Rollout {
			if err := r.act(policy, t, obs, masks, flat, rng); err != nil {
				return nil, err
			}
			if err := torch.Actions(actions, flat); err != nil {
				return nil, err
			}
			batch, err = venv.Step(ctx, actions)
			if err != nil {
				return nil, err
			}
			if err := batch.Err(); err != nil {
				return nil, err
			}
			for i := range cfg.Envs {
				r.rewards[t*cfg.Envs+i] = float32(batch.Rewards[i])
				r.dones[t*cfg.Envs+i] = batch.Done(i)
				epRet[i] += batch.Rewards[i]
				if batch.Done(i) {
					st.Episodes++
					prog.Episode(epRet[i])
					epRet[i] = 0
				}
			}
			st.Steps += cfg.Envs
			prog.Step(cfg.Envs)
			if obs, _, err = stack.Update(batch); err != nil {
				return nil, err
			}
			masks = batch.Masks(masks)
		}
		if err := r.finish(policy, obs, &cfg); err != nil {
			return nil, err
		}
		if err := r.update(policy, &opt, &cfg, rng); err != nil {
			return nil, err
		}
		st.Updates++
		if st.Updates%cfg.EvalEvery == 0 {
			if err := record(); err != nil {
				return nil, err
			}
		}
		if cfg.Checkpoint != "" && st.Updates%cfg.CheckpointEvery == 0 {
			if err := save(&cfg, &st, policy, opt, pcg, reseeds); err != nil {
				return nil, err
			}
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	if lastEval != st.Updates {
		if err := record(); err != nil {
			return nil, err
		}
	}
	prog.Finish()
	if cfg.Checkpoint != "" {
		if err := save(&cfg, &st, policy, opt, pcg, reseeds); err != nil {
			return nil, err
		}
	}
	if cfg.Plot != "" {
		if err := st.Curve.SavePNG(cfg.Plot); err != nil {
			return nil, err
		}
	}
	return &Result{
		Learner: learner, Random: randomStats, Initial: initial,
		Updates: st.Updates, Steps: st.Steps, Elapsed: time.Since(start),
		Curve: st.Curve, Weights: policy.Snapshot(opt),
	}, nil
}

func lookup(id string) (arc.GameInfo, error) {
	g, err := env.Make(id)
	if err != nil {
		return arc.GameInfo{}, err
	}
	defer g.Close()
	return g.GameInfo(), nil
}

func save(cfg *Config, st *State, p *Policy, opt Adam, pcg *rand.PCG, reseeds []*train.Reseed) error {
	b, err := pcg.MarshalBinary()
	if err != nil {
		return err
	}
	st.RNG = b
	st.Weights = p.Snapshot(opt)
	st.Reseeds = make([]int64, len(reseeds))
	for i, r := range reseeds {
		st.Reseeds[i] = r.Episodes()
	}
	return train.Save(cfg.Checkpoint, checkpointKind, checkpointVersion, st)
}

// rollout holds one update's worth of experience, time-major.
type rollout struct {
	n, t, stack int
	obs         []uint8   // (t*n, stack, 64, 64)
	deny        []float32 // (t*n, NumMoves): 0 allowed, -1e9 masked
	actions     []int64
	logp        []float32
	values      []float32
	rewards     []float32
	dones       []bool
	adv, ret    []float32
	lastValue   []float32
	rows        [][]bool
}

func newRollout(cfg *Config) *rollout {
	n, t := cfg.Envs, cfg.Rollout
	return &rollout{
		n: n, t: t, stack: cfg.Stack,
		obs:     make([]uint8, t*n*cfg.Stack*frameCells),
		deny:    make([]float32, t*n*NumMoves),
		actions: make([]int64, t*n),
		logp:    make([]float32, t*n),
		values:  make([]float32, t*n),
		rewards: make([]float32, t*n),
		dones:   make([]bool, t*n),
		adv:     make([]float32, t*n),
		ret:     make([]float32, t*n),
		rows:    make([][]bool, n),
	}
}

const denied = -1e9

// act runs the policy on the current observations, samples the actions
// under the masks through the torch bridge, and records step t.
func (r *rollout) act(p *Policy, t int, obs tensor.U8, masks []bool, flat []int, rng *rand.Rand) error {
	n := r.n
	copy(r.obs[t*n*r.stack*frameCells:], obs.Data)
	deny := r.deny[t*n*NumMoves : (t+1)*n*NumMoves]
	for i := range n {
		r.rows[i] = masks[i*spaces.FlatSize : (i+1)*spaces.FlatSize]
		for k := range NumMoves {
			deny[i*NumMoves+k] = 0
			if !r.rows[i][k] {
				deny[i*NumMoves+k] = denied
			}
		}
	}
	x, err := torch.Encode(encoding.OneHot{}, obs)
	if err != nil {
		return err
	}
	defer x.MustDrop()
	var logits, value *ts.Tensor
	ts.NoGrad(func() { logits, value = p.Forward(x) })
	defer logits.MustDrop()
	defer value.MustDrop()
	// The bridge samples over the whole flat action space; the cells of
	// ACTION6 get a constant logit and are masked out for keyboard games.
	cells := ts.MustZeros([]int64{int64(n), spaces.FlatSize - NumMoves}, gotch.Float, gotch.CPU)
	defer cells.MustDrop()
	full := ts.MustCat([]ts.Tensor{*logits, *cells}, 1)
	defer full.MustDrop()
	mask, err := torch.Mask(r.rows)
	if err != nil {
		return err
	}
	defer mask.MustDrop()
	if err := torch.MaskedSample(flat, full, mask, rng); err != nil {
		return err
	}
	lg := make([]float32, n*NumMoves)
	if err := torch.CopyTo(tensor.Of(lg, n, NumMoves), logits); err != nil {
		return err
	}
	if err := torch.CopyTo(tensor.Of(r.values[t*n:(t+1)*n], n), value); err != nil {
		return err
	}
	for i, a := range flat {
		if a >= NumMoves {
			return fmt.Errorf("ppo: sampled flat action %d, a click", a)
		}
		r.actions[t*n+i] = int64(a)
		r.logp[t*n+i] = logSoftmaxAt(lg[i*NumMoves:(i+1)*NumMoves], deny[i*NumMoves:(i+1)*NumMoves], a)
	}
	return nil
}

// logSoftmaxAt returns log softmax(logits+deny)[a].
func logSoftmaxAt(logits, deny []float32, a int) float32 {
	m := math.Inf(-1)
	for k, l := range logits {
		m = max(m, float64(l+deny[k]))
	}
	var s float64
	for k, l := range logits {
		s += math.Exp(float64(l+deny[k]) - m)
	}
	return float32(float64(logits[a]+deny[a]) - m - math.Log(s))
}

// finish computes the advantages (GAE) and returns, bootstrapping from the
// value of the observations after the rollout.
func (r *rollout) finish(p *Policy, obs tensor.U8, cfg *Config) error {
	x, err := torch.Encode(encoding.OneHot{}, obs)
	if err != nil {
		return err
	}
	defer x.MustDrop()
	var logits, value *ts.Tensor
	ts.NoGrad(func() { logits, value = p.Forward(x) })
	logits.MustDrop()
	defer value.MustDrop()
	last := make([]float32, r.n)
	if err := torch.CopyTo(tensor.Of(last, r.n), value); err != nil {
		return err
	}
	for i := range r.n {
		var gae float64
		next := float64(last[i])
		for t := r.t - 1; t >= 0; t-- {
			k := t*r.n + i
			notDone := 1.0
			if r.dones[k] {
				notDone = 0
			}
			delta := float64(r.rewards[k]) + cfg.Gamma*next*notDone - float64(r.values[k])
			gae = delta + cfg.Gamma*cfg.Lambda*notDone*gae
			r.adv[k] = float32(gae)
			r.ret[k] = float32(gae + float64(r.values[k]))
			next = float64(r.values[k])
		}
	}
	return nil
}

// update runs the PPO epochs over the rollout.
func (r *rollout) update(p *Policy, opt *Adam, cfg *Config, rng *rand.Rand) error {
	total := r.n * r.t
	mb := total / cfg.Minibatches
	size := r.stack * frameCells
	obs := tensor.New[uint8](mb, r.stack, arc.GridSize, arc.GridSize)
	deny := tensor.New[float32](mb, NumMoves)
	act := make([]int64, mb)
	oldLogp := tensor.New[float32](mb)
	adv := tensor.New[float32](mb)
	ret := tensor.New[float32](mb)
	clipLo, clipHi := ts.FloatScalar(1-cfg.Clip), ts.FloatScalar(1+cfg.Clip)
	entScale := ts.FloatScalar(cfg.EntCoef / float64(mb))
	vfScale := ts.FloatScalar(0.5 * cfg.VFCoef)
	defer func() {
		for _, s := range []*ts.Scalar{clipLo, clipHi, entScale, vfScale} {
			s.MustDrop()
		}
	}()
	for range cfg.Epochs {
		perm := rng.Perm(total)
		for b := range cfg.Minibatches {
			idx := perm[b*mb : (b+1)*mb]
			var mean, sq float64
			for _, k := range idx {
				mean += float64(r.adv[k])
			}
			mean /= float64(mb)
			for _, k := range idx {
				d := float64(r.adv[k]) - mean
				sq += d * d
			}
			std := math.Sqrt(sq/float64(mb)) + 1e-8
			for j, k := range idx {
				copy(obs.Data[j*size:(j+1)*size], r.obs[k*size:(k+1)*size])
				copy(deny.Data[j*NumMoves:(j+1)*NumMoves], r.deny[k*NumMoves:(k+1)*NumMoves])
				act[j] = r.actions[k]
				oldLogp.Data[j] = r.logp[k]
				adv.Data[j] = float32((float64(r.adv[k]) - mean) / std)
				ret.Data[j] = r.ret[k]
			}
			if err := r.step(p, opt, obs, deny, act, oldLogp, adv, ret, clipLo, clipHi, entScale, vfScale); err != nil {
				return err
			}
		}
	}
	return nil
}

// step computes the PPO loss of one minibatch and applies one Adam step.
func (r *rollout) step(p *Policy, opt *Adam, obs tensor.U8, deny tensor.F32, act []int64, oldLogp, adv, ret tensor.F32, clipLo, clipHi, entScale, vfScale *ts.Scalar) error {
	var keep []*ts.Tensor
	k := func(t *ts.Tensor) *ts.Tensor { keep = append(keep, t); return t }
	defer func() {
		for _, t := range keep {
			t.MustDrop()
		}
	}()
	x, err := torch.Encode(encoding.OneHot{}, obs)
	if err != nil {
		return err
	}
	k(x)
	denyT, err := torch.FromF32(deny)
	if err != nil {
		return err
	}
	k(denyT)
	oldT, err := torch.FromF32(oldLogp)
	if err != nil {
		return err
	}
	k(oldT)
	advT, err := torch.FromF32(adv)
	if err != nil {
		return err
	}
	k(advT)
	retT, err := torch.FromF32(ret)
	if err != nil {
		return err
	}
	k(retT)
	idx := k(k(ts.MustOfSlice(act)).MustView([]int64{int64(len(act)), 1}, false))

	ts.MustGradSetEnabled(true)
	logits, value := p.Forward(x)
	k(logits)
	k(value)
	logp := k(k(logits.MustAdd(denyT, false)).MustLogSoftmax(1, gotch.Float, false))
	newLogp := k(k(logp.MustGather(1, idx, false, false)).MustSqueezeDim(1, false))
	ratio := k(k(newLogp.MustSub(oldT, false)).MustExp(false))
	s1 := k(ratio.MustMul(advT, false))
	s2 := k(k(ratio.MustClamp(clipLo, clipHi, false)).MustMul(advT, false))
	pg := k(k(k(s1.MustMinimum(s2, false)).MustMean(gotch.Float, false)).MustNeg(false))
	vl := k(k(k(k(value.MustSub(retT, false)).MustSquare(false)).MustMean(gotch.Float, false)).MustMulScalar(vfScale, false))
	// Σ p·log p over the batch, scaled: minus the mean entropy times the
	// coefficient. Masked moves have p = 0 and a finite log p, so add 0.
	negEnt := k(k(k(k(logp.MustExp(false)).MustMul(logp, false)).MustSum(gotch.Float, false)).MustMulScalar(entScale, false))
	loss := k(k(pg.MustAdd(vl, false)).MustAdd(negEnt, false))

	p.ZeroGrad()
	if err := loss.Backward(); err != nil {
		return fmt.Errorf("ppo: backward: %w", err)
	}
	_, err = p.Step(opt)
	return err
}

// Agent plays the trained policy one frame at a time, sampling its moves:
// the evaluation agent.
type Agent struct {
	Policy *Policy
	Stack  int
	rng    *rand.Rand
	frames []uint8
	flat   []int
	mask   []bool
}

// Begin implements train.Agent: the stack starts full of the first frame.
func (a *Agent) Begin(obs env.Obs, _ *env.Info) {
	if a.frames == nil {
		a.frames = make([]uint8, a.Stack*frameCells)
		a.flat = make([]int, 1)
		a.mask = make([]bool, spaces.FlatSize)
	}
	for j := range a.Stack {
		copy(a.frames[j*frameCells:], obs.Grid.Data)
	}
}

// Act implements train.Agent.
func (a *Agent) Act(obs env.Obs, info *env.Info) arc.Action {
	copy(a.frames, a.frames[frameCells:])
	copy(a.frames[(a.Stack-1)*frameCells:], obs.Grid.Data)
	vector.AvailableMask(a.mask, info.Available)
	act, err := a.choose()
	if err != nil {
		// The games always offer an action; fall back to the first.
		return arc.Simple(arc.Action1)
	}
	return act
}

func (a *Agent) choose() (arc.Action, error) {
	x, err := torch.Encode(encoding.OneHot{}, tensor.Of(a.frames, 1, a.Stack, arc.GridSize, arc.GridSize))
	if err != nil {
		return arc.Action{}, err
	}
	defer x.MustDrop()
	var logits, value *ts.Tensor
	ts.NoGrad(func() { logits, value = a.Policy.Forward(x) })
	defer logits.MustDrop()
	value.MustDrop()
	cells := ts.MustZeros([]int64{1, spaces.FlatSize - NumMoves}, gotch.Float, gotch.CPU)
	defer cells.MustDrop()
	full := ts.MustCat([]ts.Tensor{*logits, *cells}, 1)
	defer full.MustDrop()
	mask, err := torch.Mask([][]bool{a.mask})
	if err != nil {
		return arc.Action{}, err
	}
	defer mask.MustDrop()
	if err := torch.MaskedSample(a.flat, full, mask, a.rng); err != nil {
		return arc.Action{}, err
	}
	act, ok := spaces.Unflatten(a.flat[0])
	if !ok {
		return arc.Action{}, fmt.Errorf("ppo: flat action %d", a.flat[0])
	}
	return act, nil
}
