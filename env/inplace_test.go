package env

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
)

// A Game over a backend that fails clean receives responses in one buffer,
// and a failing command still leaves the last response in place; other
// backends keep the second buffer.
func TestInPlaceResponses(t *testing.T) {
	g, err := Make(context.Background(), "kw01", Config{})
	require.NoError(t, err)
	defer g.Close()
	require.True(t, g.inPlace, "built-in games fail clean")
	other, err := New(plainBackend{g.Backend()}, Config{})
	require.NoError(t, err)
	require.False(t, other.inPlace, "a backend that does not say it fails clean")

	ctx := context.Background()
	_, _, err = g.Reset(ctx, ResetOptions{})
	require.NoError(t, err)
	buf := &g.cur.Frames[0]
	for s := range 20 {
		st, err := g.Step(ctx, arc.Simple(g.GameInfo().Available.IDs(nil)[s%2]))
		require.NoError(t, err)
		if st.Done() {
			_, _, err = g.Reset(ctx, ResetOptions{})
			require.NoError(t, err)
		}
	}
	assert.Same(t, buf, &g.cur.Frames[0], "one buffer, reused")
	last := g.Last().Clone()
	frames := bytes.Clone(last.Frames)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = g.Step(cancelled, arc.Simple(arc.Action1))
	require.Error(t, err)
	assert.Equal(t, frames, g.Last().Frames, "a failed command keeps the last response")
	assert.Equal(t, last.State, g.Last().State)
}

// plainBackend hides all but the Backend methods of a backend.
type plainBackend struct{ Backend }
