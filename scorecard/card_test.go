package scorecard

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/wire"
)

var (
	bt11 = arc.GameInfo{ID: "bt11-fd9df0622a1a", Tags: []string{"tag1", "tag2"}, BaselineActions: []int{4, 8, 16, 20, 24}, Levels: 5}
	bt33 = arc.GameInfo{ID: "bt33-a7c3f9d18b4e", Tags: []string{"tag3", "tag4"}, BaselineActions: []int{10, 15, 20}, Levels: 3}
	ls20 = arc.GameInfo{ID: "ls20-9607627b", Tags: []string{"keyboard"}, BaselineActions: []int{21, 123, 39, 92, 54, 108, 109}, Levels: 7}
	ft09 = arc.GameInfo{ID: "ft09-0d8bbf25", Tags: []string{}, BaselineActions: []int{17, 19, 15, 21, 65, 26}, Levels: 6}
	vc33 = arc.GameInfo{ID: "vc33-9851e02b", Tags: []string{}, BaselineActions: []int{6, 13, 31, 59, 92, 24, 82}, Levels: 7}
)

// player feeds a card the results a server would produce for one session,
// tracking levels the way a game does.
type player struct {
	t      *testing.T
	card   *Card
	info   *arc.GameInfo
	guid   string
	levels int
	// levelActions counts actions since the level began: a RESET with none
	// is a full reset.
	levelActions int
	state        arc.GameState
}

func newPlayer(t *testing.T, c *Card, info *arc.GameInfo, guid string) *player {
	p := &player{t: t, card: c, info: info, guid: guid}
	p.reset()
	return p
}

func (p *player) record(id arc.ActionID, full bool) {
	p.card.Record(p.info, p.guid, &arc.FrameData{
		GameID: p.info.ID, GUID: p.guid, State: p.state, LevelsCompleted: p.levels,
		WinLevels: p.info.Levels, Action: arc.Action{ID: id}, FullReset: full,
	})
}

// reset sends RESET with ARC's rule for level versus full reset.
func (p *player) reset() {
	full := p.levelActions == 0 || p.state == arc.Win
	if full {
		p.levels = 0
	}
	p.levelActions = 0
	p.state = arc.NotFinished
	p.record(arc.Reset, full)
}

// act sends n actions; the last one completes a level when levelUp is set.
func (p *player) act(n int, levelUp bool) {
	for i := range n {
		p.levelActions++
		if levelUp && i == n-1 {
			p.levels++
			p.levelActions = 0
			if p.levels == p.info.Levels {
				p.state = arc.Win
			}
		}
		p.record(arc.Action3, false)
	}
}

func (p *player) lose() {
	p.levelActions++
	p.state = arc.GameOver
	p.record(arc.Action4, false)
}

func loadSample[T any](t *testing.T, name string) T {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	var v T
	require.NoError(t, json.Unmarshal(raw, &v))
	return v
}

// sameBytes checks that v encodes to the sample's bytes exactly: keys,
// their order and the notation of every number (scores as floats).
func sameBytes(t *testing.T, name string, v any) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	got, err := json.Marshal(v)
	require.NoError(t, err)
	assert.Equal(t, strings.TrimSuffix(string(raw), "\n"), string(got))
}

// roundTrip passes a summary through JSON so it compares with a decoded
// sample (nil versus empty slices, float formatting).
func roundTrip[T any](t *testing.T, v T) T {
	t.Helper()
	raw, err := json.Marshal(v)
	require.NoError(t, err)
	var out T
	require.NoError(t, json.Unmarshal(raw, &out))
	return out
}

// playBT11 replays the sample session of B10/B11: a perfect clear, then a
// run that spends 8 actions (4 moves, 2 wasted moves, 2 level resets) on
// level 1 and loses on level 2 after 8 more.
func playBT11(t *testing.T, c *Card) {
	const guid = "d39f8f4d-c12e-4500-97fa-9bc77d6a19f9"
	p := newPlayer(t, c, &bt11, guid)
	for _, b := range bt11.BaselineActions {
		p.act(b, true)
	}
	require.Equal(t, arc.Win, p.state)
	p.reset() // after WIN: a full reset, a new run
	p.act(1, false)
	p.reset()
	p.act(1, false)
	p.reset()
	p.act(4, true)
	p.act(7, false)
	p.lose()
}

func TestCardBT11(t *testing.T) {
	c := New(Meta{ID: "4847915c-02e8-45d3-adcd-affc53434e70", Tags: []string{"terminal-bt11", "agent"}})
	playBT11(t, c)
	want := loadSample[wire.Scorecard](t, "B11_close.json")
	got := roundTrip(t, c.Summary())
	assert.Equal(t, want, got)
	assert.InDelta(t, 100, got.Score, 1e-9)
	assert.InDelta(t, 25.0/15, got.Environments[0].Runs[1].Score, 1e-9)

	wantAgg := loadSample[wire.GameAggregate](t, "B10_scorecard_game.json")
	assert.Equal(t, wantAgg, roundTrip(t, c.GameAggregate(bt11.ID)))
	assert.Equal(t, 88, c.Actions())
	sameBytes(t, "B11_close.json", c.Summary())
	sameBytes(t, "B10_scorecard_game.json", c.GameAggregate(bt11.ID))
}

func TestCardSample70(t *testing.T) {
	c := New(Meta{
		ID: "852e9ca3-5f38-4363-890e-50c9b0e40c90", Tags: []string{"ref-sample", "agent"},
		SourceURL: "https://example.invalid/agent", Opaque: json.RawMessage(`{"note":"golden sample run"}`),
	})
	// ls20: six actions, a level reset, then a full reset (a second run).
	p := newPlayer(t, c, &ls20, "e2f1d294-3070-4ae9-adcd-60c582a298e9")
	p.act(6, false)
	p.reset()
	p.reset()
	f := newPlayer(t, c, &ft09, "e9a65e80-d32d-410b-940c-a2cc809a8f6a")
	f.act(2, false)
	v := newPlayer(t, c, &vc33, "6d1361fa-d9d0-4952-941a-9cf001eae91b")
	v.act(1, false)
	s := newPlayer(t, c, &ls20, "bc21f6f7-bf30-4897-8494-c9562a864df1")
	s.act(1, false)

	want := loadSample[wire.Scorecard](t, "70_scorecard_get.json")
	assert.Equal(t, want, roundTrip(t, c.Summary()))
	wantAgg := loadSample[wire.GameAggregate](t, "71_scorecard_get_game_ls20.json")
	assert.Equal(t, wantAgg, roundTrip(t, c.GameAggregate(ls20.ID)))
	sameBytes(t, "70_scorecard_get.json", c.Summary())
	sameBytes(t, "71_scorecard_get_game_ls20.json", c.GameAggregate(ls20.ID))

	short := roundTrip(t, c.GameAggregate("ls20"))
	assert.Empty(t, short.Cards)
	assert.Equal(t, 3, short.Played)
	assert.Equal(t, 11, short.TotalActions)
}

// TestCardCompetitionC6 replays the competition sample: level 1 of bt11 at
// the baseline, two RESETs that a competition server turns into repeats of
// the last ACTION (charged as actions), and bt33 never started, added at
// close with no actions.
func TestCardCompetitionC6(t *testing.T) {
	c := New(Meta{ID: "01164331-729b-44c3-8922-2ea91a12c24c", Tags: []string{"agent"}, Competition: true})
	p := newPlayer(t, c, &bt11, "90ae4cb0-fc21-48fb-bf74-3d38369fb998")
	p.act(4, true)
	p.record(arc.Action3, false)
	p.record(arc.Action3, false)
	require.False(t, c.Played(bt33.ID))
	c.StartRun(&bt33, "8d18dcfc-d558-4e30-8d1d-beb88e994169")
	require.True(t, c.Played(bt33.ID))

	want := loadSample[wire.Scorecard](t, "C6_close_competition.json")
	got := roundTrip(t, c.Summary())
	assert.Equal(t, want, got)
	sameBytes(t, "C6_close_competition.json", c.Summary())
	assert.InDelta(t, 10.0/3, got.Score, 1e-9)
}

// TestCardSample99 replays the edge-case sample but without the phantom
// 0-action run the reference server adds for an ACTION sent with a card id
// and no guid: this card only holds what was played.
func TestCardSample99(t *testing.T) {
	c := New(Meta{ID: "63d92203-23dc-4c6d-a2ad-3823ce49f8a9", Tags: []string{"agent"}})
	newPlayer(t, c, &ls20, "e08335be-cba2-4c31-b820-a9bcc441aa1d").act(1, false)
	newPlayer(t, c, &ft09, "2a1619cf-42a7-44bf-8baa-b29f92a44b43").act(1, false)

	want := loadSample[wire.Scorecard](t, "99_scorecard_after_edge_cases.json")
	require.Len(t, want.Environments[0].Runs, 2)
	want.Environments[0].Runs = want.Environments[0].Runs[:1] // the phantom run
	assert.Equal(t, want, roundTrip(t, c.Summary()))
}

func TestCardAccounting(t *testing.T) {
	tests := []struct {
		name                    string
		play                    func(p *player)
		runs                    int
		actions, resets, levels int
		levelActions            []int
		state                   string
	}{
		{"fresh", func(p *player) {}, 1, 0, 0, 0, []int{0, 0, 0, 0, 0}, "NOT_FINISHED"},
		{"two resets in a row start a second run", func(p *player) { p.act(3, false); p.reset(); p.reset() }, 2, 0, 0, 0, []int{0, 0, 0, 0, 0}, "NOT_FINISHED"},
		{"level reset is charged to the level", func(p *player) { p.act(2, false); p.reset(); p.act(4, true) }, 1, 7, 1, 1, []int{7, 0, 0, 0, 0}, "NOT_FINISHED"},
		{"reset after game over keeps progress", func(p *player) { p.act(4, true); p.act(2, false); p.lose(); p.reset(); p.act(1, false) }, 1, 9, 1, 1, []int{4, 5, 0, 0, 0}, "NOT_FINISHED"},
		{"reset right after a level up is full", func(p *player) { p.act(4, true); p.reset() }, 2, 0, 0, 0, []int{0, 0, 0, 0, 0}, "NOT_FINISHED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New(Meta{ID: "card"})
			tt.play(newPlayer(t, c, &bt11, "g"))
			s := c.Summary()
			require.Len(t, s.Environments, 1)
			env := s.Environments[0]
			require.Len(t, env.Runs, tt.runs)
			last := env.Runs[len(env.Runs)-1]
			assert.Equal(t, tt.actions, last.Actions)
			assert.Equal(t, tt.resets, last.Resets)
			assert.Equal(t, tt.levels, last.LevelsCompleted)
			assert.Equal(t, tt.levelActions, last.LevelActions)
			assert.Equal(t, tt.state, last.State)
		})
	}
}

func TestCardWithoutBaselines(t *testing.T) {
	tests := []struct {
		name    string
		info    arc.GameInfo
		message string
	}{
		{"none", arc.GameInfo{ID: "zz01-00", Levels: 3}, MsgNoBaseline},
		{"too few", arc.GameInfo{ID: "zz01-00", Levels: 3, BaselineActions: []int{1}}, MsgBaselineMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New(Meta{ID: "card"})
			p := newPlayer(t, c, &tt.info, "g")
			p.act(2, true)
			p.act(3, true)
			p.act(1, false)
			run := c.Summary().Environments[0].Runs[0]
			assert.Equal(t, tt.message, run.Message)
			assert.Zero(t, run.Score)
			assert.Equal(t, []int{2, 3, 1}, run.LevelActions)
			assert.Equal(t, []int{-1, -1, -1}, run.LevelBaselineActions)
			assert.Equal(t, []float64{0, 0, 0}, run.LevelScores)
		})
	}
}

func TestCardEmptySummary(t *testing.T) {
	s := roundTrip(t, New(Meta{ID: "empty"}).Summary())
	assert.Equal(t, "empty", s.CardID)
	assert.Empty(t, s.Environments)
	assert.Zero(t, s.Score)
	raw, err := json.Marshal(New(Meta{ID: "empty"}).Summary())
	require.NoError(t, err)
	assert.JSONEq(t, `{"card_id":"empty","environments":[],"score":0,"tags":[],"tags_scores":[],
		"total_actions":0,"total_environments":0,"total_environments_completed":0,"total_levels":0,
		"total_levels_completed":0}`, string(raw))
}

func TestCardConcurrent(t *testing.T) {
	c := New(Meta{ID: "card"})
	var wg sync.WaitGroup
	const sessions, steps = 8, 200
	for i := range sessions {
		wg.Go(func() {
			guid := string(rune('a' + i))
			info := &bt11
			if i%2 == 1 {
				info = &bt33
			}
			res := arc.FrameData{GameID: info.ID, GUID: guid, State: arc.NotFinished, Action: arc.Action{ID: arc.Reset}, FullReset: true}
			c.Record(info, guid, &res)
			res.Action.ID, res.FullReset = arc.Action1, false
			for range steps {
				c.Record(info, guid, &res)
				_ = c.Summary()
			}
		})
	}
	wg.Wait()
	assert.Equal(t, sessions*steps, c.Actions())
	s := c.Summary()
	assert.Len(t, s.Environments, 2)
	for _, env := range s.Environments {
		assert.Len(t, env.Runs, sessions/2)
	}
}

func TestRecordAllocs(t *testing.T) {
	c := New(Meta{ID: "card"})
	res := arc.FrameData{GameID: bt11.ID, GUID: "g", State: arc.NotFinished, Action: arc.Action{ID: arc.Reset}, FullReset: true}
	c.Record(&bt11, "g", &res)
	res.Action.ID, res.FullReset = arc.Action1, false
	allocs := testing.AllocsPerRun(1000, func() { c.Record(&bt11, "g", &res) })
	assert.Zero(t, allocs)
}

func BenchmarkRecord(b *testing.B) {
	c := New(Meta{ID: "card"})
	res := arc.FrameData{GameID: bt11.ID, GUID: "g", State: arc.NotFinished, Action: arc.Action{ID: arc.Reset}, FullReset: true}
	c.Record(&bt11, "g", &res)
	res.Action.ID, res.FullReset = arc.Action1, false
	b.ReportAllocs()
	for b.Loop() {
		c.Record(&bt11, "g", &res)
	}
}
