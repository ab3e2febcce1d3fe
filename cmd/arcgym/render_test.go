package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/wrappers/render"
)

func testFrame() []uint8 {
	f := make([]uint8, arc.FrameCells)
	for i := range f {
		f[i] = uint8((i/arc.GridSize + i%7) % arc.NumColors)
	}
	return f
}

func TestAppendFramePlain(t *testing.T) {
	f := testFrame()
	lines := strings.Split(strings.TrimSuffix(string(appendFramePlain(nil, f)), "\n"), "\n")
	require.Len(t, lines, arc.GridSize)
	for y, l := range lines {
		require.Len(t, l, arc.GridSize)
		for x := range arc.GridSize {
			assert.Equal(t, "0123456789abcdef"[f[y*arc.GridSize+x]], l[x], "cell (%d,%d)", x, y)
		}
	}
}

func TestAppendFrameANSILineEndings(t *testing.T) {
	f := testFrame()
	plain := appendFrameANSI([]byte("head"), f, "\n")
	raw := appendFrameANSI([]byte("head"), f, "\r\n")
	assert.Equal(t, "head", string(raw[:4]), "the prefix is kept")
	assert.Equal(t, string(plain), strings.ReplaceAll(string(raw), "\r\n", "\n"))
	assert.Equal(t, arc.GridSize/2, bytes.Count(raw, []byte("\r\n")))
	assert.Equal(t, arc.GridSize/2, bytes.Count(raw, []byte("\n")), "no bare line feed")
	assert.Equal(t, string(render.AppendANSI(nil, f)), string(plain[4:]))
	assert.Equal(t, arc.FrameCells/2, strings.Count(string(plain), "\u2580"), "one half block per two cells")
}
