package server

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/wire"
)

func TestConfigValidation(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		err  string
	}{
		{"tiny body limit", Config{Games: newTestCatalog(), MaxBodyBytes: 10}, "MaxBodyBytes"},
		{"empty key", Config{Games: newTestCatalog(), APIKeys: []string{"a", ""}}, "APIKeys[1]"},
		{"no games", Config{Games: &testCatalog{}}, "no games"},
		{"bad id", Config{Games: &testCatalog{infos: []arc.GameInfo{{ID: "NOPE"}}}}, "NOPE"},
		{"duplicate", Config{Games: &testCatalog{infos: []arc.GameInfo{ttInfo, ttInfo}}}, "twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.cfg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.err)
		})
	}
	srv, err := New(Config{Games: newTestCatalog(), IdleTimeout: -1})
	require.NoError(t, err)
	require.NoError(t, srv.Close())
	require.NoError(t, srv.Close(), "Close twice")
}

func TestHealthcheckAndGames(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	c := newClient(t, ts, "")

	r := c.get("/api/healthcheck")
	assert.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, "okay", string(r.body))
	assert.True(t, strings.HasPrefix(r.header.Get("Content-Type"), "text/plain"))

	r = c.get("/api/games")
	require.Equal(t, http.StatusOK, r.status)
	list, err := wire.DecodeGames(r.body)
	require.NoError(t, err)
	require.Len(t, list, 2)
	assert.Equal(t, wire.GameInfo{ClassName: "Tt01", DefaultFPS: 5, GameID: ttInfo.ID, Tags: []string{"tag1", "tag2"}, Title: "TT01"}, list[0])
	assert.Empty(t, list[1].BaselineActions, "the list withholds baselines")
	assert.Equal(t, []string{"tag3"}, list[1].Tags)

	for _, id := range []string{"tt01-0a0b0c0d", "tt01"} {
		r = c.get("/api/games/" + id)
		require.Equal(t, http.StatusOK, r.status)
		info, err := wire.DecodeGameInfo(r.body)
		require.NoError(t, err)
		assert.Equal(t, ttInfo.ID, info.GameID)
		assert.Equal(t, ttInfo.BaselineActions, info.BaselineActions)
	}
	status, e := errorOf(t, c.get("/api/games/zz99"))
	assert.Equal(t, http.StatusNotFound, status)
	assert.Equal(t, wire.ErrorBody{Error: wire.CodeServer, Message: "game zz99 not found"}, e)
}

func TestScorecardRoutes(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	c := newClient(t, ts, "")

	card := c.open(map[string]any{"tags": []string{"ref"}, "source_url": "https://example.invalid", "opaque": map[string]any{"note": "x"}})
	assert.Len(t, card, 36)
	p := c.start("tt01", card)
	assert.Equal(t, "tt01", p.last.GameID, "the answer echoes the id as sent")
	p.do("ACTION1", 1)

	s := c.summary(card)
	assert.Equal(t, card, s.CardID)
	assert.Equal(t, []string{"ref", "agent"}, s.Tags)
	assert.Equal(t, "https://example.invalid", s.SourceURL)
	assert.JSONEq(t, `{"note":"x"}`, string(s.Opaque))
	require.Len(t, s.Environments, 1)
	assert.Equal(t, ttInfo.ID, s.Environments[0].ID)
	assert.Equal(t, 1, s.TotalActions)

	for _, id := range []string{ttInfo.ID, "tt01"} {
		r := c.get("/api/scorecard/" + card + "/" + id)
		require.Equal(t, http.StatusOK, r.status)
		g, err := wire.DecodeScorecardGame(r.body)
		require.NoError(t, err)
		require.NotNil(t, g.Aggregate)
		require.Contains(t, g.Aggregate.Cards, ttInfo.ID, "a base id names the same game")
		assert.Equal(t, []int{1}, g.Aggregate.Cards[ttInfo.ID].Actions)
		assert.Equal(t, []string{p.guid}, g.Aggregate.Cards[ttInfo.ID].GUIDs)
	}
	r := c.get("/api/scorecard/" + card + "/uu02")
	require.Equal(t, http.StatusOK, r.status)
	g, err := wire.DecodeScorecardGame(r.body)
	require.NoError(t, err)
	assert.Empty(t, g.Aggregate.Cards)
	assert.Equal(t, 1, g.Aggregate.Played)

	closed := c.close(card)
	assert.Equal(t, s.Environments, closed.Environments)
	status, e := errorOf(t, c.get("/api/scorecard/"+card))
	assert.Equal(t, http.StatusNotFound, status)
	assert.Equal(t, wire.CodeServer, e.Error)
	status, e = errorOf(t, c.post("/api/scorecard/close", map[string]any{"card_id": card}))
	assert.Equal(t, http.StatusNotFound, status)
	assert.Equal(t, wire.ErrorBody{Error: wire.CodeValidation, Message: "scorecard " + card + " not found"}, e)
	status, e = c.fail("ACTION1", map[string]any{"game_id": ttInfo.ID, "guid": p.guid})
	assert.Equal(t, http.StatusBadRequest, status, "sessions end with their card")
	assert.Equal(t, wire.CodeServer, e.Error)
	status, _ = c.fail("RESET", map[string]any{"game_id": ttInfo.ID, "card_id": card, "guid": p.guid})
	assert.Equal(t, http.StatusBadRequest, status)

	// A body is optional when opening, and "human" suppresses "agent".
	r = c.raw(http.MethodPost, "/api/scorecard/open", "", "")
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	id := c.open(map[string]any{"tags": []string{"human"}})
	assert.Equal(t, []string{"human"}, c.summary(id).Tags)
}

// TestErrors covers every error of the REST contract with this server's
// JSON bodies: routing and framework failures, then the command errors in
// the reference server's check order.
func TestErrors(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	c := newClient(t, ts, "")
	card := c.open(nil)
	tt01 := c.start(ttInfo.ID, card)
	uu02 := c.start(uuInfo.ID, card)
	other := newClient(t, ts, "someone-else")
	otherCard := other.open(nil)
	longReasoning := `{"blob":"` + strings.Repeat("a", arc.MaxReasoningBytes) + `"}`
	bigOpaque := `{"opaque":"` + strings.Repeat("a", wire.MaxOpaqueBytes) + `"}`

	tests := []struct {
		name   string
		method string
		path   string
		ctype  string
		body   string
		status int
		code   string
		msg    string // substring of the message
		allow  string
	}{
		{"unknown route", "GET", "/api/nope", "", "", 404, wire.CodeServer, "no route GET", ""},
		{"outside api", "GET", "/", "", "", 404, wire.CodeServer, "no route", ""},
		{"unknown command", "POST", "/api/cmd/ACTION8", "application/json", "{}", 404, wire.CodeServer, "RESET and ACTION1..ACTION7", ""},
		{"lower-case command", "POST", "/api/cmd/action1", "application/json", "{}", 404, wire.CodeServer, "no route", ""},
		{"wrong method on command", "GET", "/api/cmd/ACTION1", "", "", 405, wire.CodeValidation, "use POST", "POST"},
		{"wrong method on games", "POST", "/api/games", "application/json", "{}", 405, wire.CodeValidation, "use GET", "GET, HEAD"},
		{"wrong method on open", "GET", "/api/scorecard/open", "", "", 405, wire.CodeValidation, "use POST", "POST"},
		{"malformed JSON", "POST", "/api/cmd/ACTION1", "application/json", `{"game_id": "tt01-0a0b0c0d", "guid": `, 400, wire.CodeValidation, "malformed JSON", ""},
		{"malformed JSON on open", "POST", "/api/scorecard/open", "application/json", `{`, 400, wire.CodeValidation, "malformed JSON", ""},
		{"form content type", "POST", "/api/cmd/ACTION1", "application/x-www-form-urlencoded", "game_id=tt01", 415, wire.CodeValidation, "Content-Type must be application/json", ""},
		{"no content type", "POST", "/api/scorecard/open", "", `{"tags":[]}`, 415, wire.CodeValidation, "got none", ""},
		{"body not an object", "POST", "/api/cmd/ACTION1", "application/json", `[1,2,3]`, 400, wire.CodeValidation, "must be a JSON object, got array", ""},
		{"open body not an object", "POST", "/api/scorecard/open", "application/json", `"x"`, 400, wire.CodeValidation, "must be a JSON object", ""},
		{"missing game_id", "POST", "/api/cmd/ACTION1", "application/json", `{"guid":"` + tt01.guid + `"}`, 400, wire.CodeValidation, "missing `game_id`", ""},
		{"empty body command", "POST", "/api/cmd/ACTION1", "", "", 400, wire.CodeValidation, "missing `game_id`", ""},
		{"game_id not a string", "POST", "/api/cmd/ACTION1", "application/json", `{"game_id":5}`, 400, wire.CodeValidation, "game_id: expected a string, got number", ""},
		{"x out of range", "POST", "/api/cmd/ACTION6", "application/json", `{"game_id":"uu02-1234abcd","guid":"` + uu02.guid + `","x":64,"y":5}`, 400, wire.CodeValidation, "x must be an integer in 0..63, got 64", ""},
		{"x negative", "POST", "/api/cmd/ACTION6", "application/json", `{"game_id":"uu02-1234abcd","guid":"` + uu02.guid + `","x":-1,"y":5}`, 400, wire.CodeValidation, "got -1", ""},
		{"y null", "POST", "/api/cmd/ACTION6", "application/json", `{"game_id":"uu02-1234abcd","guid":"` + uu02.guid + `","x":1,"y":null}`, 400, wire.CodeValidation, "y must be an integer in 0..63, got null", ""},
		{"x fractional", "POST", "/api/cmd/ACTION6", "application/json", `{"game_id":"uu02-1234abcd","guid":"` + uu02.guid + `","x":5.5,"y":5}`, 400, wire.CodeValidation, "got 5.5", ""},
		{"x missing", "POST", "/api/cmd/ACTION6", "application/json", `{"game_id":"uu02-1234abcd","guid":"` + uu02.guid + `","y":5}`, 400, wire.CodeValidation, "ACTION6 needs x", ""},
		{"y missing", "POST", "/api/cmd/ACTION6", "application/json", `{"game_id":"uu02-1234abcd","guid":"` + uu02.guid + `","x":5}`, 400, wire.CodeValidation, "ACTION6 needs y", ""},
		{"x as numeric string", "POST", "/api/cmd/ACTION6", "application/json", `{"game_id":"uu02-1234abcd","guid":"` + uu02.guid + `","x":"7","y":"9"}`, 400, wire.CodeValidation, `x must be an integer in 0..63, got "7"`, ""},
		{"unknown guid", "POST", "/api/cmd/ACTION1", "application/json", `{"game_id":"tt01-0a0b0c0d","guid":"not-a-real-guid"}`, 400, wire.CodeServer, "no session not-a-real-guid", ""},
		{"guid of another game", "POST", "/api/cmd/ACTION1", "application/json", `{"game_id":"tt01-0a0b0c0d","guid":"` + uu02.guid + `"}`, 400, wire.CodeServer, "plays uu02-1234abcd, not tt01-0a0b0c0d", ""},
		{"no guid", "POST", "/api/cmd/ACTION1", "application/json", `{"game_id":"tt01-0a0b0c0d"}`, 400, wire.CodeValidation, "missing `guid`", ""},
		{"card but no guid", "POST", "/api/cmd/ACTION1", "application/json", `{"game_id":"tt01-0a0b0c0d","card_id":"` + card + `"}`, 400, wire.CodeValidation, "missing `guid`", ""},
		{"reasoning too big", "POST", "/api/cmd/ACTION1", "application/json", `{"game_id":"tt01-0a0b0c0d","guid":"` + tt01.guid + `","reasoning":` + longReasoning + `}`, 400, wire.CodeValidation, "reasoning is", ""},
		{"reset unknown game", "POST", "/api/cmd/RESET", "application/json", `{"game_id":"zz99-00000000","card_id":"` + card + `"}`, 400, wire.CodeServer, "game zz99-00000000 not found", ""},
		{"reset unknown card", "POST", "/api/cmd/RESET", "application/json", `{"game_id":"tt01-0a0b0c0d","card_id":"00000000-0000-0000-0000-000000000000"}`, 400, wire.CodeServer, "scorecard 00000000-0000-0000-0000-000000000000 not found", ""},
		{"reset card of another key", "POST", "/api/cmd/RESET", "application/json", `{"game_id":"tt01-0a0b0c0d","card_id":"` + otherCard + `"}`, 400, wire.CodeServer, "not found", ""},
		{"reset without card", "POST", "/api/cmd/RESET", "application/json", `{"game_id":"tt01-0a0b0c0d"}`, 400, wire.CodeValidation, "missing `card_id`", ""},
		{"reset unknown guid without card", "POST", "/api/cmd/RESET", "application/json", `{"game_id":"tt01-0a0b0c0d","guid":"nope"}`, 400, wire.CodeServer, "no session nope", ""},
		{"close without card_id", "POST", "/api/scorecard/close", "application/json", `{}`, 400, wire.CodeValidation, "missing `card_id`", ""},
		{"close unknown", "POST", "/api/scorecard/close", "application/json", `{"card_id":"zz"}`, 404, wire.CodeValidation, "scorecard zz not found", ""},
		{"close card of another key", "POST", "/api/scorecard/close", "application/json", `{"card_id":"` + otherCard + `"}`, 404, wire.CodeValidation, "not found", ""},
		{"get unknown card", "GET", "/api/scorecard/00000000-0000-0000-0000-000000000000", "", "", 404, wire.CodeServer, "card_id `00000000-0000-0000-0000-000000000000` not found", ""},
		{"get card of another key", "GET", "/api/scorecard/" + otherCard, "", "", 404, wire.CodeServer, "not found", ""},
		{"opaque too big", "POST", "/api/scorecard/open", "application/json", bigOpaque, 400, wire.CodeValidation, "opaque is 16386 bytes, limit 16384", ""},
		{"competition_mode not boolean", "POST", "/api/scorecard/open", "application/json", `{"competition_mode":"yes"}`, 400, wire.CodeValidation, "competition_mode must be a boolean", ""},
		{"tags not strings", "POST", "/api/scorecard/open", "application/json", `{"tags":[1]}`, 400, wire.CodeValidation, "tags: expected a string, got number", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.raw(tt.method, tt.path, tt.ctype, tt.body)
			status, e := errorOf(t, r)
			assert.Equal(t, tt.status, status)
			assert.Equal(t, tt.code, e.Error)
			assert.Contains(t, e.Message, tt.msg)
			if tt.allow != "" {
				assert.Equal(t, tt.allow, r.header.Get("Allow"))
			}
		})
	}

	// Nothing refused above reached the scorecard: two sessions, no action.
	s := c.summary(card)
	assert.Zero(t, s.TotalActions)
	require.Len(t, s.Environments, 2)
	for _, env := range s.Environments {
		assert.Len(t, env.Runs, 1, "no phantom run for %s", env.ID)
	}

	// Another key cannot drive this key's session.
	status, e := other.fail("ACTION1", map[string]any{"game_id": ttInfo.ID, "guid": tt01.guid})
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, wire.CodeValidation, e.Error)
	assert.Contains(t, e.Message, "does not belong to this API key")
}

func TestUnavailableActionIsCharged(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	c := newClient(t, ts, "")
	card := c.open(nil)
	p := c.start(uuInfo.ID, card)
	fd := p.do("ACTION4", 1) // uu02 offers 1, 2 and 6 only
	assert.Equal(t, arc.Action4, fd.Action.ID)
	assert.Equal(t, arc.ActionSetOf(arc.Action1, arc.Action2, arc.Action6), fd.Available)
	assert.Equal(t, 1, c.summary(card).TotalActions)
}

func TestActionEcho(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	c := newClient(t, ts, "")
	card := c.open(nil)
	p := c.start(uuInfo.ID, card)

	r := c.post("/api/cmd/ACTION6", map[string]any{"game_id": "uu02", "guid": p.guid, "x": 5, "y": 6.0, "foo": 1, "reasoning": map[string]any{"why": "test"}})
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	var fr wire.FrameResponse
	require.NoError(t, json.Unmarshal(r.body, &fr))
	assert.Equal(t, 6, fr.ActionInput.ID)
	assert.Equal(t, "uu02", fr.ActionInput.Data.GameID)
	require.NotNil(t, fr.ActionInput.Data.X)
	assert.Equal(t, 5, *fr.ActionInput.Data.X)
	assert.Equal(t, 6, *fr.ActionInput.Data.Y)
	assert.JSONEq(t, `{"why":"test"}`, string(fr.ActionInput.Reasoning))
	assert.Equal(t, "uu02", fr.GameID, "a base id works for actions too")
	assert.Equal(t, p.guid, fr.GUID)
	require.Len(t, fr.Frame, 1)
	assert.NotZero(t, fr.Frame[0][6][5], "the click painted column 5, row 6")

	// The RESET that created the session echoes empty data.
	r = c.post("/api/cmd/RESET", map[string]any{"game_id": ttInfo.ID, "card_id": card})
	fr = wire.FrameResponse{}
	require.NoError(t, json.Unmarshal(r.body, &fr))
	assert.Equal(t, wire.ActionData{}, fr.ActionInput.Data)
	assert.Equal(t, "null", string(fr.ActionInput.Reasoning))
	assert.True(t, fr.FullReset)
}

func TestKeepAlive(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	c := newClient(t, ts, "")
	card := c.open(nil)
	p := c.start(ttInfo.ID, card)
	r := c.post("/api/cmd/ACTION3", map[string]any{"game_id": ttInfo.ID, "guid": p.guid})
	require.Equal(t, http.StatusOK, r.status)
	assert.Empty(t, r.header.Get("Connection"))
	assert.Equal(t, "application/json", r.header.Get("Content-Type"))
	assert.NotEmpty(t, r.header.Get("Content-Length"))
}
