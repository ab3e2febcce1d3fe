package wire

import (
	"encoding/json"

	"github.com/arcgym/arcgym/arc"
)

// Fields of each body type are declared in the alphabetical order of their
// JSON names, which is the key order the reference server writes.

// GameInfo is one game as GET /api/games lists it and GET /api/games/{id}
// returns it. The reference server withholds baseline_actions; the hosted
// service sends them on the single-game route.
type GameInfo struct {
	BaselineActions []int    `json:"baseline_actions,omitempty"`
	ClassName       string   `json:"class_name,omitempty"`
	DateDownloaded  string   `json:"date_downloaded,omitempty"`
	DefaultFPS      int      `json:"default_fps"`
	GameID          string   `json:"game_id"`
	Tags            []string `json:"tags"`
	Title           string   `json:"title"`
	Version         string   `json:"version,omitempty"`
}

// Arc converts the wire metadata to arc.GameInfo. The REST metadata does not
// carry the available actions, so Available is empty; Levels is the number of
// baselines when they are known.
func (g *GameInfo) Arc() arc.GameInfo {
	return arc.GameInfo{
		ID:              g.GameID,
		Title:           g.Title,
		Tags:            append([]string(nil), g.Tags...),
		BaselineActions: append([]int(nil), g.BaselineActions...),
		DefaultFPS:      g.DefaultFPS,
		ClassName:       g.ClassName,
		Levels:          len(g.BaselineActions),
	}
}

// ErrorBody is the JSON error body: {"error": CODE, "message": text}, or just
// {"error": text} for a few failures. Error is one of the Code constants in
// the first form.
type ErrorBody struct {
	Error   string `json:"error"`
	Message string `json:"message,omitempty"`
}

// Error codes carried in ErrorBody.Error.
const (
	CodeValidation       = "VALIDATION_ERROR"
	CodeServer           = "SERVER_ERROR"
	CodeGameNotStarted   = "GAME_NOT_STARTED_ERROR"
	CodeGameNotAvailable = "GAME_NOT_AVAILABLE_ERROR"
	// CodeLimit (arcgym's servers only) refuses a request that would pass
	// one of the server's limits: sessions or scorecards per key or in
	// total, the memory budget, connections, a recording's size. The
	// answer is 429 with Retry-After when waiting can help, 503 otherwise.
	CodeLimit = "LIMIT_ERROR"
	// CodeSessionLost (arcgym's servers only) answers a command for a
	// session that a restarted server knows of but could not restore.
	CodeSessionLost = "SESSION_LOST_ERROR"
)

// HeaderNotApplied is set (to "1") by arcgym's servers on every answer to
// a command or scorecard request that they refused before applying it,
// whatever the status: a client may send such a request again without
// applying it twice. An answer without it may come from a command that
// was applied (or from a proxy that cannot know).
const HeaderNotApplied = "Arcgym-Not-Applied"

// OpenScorecardRequest is the body of POST /api/scorecard/open; every field
// is optional. Opaque is any JSON value (at most MaxOpaqueBytes compact).
// CompetitionMode is kept raw because any value but null, false included,
// makes a competition scorecard.
type OpenScorecardRequest struct {
	CompetitionMode json.RawMessage `json:"competition_mode,omitempty"`
	Opaque          json.RawMessage `json:"opaque,omitempty"`
	SourceURL       string          `json:"source_url,omitempty"`
	Tags            []string        `json:"tags,omitempty"`
}

// MaxOpaqueBytes is the largest compact serialisation of a scorecard's
// opaque value that servers accept.
const MaxOpaqueBytes = 16 * 1024

// OpenScorecardResponse is the body answering POST /api/scorecard/open.
type OpenScorecardResponse struct {
	CardID string `json:"card_id"`
}

// CloseScorecardRequest is the body of POST /api/scorecard/close.
type CloseScorecardRequest struct {
	CardID string `json:"card_id"`
}

// CommandRequest is the body of POST /api/cmd/{RESET,ACTION1..ACTION7}.
// RESET carries CardID and, to reset an existing session, GUID; actions carry
// GUID; only ACTION6 carries X (column) and Y (row). Reasoning is any JSON
// value of at most arc.MaxReasoningBytes.
type CommandRequest struct {
	CardID    string          `json:"card_id,omitempty"`
	GameID    string          `json:"game_id"`
	GUID      string          `json:"guid,omitempty"`
	Reasoning json.RawMessage `json:"reasoning,omitempty"`
	X         *int            `json:"x,omitempty"`
	Y         *int            `json:"y,omitempty"`
}

// FrameResponse is the frame object answering RESET and ACTION commands in
// its plain nested-list form. It is the reference shape for encoding/json;
// DecodeFrame reads the same body straight into an arc.FrameData, much
// faster. Score and WinScore are the older names of LevelsCompleted and
// WinLevels.
type FrameResponse struct {
	ActionInput      ActionInput `json:"action_input"`
	AvailableActions []int       `json:"available_actions"`
	Frame            [][][]int   `json:"frame"`
	FullReset        bool        `json:"full_reset"`
	GameID           string      `json:"game_id"`
	GUID             string      `json:"guid"`
	LevelsCompleted  int         `json:"levels_completed"`
	Score            *int        `json:"score,omitempty"`
	State            string      `json:"state"`
	WinLevels        int         `json:"win_levels"`
	WinScore         *int        `json:"win_score,omitempty"`
}

// ActionInput echoes the command in a frame object: the action id (0 for
// RESET), its data and the reasoning sent with it (null when none).
type ActionInput struct {
	Data      ActionData      `json:"data"`
	ID        int             `json:"id"`
	Reasoning json.RawMessage `json:"reasoning"`
}

// ActionData is the data of an ActionInput: the reference server echoes the
// game id, and x and y for ACTION6; the RESET that creates a session has
// empty data.
type ActionData struct {
	GameID string `json:"game_id,omitempty"`
	X      *int   `json:"x,omitempty"`
	Y      *int   `json:"y,omitempty"`
}

// Scorecard is the scorecard summary that GET /api/scorecard/{card_id} and
// POST /api/scorecard/close return. Scores are floats on the reference
// server and integers on the hosted one; float64 reads both. The user and
// time fields are sent by the hosted service only. It encodes with
// AppendScorecard (see MarshalJSON).
type Scorecard struct {
	CardID                     string             `json:"card_id"`
	CompetitionMode            bool               `json:"competition_mode,omitempty"`
	Environments               []EnvironmentScore `json:"environments"`
	LastUpdate                 string             `json:"last_update,omitempty"`
	Opaque                     json.RawMessage    `json:"opaque,omitempty"`
	OpenAt                     string             `json:"open_at,omitempty"`
	PublishedAt                string             `json:"published_at,omitempty"`
	Score                      float64            `json:"score"`
	SourceURL                  string             `json:"source_url,omitempty"`
	Tags                       []string           `json:"tags"`
	TagsScores                 []TagScore         `json:"tags_scores"`
	TotalActions               int                `json:"total_actions"`
	TotalEnvironments          int                `json:"total_environments"`
	TotalEnvironmentsCompleted int                `json:"total_environments_completed"`
	TotalLevels                int                `json:"total_levels"`
	TotalLevelsCompleted       int                `json:"total_levels_completed"`
	UserID                     string             `json:"user_id,omitempty"`
	UserName                   string             `json:"user_name,omitempty"`
}

// EnvironmentScore is one game of a Scorecard: the best score and most
// levels over its runs, and the actions and resets summed over them.
type EnvironmentScore struct {
	Actions         int        `json:"actions"`
	Completed       bool       `json:"completed"`
	ID              string     `json:"id"`
	LevelCount      int        `json:"level_count"`
	LevelsCompleted int        `json:"levels_completed"`
	Resets          int        `json:"resets"`
	Runs            []RunScore `json:"runs"`
	Score           float64    `json:"score"`
}

// RunScore is one run (play from level one) of a game. The level slices
// are aligned, one entry per level. Message explains a missing baseline, in
// which case Score is 0 and the baselines are -1. ID is sent by the hosted
// service only.
type RunScore struct {
	Actions              int       `json:"actions"`
	Completed            bool      `json:"completed"`
	GUID                 string    `json:"guid"`
	ID                   string    `json:"id,omitempty"`
	LevelActions         []int     `json:"level_actions"`
	LevelBaselineActions []int     `json:"level_baseline_actions"`
	LevelScores          []float64 `json:"level_scores"`
	LevelsCompleted      int       `json:"levels_completed"`
	Message              string    `json:"message,omitempty"`
	Resets               int       `json:"resets"`
	Score                float64   `json:"score"`
	State                string    `json:"state"`
}

// TagScore aggregates the best runs of the games carrying one tag.
type TagScore struct {
	Actions              int     `json:"actions"`
	ID                   string  `json:"id"`
	LevelsCompleted      int     `json:"levels_completed"`
	NumberOfEnvironments int     `json:"number_of_environments"`
	NumberOfLevels       int     `json:"number_of_levels"`
	Score                float64 `json:"score"`
}

// GameAggregate is the older per-game scorecard shape that the reference
// server returns from GET /api/scorecard/{card_id}/{game_id}. Cards is keyed
// by the full game id and is empty when the id matched nothing.
type GameAggregate struct {
	Cards           map[string]GameCard `json:"cards"`
	LevelsCompleted int                 `json:"levels_completed"`
	Played          int                 `json:"played"`
	TotalActions    int                 `json:"total_actions"`
	Won             int                 `json:"won"`
}

// GameCard is one game of a GameAggregate with one list entry per run.
// ActionsByLevel holds, per run, the (levels_completed, cumulative actions)
// pairs recorded each time levels_completed changed.
type GameCard struct {
	Actions         []int      `json:"actions"`
	ActionsByLevel  [][][2]int `json:"actions_by_level"`
	GameID          string     `json:"game_id"`
	GUIDs           []string   `json:"guids"`
	LevelsCompleted []int      `json:"levels_completed"`
	Resets          []int      `json:"resets"`
	Scores          []int      `json:"scores,omitempty"`
	States          []string   `json:"states"`
	TotalActions    int        `json:"total_actions"`
	TotalPlays      int        `json:"total_plays"`
}

// ScorecardGame is the answer of GET /api/scorecard/{card_id}/{game_id}:
// the reference server sends the older Aggregate shape, the hosted service a
// Summary restricted to the one game. Exactly one field is set.
type ScorecardGame struct {
	Aggregate *GameAggregate
	Summary   *Scorecard
}

// AnonKeyResponse is the body answering GET /api/games/anonkey (hosted only).
type AnonKeyResponse struct {
	APIKey string `json:"api_key"`
}
