package env_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/env/envtest"
)

// layer is a wrapper that counts its Close calls and records the order of
// Resets through the chain.
type layer struct {
	env.Env
	name     string
	closes   int
	closeErr error
	trace    *[]string
}

func (l *layer) Reset(ctx context.Context, opts env.ResetOptions) (env.Obs, env.Info, error) {
	*l.trace = append(*l.trace, l.name)
	return l.Env.Reset(ctx, opts)
}

func (l *layer) Close() error {
	l.closes++
	return errors.Join(l.Env.Close(), l.closeErr)
}

// layerWrapper is an env.Wrapper that builds a layer and keeps it, so that
// the test can look at it afterwards.
type layerWrapper struct {
	name     string
	closeErr error
	trace    *[]string
	built    **layer
}

func (w layerWrapper) Wrap(e env.Env) (env.Env, error) {
	l := &layer{Env: e, name: w.name, closeErr: w.closeErr, trace: w.trace}
	*w.built = l
	return l, nil
}

// failing is an env.Wrapper that always fails and must not close e.
type failing struct{ err error }

func (f failing) Wrap(env.Env) (env.Env, error) { return nil, f.err }

func newFakeGame(t *testing.T) *env.Game {
	t.Helper()
	g, err := env.New(envtest.NewFake(envtest.FakeConfig{}), env.Config{})
	require.NoError(t, err)
	return g
}

func TestWrapBuildsInnermostFirst(t *testing.T) {
	g := newFakeGame(t)
	var trace []string
	var a, b *layer
	e, err := env.Wrap(g,
		layerWrapper{name: "a", trace: &trace, built: &a},
		layerWrapper{name: "b", trace: &trace, built: &b},
	)
	require.NoError(t, err)
	require.NotNil(t, a)
	require.NotNil(t, b)
	assert.Same(t, b, e, "the last wrapper is outermost")
	assert.Same(t, a, b.Env, "b wraps a")
	assert.Same(t, g, a.Env, "a wraps the game")
	_, _, err = e.Reset(t.Context(), env.ResetOptions{})
	require.NoError(t, err)
	assert.Equal(t, []string{"b", "a"}, trace)

	require.NoError(t, e.Close())
	assert.Equal(t, 1, a.closes)
	assert.Equal(t, 1, b.closes)
	_, _, err = g.Reset(t.Context(), env.ResetOptions{})
	assert.ErrorIs(t, err, env.ErrClosed)
}

func TestWrapWithNoWrappersReturnsTheEnv(t *testing.T) {
	g := newFakeGame(t)
	e, err := env.Wrap(g)
	require.NoError(t, err)
	assert.Same(t, g, e)
	_, _, err = e.Reset(t.Context(), env.ResetOptions{})
	require.NoError(t, err, "Wrap closed nothing")
}

// A wrapper that fails in the middle: the env and the wrappers built so far
// are closed (once each), the ones after it are never built, and the error
// names the wrapper and carries its error and the closing's.
func TestWrapFailureClosesWhatWasBuilt(t *testing.T) {
	g := newFakeGame(t)
	var trace []string
	var a, b, c *layer
	boom := errors.New("boom")
	closeErr := errors.New("b close")
	e, err := env.Wrap(g,
		layerWrapper{name: "a", trace: &trace, built: &a},
		layerWrapper{name: "b", trace: &trace, built: &b, closeErr: closeErr},
		failing{err: boom},
		layerWrapper{name: "c", trace: &trace, built: &c},
	)
	require.Error(t, err)
	assert.True(t, e == nil, "Wrap returned %T on error", e)
	assert.ErrorIs(t, err, boom)
	assert.ErrorIs(t, err, closeErr, "the closing's error is returned too")
	assert.ErrorContains(t, err, "wrapper 2 (env_test.failing)")

	require.NotNil(t, a)
	require.NotNil(t, b)
	assert.Nil(t, c, "no wrapper after the failing one is built")
	assert.Equal(t, 1, a.closes)
	assert.Equal(t, 1, b.closes)
	_, _, err = g.Reset(t.Context(), env.ResetOptions{})
	assert.ErrorIs(t, err, env.ErrClosed, "the game is closed")
}

// The first wrapper failing closes the env itself.
func TestWrapFirstFailureClosesTheEnv(t *testing.T) {
	g := newFakeGame(t)
	e, err := env.Wrap(g, failing{err: errors.New("no")})
	require.ErrorContains(t, err, "wrapper 0")
	assert.True(t, e == nil)
	_, _, err = g.Reset(t.Context(), env.ResetOptions{})
	assert.ErrorIs(t, err, env.ErrClosed)
}

func TestWrapNilWrapper(t *testing.T) {
	g := newFakeGame(t)
	var trace []string
	var a *layer
	e, err := env.Wrap(g, layerWrapper{name: "a", trace: &trace, built: &a}, nil)
	require.ErrorContains(t, err, "wrapper 1 is nil")
	assert.True(t, e == nil)
	require.NotNil(t, a)
	assert.Equal(t, 1, a.closes)
	_, _, err = g.Reset(t.Context(), env.ResetOptions{})
	assert.ErrorIs(t, err, env.ErrClosed)
}

func TestWrapNilEnv(t *testing.T) {
	var a *layer
	e, err := env.Wrap(nil, layerWrapper{name: "a", trace: new([]string), built: &a})
	require.Error(t, err)
	assert.True(t, e == nil)
	assert.Nil(t, a, "nothing is built around a nil env")
}
