package scorecard

import (
	"encoding/json"
	"slices"
	"sync"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/wire"
)

// Messages of a run that cannot be scored, as the reference scorer words
// them.
const (
	MsgNoBaseline       = "Human baseline actions are not available for this environment"
	MsgBaselineMismatch = "Human baseline actions size mismatch"
)

// Meta is what a scorecard is opened with.
type Meta struct {
	// ID is the card id (a UUID on ARC servers).
	ID        string
	SourceURL string
	Tags      []string
	// Opaque is any JSON value the client attached, or empty.
	Opaque json.RawMessage
	// Competition marks a competition scorecard: Summary reports
	// competition_mode and games are expected to be added with StartRun
	// when unplayed ones must count.
	Competition bool
}

// Card is one scorecard: the runs of every game played under it. It is safe
// for concurrent use.
type Card struct {
	meta Meta

	mu    sync.Mutex
	games []*gameRuns // in order of first play
	index map[string]*gameRuns
}

// gameRuns is the record of one game: its metadata and one run per play.
type gameRuns struct {
	info arc.GameInfo
	runs []run
	// current maps a session guid to the index of its latest run; a full
	// reset starts a new run under the same guid.
	current map[string]int
}

type run struct {
	guid    string
	actions int
	resets  int
	levels  int
	state   arc.GameState
	// marks records (levels_completed, cumulative actions) each time
	// levels_completed changes.
	marks [][2]int
}

// New returns an empty card.
func New(m Meta) *Card {
	m.Tags = slices.Clone(m.Tags)
	m.Opaque = slices.Clone(m.Opaque)
	return &Card{meta: m, index: make(map[string]*gameRuns)}
}

// Meta returns what the card was opened with.
func (c *Card) Meta() Meta {
	m := c.meta
	m.Tags = slices.Clone(m.Tags)
	m.Opaque = slices.Clone(m.Opaque)
	return m
}

// ID returns the card id.
func (c *Card) ID() string { return c.meta.ID }

// Competition reports whether the card is a competition scorecard.
func (c *Card) Competition() bool { return c.meta.Competition }

// Record accounts one command that a server accepted for the session guid
// of the game described by info. res is the command's result; its Action.ID
// tells the command and FullReset whether a RESET brought the game back to
// level one:
//
//   - a RESET with FullReset starts a new run (not charged);
//   - any other RESET restarts the level and costs one action and one reset;
//   - ACTION1..ACTION7 cost one action each, available or not.
//
// The run then takes the result's state and levels_completed.
// Record allocates nothing in the steady state.
func (c *Card) Record(info *arc.GameInfo, guid string, res *arc.FrameData) {
	c.mu.Lock()
	defer c.mu.Unlock()
	reset := res.Action.ID == arc.Reset
	fresh := reset && res.FullReset
	r := c.game(info).run(guid, fresh)
	if !fresh {
		r.actions++
		if reset {
			r.resets++
		}
	}
	r.state = res.State
	if res.LevelsCompleted != r.levels {
		r.marks = append(r.marks, [2]int{res.LevelsCompleted, r.actions})
		r.levels = res.LevelsCompleted
	}
}

// StartRun adds a run with no actions for the session guid, as a
// competition card does at close for every game never started so that it
// counts with score 0.
func (c *Card) StartRun(info *arc.GameInfo, guid string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.game(info).run(guid, true)
}

// Played reports whether any run of the game with versioned id gameID was
// recorded.
func (c *Card) Played(gameID string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.index[gameID]
	return ok
}

// Actions returns the number of actions charged so far over all runs.
func (c *Card) Actions() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, g := range c.games {
		for i := range g.runs {
			n += g.runs[i].actions
		}
	}
	return n
}

func (c *Card) game(info *arc.GameInfo) *gameRuns {
	if g, ok := c.index[info.ID]; ok {
		return g
	}
	in := *info
	in.Tags = slices.Clone(in.Tags)
	in.BaselineActions = slices.Clone(in.BaselineActions)
	g := &gameRuns{info: in, current: make(map[string]int)}
	c.games = append(c.games, g)
	c.index[info.ID] = g
	return g
}

// run returns the latest run of guid, starting a new one when fresh is set
// or when guid has none yet.
func (g *gameRuns) run(guid string, fresh bool) *run {
	if i, ok := g.current[guid]; ok && !fresh {
		return &g.runs[i]
	}
	g.runs = append(g.runs, run{guid: guid, state: arc.NotFinished})
	g.current[guid] = len(g.runs) - 1
	return &g.runs[len(g.runs)-1]
}

// levelActions returns the actions charged to each level of the run: the
// difference between consecutive marks for the completed levels, then the
// rest of the run's actions for the level in progress.
func (r *run) levelActions(n int) []int {
	out := make([]int, 0, max(n, len(r.marks)+1))
	prev := 0
	for _, m := range r.marks {
		out = append(out, m[1]-prev)
		prev = m[1]
	}
	if r.state != arc.Win || len(r.marks) == 0 {
		out = append(out, r.actions-prev)
	}
	for len(out) < n {
		out = append(out, 0)
	}
	return out
}

func (g *gameRuns) score(r *run) wire.RunScore {
	rs := wire.RunScore{
		Actions:         r.actions,
		Completed:       r.state == arc.Win,
		GUID:            r.guid,
		LevelsCompleted: r.levels,
		Resets:          r.resets,
		State:           r.state.String(),
	}
	base := g.info.BaselineActions
	switch {
	case len(base) == 0:
		rs.Message = MsgNoBaseline
	case len(base) < len(r.marks):
		rs.Message = MsgBaselineMismatch
	}
	if rs.Message != "" {
		// Unscorable: report what was played, level by level, with
		// baselines of -1.
		rs.LevelActions = r.levelActions(0)
		rs.LevelScores = make([]float64, len(rs.LevelActions))
		rs.LevelBaselineActions = make([]int, len(rs.LevelActions))
		for i := range rs.LevelBaselineActions {
			rs.LevelBaselineActions[i] = -1
		}
		return rs
	}
	rs.LevelActions = r.levelActions(len(base))[:len(base)]
	rs.LevelBaselineActions = slices.Clone(base)
	rs.Score, rs.LevelScores = RunScore(base, rs.LevelActions, len(r.marks))
	return rs
}

// bestForTags returns the index of the run the tag scores use: the one with
// the most levels completed, the first on ties.
func bestForTags(runs []wire.RunScore) int {
	best := 0
	for i := range runs {
		if runs[i].LevelsCompleted > runs[best].LevelsCompleted {
			best = i
		}
	}
	return best
}

// Summary returns the scorecard in the shape of the REST API.
func (c *Card) Summary() wire.Scorecard {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := wire.Scorecard{
		CardID:          c.meta.ID,
		CompetitionMode: c.meta.Competition,
		Environments:    make([]wire.EnvironmentScore, 0, len(c.games)),
		Opaque:          slices.Clone(c.meta.Opaque),
		SourceURL:       c.meta.SourceURL,
		Tags:            slices.Clone(c.meta.Tags),
		TagsScores:      []wire.TagScore{},
	}
	if s.Tags == nil {
		s.Tags = []string{}
	}
	tagIndex := map[string]int{}
	var tagScores []float64
	for _, g := range c.games {
		env := wire.EnvironmentScore{ID: g.info.ID, Runs: make([]wire.RunScore, 0, len(g.runs))}
		for i := range g.runs {
			rs := g.score(&g.runs[i])
			if i == 0 || rs.Score > env.Score {
				env.Score = rs.Score
			}
			env.Actions += rs.Actions
			env.Resets += rs.Resets
			env.LevelsCompleted = max(env.LevelsCompleted, rs.LevelsCompleted)
			env.Completed = env.Completed || rs.Completed
			env.LevelCount = max(env.LevelCount, len(rs.LevelScores))
			env.Runs = append(env.Runs, rs)
		}
		if len(env.Runs) == 0 {
			continue
		}
		best := env.Runs[bestForTags(env.Runs)]
		for _, tag := range g.info.Tags {
			i, ok := tagIndex[tag]
			if !ok {
				i = len(s.TagsScores)
				tagIndex[tag] = i
				s.TagsScores = append(s.TagsScores, wire.TagScore{ID: tag})
				tagScores = append(tagScores, 0)
			}
			ts := &s.TagsScores[i]
			ts.Actions += best.Actions
			ts.LevelsCompleted += best.LevelsCompleted
			ts.NumberOfLevels += len(best.LevelScores)
			ts.NumberOfEnvironments++
			tagScores[i] += best.Score
		}
		s.Environments = append(s.Environments, env)
		s.TotalEnvironments++
		if env.Completed {
			s.TotalEnvironmentsCompleted++
		}
		s.TotalLevels += env.LevelCount
		s.TotalLevelsCompleted += env.LevelsCompleted
		s.TotalActions += env.Actions
		s.Score += env.Score
	}
	if s.TotalEnvironments > 0 {
		s.Score /= float64(s.TotalEnvironments)
	}
	for i := range s.TagsScores {
		s.TagsScores[i].Score = tagScores[i] / float64(s.TagsScores[i].NumberOfEnvironments)
	}
	return s
}

// GameAggregate returns the older per-game shape for the game with
// versioned id gameID; Cards is empty when the card has no run of it.
func (c *Card) GameAggregate(gameID string) wire.GameAggregate {
	c.mu.Lock()
	defer c.mu.Unlock()
	agg := wire.GameAggregate{Cards: map[string]wire.GameCard{}}
	for _, g := range c.games {
		won, levels := false, 0
		for i := range g.runs {
			agg.TotalActions += g.runs[i].actions
			won = won || g.runs[i].state == arc.Win
			levels = max(levels, g.runs[i].levels)
		}
		if len(g.runs) > 0 {
			agg.Played++
		}
		if won {
			agg.Won++
		}
		agg.LevelsCompleted += levels
	}
	g, ok := c.index[gameID]
	if !ok {
		return agg
	}
	gc := wire.GameCard{GameID: g.info.ID, TotalPlays: len(g.runs)}
	for i := range g.runs {
		r := &g.runs[i]
		gc.Actions = append(gc.Actions, r.actions)
		marks := make([][2]int, len(r.marks))
		copy(marks, r.marks)
		gc.ActionsByLevel = append(gc.ActionsByLevel, marks)
		gc.GUIDs = append(gc.GUIDs, r.guid)
		gc.LevelsCompleted = append(gc.LevelsCompleted, r.levels)
		gc.Resets = append(gc.Resets, r.resets)
		gc.States = append(gc.States, r.state.String())
		gc.TotalActions += r.actions
	}
	agg.Cards[gameID] = gc
	return agg
}
