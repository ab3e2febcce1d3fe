package engine_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/engine"
)

func TestCamera(t *testing.T) {
	tests := []struct {
		w, h, scale, offX, offY int
	}{
		{64, 64, 1, 0, 0},
		{8, 8, 8, 0, 0},
		{21, 21, 3, 0, 0},
		{10, 10, 6, 2, 2},
		{30, 10, 2, 2, 22},
		{5, 7, 9, 9, 0},
		{1, 1, 64, 0, 0},
	}
	for _, tt := range tests {
		c := engine.NewCamera(tt.w, tt.h, engine.Black)
		assert.Equal(t, tt.scale, c.Scale, "%dx%d", tt.w, tt.h)
		assert.Equal(t, tt.offX, c.OffX, "%dx%d", tt.w, tt.h)
		assert.Equal(t, tt.offY, c.OffY, "%dx%d", tt.w, tt.h)
		// Every cell's centre maps back to the cell; every frame pixel maps
		// to the cell it shows or to the letterbox.
		for gy := range tt.h {
			for gx := range tt.w {
				x, y := c.ToScreen(gx, gy)
				bx, by, ok := c.ToGrid(x, y)
				require.True(t, ok)
				require.Equal(t, [2]int{gx, gy}, [2]int{bx, by})
			}
		}
		pix := make([]uint8, tt.w*tt.h)
		for i := range pix {
			pix[i] = uint8(i % 15)
		}
		var frame arc.Frame
		c.Clear(frame[:])
		c.Blit(frame[:], pix, engine.RectWH(0, 0, tt.w, tt.h))
		require.NoError(t, arc.ValidateFrame(frame[:]))
		for y := range arc.GridSize {
			for x := range arc.GridSize {
				gx, gy, ok := c.ToGrid(x, y)
				if !ok {
					require.Equal(t, engine.Black, frame[y*arc.GridSize+x], "letterbox at %d,%d", x, y)
					continue
				}
				require.Equal(t, pix[gy*tt.w+gx], frame[y*arc.GridSize+x], "cell at %d,%d", x, y)
			}
		}
	}
}

func TestCameraClickOffFrame(t *testing.T) {
	c := engine.NewCamera(10, 10, 0)
	for _, p := range [][2]int{{0, 0}, {1, 30}, {62, 62}, {63, 0}, {-1, 5}, {64, 64}} {
		_, _, ok := c.ToGrid(p[0], p[1])
		assert.False(t, ok, "%v is letterbox", p)
	}
	gx, gy, ok := c.ToGrid(2, 2)
	assert.True(t, ok)
	assert.Equal(t, [2]int{0, 0}, [2]int{gx, gy})
	gx, gy, ok = c.ToGrid(61, 61)
	assert.True(t, ok)
	assert.Equal(t, [2]int{9, 9}, [2]int{gx, gy})
}

func TestSceneLayersAndTransparency(t *testing.T) {
	var sc engine.Scene
	sc.Reset(4, 3, engine.White)
	top := engine.SpriteFrom(
		"8.",
		"x8",
	)
	bottom := engine.NewSprite(3, 3, int8(engine.Blue))
	sc.Add(top, 5)
	sc.Add(bottom, 1)
	top.MoveTo(1, 1)
	sc.Compose()
	want := []uint8{
		9, 9, 9, 0,
		9, 8, 9, 0,
		9, 9, 8, 0,
	}
	assert.Equal(t, want, sc.Pixels(), "transparent and invisible pixels show what is below")
	assert.Equal(t, []*engine.Sprite{bottom, top}, sc.Sprites())

	top.SetHidden(true)
	r := sc.Compose()
	assert.Equal(t, engine.Rect{X0: 1, Y0: 1, X1: 3, Y1: 3}, r, "only the hidden sprite's cells are redrawn")
	assert.Equal(t, uint8(9), sc.Pixels()[1*4+1])
	assert.True(t, sc.Compose().Empty(), "nothing changed")

	sc.Remove(bottom)
	sc.Compose()
	assert.Equal(t, uint8(0), sc.Pixels()[0])
}

func TestCollisionModes(t *testing.T) {
	diag := engine.SpriteFrom(
		"1.",
		".1",
	)
	anti := engine.SpriteFrom(
		".2",
		"2.",
	)
	hidden := engine.SpriteFrom(
		"zz",
		"..",
	)
	tests := []struct {
		name   string
		a, b   *engine.Sprite
		ba, bb engine.Blocking
		want   bool
	}{
		{"boxes overlap", diag, anti, engine.BlockBox, engine.BlockBox, true},
		{"pixels miss", diag, anti, engine.BlockPixel, engine.BlockPixel, false},
		{"box against pixels", diag, anti, engine.BlockBox, engine.BlockPixel, true},
		{"no blocking", diag, anti, engine.NoBlock, engine.BlockBox, false},
		{"invisible pixels are solid", diag, hidden, engine.BlockPixel, engine.BlockPixel, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.a.Block, tt.b.Block = tt.ba, tt.bb
			assert.Equal(t, tt.want, engine.Collides(tt.a, tt.b))
		})
	}
}

func TestTryMoveAndHitTest(t *testing.T) {
	var sc engine.Scene
	sc.Reset(5, 5, engine.White)
	wall := engine.SpriteFrom(
		".....",
		"..3..",
		".....",
		".....",
		"....z",
	)
	wall.Block = engine.BlockPixel
	p := engine.NewSprite(1, 1, int8(engine.Red))
	p.Block = engine.BlockBox
	sc.Add(wall, 0)
	sc.Add(p, 1)
	p.MoveTo(2, 0)
	assert.False(t, sc.TryMove(p, 0, 1), "wall below")
	assert.True(t, sc.TryMove(p, 1, 0))
	assert.False(t, sc.TryMove(p, 0, -1), "edge of the play area")
	assert.Equal(t, 3, p.X())

	assert.Same(t, p, sc.HitTest(3, 0))
	assert.Same(t, wall, sc.HitTest(2, 1))
	assert.Same(t, wall, sc.HitTest(4, 4), "invisible pixels can be hit")
	assert.Nil(t, sc.HitTest(0, 0))
}
