package render

import (
	"bytes"
	"fmt"
	"image/gif"
	"image/png"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
)

func testFrame() []uint8 {
	f := make([]uint8, arc.FrameCells)
	for i := range f {
		f[i] = uint8((i/arc.GridSize + i%arc.GridSize) % arc.NumColors)
	}
	return f
}

func TestPalette(t *testing.T) {
	assert.Equal(t, [3]uint8{0xFF, 0xFF, 0xFF}, [3]uint8{Palette[0].R, Palette[0].G, Palette[0].B})
	assert.Equal(t, [3]uint8{0, 0, 0}, [3]uint8{Palette[5].R, Palette[5].G, Palette[5].B})
	assert.Equal(t, "purple", ColorNames[15])
	p := ColorPalette()
	require.Len(t, p, arc.NumColors)
	for i, c := range Palette {
		assert.Equal(t, c, p[i])
	}
}

func TestAppendANSI(t *testing.T) {
	f := testFrame()
	out := string(AppendANSI(nil, f))
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	require.Len(t, lines, 32)
	// Top left: colour 0 over colour 1.
	assert.True(t, strings.HasPrefix(lines[0], "\x1b[38;2;255;255;255m\x1b[48;2;204;204;204m▀"), "%q", lines[0][:40])
	for _, l := range lines {
		assert.Equal(t, 64, strings.Count(l, "▀"))
		assert.True(t, strings.HasSuffix(l, "\x1b[0m"))
	}
	// A uniform frame needs one escape pair per line.
	uni := make([]uint8, arc.FrameCells)
	assert.Equal(t, 32*2, strings.Count(string(AppendANSI(nil, uni)), "\x1b[38")+strings.Count(string(AppendANSI(nil, uni)), "\x1b[48"))
	var buf bytes.Buffer
	assert.Error(t, ANSI(&buf, f[:10]))
	require.NoError(t, ANSI(&buf, f))
	assert.Equal(t, out, buf.String())
}

func TestAppendANSIAllocs(t *testing.T) {
	f := testFrame()
	dst := AppendANSI(nil, f)
	assert.Zero(t, testing.AllocsPerRun(20, func() { dst = AppendANSI(dst[:0], f) }))
}

func TestWritePNG(t *testing.T) {
	f := testFrame()
	var buf bytes.Buffer
	require.NoError(t, WritePNG(&buf, f, 3))
	img, err := png.Decode(&buf)
	require.NoError(t, err)
	require.Equal(t, 192, img.Bounds().Dx())
	for _, p := range [][2]int{{0, 0}, {5, 9}, {63, 63}, {17, 40}} {
		want := Palette[f[p[1]*arc.GridSize+p[0]]]
		for _, d := range [][2]int{{0, 0}, {2, 2}} {
			r, g, b, _ := img.At(p[0]*3+d[0], p[1]*3+d[1]).RGBA()
			assert.Equal(t, [3]uint8{want.R, want.G, want.B}, [3]uint8{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8)}, "cell %v", p)
		}
	}
	for _, tc := range []struct {
		frame []uint8
		scale int
	}{{f, 0}, {f, MaxScale + 1}, {f[:100], 1}, {append(f[:arc.FrameCells-1:arc.FrameCells-1], 16), 1}} {
		assert.Error(t, WritePNG(&buf, tc.frame, tc.scale))
	}
}

func TestAnimation(t *testing.T) {
	var a Animation
	var buf bytes.Buffer
	assert.Error(t, a.WriteGIF(&buf))
	f := testFrame()
	for k := range 3 {
		f[k] = 15
		require.NoError(t, a.Add(f))
	}
	require.Equal(t, 3, a.Len())
	require.NoError(t, a.WriteGIF(&buf))
	g, err := gif.DecodeAll(&buf)
	require.NoError(t, err)
	require.Len(t, g.Image, 3)
	assert.Equal(t, []int{10, 10, 10}, g.Delay)
	assert.Equal(t, 256, g.Image[0].Bounds().Dx())
	assert.Equal(t, uint8(15), g.Image[2].ColorIndexAt(9, 0))
	a.Reset()
	assert.Zero(t, a.Len())
}

func BenchmarkAppendANSI(b *testing.B) {
	f := testFrame()
	dst := AppendANSI(nil, f)
	b.SetBytes(arc.FrameCells)
	b.ReportAllocs()
	for b.Loop() {
		dst = AppendANSI(dst[:0], f)
	}
}

func ExampleAppendANSI() {
	f := make([]uint8, arc.FrameCells) // all white
	out := AppendANSI(nil, f)
	fmt.Println(strings.Count(string(out), "\n"), "lines")
	// Output: 32 lines
}
