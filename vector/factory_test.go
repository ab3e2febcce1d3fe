package vector

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/env/envtest"
)

func TestRoundRobin(t *testing.T) {
	var got []string
	f := RoundRobin([]string{"a", "b", "c"}, func(_ context.Context, url string, i int) (env.Env, error) {
		got = append(got, url)
		return env.New(envtest.NewFake(envtest.FakeConfig{}), env.Config{})
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
			return env.New(envtest.NewFake(envtest.FakeConfig{}), env.Config{})
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

func TestFactoryTypedNil(t *testing.T) {
	_, err := NewSync(t.Context(), 1, func(context.Context, int) (env.Env, error) { return (*env.Game)(nil), nil }, Config{})
	assert.ErrorContains(t, err, "nil env")
	v, err := NewSync(t.Context(), 1, sameFakes(envtest.FakeConfig{}), Config{})
	require.NoError(t, err)
	defer v.Close()
	assert.Error(t, v.Replace(0, (*env.Game)(nil)))
}
