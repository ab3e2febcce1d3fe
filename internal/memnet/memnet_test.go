package memnet

import (
	"context"
	"io"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDialAcceptCarriesBytes(t *testing.T) {
	l := Listen()
	defer l.Close()
	got := make(chan string, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			got <- err.Error()
			return
		}
		defer c.Close()
		b, _ := io.ReadAll(c)
		got <- string(b)
	}()
	c, err := l.DialContext(t.Context(), "tcp", "ignored:1")
	require.NoError(t, err)
	_, err = c.Write([]byte("hello"))
	require.NoError(t, err)
	require.NoError(t, c.Close())
	assert.Equal(t, "hello", <-got)
	assert.Equal(t, "pipe", l.Addr().Network())
}

func TestCloseEndsAcceptAndDial(t *testing.T) {
	l := Listen()
	require.NoError(t, l.Close())
	require.NoError(t, l.Close(), "a second Close is harmless")
	_, err := l.Accept()
	assert.ErrorIs(t, err, net.ErrClosed)
	_, err = l.Dial(t.Context())
	assert.ErrorIs(t, err, net.ErrClosed)
}

func TestDialHonoursContext(t *testing.T) {
	l := Listen()
	defer l.Close()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := l.Dial(ctx)
	assert.ErrorIs(t, err, context.Canceled, "nobody accepts, and the context is done")
}
