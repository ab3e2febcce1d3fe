package train

import (
	"context"
	"fmt"
	"math"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/spaces"
)

// Agent picks the actions of one episode at a time. Its observation and
// info arguments are views that are valid only during the call.
type Agent interface {
	// Begin starts an episode whose first observation is obs.
	Begin(obs env.Obs, info *env.Info)
	// Act returns the action to take in the state obs.
	Act(obs env.Obs, info *env.Info) arc.Action
}

// Episode is the outcome of one evaluation episode.
type Episode struct {
	Seed   int64
	Return float64
	Steps  int
	Levels int
	Won    bool
}

// Stats summarises evaluation episodes.
type Stats struct {
	Episodes []Episode
	// MeanReturn and StdErr are the mean return and its standard error.
	MeanReturn, StdErr float64
	// MeanLevels is the mean number of levels completed, WinRate the share
	// of episodes that won the game and MeanSteps the mean length.
	MeanLevels, WinRate, MeanSteps float64
}

// String formats the stats on one line.
func (s Stats) String() string {
	return fmt.Sprintf("return %.3f ± %.3f, levels %.2f, wins %.0f%%, steps %.1f over %d episodes",
		s.MeanReturn, s.StdErr, s.MeanLevels, 100*s.WinRate, s.MeanSteps, len(s.Episodes))
}

// Evaluate plays one episode per seed on e, each started with a full reset
// under that seed (so a game's procedural levels are those of the seed),
// and ends an episode when it terminates, is truncated or reaches maxSteps
// steps (0: no limit).
func Evaluate(ctx context.Context, e env.Env, a Agent, seeds []int64, maxSteps int) (Stats, error) {
	eps := make([]Episode, 0, len(seeds))
	for _, seed := range seeds {
		ep, err := PlayEpisode(ctx, e, a, seed, maxSteps)
		if err != nil {
			return Stats{}, err
		}
		eps = append(eps, ep)
	}
	return Summarize(eps), nil
}

// PlayEpisode plays one episode on e from a full reset under seed.
func PlayEpisode(ctx context.Context, e env.Env, a Agent, seed int64, maxSteps int) (Episode, error) {
	obs, info, err := e.Reset(ctx, env.WithSeed(seed))
	if err != nil {
		return Episode{}, fmt.Errorf("train: reset with seed %d: %w", seed, err)
	}
	a.Begin(obs, &info)
	ep := Episode{Seed: seed}
	for maxSteps <= 0 || ep.Steps < maxSteps {
		st, err := e.Step(ctx, a.Act(obs, &info))
		if err != nil {
			return Episode{}, fmt.Errorf("train: step %d of seed %d: %w", ep.Steps, seed, err)
		}
		ep.Steps++
		ep.Return += st.Reward
		obs, info = st.Obs, st.Info
		if st.Done() {
			break
		}
	}
	ep.Levels = info.LevelsCompleted
	ep.Won = info.State == arc.Win
	return ep, nil
}

// Summarize computes the stats of eps.
func Summarize(eps []Episode) Stats {
	s := Stats{Episodes: eps}
	n := float64(len(eps))
	if n == 0 {
		return s
	}
	for _, ep := range eps {
		s.MeanReturn += ep.Return
		s.MeanLevels += float64(ep.Levels)
		s.MeanSteps += float64(ep.Steps)
		if ep.Won {
			s.WinRate++
		}
	}
	s.MeanReturn /= n
	s.MeanLevels /= n
	s.MeanSteps /= n
	s.WinRate /= n
	if n > 1 {
		var ss float64
		for _, ep := range eps {
			d := ep.Return - s.MeanReturn
			ss += d * d
		}
		s.StdErr = math.Sqrt(ss/(n-1)) / math.Sqrt(n)
	}
	return s
}

// Seeds returns n consecutive game seeds starting at first: the usual way
// to name a training set or a held-out evaluation set of procedural levels.
func Seeds(first int64, n int) []int64 {
	out := make([]int64, n)
	for i := range out {
		out[i] = first + int64(i)
	}
	return out
}

// Random is the baseline agent: it draws uniformly among the actions the
// game offers at each step (respecting Info.Mask when an action-masking
// wrapper provides one), and for ACTION6 a cell uniformly.
type Random struct {
	space *spaces.Action
}

// NewRandom returns a random agent whose draws are determined by seed.
func NewRandom(seed uint64) *Random {
	s := spaces.NewAction(0)
	s.Seed(seed)
	return &Random{space: s}
}

// Begin implements Agent.
func (r *Random) Begin(env.Obs, *env.Info) {}

// Act implements Agent. With nothing available it returns ACTION1, which
// the game will refuse; games always offer at least one action.
func (r *Random) Act(_ env.Obs, info *env.Info) arc.Action {
	r.space.Available = info.Available &^ arc.ActionSetOf(arc.Reset)
	a, ok := r.space.Sample(info.Mask)
	if !ok {
		return arc.Simple(arc.Action1)
	}
	return a
}
