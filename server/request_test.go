package server

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/wire"
)

// TestParseCommand checks what parseCommand adds to wire.DecodeCommand,
// which has its own tests: the members handed over and the messages of the
// API error bodies.
func TestParseCommand(t *testing.T) {
	var c command
	body := `{"game_id":"ab12-\u0030","guid":"g-1","card_id":"c","x":3,"y":4.0,"reasoning":{"a":[1,{"b":null}]}}`
	require.Nil(t, parseCommand([]byte(body), &c))
	got := []string{string(c.gameID), string(c.guid), string(c.cardID), string(c.x), string(c.y), string(c.reasoning)}
	assert.Equal(t, []string{"ab12-0", "g-1", "c", "3", "4.0", `{"a":[1,{"b":null}]}`}, got)

	for _, body := range []string{"", " \n\t", "{}"} {
		require.Nil(t, parseCommand([]byte(body), &c), "%q", body)
		for _, f := range [][]byte{c.gameID, c.guid, c.cardID, c.x, c.y, c.reasoning} {
			assert.Nil(t, f, "%q", body)
		}
	}
}

func TestParseCommandErrors(t *testing.T) {
	for _, tt := range []struct{ name, body, msg string }{
		{"array body", `[1,2]`, "request body must be a JSON object, got array"},
		{"string body", `"x"`, "request body must be a JSON object, got string"},
		{"null body", `null`, "request body must be a JSON object, got null"},
		{"number game_id", `{"game_id":5}`, "game_id: expected a string, got number"},
		{"object guid", `{"guid":{}}`, "guid: expected a string, got object"},
		{"bool card_id", `{"card_id":true}`, "card_id: expected a string, got boolean"},
		{"bad array body", `[1,]`, "malformed JSON body at byte 3: expected a value, found ']'"},
		{"truncated", `{"game_id": "ls20", "guid": `, "malformed JSON body at byte 28: expected a value, found end of input"},
		{"trailing data", `{} {}`, "malformed JSON body at byte 3: unexpected '{' after the top-level value"},
		{"missing colon", `{"a" 1}`, "malformed JSON body at byte 5: expected ':' after object key, found '1'"},
		{"bad literal", `{"game_id":nil}`, `malformed JSON body at byte 11: invalid literal "nil}", expected null`},
		{"bad number", `{"x":01}`, "malformed JSON body at byte 6: expected ',' or '}' after object member, found '1'"},
		{"bad escape", `{"a":"\q"}`, "malformed JSON body at byte 7: invalid escape 'q'"},
		{"control char", "{\"a\":\"x\ny\"}", "malformed JSON body at byte 7: control character 0x0a in string"},
		{"too deep", `{"reasoning":` + strings.Repeat("[", 600) + strings.Repeat("]", 600) + `}`, "malformed JSON body at byte 526: nesting deeper than 512"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var c command
			err := parseCommand([]byte(tt.body), &c)
			require.NotNil(t, err)
			assert.Equal(t, tt.msg, err.msg)
			assert.Equal(t, http.StatusBadRequest, err.status)
			assert.Equal(t, wire.CodeValidation, err.code)
		})
	}
}

func TestParseCommandAllocs(t *testing.T) {
	body := []byte(`{"game_id":"ls20-9607627b","guid":"e2f1d294-3070-4ae9-adcd-60c582a298e9","x":10,"y":20,"reasoning":{"why":"sample"}}`)
	var c command
	allocs := testing.AllocsPerRun(100, func() {
		if err := parseCommand(body, &c); err != nil {
			t.Fatal(err)
		}
	})
	assert.Zero(t, allocs)
}
