package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sampleCommand is an ACTION6 body as the official client sends it.
const sampleCommand = `{"game_id":"ls20-9607627b","guid":"e2f1d294-3070-4ae9-adcd-60c582a298e9","x":10,"y":20,"reasoning":{"why":"sample"}}`

func TestDecodeCommand(t *testing.T) {
	tests := []struct {
		name                 string
		body                 string
		gameID, guid, cardID string
		x, y, reasoning      string
	}{
		{name: "empty", body: ""},
		{name: "blank", body: " \n\t\r"},
		{name: "empty object", body: "{}"},
		{name: "full", body: `{"game_id":"ab12-00","guid":"g-1","card_id":"c","x":3,"y":4.0,"reasoning":{"a":[1,{"b":null}]}}`,
			gameID: "ab12-00", guid: "g-1", cardID: "c", x: "3", y: "4.0", reasoning: `{"a":[1,{"b":null}]}`},
		{name: "sample", body: sampleCommand, gameID: "ls20-9607627b", guid: "e2f1d294-3070-4ae9-adcd-60c582a298e9",
			x: "10", y: "20", reasoning: `{"why":"sample"}`},
		{name: "spaces", body: " { \"game_id\" : \"a\" , \"x\" : -1e3 } \n", gameID: "a", x: "-1e3"},
		{name: "escapes", body: `{"game_id":"a\"b\\c\/\u00e9\ud83d\ude00\n\b\f\r\t"}`, gameID: "a\"b\\c/é😀\n\b\f\r\t"},
		{name: "escaped key", body: `{"game\u005fid":"a","\u0067uid":"b"}`, gameID: "a", guid: "b"},
		{name: "lone surrogate", body: `{"guid":"\ud800x"}`, guid: "\uFFFDx"},
		{name: "low surrogate first", body: `{"guid":"\udc00\ud800"}`, guid: "\uFFFD\uFFFD"},
		{name: "invalid UTF-8", body: "{\"card_id\":\"a\xffb\"}", cardID: "a\uFFFDb"},
		{name: "invalid UTF-8 and escapes", body: "{\"card_id\":\"\xe2\\u00e9\xff\"}", cardID: "\uFFFDé\uFFFD"},
		{name: "null strings", body: `{"game_id":null,"guid":null,"card_id":null}`},
		{name: "last member wins", body: `{"guid":"a","guid":"b","x":1,"x":2}`, guid: "b", x: "2"},
		{name: "unknown members", body: `{"foo":[true,false,null,"s\u00e9",{"k":[]}],"game_id":"a","bar":-0.5E+2}`, gameID: "a"},
		{name: "raw values", body: `{"x":"7","y":null,"reasoning":"why"}`, x: `"7"`, y: "null", reasoning: `"why"`},
		{name: "deepest reasoning", body: `{"reasoning":` + strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1) + `}`,
			reasoning: strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1)},
	}
	var c Command
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.NoError(t, DecodeCommand([]byte(tt.body), &c))
			assert.Equal(t, tt.gameID, string(c.GameID))
			assert.Equal(t, tt.guid, string(c.GUID))
			assert.Equal(t, tt.cardID, string(c.CardID))
			assert.Equal(t, tt.x, string(c.X))
			assert.Equal(t, tt.y, string(c.Y))
			assert.Equal(t, tt.reasoning, string(c.Reasoning))
			if tt.x == "" {
				assert.Nil(t, c.X, "absent x is nil")
			}
		})
	}
}

func TestDecodeCommandErrors(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		offset int
		// cmdErr is the expected *CommandError without its offset; nil for
		// a *SyntaxError.
		cmdErr *CommandError
		msg    string
	}{
		{"array body", `[1,2]`, 0, &CommandError{Kind: "array", Value: "[1,2]"},
			"wire: invalid command body: expected an object, got array [1,2] (at byte 0)"},
		{"string body", ` "x"`, 1, &CommandError{Kind: "string", Value: `"x"`}, `expected an object, got string "x" (at byte 1)`},
		{"null body", `null`, 0, &CommandError{Kind: "null", Value: "null"}, "got null null"},
		{"long body", `"` + strings.Repeat("a", 100) + `"`, 0, &CommandError{Kind: "string", Value: `"` + strings.Repeat("a", maxErrorValueBytes-1) + "..."}, "aaa... (at byte 0)"},
		{"number game_id", `{"game_id":5}`, 11, &CommandError{Field: "game_id", Kind: "number", Value: "5"},
			"wire: invalid command body: game_id: expected a string, got number 5 (at byte 11)"},
		{"object guid", `{"guid": {"a":1}}`, 9, &CommandError{Field: "guid", Kind: "object", Value: `{"a":1}`}, `guid: expected a string, got object {"a":1}`},
		{"bool card_id", `{"card_id":false}`, 11, &CommandError{Field: "card_id", Kind: "boolean", Value: "false"}, "card_id: expected a string, got boolean false"},
		{"array body with bad element", `[1,]`, 3, nil, "expected a value, found ']'"},
		// The first problem met wins, as in DecodeFrame.
		{"number game_id then bad JSON", `{"game_id":5,}`, 11, &CommandError{Field: "game_id", Kind: "number", Value: "5"}, "got number 5"},
		{"bad object guid", `{"guid":{"a"}}`, 12, nil, "expected ':' after object key, found '}'"},
		{"NUL body", "\x00", 0, nil, `expected a value, found '\x00'`},
		{"truncated", `{"game_id": "ls20", "guid": `, 28, nil, "expected a value, found end of input"},
		{"trailing data", `{} {}`, 3, nil, "unexpected '{' after the top-level value"},
		{"trailing NUL", "{}\x00", 2, nil, `unexpected '\x00' after the top-level value`},
		{"missing colon", `{"a" 1}`, 5, nil, "expected ':' after object key, found '1'"},
		{"trailing comma", `{"a":1,}`, 7, nil, "expected string, found '}'"},
		{"bad separator", `{"a":1;"b":2}`, 6, nil, "expected ',' or '}' after object member, found ';'"},
		{"bad list separator", `{"a":[1;2]}`, 7, nil, "expected ',' or ']' after list element, found ';'"},
		{"bad literal", `{"a":tru}`, 5, nil, `invalid literal "tru}", expected true`},
		{"bad null game_id", `{"game_id":nul`, 11, nil, `invalid literal "nul", expected null`},
		{"leading zero", `{"a":01}`, 6, nil, "expected ',' or '}' after object member, found '1'"},
		{"bad fraction", `{"a":1.}`, 7, nil, "invalid number: expected digit after '.', found '}'"},
		{"bad exponent", `{"x":1e+}`, 8, nil, "invalid number: expected exponent digit, found '}'"},
		{"lone minus", `{"y":-}`, 6, nil, "invalid number: expected digit, found '}'"},
		{"bad escape", `{"a":"\q"}`, 7, nil, `invalid escape 'q'`},
		{"bad unicode", `{"guid":"\u12"}`, 10, nil, `invalid \u escape`},
		{"escape at end", `{"guid":"\`, 10, nil, "unterminated string"},
		{"control char", "{\"a\":\"x\ny\"}", 7, nil, "control character 0x0a in string"},
		{"unterminated", `{"a":"x`, 7, nil, "unterminated string"},
		{"bad key", `{"game_id` + "\x01" + `":1}`, 9, nil, "control character 0x01 in string"},
		{"too deep", `{"reasoning":` + strings.Repeat("[", 600) + strings.Repeat("]", 600) + `}`, 13 + maxDepth + 1, nil, "nesting deeper than 512"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c Command
			err := DecodeCommand([]byte(tt.body), &c)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.msg)
			if tt.cmdErr == nil {
				se, ok := errors.AsType[*SyntaxError](err)
				require.True(t, ok, "%T: %v", err, err)
				assert.Equal(t, tt.offset, se.Offset, "%v", err)
				assert.Contains(t, err.Error(), fmt.Sprintf("at byte %d: ", tt.offset))
				return
			}
			ce, ok := errors.AsType[*CommandError](err)
			require.True(t, ok, "%T: %v", err, err)
			want := *tt.cmdErr
			want.Offset = tt.offset
			assert.Equal(t, want, *ce)
		})
	}
}

func TestDecodeCommandReusesScratch(t *testing.T) {
	var c Command
	require.NoError(t, DecodeCommand([]byte(`{"game_id":"\u0061b","guid":"c\u0064"}`), &c))
	assert.Equal(t, "ab", string(c.GameID))
	assert.Equal(t, "cd", string(c.GUID))
	// The next body starts over: no member of the first survives.
	require.NoError(t, DecodeCommand([]byte(`{"card_id":"\u0065"}`), &c))
	assert.Empty(t, c.GameID)
	assert.Empty(t, c.GUID)
	assert.Equal(t, "e", string(c.CardID))
}

// TestDecodeCommandAllocs checks the steady state: decoding into a reused
// Command allocates nothing, escapes included.
func TestDecodeCommandAllocs(t *testing.T) {
	for name, body := range map[string]string{
		"plain":   sampleCommand,
		"escaped": `{"game_id":"ls20\u002d9607627b","g\u0075id":"\u00e9\ud83d\ude00","card_id":"a` + "\xff" + `b","other":["\n",{"k":1e5}]}`,
		"empty":   "",
	} {
		t.Run(name, func(t *testing.T) {
			body := []byte(body)
			var c Command
			require.NoError(t, DecodeCommand(body, &c))
			allocs := testing.AllocsPerRun(100, func() {
				if err := DecodeCommand(body, &c); err != nil {
					t.Fatal(err)
				}
			})
			assert.Zero(t, allocs)
		})
	}
}

func BenchmarkDecodeCommand(b *testing.B) {
	body := []byte(sampleCommand)
	b.Run("wire", func(b *testing.B) {
		var c Command
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			if err := DecodeCommand(body, &c); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding_json", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			var r CommandRequest
			if err := json.Unmarshal(body, &r); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func ExampleDecodeCommand() {
	var c Command
	err := DecodeCommand([]byte(`{"game_id":"ft09-0d8bbf25","guid":"fb3d6991","x":10,"y":12,"reasoning":{"plan":"click"}}`), &c)
	fmt.Println(err)
	fmt.Printf("%s %s x=%s y=%s reasoning=%s\n", c.GameID, c.GUID, c.X, c.Y, c.Reasoning)

	err = DecodeCommand([]byte(`{"game_id":42}`), &c)
	fmt.Println(err)
	// Output:
	// <nil>
	// ft09-0d8bbf25 fb3d6991 x=10 y=12 reasoning={"plan":"click"}
	// wire: invalid command body: game_id: expected a string, got number 42 (at byte 11)
}

// FuzzDecodeCommand checks DecodeCommand against encoding/json: it accepts
// exactly the JSON objects whose game_id, guid and card_id are strings or
// null, reads the same members, and reports a *SyntaxError exactly for text
// that is not JSON.
func FuzzDecodeCommand(f *testing.F) {
	for _, s := range []string{
		``, ` `, `{}`, `[]`, `null`, `"x"`, sampleCommand, `{"game_id":"ls20","guid":"g","x":1,"y":2}`,
		`{"reasoning":{"a":[1,2,{"b":"c"}]}}`, `{"game_id":"\u00e9\ud83d\ude00"}`, `{"guid":null}`, `{"a":1e5,"b":-0.0}`,
		`{"game_id":5}`, `{"x":"7"}`, `{"a":"\ud800"}`, `{"a":[}`, "{\"a\":\"\xff\"}", `{"guid":"a","guid":"b"}`,
		`{"card_id":"\udc00\ud800\"\\\/\b\f\n\r\t"}`, "{\"game_id\":\"\xe2\\u00e9\xff\"}", "{}\x00", `{"g\u0075id":true}`,
		`{"x":[[[[[[]]]]]]}`, `{"y":-01}`, `{"y":1.5e-3}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var c Command
		err := DecodeCommand(body, &c)
		blank := len(bytes.Trim(body, " \t\r\n")) == 0
		if blank {
			require.NoError(t, err)
			return
		}
		if err != nil {
			se, syn := errors.AsType[*SyntaxError](err)
			ce, cmd := errors.AsType[*CommandError](err)
			require.True(t, syn || cmd, "error of type %T: %v", err, err)
			if syn {
				require.False(t, json.Valid(body), "syntax error on valid JSON: %v", err)
				require.True(t, se.Offset >= 0 && se.Offset <= len(body), "offset %d", se.Offset)
				return
			}
			// The value at fault is well formed and sits at the offset.
			require.True(t, ce.Offset >= 0 && ce.Offset < len(body), "offset %d", ce.Offset)
			require.True(t, strings.HasPrefix(string(body[ce.Offset:]), strings.TrimSuffix(ce.Value, "...")),
				"value %q not at offset %d of %q", ce.Value, ce.Offset, body)
			if len(ce.Value) <= maxErrorValueBytes {
				require.True(t, json.Valid([]byte(ce.Value)), "value %q", ce.Value)
			}
		}
		var m map[string]json.RawMessage
		jerr := json.Unmarshal(body, &m)
		if jerr != nil || m == nil {
			require.Error(t, err, "accepted what encoding/json refuses: %q", body)
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
		if err != nil {
			// Refused: only a string member of the wrong type may cause it.
			ce, _ := errors.AsType[*CommandError](err)
			require.NotNil(t, ce, "refused a valid object %q: %v", body, err)
			raw, ok := m[ce.Field]
			require.True(t, ok, "refused a valid object %q: %v", body, err)
			require.False(t, string(raw) == "null" || raw[0] == '"', "refused a valid object %q: %v", body, err)
			return
		}
		assert.True(t, str("game_id", c.GameID))
		assert.True(t, str("guid", c.GUID))
		assert.True(t, str("card_id", c.CardID))
		for name, got := range map[string][]byte{"x": c.X, "y": c.Y, "reasoning": c.Reasoning} {
			if raw, ok := m[name]; ok {
				assert.Equal(t, string(raw), string(got), name)
			} else {
				assert.Nil(t, got, name)
			}
		}
	})
}
