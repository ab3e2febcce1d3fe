package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/wire"
)

// FuzzCommand sends arbitrary bodies to every command route of a server
// with a running session: whatever the body, the answer is a JSON error
// body with a client-error status, or a frame object, and never a server
// failure.
func FuzzCommand(f *testing.F) {
	for _, s := range []string{
		``, `{}`, `[1,2,3]`, `null`, `{"game_id":"tt01"}`, `{"game_id":"tt01-0a0b0c0d","guid":"GUID"}`,
		`{"game_id":"tt01-0a0b0c0d","guid":"GUID","x":5,"y":6.0}`, `{"game_id":"tt01-0a0b0c0d","guid":"GUID","x":"7","y":9}`,
		`{"game_id":"tt01-0a0b0c0d","guid":"GUID","x":64,"y":-1}`, `{"game_id":"tt01-0a0b0c0d","guid":"GUID","x":1e1,"y":5.5}`,
		`{"game_id":"tt01-0a0b0c0d","guid":"GUID","reasoning":{"a":[1,"\u00e9",null]}}`, `{"game_id":"tt01-0a0b0c0d","card_id":"CARD"}`,
		`{"game_id":"tt01-0a0b0c0d","card_id":"CARD","guid":"GUID"}`, `{"game_id":"uu02","card_id":"CARD","guid":"made-up"}`,
		`{"game_id":"tt01-0a0b0c0d","guid":"GUID","reasoning":"` + strings.Repeat("a", arc.MaxReasoningBytes) + `"}`,
	} {
		for id := range arc.NumActionIDs {
			f.Add(uint8(id), []byte(s))
		}
	}
	srv, err := New(Config{Games: newTestCatalog(), IdleTimeout: -1, MaxBodyBytes: 64 << 10})
	require.NoError(f, err)
	f.Cleanup(func() { _ = srv.Close() })
	serve := func(method, path, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, req)
		return w
	}
	w := serve(http.MethodPost, "/api/scorecard/open", `{}`)
	card, err := wire.DecodeOpenScorecard(w.Body.Bytes())
	require.NoError(f, err)
	w = serve(http.MethodPost, "/api/cmd/RESET", `{"game_id":"tt01-0a0b0c0d","card_id":"`+card+`"}`)
	var fd arc.FrameData
	require.NoError(f, wire.DecodeFrame(w.Body.Bytes(), &fd))
	guid := fd.GUID

	f.Fuzz(func(t *testing.T, id uint8, body []byte) {
		cmd := arc.ActionID(id % uint8(arc.NumActionIDs))
		b := strings.NewReplacer("GUID", guid, "CARD", card).Replace(string(body))
		w := serve(http.MethodPost, "/api/cmd/"+cmd.String(), b)
		out := w.Body.Bytes()
		require.Equal(t, "application/json", w.Header().Get("Content-Type"), "%s", out)
		require.True(t, json.Valid(out), "not JSON: %q", out)
		require.True(t, bytes.HasSuffix(out, []byte("\n")))
		switch w.Code {
		case http.StatusOK:
			var got arc.FrameData
			require.NoError(t, wire.DecodeFrame(out, &got))
			require.NoError(t, got.Validate())
			require.Equal(t, cmd, got.Action.ID)
		default:
			require.Contains(t, []int{http.StatusBadRequest, http.StatusRequestEntityTooLarge}, w.Code, "%s", out)
			e, ok := wire.DecodeError(out)
			require.True(t, ok, "%s", out)
			require.True(t, slices.Contains([]string{wire.CodeValidation, wire.CodeServer, wire.CodeGameNotStarted}, e.Error), "%s", out)
			require.NotEmpty(t, e.Message)
		}
	})
}
