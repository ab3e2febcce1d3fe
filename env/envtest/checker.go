package envtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"testing"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/spaces"
)

// CheckOptions configures Check. The zero value runs every check with
// seed 0 over 200 steps, the determinism check resetting the Env under test
// twice.
type CheckOptions struct {
	// New, when set, builds another Env configured like the one under test;
	// the determinism check then runs the same seeded action stream on both
	// side by side. Check closes what New returns.
	New func() (env.Env, error)
	// Seed seeds the resets of the run.
	Seed int64
	// Steps is the number of steps to take (default 200), across as many
	// episodes as the Env ends.
	Steps int
	// Nondeterministic skips the determinism check, for Envs that cannot
	// replay a seed (a remote game may not).
	Nondeterministic bool
	// CustomObs says that the observation is not a view of the last frame
	// (a max-pooled observation, for instance) and skips that check.
	CustomObs bool
}

// sampler is the part of an ARC action space that Check draws from.
type sampler interface {
	Sample(mask []bool) (arc.Action, bool)
}

// Check runs the env.Env contract against e, in the manner of
// testing/fstest.TestFS: call order (Step before Reset or after the end of
// an episode fails with env.ErrNeedsReset, any call after Close with
// env.ErrClosed), observations inside ObservationSpace, sampled actions from
// ActionSpace accepted, consistent infos (frames of shape (n,64,64) whose
// last one is the observation, masks in the flat layout, finite rewards,
// Info.Episode only on the last step), Reset at any time, episodes that do
// not all end by truncation on their first step, and determinism under a
// seed: the same observations, rewards, end flags and infos (all but GUID
// and Episode.Seconds) in two runs of the same actions, an unseeded Reset
// right after a seeded one included, as Gymnasium's check_env checks. e
// must be new (never reset); Check closes it. It returns the first
// violation found.
func Check(ctx context.Context, e env.Env, opts CheckOptions) (err error) {
	if e == nil {
		return errors.New("envtest: nil env")
	}
	defer func() {
		if cerr := e.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("envtest: close: %w", cerr)
		}
	}()
	if opts.Steps <= 0 {
		opts.Steps = 200
	}
	c := checker{opts: opts}
	if err := c.order(ctx, e); err != nil {
		return err
	}
	if err := c.run(ctx, e); err != nil {
		return err
	}
	if !opts.Nondeterministic {
		if err := c.determinism(ctx, e); err != nil {
			return err
		}
	}
	return c.closed(ctx, e)
}

// CheckT runs Check with t's context and fails t on a violation.
func CheckT(t testing.TB, e env.Env, opts CheckOptions) {
	t.Helper()
	if err := Check(t.Context(), e, opts); err != nil {
		t.Fatal(err)
	}
}

type checker struct {
	opts CheckOptions
}

func (c *checker) order(ctx context.Context, e env.Env) error {
	if _, err := e.Step(ctx, arc.Simple(arc.Action1)); !errors.Is(err, env.ErrNeedsReset) {
		return fmt.Errorf("envtest: Step before Reset returned %v, want env.ErrNeedsReset", err)
	}
	if e.ObservationSpace() == nil || e.ActionSpace() == nil {
		return errors.New("envtest: nil observation or action space")
	}
	if _, ok := e.ActionSpace().(sampler); !ok {
		return fmt.Errorf("envtest: action space %T cannot sample ARC actions", e.ActionSpace())
	}
	return nil
}

// run steps through episodes with sampled actions and checks every result.
func (c *checker) run(ctx context.Context, e env.Env) error {
	obs, info, err := e.Reset(ctx, env.WithSeed(c.opts.Seed))
	if err != nil {
		return fmt.Errorf("envtest: Reset: %w", err)
	}
	if err := c.result("Reset", e, obs, &info, false); err != nil {
		return err
	}
	act := e.ActionSpace().(sampler)
	episodes, midReset := 0, false
	// steps counts the steps of the episode under way; atOnce the
	// episodes truncated on their first step.
	steps, atOnce := 0, 0
	for i := range c.opts.Steps {
		a, ok := act.Sample(info.Mask)
		if !ok {
			return fmt.Errorf("envtest: step %d: nothing to sample (mask allows no action)", i)
		}
		if !e.ActionSpace().Contains(a) {
			return fmt.Errorf("envtest: step %d: sampled %s is not in the action space %v", i, a, e.ActionSpace())
		}
		st, err := e.Step(ctx, a)
		if err != nil {
			return fmt.Errorf("envtest: step %d: Step(%s): %w", i, a, err)
		}
		where := fmt.Sprintf("step %d (%s)", i, a)
		if err := c.result(where, e, st.Obs, &st.Info, st.Done()); err != nil {
			return err
		}
		if math.IsNaN(st.Reward) || math.IsInf(st.Reward, 0) {
			return fmt.Errorf("envtest: %s: reward %g", where, st.Reward)
		}
		info = st.Info
		steps++
		switch {
		case st.Done():
			episodes++
			if steps == 1 && st.Truncated && !st.Terminated {
				atOnce++
				if atOnce == episodes && episodes >= 2 {
					return fmt.Errorf("envtest: %s: every episode so far (%d) was truncated on its first step", where, episodes)
				}
			}
			if _, err := e.Step(ctx, a); !errors.Is(err, env.ErrNeedsReset) {
				return fmt.Errorf("envtest: %s: Step after the episode ended returned %v, want env.ErrNeedsReset", where, err)
			}
		case !midReset && i >= c.opts.Steps/2:
			// Reset must be allowed in the middle of an episode too.
			midReset = true
		default:
			continue
		}
		obs, info, err = e.Reset(ctx, env.ResetOptions{})
		if err != nil {
			return fmt.Errorf("envtest: %s: Reset: %w", where, err)
		}
		steps = 0
		if err := c.result("Reset after "+where, e, obs, &info, false); err != nil {
			return err
		}
	}
	return nil
}

func (c *checker) result(where string, e env.Env, obs env.Obs, info *env.Info, last bool) error {
	if !e.ObservationSpace().Contains(obs.Grid) {
		return fmt.Errorf("envtest: %s: observation of shape %v is not in %v", where, obs.Grid.Shape, e.ObservationSpace())
	}
	if obs.Float.Len() > 0 || obs.Float.Shape != nil {
		if err := obs.Float.Validate(); err != nil {
			return fmt.Errorf("envtest: %s: Obs.Float: %w", where, err)
		}
	}
	f := info.Frames
	if err := f.Validate(); err != nil || f.Rank() != 3 || f.Shape[0] < 1 || f.Shape[1] != arc.GridSize || f.Shape[2] != arc.GridSize {
		return fmt.Errorf("envtest: %s: Info.Frames of shape %v, want (n,64,64) with n >= 1", where, f.Shape)
	}
	lastFrame := f.Data[len(f.Data)-arc.FrameCells:]
	if err := arc.ValidateFrame(lastFrame); err != nil {
		return fmt.Errorf("envtest: %s: last frame: %w", where, err)
	}
	if g := obs.Grid.Data; !c.opts.CustomObs && (len(g) < arc.FrameCells || !bytes.Equal(g[len(g)-arc.FrameCells:], lastFrame)) {
		return fmt.Errorf("envtest: %s: the observation does not end with the last frame of Info.Frames", where)
	}
	if info.LevelsCompleted < 0 || info.LevelsCompleted > info.WinLevels {
		return fmt.Errorf("envtest: %s: levels %d of %d", where, info.LevelsCompleted, info.WinLevels)
	}
	if info.State == arc.NotPlayed {
		return fmt.Errorf("envtest: %s: state %s after a command", where, info.State)
	}
	if info.Mask != nil {
		if len(info.Mask) != spaces.FlatSize {
			return fmt.Errorf("envtest: %s: Info.Mask has %d entries, want %d", where, len(info.Mask), spaces.FlatSize)
		}
		for i, m := range info.Mask {
			if a, _ := spaces.Unflatten(i); m && !info.Available.Has(a.ID) {
				return fmt.Errorf("envtest: %s: mask allows %s, not in available actions %v", where, a, info.Available)
			}
		}
	}
	if info.Episode != nil && !last {
		return fmt.Errorf("envtest: %s: Info.Episode set before the last step", where)
	}
	if ep := info.Episode; ep != nil && (ep.Length < 1 || math.IsNaN(ep.Return) || ep.Levels != info.LevelsCompleted) {
		return fmt.Errorf("envtest: %s: inconsistent Info.Episode %+v", where, *ep)
	}
	return nil
}

// determinism runs the same seeded episode stream twice and compares
// every observation, frame list, reward, end flag and info.
func (c *checker) determinism(ctx context.Context, e env.Env) error {
	other := e
	if c.opts.New != nil {
		o, err := c.opts.New()
		if err != nil {
			return fmt.Errorf("envtest: New: %w", err)
		}
		defer o.Close()
		other = o
	}
	n := min(c.opts.Steps, 100)
	seed := c.opts.Seed + 1
	want, wantInfo, err := c.trace(ctx, e, seed, n)
	if err != nil {
		return err
	}
	got, gotInfo, err := c.trace(ctx, other, seed, n)
	if err != nil {
		return err
	}
	for i := range want {
		what := fmt.Sprintf("result %d", i)
		if i == 1 {
			what = "the unseeded Reset right after a seeded one"
		}
		if want[i] != got[i] {
			return fmt.Errorf("envtest: not deterministic under seed %d: %s differs between two runs", seed, what)
		}
		if wantInfo[i] != gotInfo[i] {
			return fmt.Errorf("envtest: not deterministic under seed %d: the info of %s differs between two runs", seed, what)
		}
	}
	return nil
}

// trace hashes the results, and apart their infos, of a seeded Reset, an
// unseeded one right after it (index 1), and n steps from there.
func (c *checker) trace(ctx context.Context, e env.Env, seed int64, n int) (out, infos []uint64, err error) {
	out = make([]uint64, 0, n+2)
	infos = make([]uint64, 0, n+2)
	add := func(obs env.Obs, info *env.Info, reward float64, term, trunc bool) {
		out = append(out, hashResult(obs, info, reward, term, trunc))
		infos = append(infos, hashInfo(info))
	}
	obs, info, err := e.Reset(ctx, env.WithSeed(seed))
	if err != nil {
		return nil, nil, fmt.Errorf("envtest: determinism: Reset: %w", err)
	}
	add(obs, &info, 0, false, false)
	if obs, info, err = e.Reset(ctx, env.ResetOptions{}); err != nil {
		return nil, nil, fmt.Errorf("envtest: determinism: unseeded Reset: %w", err)
	}
	add(obs, &info, 0, false, false)
	act := e.ActionSpace().(sampler)
	for i := range n {
		a, ok := act.Sample(info.Mask)
		if !ok {
			return nil, nil, fmt.Errorf("envtest: determinism: step %d: nothing to sample", i)
		}
		st, err := e.Step(ctx, a)
		if err != nil {
			return nil, nil, fmt.Errorf("envtest: determinism: step %d: Step(%s): %w", i, a, err)
		}
		add(st.Obs, &st.Info, st.Reward, st.Terminated, st.Truncated)
		info = st.Info
		if st.Done() {
			if obs, info, err = e.Reset(ctx, env.ResetOptions{}); err != nil {
				return nil, nil, fmt.Errorf("envtest: determinism: Reset: %w", err)
			}
			add(obs, &info, 0, false, false)
		}
	}
	return out, infos, nil
}

// hashInfo hashes what an info says beyond the frames: all of it but the
// GUID (a server's own) and Episode.Seconds (the wall clock).
func hashInfo(info *env.Info) uint64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s|%d|%d|%d|%d|%t|%d,%d,%d|%d|%d|%d|", info.GameID, info.State, info.LevelsCompleted,
		info.WinLevels, info.Available, info.FullReset, info.Action.ID, info.Action.X, info.Action.Y,
		info.EpisodeSteps, info.ScoreActions, info.GameOvers)
	for _, m := range info.Mask {
		if m {
			h.Write([]byte{1})
		} else {
			h.Write([]byte{0})
		}
	}
	if ep := info.Episode; ep != nil {
		fmt.Fprintf(h, "|%v|%d|%d|%t|%d|%v", ep.Return, ep.Length, ep.Levels, ep.Won, ep.ScoreActions, ep.Score)
	}
	return h.Sum64()
}

func hashResult(obs env.Obs, info *env.Info, reward float64, term, trunc bool) uint64 {
	h := fnv.New64a()
	h.Write(obs.Grid.Data)
	h.Write(info.Frames.Data)
	var b [16]byte
	bits := math.Float64bits(reward)
	for i := range 8 {
		b[i] = byte(bits >> (8 * i))
	}
	b[8] = byte(info.State)
	b[9] = byte(info.LevelsCompleted)
	b[10] = byte(info.Action.ID)
	b[11], b[12] = info.Action.X, info.Action.Y
	if term {
		b[13] = 1
	}
	if trunc {
		b[14] = 1
	}
	h.Write(b[:])
	return h.Sum64()
}

func (c *checker) closed(ctx context.Context, e env.Env) error {
	if err := e.Close(); err != nil {
		return fmt.Errorf("envtest: Close: %w", err)
	}
	if _, err := e.Step(ctx, arc.Simple(arc.Action1)); !errors.Is(err, env.ErrClosed) {
		return fmt.Errorf("envtest: Step after Close returned %v, want env.ErrClosed", err)
	}
	if _, _, err := e.Reset(ctx, env.ResetOptions{}); !errors.Is(err, env.ErrClosed) {
		return fmt.Errorf("envtest: Reset after Close returned %v, want env.ErrClosed", err)
	}
	return nil
}
