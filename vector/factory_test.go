package vector

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/env/envtest"
	"github.com/arcgym/arcgym/remote"
	"github.com/arcgym/arcgym/server"
)

func TestRoundRobin(t *testing.T) {
	var got []string
	f := RoundRobin([]string{"a", "b", "c"}, func(_ context.Context, url string, i int) (env.Env, error) {
		got = append(got, url)
		return env.New(envtest.NewFake(envtest.FakeConfig{}))
	})
	v, err := NewSync(t.Context(), 5, f, Config{})
	require.NoError(t, err)
	require.NoError(t, v.Close())
	assert.Equal(t, []string{"a", "b", "c", "a", "b"}, got)

	_, err = RoundRobin(nil, nil)(t.Context(), 0)
	assert.Error(t, err)
}

func TestMix(t *testing.T) {
	var calls []string
	part := func(name string) Factory {
		return func(_ context.Context, i int) (env.Env, error) {
			calls = append(calls, name+string(rune('0'+i)))
			return env.New(envtest.NewFake(envtest.FakeConfig{}))
		}
	}
	f, n := Mix(Part{N: 2, New: part("local")}, Part{N: 0, New: part("none")}, Part{N: 3, New: part("remote")})
	require.Equal(t, 5, n)
	v, err := NewSync(t.Context(), n, f, Config{})
	require.NoError(t, err)
	require.NoError(t, v.Close())
	assert.Equal(t, []string{"local0", "local1", "remote0", "remote1", "remote2"}, calls)
	_, err = f(t.Context(), 5)
	assert.Error(t, err)
	bad, _ := Mix(Part{N: 1})
	_, err = bad(t.Context(), 0)
	assert.Error(t, err)
}

// countingServer serves the built-in games and counts the requests it gets.
func countingServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	s, err := server.New(server.Config{IdleTimeout: -1})
	require.NoError(t, err)
	var n atomic.Int64
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		s.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		hs.Close()
		_ = s.Close()
	})
	return hs, &n
}

// Remote and local games in one vector env: two servers share four remote
// sub-environments round-robin, two more run in process.
func TestRemoteMixedWithLocal(t *testing.T) {
	const game = "kw01"
	s1, n1 := countingServer(t)
	s2, n2 := countingServer(t)
	f, n := Mix(
		Part{N: 2, New: Make(game)},
		Part{N: 4, New: Remote(game, []string{s1.URL, s2.URL})},
	)
	v, err := NewAsync(t.Context(), n, f, Config{})
	require.NoError(t, err)
	defer func() { require.NoError(t, v.Close()) }()
	b, err := v.Reset(t.Context(), env.ResetOptions{})
	require.NoError(t, err)
	require.NoError(t, b.Err())
	for range 5 {
		b, err = v.Step(t.Context(), repeat(arc.Simple(arc.Action3), n))
		require.NoError(t, err)
		require.NoError(t, b.Err())
	}
	for r := range n {
		assert.Equal(t, "kw01-5e3a91c4", b.Infos[r].GameID)
		assert.Equal(t, 5, b.Infos[r].EpisodeSteps)
	}
	assert.Equal(t, b.Obs.Index(0).Data, b.Obs.Index(2).Data, "local and remote sub-environments play the same game")
	before1, before2 := n1.Load(), n2.Load()
	assert.Positive(t, before1)
	assert.Equal(t, before1, before2, "the servers share the remote envs evenly")
	_, err = v.Step(t.Context(), repeat(arc.Simple(arc.Action3), n))
	require.NoError(t, err)
	assert.Equal(t, before1+2, n1.Load(), "one command per remote env and step")
	assert.Equal(t, before2+2, n2.Load())
}

func TestRemoteUnreachable(t *testing.T) {
	_, err := NewSync(t.Context(), 1, Remote("kw01", []string{"http://127.0.0.1:1"}, remote.WithMaxAttempts(1)), Config{})
	require.Error(t, err)
	var none *EnvError
	assert.False(t, errors.As(err, &none), "a construction failure is not a row failure")
}

func TestFactoryTypedNil(t *testing.T) {
	_, err := NewSync(t.Context(), 1, func(context.Context, int) (env.Env, error) { return (*env.Game)(nil), nil }, Config{})
	assert.ErrorContains(t, err, "nil env")
	v, err := NewSync(t.Context(), 1, sameFakes(envtest.FakeConfig{}), Config{})
	require.NoError(t, err)
	defer v.Close()
	assert.Error(t, v.Replace(0, (*env.Game)(nil)))
}
