package vector

import (
	"context"
	"reflect"
	"testing"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/env/envtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sliceCtx is a context whose == panics: it holds a slice.
type sliceCtx struct {
	context.Context
	tags []string
}

// wrapCtx is a comparable struct context whose == may still panic: it
// holds an interface, whose dynamic value decides.
type wrapCtx struct{ context.Context }

func TestPlainEqual(t *testing.T) {
	for _, tc := range []struct {
		name string
		ctx  context.Context
		want bool
	}{
		{"background", context.Background(), true},
		{"cancel", t.Context(), true},
		{"value", context.WithValue(t.Context(), struct{}{}, 1), true},
		{"struct with an interface", wrapCtx{t.Context()}, false},
		{"struct with a slice", sliceCtx{Context: t.Context()}, false},
	} {
		assert.Equal(t, tc.want, plainEqual(reflect.TypeOf(tc.ctx)), tc.name)
	}
}

// Send reuses the bound context of a context passed again when it can
// compare them, and never panics comparing contexts, whatever their type.
func TestBindReusesContexts(t *testing.T) {
	a := newAsync(t, 2, sameFakes(envtest.FakeConfig{}), Config{Workers: 2})
	ids := []int{0, 1}
	acts := repeat(arc.Click(1, 1), 2)
	for _, tc := range []struct {
		ctx    context.Context
		reused bool
	}{
		{context.Background(), true},
		{t.Context(), true},
		{sliceCtx{Context: t.Context(), tags: []string{"a"}}, false},
		{wrapCtx{sliceCtx{Context: t.Context()}}, false},
	} {
		ctx := tc.ctx
		require.NoError(t, a.SendReset(ctx, ids, env.ResetOptions{}))
		_, err := a.Recv(ctx)
		require.NoError(t, err)
		first := a.cur
		require.NotNil(t, first)
		require.NoError(t, a.Send(ctx, ids, acts))
		b, err := a.Recv(ctx)
		require.NoError(t, err)
		require.NoError(t, b.Err())
		assert.Equal(t, tc.reused, first == a.cur, "%T bound once", ctx)
	}
}
