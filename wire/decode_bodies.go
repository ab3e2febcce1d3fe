package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// DecodeGames decodes the body of GET /api/games.
func DecodeGames(data []byte) ([]GameInfo, error) {
	var games []GameInfo
	if err := unmarshal(data, &games, "game list"); err != nil {
		return nil, err
	}
	return games, nil
}

// DecodeGameInfo decodes the body of GET /api/games/{game_id}.
func DecodeGameInfo(data []byte) (GameInfo, error) {
	var g GameInfo
	if err := unmarshal(data, &g, "game info"); err != nil {
		return GameInfo{}, err
	}
	if g.GameID == "" {
		return GameInfo{}, fmt.Errorf("wire: decode game info: missing game_id")
	}
	return g, nil
}

// DecodeOpenScorecard decodes the body answering POST /api/scorecard/open
// and returns the card id.
func DecodeOpenScorecard(data []byte) (string, error) {
	var r OpenScorecardResponse
	if err := unmarshal(data, &r, "scorecard open"); err != nil {
		return "", err
	}
	if r.CardID == "" {
		return "", fmt.Errorf("wire: decode scorecard open: missing card_id")
	}
	return r.CardID, nil
}

// DecodeAnonKey decodes the body of GET /api/games/anonkey.
func DecodeAnonKey(data []byte) (string, error) {
	var r AnonKeyResponse
	if err := unmarshal(data, &r, "anonymous key"); err != nil {
		return "", err
	}
	if r.APIKey == "" {
		return "", fmt.Errorf("wire: decode anonymous key: missing api_key")
	}
	return r.APIKey, nil
}

// DecodeScorecard decodes a scorecard summary (GET /api/scorecard/{card_id}
// or POST /api/scorecard/close).
func DecodeScorecard(data []byte) (*Scorecard, error) {
	sc := new(Scorecard)
	if err := unmarshal(data, sc, "scorecard"); err != nil {
		return nil, err
	}
	return sc, nil
}

// DecodeScorecardGame decodes the body of GET
// /api/scorecard/{card_id}/{game_id}, telling the older aggregate shape (it
// has "cards") from a summary.
func DecodeScorecardGame(data []byte) (ScorecardGame, error) {
	var probe struct {
		Cards json.RawMessage `json:"cards"`
	}
	if err := unmarshal(data, &probe, "scorecard game"); err != nil {
		return ScorecardGame{}, err
	}
	if probe.Cards != nil {
		agg := new(GameAggregate)
		if err := unmarshal(data, agg, "scorecard game"); err != nil {
			return ScorecardGame{}, err
		}
		return ScorecardGame{Aggregate: agg}, nil
	}
	sc, err := DecodeScorecard(data)
	if err != nil {
		return ScorecardGame{}, err
	}
	return ScorecardGame{Summary: sc}, nil
}

// DecodeError decodes an error body, {"error": CODE, "message": text} or
// {"error": text}. ok is false when data is not such a body (HTML pages,
// empty bodies, other JSON).
func DecodeError(data []byte) (body ErrorBody, ok bool) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '{' {
		return ErrorBody{}, false
	}
	if err := json.Unmarshal(data, &body); err != nil || body.Error == "" {
		return ErrorBody{}, false
	}
	return body, true
}

// unmarshal decodes with encoding/json, turning its syntax errors into
// *SyntaxError located at the offending byte.
func unmarshal(data []byte, v any, what string) error {
	if err := json.Unmarshal(data, v); err != nil {
		if se, ok := errors.AsType[*json.SyntaxError](err); ok {
			return fmt.Errorf("wire: decode %s: %w", what, &SyntaxError{Offset: max(int(se.Offset)-1, 0), Msg: se.Error()})
		}
		return fmt.Errorf("wire: decode %s: %w", what, err)
	}
	return nil
}
