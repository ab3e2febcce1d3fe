package engine

import "github.com/arcgym/arcgym/arc"

// Camera maps a play area of W x H cells onto the 64x64 frame: the area is
// scaled up by the largest integer factor that fits, centred with integer
// offsets, and the margin is filled with the letterbox colour. A 21x21 area
// is drawn x3 into 63x63 with one letterbox column on the right and one row
// at the bottom; an 8x8 area is drawn x8 and fills the frame.
type Camera struct {
	W, H       int
	Scale      int
	OffX, OffY int
	Letterbox  uint8
}

// NewCamera returns the camera for a w x h play area (each 1..64).
func NewCamera(w, h int, letterbox uint8) Camera {
	w = min(max(w, 1), arc.GridSize)
	h = min(max(h, 1), arc.GridSize)
	s := min(arc.GridSize/w, arc.GridSize/h)
	return Camera{
		W: w, H: h, Scale: s,
		OffX:      (arc.GridSize - w*s) / 2,
		OffY:      (arc.GridSize - h*s) / 2,
		Letterbox: letterbox,
	}
}

// ToGrid maps frame coordinates (x column, y row, 0..63) to the play-area
// cell under them; ok is false in the letterbox or off the frame.
func (c *Camera) ToGrid(x, y int) (gx, gy int, ok bool) {
	x -= c.OffX
	y -= c.OffY
	if x < 0 || y < 0 || c.Scale == 0 {
		return 0, 0, false
	}
	gx, gy = x/c.Scale, y/c.Scale
	if gx >= c.W || gy >= c.H {
		return 0, 0, false
	}
	return gx, gy, true
}

// ToScreen returns the frame coordinates of the centre of cell (gx, gy):
// the click that ToGrid maps back to that cell.
func (c *Camera) ToScreen(gx, gy int) (x, y int) {
	return c.OffX + gx*c.Scale + c.Scale/2, c.OffY + gy*c.Scale + c.Scale/2
}

// Click returns ACTION6 on the centre of cell (gx, gy).
func (c *Camera) Click(gx, gy int) arc.Action {
	return arc.Click(c.ToScreen(gx, gy))
}

// Clear fills the whole frame with the letterbox colour.
func (c *Camera) Clear(frame []uint8) {
	fill(frame[:arc.FrameCells], c.Letterbox)
}

// Blit draws the cells of r from pix (the W x H play area, row-major) into
// frame, scaled and offset.
func (c *Camera) Blit(frame, pix []uint8, r Rect) {
	r = r.Intersect(RectWH(0, 0, c.W, c.H))
	if r.Empty() {
		return
	}
	s := c.Scale
	x0 := c.OffX + r.X0*s
	x1 := c.OffX + r.X1*s
	for gy := r.Y0; gy < r.Y1; gy++ {
		fy := c.OffY + gy*s
		dst := frame[fy*arc.GridSize+x0 : fy*arc.GridSize+x1]
		src := pix[gy*c.W+r.X0 : gy*c.W+r.X1]
		if s == 1 {
			copy(dst, src)
			continue
		}
		for i, p := range src {
			blk := dst[i*s : i*s+s]
			for j := range blk {
				blk[j] = p
			}
		}
		for k := 1; k < s; k++ {
			o := (fy + k) * arc.GridSize
			copy(frame[o+x0:o+x1], dst)
		}
	}
}
