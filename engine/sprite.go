package engine

// Transparent is the pixel value that draws nothing and never collides.
// Other negative pixel values draw nothing either but stay solid for
// pixel-perfect collisions and hit tests (invisible walls, click targets).
const Transparent int8 = -1

// Blocking selects how a sprite takes part in collisions.
type Blocking uint8

const (
	// NoBlock sprites never collide.
	NoBlock Blocking = iota
	// BlockBox sprites collide over their whole bounding box.
	BlockBox
	// BlockPixel sprites collide only where their pixels are solid (any
	// value but Transparent).
	BlockPixel
)

// Sprite is a rectangle of pixels placed in a Scene. Pixels hold colour
// indices 0..15, Transparent, or another negative value for an invisible
// solid pixel. Sprites with a higher layer draw on top; equal layers draw in
// the order they were added.
//
// Every mutating method tells the owning scene which cells changed, so the
// scene redraws only those: a sprite must be changed through its methods.
type Sprite struct {
	// Name and Tag are free for the game (lookups, kinds of objects).
	Name string
	Tag  int
	// Block is the collision mode.
	Block Blocking

	x, y, w, h int
	pix        []int8
	layer      int
	hidden     bool
	scene      *Scene
}

// NewSprite returns a w x h sprite with every pixel set to fill.
func NewSprite(w, h int, fill int8) *Sprite {
	s := &Sprite{}
	s.Resize(w, h, fill)
	return s
}

// SpriteFrom returns a sprite whose rows are given as strings; '.' is
// Transparent, '0'..'9' and 'a'..'f' are colours 0..15 and any other byte is
// an invisible solid pixel. All rows must have the same length.
func SpriteFrom(rows ...string) *Sprite {
	h := len(rows)
	w := 0
	if h > 0 {
		w = len(rows[0])
	}
	s := NewSprite(w, h, Transparent)
	for y, row := range rows {
		for x := 0; x < w && x < len(row); x++ {
			s.pix[y*w+x] = pixelOf(row[x])
		}
	}
	return s
}

func pixelOf(c byte) int8 {
	switch {
	case c == '.':
		return Transparent
	case c >= '0' && c <= '9':
		return int8(c - '0')
	case c >= 'a' && c <= 'f':
		return int8(c-'a') + 10
	}
	return -2
}

// X returns the column of the sprite's top-left pixel.
func (s *Sprite) X() int { return s.x }

// Y returns the row of the sprite's top-left pixel.
func (s *Sprite) Y() int { return s.y }

// W returns the sprite's width.
func (s *Sprite) W() int { return s.w }

// H returns the sprite's height.
func (s *Sprite) H() int { return s.h }

// Layer returns the drawing layer.
func (s *Sprite) Layer() int { return s.layer }

// Hidden reports whether the sprite is hidden (not drawn, no collisions).
func (s *Sprite) Hidden() bool { return s.hidden }

// Bounds returns the cells the sprite covers in scene coordinates.
func (s *Sprite) Bounds() Rect { return RectWH(s.x, s.y, s.w, s.h) }

// Pixels returns the pixel slice, row-major (a view; change pixels with Set
// or Fill so the scene notices).
func (s *Sprite) Pixels() []int8 { return s.pix }

// At returns the pixel at sprite-local (x, y), or Transparent outside.
func (s *Sprite) At(x, y int) int8 {
	if x < 0 || y < 0 || x >= s.w || y >= s.h {
		return Transparent
	}
	return s.pix[y*s.w+x]
}

// Solid reports whether the sprite is solid at scene cell (x, y) for hit
// tests and pixel collisions.
func (s *Sprite) Solid(x, y int) bool {
	return !s.hidden && s.At(x-s.x, y-s.y) != Transparent
}

func (s *Sprite) touch(r Rect) {
	if s.scene != nil && !s.hidden {
		s.scene.Invalidate(r)
	}
}

// Resize makes the sprite w x h with every pixel set to fill, reusing its
// pixel storage when it is large enough.
func (s *Sprite) Resize(w, h int, fill int8) {
	s.touch(s.Bounds())
	n := w * h
	if cap(s.pix) < n {
		s.pix = make([]int8, n)
	}
	s.pix = s.pix[:n]
	s.w, s.h = w, h
	for i := range s.pix {
		s.pix[i] = fill
	}
	s.touch(s.Bounds())
}

// Set sets the pixel at sprite-local (x, y); it ignores cells outside.
func (s *Sprite) Set(x, y int, c int8) {
	if x < 0 || y < 0 || x >= s.w || y >= s.h {
		return
	}
	i := y*s.w + x
	if s.pix[i] == c {
		return
	}
	s.pix[i] = c
	s.touch(RectWH(s.x+x, s.y+y, 1, 1))
}

// FillRect sets every pixel of the sprite-local rectangle r to c.
func (s *Sprite) FillRect(r Rect, c int8) {
	r = r.Intersect(RectWH(0, 0, s.w, s.h))
	for y := r.Y0; y < r.Y1; y++ {
		row := s.pix[y*s.w+r.X0 : y*s.w+r.X1]
		for i := range row {
			row[i] = c
		}
	}
	s.touch(Rect{s.x + r.X0, s.y + r.Y0, s.x + r.X1, s.y + r.Y1})
}

// Fill sets every pixel to c.
func (s *Sprite) Fill(c int8) { s.FillRect(RectWH(0, 0, s.w, s.h), c) }

// CopyPixels replaces the pixels with src (len w*h).
func (s *Sprite) CopyPixels(src []int8) {
	copy(s.pix, src)
	s.touch(s.Bounds())
}

// MoveTo places the sprite's top-left pixel at (x, y).
func (s *Sprite) MoveTo(x, y int) {
	if x == s.x && y == s.y {
		return
	}
	s.touch(s.Bounds())
	s.x, s.y = x, y
	s.touch(s.Bounds())
}

// Move shifts the sprite by (dx, dy).
func (s *Sprite) Move(dx, dy int) { s.MoveTo(s.x+dx, s.y+dy) }

// SetHidden hides or shows the sprite.
func (s *Sprite) SetHidden(h bool) {
	if h == s.hidden {
		return
	}
	if h {
		s.touch(s.Bounds())
		s.hidden = true
		return
	}
	s.hidden = false
	s.touch(s.Bounds())
}

// Overlaps reports whether the bounding boxes of two visible sprites share
// a cell.
func Overlaps(a, b *Sprite) bool {
	return !a.hidden && !b.hidden && a.Bounds().Overlaps(b.Bounds())
}

// Collides reports whether two sprites collide under their blocking modes:
// never when either is NoBlock or hidden, over the bounding boxes when both
// are BlockBox, and pixel by pixel otherwise (a BlockBox sprite counts as
// solid everywhere in its box).
func Collides(a, b *Sprite) bool {
	if a == b || a.Block == NoBlock || b.Block == NoBlock || !Overlaps(a, b) {
		return false
	}
	if a.Block == BlockBox && b.Block == BlockBox {
		return true
	}
	r := a.Bounds().Intersect(b.Bounds())
	for y := r.Y0; y < r.Y1; y++ {
		for x := r.X0; x < r.X1; x++ {
			if solidFor(a, x, y) && solidFor(b, x, y) {
				return true
			}
		}
	}
	return false
}

func solidFor(s *Sprite, x, y int) bool {
	if s.Block == BlockBox {
		return true
	}
	return s.pix[(y-s.y)*s.w+(x-s.x)] != Transparent
}
