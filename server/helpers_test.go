package server

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/wire"
)

// newTestServer serves cfg (the test catalog when cfg.Games is nil) on a
// loopback httptest server; both are closed at the end of the test.
func newTestServer(t *testing.T, cfg Config) (*Server, *httptest.Server) {
	t.Helper()
	if cfg.Games == nil {
		cfg.Games = newTestCatalog()
	}
	srv, err := New(cfg)
	require.NoError(t, err)
	ts := httptest.NewServer(srv)
	t.Cleanup(func() {
		ts.Close()
		require.NoError(t, srv.Close())
	})
	return srv, ts
}

// apiClient speaks to a test server under one API key ("" sends none).
type apiClient struct {
	t   *testing.T
	url string
	key string
}

func newClient(t *testing.T, ts *httptest.Server, key string) *apiClient {
	return &apiClient{t: t, url: ts.URL, key: key}
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

// raw sends body as is; ctype is set when not empty.
func (c *apiClient) raw(method, path, ctype, body string) reply {
	c.t.Helper()
	req, err := http.NewRequestWithContext(c.t.Context(), method, c.url+path, bytes.NewBufferString(body))
	require.NoError(c.t, err)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if c.key != "" {
		req.Header.Set("X-API-Key", c.key)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(c.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(c.t, err)
	return reply{status: resp.StatusCode, header: resp.Header, body: b}
}

// post sends v as JSON (a string is sent verbatim).
func (c *apiClient) post(path string, v any) reply {
	c.t.Helper()
	body, ok := v.(string)
	if !ok {
		b, err := json.Marshal(v)
		require.NoError(c.t, err)
		body = string(b)
	}
	return c.raw(http.MethodPost, path, "application/json", body)
}

func (c *apiClient) get(path string) reply {
	c.t.Helper()
	return c.raw(http.MethodGet, path, "", "")
}

func (c *apiClient) open(req map[string]any) string {
	c.t.Helper()
	if req == nil {
		req = map[string]any{}
	}
	r := c.post("/api/scorecard/open", req)
	require.Equal(c.t, http.StatusOK, r.status, string(r.body))
	id, err := wire.DecodeOpenScorecard(r.body)
	require.NoError(c.t, err)
	return id
}

// frame sends a command expected to succeed and decodes its frame object.
func (c *apiClient) frame(cmd string, req map[string]any) *arc.FrameData {
	c.t.Helper()
	r := c.post("/api/cmd/"+cmd, req)
	require.Equal(c.t, http.StatusOK, r.status, "%s %v: %s", cmd, req, r.body)
	require.Equal(c.t, "application/json", r.header.Get("Content-Type"))
	fd := new(arc.FrameData)
	require.NoError(c.t, wire.DecodeFrame(r.body, fd))
	return fd
}

// fail sends a command expected to fail and returns its status and error body.
func (c *apiClient) fail(cmd string, req any) (int, wire.ErrorBody) {
	c.t.Helper()
	return errorOf(c.t, c.post("/api/cmd/"+cmd, req))
}

func errorOf(t *testing.T, r reply) (int, wire.ErrorBody) {
	t.Helper()
	require.Equal(t, "application/json", r.header.Get("Content-Type"), "error bodies are JSON: %s", r.body)
	var e wire.ErrorBody
	require.NoError(t, json.Unmarshal(r.body, &e), string(r.body))
	require.NotEmpty(t, e.Error)
	return r.status, e
}

func (c *apiClient) summary(card string) wire.Scorecard {
	c.t.Helper()
	r := c.get("/api/scorecard/" + card)
	require.Equal(c.t, http.StatusOK, r.status, string(r.body))
	sc, err := wire.DecodeScorecard(r.body)
	require.NoError(c.t, err)
	return *sc
}

func (c *apiClient) close(card string) wire.Scorecard {
	c.t.Helper()
	r := c.post("/api/scorecard/close", map[string]any{"card_id": card})
	require.Equal(c.t, http.StatusOK, r.status, string(r.body))
	sc, err := wire.DecodeScorecard(r.body)
	require.NoError(c.t, err)
	return *sc
}

// play is a session driven through the test client.
type play struct {
	c    *apiClient
	game string
	card string
	guid string
	last *arc.FrameData
}

func (c *apiClient) start(game, card string) *play {
	c.t.Helper()
	fd := c.frame("RESET", map[string]any{"game_id": game, "card_id": card})
	return &play{c: c, game: game, card: card, guid: fd.GUID, last: fd}
}

func (p *play) do(cmd string, n int) *arc.FrameData {
	p.c.t.Helper()
	for range n {
		p.last = p.c.frame(cmd, map[string]any{"game_id": p.game, "guid": p.guid})
	}
	return p.last
}

func (p *play) reset() *arc.FrameData {
	p.c.t.Helper()
	p.last = p.c.frame("RESET", map[string]any{"game_id": p.game, "card_id": p.card, "guid": p.guid})
	return p.last
}
