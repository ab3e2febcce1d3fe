package server

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

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
	_, err = time.Parse("2006-01-02T15:04:05.999999Z", list[0].DateDownloaded)
	require.NoError(t, err, "date_downloaded %q", list[0].DateDownloaded)
	assert.Equal(t, wire.GameInfo{ClassName: "Tt01", DateDownloaded: list[0].DateDownloaded, DefaultFPS: 5, GameID: ttInfo.ID, Tags: []string{"tag1", "tag2"}, Title: "TT01"}, list[0])
	assert.Empty(t, list[1].BaselineActions, "the list withholds baselines")
	assert.Equal(t, []string{"tag3"}, list[1].Tags)
	assert.Equal(t, "Uu02", list[1].ClassName, "the toolkit's default class name")

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
