//go:build gotch

package main

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"time"
	"unsafe"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/ts"

	"github.com/arcgym/arcgym/arc"
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
	// LR is Adam's learning rate at the start; it falls linearly to zero
	// at update Updates.
	LR, Gamma, Lambda   float64
	Clip, EntCoef       float64
	VFCoef, MaxGradNorm float64
	// Threads is the size of libtorch's intra-op thread pool, which also
	// bounds OpenBLAS's OpenMP build. One is the safe choice for this small
	// network on a shared 2-core machine: two ran the default run no
	// faster on an idle machine and two to three times slower while
	// another process held a core, their OpenMP workers spinning as they
	// wait for each other.
	Threads int
	// MaxEpisodeSteps truncates an episode.
	MaxEpisodeSteps int
	// Common holds the seed (of the weights, the training levels and the
	// sampling), the evaluations (every EvalEvery updates), the checkpoint
	// (every CheckpointEvery updates), the plot and the progress bar.
	train.Common
}

// DefaultConfig returns the example's settings: Glacier's generated levels,
// 16 environments, 200 updates of 64 steps each (204,800 steps), three
// epochs of four minibatches per update, Adam at 1e-3 falling linearly to
// zero, one libtorch thread, and 200 held-out games per evaluation.
func DefaultConfig() Config {
	return Config{
		Game: "gl02", Envs: 16, Rollout: 64, Updates: 200, Stack: 2,
		Epochs: 3, Minibatches: 4,
		LR: 1e-3, Gamma: 0.99, Lambda: 0.95, Clip: 0.2, EntCoef: 0.01, VFCoef: 0.5, MaxGradNorm: 0.5,
		Threads: 1, MaxEpisodeSteps: 500,
		Common: train.Common{Seed: 1, EvalEvery: 25, EvalEpisodes: 200, EvalFirstSeed: 1_000_000, CheckpointEvery: 25},
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
	setInt(&c.Threads, d.Threads)
	setInt(&c.Rollout, d.Rollout)
	setInt(&c.Updates, d.Updates)
	setInt(&c.Stack, d.Stack)
	setInt(&c.Epochs, d.Epochs)
	setInt(&c.Minibatches, d.Minibatches)
	setInt(&c.MaxEpisodeSteps, d.MaxEpisodeSteps)
	setF(&c.LR, d.LR)
	setF(&c.Gamma, d.Gamma)
	setF(&c.Lambda, d.Lambda)
	setF(&c.Clip, d.Clip)
	setF(&c.EntCoef, d.EntCoef)
	setF(&c.VFCoef, d.VFCoef)
	setF(&c.MaxGradNorm, d.MaxGradNorm)
	if (c.Envs*c.Rollout)%c.Minibatches != 0 {
		return fmt.Errorf("ppo: %d samples per update do not split into %d minibatches", c.Envs*c.Rollout, c.Minibatches)
	}
	if err := c.Common.Fill(d.Common); err != nil {
		return fmt.Errorf("ppo: %w", err)
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
	// Reseeds holds the next game seed of each sub-environment.
	Reseeds []int64
	Curve   train.Curve
}

const (
	checkpointKind    = "ppo"
	checkpointVersion = 3
)

// Result is the outcome of a run.
type Result struct {
	Learner, Random train.Stats
	// Initial is the untrained policy's evaluation (zero when resumed).
	Initial        train.Stats
	Updates, Steps int
	// Bootstrapped counts the training steps cut off by the time limit
	// whose reward took in the value of their final observation.
	Bootstrapped int
	Elapsed      time.Duration
	Curve        train.Curve
	Weights      Weights
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
	if err := torch.SetNumThreads(cfg.Threads); err != nil {
		return nil, err
	}
	info, err := lookup(cfg.Game)
	if err != nil {
		return nil, err
	}
	if info.Available.Has(arc.Action6) {
		return nil, fmt.Errorf("ppo: game %s takes clicks; this policy plays keyboard games only", info.ID)
	}
	// One logit per action of the game: five for a five-key game.
	layout := spaces.Compact(info.Available)
	policy, err := NewPolicy(cfg.Stack, layout.N(), cfg.Seed)
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
	reseeds := make([]*wrappers.Reseed, cfg.Envs)
	game := func(ctx context.Context, i int) (env.Env, error) {
		g, err := env.Make(ctx, cfg.Game, env.Config{})
		if err != nil {
			return nil, err
		}
		e, err := env.Wrap(g, wrappers.ReseedConfig{First: base + int64(i), Stride: int64(cfg.Envs)})
		if err == nil {
			reseeds[i], _ = wrappers.Find[*wrappers.Reseed](e)
			if st.Reseeds != nil {
				reseeds[i].SetNext(st.Reseeds[i])
			}
		}
		return e, err
	}
	venv, err := vector.New(ctx, vector.Spec{
		NumEnvs:  cfg.Envs,
		Make:     game,
		Wrappers: []env.Wrapper{wrappers.TimeLimitConfig{Max: cfg.MaxEpisodeSteps}},
		Config:   vector.Config{Autoreset: vector.SameStep},
		Vector: []vector.Wrapper{
			vector.FrameStackConfig{Depth: cfg.Stack}, vector.MasksConfig{Layout: layout}, vector.EpisodeStatsConfig{},
		},
	})
	if err != nil {
		return nil, err
	}
	defer venv.Close()
	evalEnv, err := env.Make(ctx, cfg.Game, env.Config{})
	if err != nil {
		return nil, err
	}
	defer evalEnv.Close()
	evalSeeds := train.Seeds(cfg.EvalFirstSeed, cfg.EvalEpisodes)
	evalInput, err := NewInput(1, cfg.Stack)
	if err != nil {
		return nil, err
	}
	defer evalInput.Close()
	evaluate := func() (train.Stats, error) {
		a := &Agent{Policy: policy, Input: evalInput, Stack: cfg.Stack, Layout: layout, rng: rand.New(rand.NewPCG(cfg.Seed, 0xe7a1))}
		return train.Evaluate(ctx, evalEnv, a, evalSeeds, cfg.MaxEpisodeSteps)
	}
	randomStats, err := train.Evaluate(ctx, evalEnv, train.NewRandom(cfg.Seed), evalSeeds, cfg.MaxEpisodeSteps)
	if err != nil {
		return nil, err
	}

	r, err := newRollout(&cfg, policy.FeatureSize(), layout.N())
	if err != nil {
		return nil, err
	}
	defer r.input.Close()
	b, err := venv.Reset(ctx, env.ResetOptions{})
	if err != nil {
		return nil, err
	}
	if err := b.Err(); err != nil {
		return nil, err
	}

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
	bootstrapped := 0
	actions := make([]arc.Action, cfg.Envs)
	for st.Updates < cfg.Updates {
		for t := range cfg.Rollout {
			if err := r.act(policy, t, b, actions, rng); err != nil {
				return nil, err
			}
			if b, err = venv.Step(ctx, actions); err != nil {
				return nil, err
			}
			n, err := r.record(policy, t, b, cfg.Gamma)
			if err != nil {
				return nil, err
			}
			bootstrapped += n
			st.Steps, st.Episodes = st.Steps+cfg.Envs, st.Episodes+prog.Episodes(b.Episodes)
			prog.Step(cfg.Envs)
		}
		if err := r.finish(policy, b.Obs, &cfg); err != nil {
			return nil, err
		}
		// The learning rate falls linearly to zero over the run.
		opt.LR = cfg.LR * (1 - float64(st.Updates)/float64(cfg.Updates))
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
		Updates: st.Updates, Steps: st.Steps, Bootstrapped: bootstrapped, Elapsed: time.Since(start),
		Curve: st.Curve, Weights: policy.Snapshot(opt),
	}, nil
}

func lookup(id string) (arc.GameInfo, error) {
	g, err := env.Make(context.Background(), id, env.Config{})
	if err != nil {
		return arc.GameInfo{}, err
	}
	defer g.Close()
	return g.GameInfo(), nil
}

func save(cfg *Config, st *State, p *Policy, opt Adam, pcg *rand.PCG, reseeds []*wrappers.Reseed) error {
	b, err := pcg.MarshalBinary()
	if err != nil {
		return err
	}
	st.RNG = b
	st.Weights = p.Snapshot(opt)
	st.Reseeds = make([]int64, len(reseeds))
	for i, r := range reseeds {
		st.Reseeds[i] = r.Next()
	}
	return train.Save(cfg.Checkpoint, checkpointKind, checkpointVersion, st)
}

// rollout holds one update's worth of experience, time-major.
type rollout struct {
	n, t, size int
	moves      int       // policy outputs, the layout's actions
	feats      []float32 // (t*n, 16*stack, 16, 16): the pooled one-hot input
	input      *Input
	deny       []float32 // (t*n, moves): 0 allowed, -1e9 masked
	actions    []int64
	logp       []float32
	values     []float32
	rewards    []float32
	dones      []bool
	final      []float32 // (n): values of the final observations of a step
	adv, ret   []float32
	logits     []float32
	idx        []int // the actions' indices in the layout
}

func newRollout(cfg *Config, featSize, moves int) (*rollout, error) {
	n, t := cfg.Envs, cfg.Rollout
	in, err := NewInput(n, cfg.Stack)
	if err != nil {
		return nil, err
	}
	return &rollout{
		n: n, t: t, size: featSize, moves: moves, input: in,
		feats:   make([]float32, t*n*featSize),
		deny:    make([]float32, t*n*moves),
		actions: make([]int64, t*n),
		logp:    make([]float32, t*n),
		values:  make([]float32, t*n),
		rewards: make([]float32, t*n),
		dones:   make([]bool, t*n),
		final:   make([]float32, n),
		adv:     make([]float32, t*n),
		ret:     make([]float32, t*n),
		logits:  make([]float32, n*moves),
		idx:     make([]int, n),
	}, nil
}

const denied = -1e9

// act runs the policy on the batch's stacked observations, samples the
// actions under the batch's masks (in the policy's layout, b.Layout)
// through the torch bridge into actions, and records step t.
func (r *rollout) act(p *Policy, t int, b *vector.Batch, actions []arc.Action, rng *rand.Rand) error {
	n, m := r.n, r.moves
	deny := r.deny[t*n*m : (t+1)*n*m]
	for k, ok := range b.Mask {
		deny[k] = 0
		if !ok {
			deny[k] = denied
		}
	}
	x, err := r.input.Features(b.Obs)
	if err != nil {
		return err
	}
	if err := torch.CopyTo(tensor.Of(r.feats[t*n*r.size:(t+1)*n*r.size], n, r.size), x); err != nil {
		return err
	}
	var logits, value *ts.Tensor
	ts.NoGrad(func() { logits, value = p.Forward(x) })
	defer logits.MustDrop()
	defer value.MustDrop()
	idx := r.idx
	if err := sampleMoves(idx, logits, b.Mask, m, rng); err != nil {
		return err
	}
	if err := b.Layout.Actions(actions, idx); err != nil {
		return err
	}
	if err := torch.CopyTo(tensor.Of(r.logits, n, m), logits); err != nil {
		return err
	}
	if err := torch.CopyTo(tensor.Of(r.values[t*n:(t+1)*n], n), value); err != nil {
		return err
	}
	for i, a := range idx {
		r.actions[t*n+i] = int64(a)
		r.logp[t*n+i] = logSoftmaxAt(r.logits[i*m:(i+1)*m], deny[i*m:(i+1)*m], a)
	}
	return nil
}

// record keeps the rewards and episode ends of the step t that returned b.
// A row cut off by the time limit takes in gamma times the critic's value
// of its final stack (SameStep mode keeps it in b.FinalObs); record returns
// the number of such rows.
func (r *rollout) record(p *Policy, t int, b *vector.Batch, gamma float64) (int, error) {
	if err := b.Err(); err != nil {
		return 0, err
	}
	rewards := r.rewards[t*r.n : (t+1)*r.n]
	for i := range r.n {
		rewards[i] = float32(b.Rewards[i])
		r.dones[t*r.n+i] = b.Done(i)
	}
	if !anyTruncated(b.Terminated, b.Truncated) {
		return 0, nil
	}
	if err := r.valuesOf(p, b.FinalObs, r.final); err != nil {
		return 0, err
	}
	return bootstrapTruncated(rewards, b.Terminated, b.Truncated, r.final, gamma), nil
}

// sampleMoves draws one index per row of the (rows, moves) logits under
// masks, the rows' masks one after the other, through the torch bridge.
func sampleMoves(idx []int, logits *ts.Tensor, masks []bool, moves int, rng *rand.Rand) error {
	mask, err := torch.Mask(masks, moves)
	if err != nil {
		return err
	}
	defer mask.MustDrop()
	return torch.MaskedSample(idx, logits, mask, rng)
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

// valuesOf writes the critic's values of the stacked observations obs
// (one per env) into dst.
func (r *rollout) valuesOf(p *Policy, obs tensor.U8, dst []float32) error {
	x, err := r.input.Features(obs)
	if err != nil {
		return err
	}
	var logits, value *ts.Tensor
	ts.NoGrad(func() { logits, value = p.Forward(x) })
	logits.MustDrop()
	defer value.MustDrop()
	return torch.CopyTo(tensor.Of(dst, r.n), value)
}

// finish computes the advantages (GAE) and returns, bootstrapping from the
// value of the observations after the rollout.
func (r *rollout) finish(p *Policy, obs tensor.U8, cfg *Config) error {
	last := make([]float32, r.n)
	if err := r.valuesOf(p, obs, last); err != nil {
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

// minibatch is one minibatch of the update, in libtorch tensors the update
// keeps and fills through Go views.
type minibatch struct {
	feats, deny, oldLogp, adv, ret, act *ts.Tensor
	featsV, denyV, oldV, advV, retV     tensor.F32
}

func newMinibatch(size, channels, moves int) (*minibatch, error) {
	m := &minibatch{}
	var err error
	mk := func(t **ts.Tensor, v *tensor.F32, shape ...int) {
		if err == nil {
			*t, *v, err = torch.NewF32(shape...)
		}
	}
	mk(&m.feats, &m.featsV, size, channels, mapSide, mapSide)
	mk(&m.deny, &m.denyV, size, moves)
	mk(&m.oldLogp, &m.oldV, size)
	mk(&m.adv, &m.advV, size)
	mk(&m.ret, &m.retV, size)
	if err != nil {
		m.close()
		return nil, err
	}
	m.act = ts.MustZeros([]int64{int64(size), 1}, gotch.Int64, gotch.CPU)
	return m, nil
}

func (m *minibatch) close() {
	for _, t := range []*ts.Tensor{m.feats, m.deny, m.oldLogp, m.adv, m.ret, m.act} {
		if t != nil {
			t.MustDrop()
		}
	}
}

// update runs the PPO epochs over the rollout. The advantages are
// normalised over the whole rollout, once.
func (r *rollout) update(p *Policy, opt *Adam, cfg *Config, rng *rand.Rand) error {
	total := r.n * r.t
	size := total / cfg.Minibatches
	var mean, sq float64
	for _, a := range r.adv {
		mean += float64(a)
	}
	mean /= float64(total)
	for _, a := range r.adv {
		d := float64(a) - mean
		sq += d * d
	}
	std := math.Sqrt(sq/float64(total)) + 1e-8
	mb, err := newMinibatch(size, r.size/(mapSide*mapSide), r.moves)
	if err != nil {
		return err
	}
	defer mb.close()
	idx, err := mb.act.DataPtr()
	if err != nil {
		return err
	}
	act := unsafe.Slice((*int64)(idx), size)
	clipLo, clipHi := ts.FloatScalar(1-cfg.Clip), ts.FloatScalar(1+cfg.Clip)
	entScale := ts.FloatScalar(cfg.EntCoef / float64(size))
	vfScale := ts.FloatScalar(0.5 * cfg.VFCoef)
	defer func() {
		for _, s := range []*ts.Scalar{clipLo, clipHi, entScale, vfScale} {
			s.MustDrop()
		}
	}()
	for range cfg.Epochs {
		perm := rng.Perm(total)
		for b := range cfg.Minibatches {
			for j, k := range perm[b*size : (b+1)*size] {
				copy(mb.featsV.Data[j*r.size:(j+1)*r.size], r.feats[k*r.size:(k+1)*r.size])
				copy(mb.denyV.Data[j*r.moves:(j+1)*r.moves], r.deny[k*r.moves:(k+1)*r.moves])
				act[j] = r.actions[k]
				mb.oldV.Data[j] = r.logp[k]
				mb.advV.Data[j] = float32((float64(r.adv[k]) - mean) / std)
				mb.retV.Data[j] = r.ret[k]
			}
			if err := step(p, opt, mb, clipLo, clipHi, entScale, vfScale); err != nil {
				return err
			}
		}
	}
	return nil
}

// step computes the PPO loss of one minibatch and applies one Adam step.
func step(p *Policy, opt *Adam, mb *minibatch, clipLo, clipHi, entScale, vfScale *ts.Scalar) error {
	var keep []*ts.Tensor
	k := func(t *ts.Tensor) *ts.Tensor { keep = append(keep, t); return t }
	defer func() {
		for _, t := range keep {
			t.MustDrop()
		}
	}()
	ts.MustGradSetEnabled(true)
	logits, value := p.Forward(mb.feats)
	k(logits)
	k(value)
	logp := k(k(logits.MustAdd(mb.deny, false)).MustLogSoftmax(1, gotch.Float, false))
	newLogp := k(k(logp.MustGather(1, mb.act, false, false)).MustSqueezeDim(1, false))
	ratio := k(k(newLogp.MustSub(mb.oldLogp, false)).MustExp(false))
	s1 := k(ratio.MustMul(mb.adv, false))
	s2 := k(k(ratio.MustClamp(clipLo, clipHi, false)).MustMul(mb.adv, false))
	pg := k(k(k(s1.MustMinimum(s2, false)).MustMean(gotch.Float, false)).MustNeg(false))
	vl := k(k(k(k(value.MustSub(mb.ret, false)).MustSquare(false)).MustMean(gotch.Float, false)).MustMulScalar(vfScale, false))
	// Σ p·log p over the batch, scaled: minus the mean entropy times the
	// coefficient. Masked moves have p = 0 and a finite log p, so add 0.
	negEnt := k(k(k(k(logp.MustExp(false)).MustMul(logp, false)).MustSum(gotch.Float, false)).MustMulScalar(entScale, false))
	loss := k(k(pg.MustAdd(vl, false)).MustAdd(negEnt, false))

	if err := loss.Backward(); err != nil {
		return fmt.Errorf("ppo: backward: %w", err)
	}
	_, err := p.Step(opt)
	return err
}

// Agent plays the trained policy one frame at a time, sampling its moves:
// the evaluation agent.
type Agent struct {
	Policy *Policy
	// Input encodes batches of one stack of Stack frames.
	Input *Input
	Stack int
	// Layout numbers the policy's actions (spaces.Compact of the game's).
	Layout *spaces.Layout
	rng    *rand.Rand
	frames []uint8
	idx    []int
	mask   []bool
}

// Begin implements train.Agent: the stack starts full of the first frame.
func (a *Agent) Begin(obs env.Obs, _ *env.Info) {
	if a.frames == nil {
		a.frames = make([]uint8, a.Stack*frameCells)
		a.idx = make([]int, 1)
		a.mask = make([]bool, a.Layout.N())
	}
	for j := range a.Stack {
		copy(a.frames[j*frameCells:], obs.Grid.Data)
	}
}

// Act implements train.Agent.
func (a *Agent) Act(obs env.Obs, info *env.Info) arc.Action {
	copy(a.frames, a.frames[frameCells:])
	copy(a.frames[(a.Stack-1)*frameCells:], obs.Grid.Data)
	act, err := a.choose(info.Available)
	if err != nil {
		// The games always offer an action; fall back to the first.
		return arc.Simple(arc.Action1)
	}
	return act
}

func (a *Agent) choose(avail arc.ActionSet) (arc.Action, error) {
	if err := a.Layout.Mask(a.mask, avail); err != nil {
		return arc.Action{}, err
	}
	x, err := a.Input.Features(tensor.Of(a.frames, 1, a.Stack, arc.GridSize, arc.GridSize))
	if err != nil {
		return arc.Action{}, err
	}
	var logits, value *ts.Tensor
	ts.NoGrad(func() { logits, value = a.Policy.Forward(x) })
	defer logits.MustDrop()
	value.MustDrop()
	if err := sampleMoves(a.idx, logits, a.mask, a.Layout.N(), a.rng); err != nil {
		return arc.Action{}, err
	}
	act, ok := a.Layout.Action(a.idx[0])
	if !ok {
		return arc.Action{}, fmt.Errorf("ppo: action index %d outside %v", a.idx[0], a.Layout)
	}
	return act, nil
}
