package server

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseCommand(t *testing.T) {
	tests := []struct {
		name                 string
		body                 string
		gameID, guid, cardID string
		x, y, reasoning      string
		err                  string
	}{
		{name: "empty", body: ""},
		{name: "blank", body: " \n\t"},
		{name: "empty object", body: "{}"},
		{name: "full", body: `{"game_id":"ab12-00","guid":"g-1","card_id":"c","x":3,"y":4.0,"reasoning":{"a":[1,{"b":null}]}}`,
			gameID: "ab12-00", guid: "g-1", cardID: "c", x: "3", y: "4.0", reasoning: `{"a":[1,{"b":null}]}`},
		{name: "spaces", body: " { \"game_id\" : \"a\" , \"x\" : -1e3 } ", gameID: "a", x: "-1e3"},
		{name: "escapes", body: `{"game_id":"a\"b\\c\/\u00e9\ud83d\ude00\n"}`, gameID: "a\"b\\c/é😀\n"},
		{name: "escaped key", body: `{"game\u005fid":"a"}`, gameID: "a"},
		{name: "lone surrogate", body: `{"guid":"\ud800x"}`, guid: "\uFFFDx"},
		{name: "null strings", body: `{"game_id":null,"guid":null}`},
		{name: "last member wins", body: `{"guid":"a","guid":"b"}`, guid: "b"},
		{name: "unknown members", body: `{"foo":[true,false,null,"s",{"k":[]}],"game_id":"a","bar":-0.5E+2}`, gameID: "a"},
		{name: "string x kept raw", body: `{"x":"7"}`, x: `"7"`},
		{name: "array body", body: `[1,2]`, err: "must be a JSON object, got array"},
		{name: "string body", body: `"x"`, err: "got string"},
		{name: "number game_id", body: `{"game_id":5}`, err: "game_id: expected a string, got number"},
		{name: "object guid", body: `{"guid":{}}`, err: "guid: expected a string, got object"},
		{name: "truncated", body: `{"game_id": "ls20", "guid": `, err: "malformed JSON body at byte 28: expected a value"},
		{name: "trailing data", body: `{} {}`, err: "after the object"},
		{name: "missing colon", body: `{"a" 1}`, err: "expected ':'"},
		{name: "trailing comma", body: `{"a":1,}`, err: "malformed"},
		{name: "bad literal", body: `{"a":tru}`, err: "invalid literal"},
		{name: "bad number", body: `{"a":01}`, err: "malformed"},
		{name: "bad fraction", body: `{"a":1.}`, err: "invalid number"},
		{name: "bad escape", body: `{"a":"\q"}`, err: "invalid escape"},
		{name: "bad unicode", body: `{"a":"\u12"}`, err: "invalid \\u escape"},
		{name: "control char", body: "{\"a\":\"x\ny\"}", err: "control character"},
		{name: "unterminated", body: `{"a":"x`, err: "unterminated string"},
		{name: "too deep", body: `{"reasoning":` + strings.Repeat("[", 600) + strings.Repeat("]", 600) + `}`, err: "nested deeper"},
	}
	var c command
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := parseCommand([]byte(tt.body), &c)
			if tt.err != "" {
				require.NotNil(t, err)
				assert.Contains(t, err.msg, tt.err)
				return
			}
			require.Nil(t, err)
			assert.Equal(t, tt.gameID, string(c.gameID))
			assert.Equal(t, tt.guid, string(c.guid))
			assert.Equal(t, tt.cardID, string(c.cardID))
			assert.Equal(t, tt.x, string(c.x))
			assert.Equal(t, tt.y, string(c.y))
			assert.Equal(t, tt.reasoning, string(c.reasoning))
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

// FuzzParseCommand checks parseCommand against encoding/json: it accepts
// exactly the JSON objects, and reads the same members.
func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{
		``, `{}`, `[]`, `{"game_id":"ls20","guid":"g","x":1,"y":2}`, `{"reasoning":{"a":[1,2,{"b":"c"}]}}`,
		`{"game_id":"\u00e9\ud83d\ude00"}`, `{"guid":null}`, `{"a":1e5,"b":-0.0}`, `{"game_id":5}`, `{"x":"7"}`,
		`{"a":"\ud800"}`, `{"a":[}`, "{\"a\":\"\xff\"}", `{"guid":"a","guid":"b"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var c command
		perr := parseCommand(body, &c)
		if len(bytes.Trim(body, " \t\r\n")) == 0 {
			require.Nil(t, perr)
			return
		}
		var m map[string]json.RawMessage
		jerr := json.Unmarshal(body, &m)
		if jerr != nil || m == nil {
			require.NotNil(t, perr, "accepted what encoding/json refuses: %q", body)
			return
		}
		str := func(name string, got []byte) bool {
			raw, ok := m[name]
			if !ok || string(raw) == "null" {
				assert.Empty(t, got, name)
				return true
			}
			var s string
			if json.Unmarshal(raw, &s) != nil {
				return false
			}
			assert.Equal(t, s, string(got), name)
			return true
		}
		if perr != nil {
			// Refused: only a string member of the wrong type may cause it.
			wrong := false
			for _, name := range []string{"game_id", "guid", "card_id"} {
				if raw, ok := m[name]; ok && string(raw) != "null" && raw[0] != '"' {
					wrong = true
				}
			}
			require.True(t, wrong, "refused a valid object %q: %v", body, perr)
			return
		}
		assert.True(t, str("game_id", c.gameID))
		assert.True(t, str("guid", c.guid))
		assert.True(t, str("card_id", c.cardID))
		for name, got := range map[string][]byte{"x": c.x, "y": c.y, "reasoning": c.reasoning} {
			if raw, ok := m[name]; ok {
				assert.Equal(t, string(raw), string(got), name)
			} else {
				assert.Nil(t, got, name)
			}
		}
	})
}
