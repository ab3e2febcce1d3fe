package main

import (
	"bytes"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/games"
	"github.com/arcgym/arcgym/server"
)

func TestRunLocal(t *testing.T) {
	var out, log bytes.Buffer
	err := Run(t.Context(), Config{Game: "kw01", Episodes: 3, Seed: 1, Log: &log}, &out)
	require.NoError(t, err)
	s := out.String()
	assert.Contains(t, s, "kw01-")
	assert.Contains(t, s, "score ")
	assert.Equal(t, 3, strings.Count(log.String(), "episode"))
}

func TestRunEveryBuiltinGame(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, Run(t.Context(), Config{Episodes: 1, MaxSteps: 50}, &out))
	for _, info := range games.List() {
		assert.Contains(t, out.String(), info.ID)
	}
}

func TestRunRemote(t *testing.T) {
	srv, err := server.New(server.Config{})
	require.NoError(t, err)
	defer srv.Close()
	hs := httptest.NewServer(srv)
	defer hs.Close()

	var out bytes.Buffer
	err = Run(t.Context(), Config{Game: "kw01", Episodes: 2, Remote: hs.URL, APIKey: "test-key"}, &out)
	require.NoError(t, err)
	assert.Contains(t, out.String(), hs.URL)
	assert.Contains(t, out.String(), "as the service scored it")
}

func TestRunUnknownGame(t *testing.T) {
	var out bytes.Buffer
	assert.Error(t, Run(t.Context(), Config{Game: "zz99"}, &out))
}

// The time limit ends an episode that neither wins nor loses, as truncation.
func TestRunStopsAtStepLimit(t *testing.T) {
	var out, log bytes.Buffer
	require.NoError(t, Run(t.Context(), Config{Game: "kw01", Episodes: 2, MaxSteps: 4, Log: &log}, &out))
	assert.Equal(t, 2, strings.Count(log.String(), "NOT_FINISHED after 4 steps"), log.String())
}

// The same seed plays the same actions; another seed plays others.
func TestRunIsSeeded(t *testing.T) {
	run := func(seed uint64) string {
		var out, log bytes.Buffer
		require.NoError(t, Run(t.Context(), Config{Game: "gl02", Episodes: 4, MaxSteps: 60, Seed: seed, Log: &log}, &out))
		return log.String()
	}
	assert.Equal(t, run(3), run(3))
	assert.NotEqual(t, run(3), run(4))
}
