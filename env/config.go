package env

import (
	"fmt"

	"github.com/arcgym/arcgym/arc"
)

// Progress is the part of a result that rewards are computed from.
type Progress struct {
	State           arc.GameState
	LevelsCompleted int
	WinLevels       int
}

// RewardFunc computes the reward of a step from the progress before and
// after it.
type RewardFunc func(prev, cur Progress) float64

// LevelReward is the default reward: the change in levels completed (the
// score delta of the REST API), so 1 per level and a total of WinLevels for a
// won game.
func LevelReward(prev, cur Progress) float64 {
	return float64(cur.LevelsCompleted - prev.LevelsCompleted)
}

// ShapedReward returns a reward of perLevel per level completed, win on the
// winning step and gameOver (usually negative) on a GAME_OVER step.
func ShapedReward(perLevel, win, gameOver float64) RewardFunc {
	return func(prev, cur Progress) float64 {
		r := perLevel * float64(cur.LevelsCompleted-prev.LevelsCompleted)
		switch cur.State {
		case arc.Win:
			r += win
		case arc.GameOver:
			r += gameOver
		}
		return r
	}
}

// GameOverMode selects what a GAME_OVER does to the episode.
type GameOverMode uint8

const (
	// GameOverEnds terminates the episode on GAME_OVER (the default).
	GameOverEnds GameOverMode = iota
	// GameOverRestartsLevel sends a level RESET right away and lets the
	// episode go on; progress on earlier levels is kept and Info.GameOvers
	// counts the restarts.
	GameOverRestartsLevel
)

// UnavailablePolicy selects what Step does with an action the game does not
// offer in available_actions.
type UnavailablePolicy uint8

const (
	// RejectUnavailable returns an error wrapping arc.ErrActionNotAvailable
	// and sends nothing (the default: ARC servers charge such actions).
	RejectUnavailable UnavailablePolicy = iota
	// SendUnavailable passes the action to the game as ARC servers allow.
	SendUnavailable
)

// Config configures a Game. The zero value is ready to use.
type Config struct {
	// Reward computes rewards; nil means LevelReward.
	Reward RewardFunc
	// GameOver selects GAME_OVER handling.
	GameOver GameOverMode
	// Unavailable selects the handling of actions not offered.
	Unavailable UnavailablePolicy
	// Seed, when HasSeed is set, seeds the Game when it is made, before its
	// first reset: the backend's procedural levels (local games) and the
	// spaces' samplers, as a reset under WithSeed(Seed) does. A later Reset
	// under WithSeed(s) reseeds them with s; an unseeded one keeps the seed.
	Seed    int64
	HasSeed bool
}

func (c *Config) validate() error {
	if c.GameOver > GameOverRestartsLevel {
		return fmt.Errorf("env: unknown game-over mode %d", c.GameOver)
	}
	if c.Unavailable > SendUnavailable {
		return fmt.Errorf("env: unknown unavailable-action policy %d", c.Unavailable)
	}
	if c.Reward == nil {
		c.Reward = LevelReward
	}
	return nil
}
