package engine

// Scene is a play area of W x H cells holding sprites over a background
// colour. It keeps the composited picture and redraws only the cells that
// changed since the last Compose, which is what makes a step cheap.
type Scene struct {
	w, h       int
	background uint8
	sprites    []*Sprite
	pix        []uint8
	dirty      Rect
}

// Reset empties the scene and sizes it w x h (each 1..64) with the given
// background; the storage is reused and the whole area is marked dirty.
func (sc *Scene) Reset(w, h int, background uint8) {
	for _, s := range sc.sprites {
		s.scene = nil
	}
	clear(sc.sprites)
	sc.sprites = sc.sprites[:0]
	sc.w, sc.h, sc.background = w, h, background
	if cap(sc.pix) < w*h {
		sc.pix = make([]uint8, w*h, 64*64)
	}
	sc.pix = sc.pix[:w*h]
	sc.dirty = RectWH(0, 0, w, h)
}

// W returns the scene width in cells.
func (sc *Scene) W() int { return sc.w }

// H returns the scene height in cells.
func (sc *Scene) H() int { return sc.h }

// Bounds returns the scene's rectangle.
func (sc *Scene) Bounds() Rect { return RectWH(0, 0, sc.w, sc.h) }

// Add places s in the scene on the given layer, above the sprites already
// on that layer. A sprite belongs to at most one scene.
func (sc *Scene) Add(s *Sprite, layer int) {
	if s.scene != nil {
		s.scene.Remove(s)
	}
	s.layer = layer
	s.scene = sc
	i := len(sc.sprites)
	sc.sprites = append(sc.sprites, s)
	for i > 0 && sc.sprites[i-1].layer > layer {
		sc.sprites[i] = sc.sprites[i-1]
		i--
	}
	sc.sprites[i] = s
	sc.Invalidate(s.Bounds())
}

// Remove takes s out of the scene.
func (sc *Scene) Remove(s *Sprite) {
	for i, t := range sc.sprites {
		if t == s {
			sc.Invalidate(s.Bounds())
			copy(sc.sprites[i:], sc.sprites[i+1:])
			sc.sprites[len(sc.sprites)-1] = nil
			sc.sprites = sc.sprites[:len(sc.sprites)-1]
			s.scene = nil
			return
		}
	}
}

// Sprites returns the sprites in drawing order (a view).
func (sc *Scene) Sprites() []*Sprite { return sc.sprites }

// Invalidate marks the cells of r for redrawing.
func (sc *Scene) Invalidate(r Rect) {
	sc.dirty = sc.dirty.Union(r.Intersect(sc.Bounds()))
}

// Compose redraws the dirty cells and returns the rectangle redrawn (empty
// when nothing changed).
func (sc *Scene) Compose() Rect {
	r := sc.dirty
	if r.Empty() {
		return Rect{}
	}
	sc.dirty = Rect{}
	for y := r.Y0; y < r.Y1; y++ {
		row := sc.pix[y*sc.w+r.X0 : y*sc.w+r.X1]
		for i := range row {
			row[i] = sc.background
		}
	}
	for _, s := range sc.sprites {
		if s.hidden {
			continue
		}
		c := s.Bounds().Intersect(r)
		if c.Empty() {
			continue
		}
		for y := c.Y0; y < c.Y1; y++ {
			src := s.pix[(y-s.y)*s.w+(c.X0-s.x) : (y-s.y)*s.w+(c.X1-s.x)]
			dst := sc.pix[y*sc.w+c.X0 : y*sc.w+c.X1]
			for i, p := range src {
				if p >= 0 {
					dst[i] = uint8(p)
				}
			}
		}
	}
	return r
}

// Pixels returns the composited picture, row-major W x H, as of the last
// Compose (a view).
func (sc *Scene) Pixels() []uint8 { return sc.pix }

// HitTest returns the topmost visible sprite solid at cell (x, y), or nil.
func (sc *Scene) HitTest(x, y int) *Sprite {
	for i := len(sc.sprites) - 1; i >= 0; i-- {
		if s := sc.sprites[i]; s.Solid(x, y) {
			return s
		}
	}
	return nil
}

// Blocked reports whether s would collide with another sprite of the scene,
// or leave the play area, if it were moved by (dx, dy).
func (sc *Scene) Blocked(s *Sprite, dx, dy int) bool {
	b := s.Bounds()
	if b.X0+dx < 0 || b.Y0+dy < 0 || b.X1+dx > sc.w || b.Y1+dy > sc.h {
		return true
	}
	s.x += dx
	s.y += dy
	hit := false
	for _, t := range sc.sprites {
		if Collides(s, t) {
			hit = true
			break
		}
	}
	s.x -= dx
	s.y -= dy
	return hit
}

// TryMove moves s by (dx, dy) unless that collides (see Blocked) and reports
// whether it moved.
func (sc *Scene) TryMove(s *Sprite, dx, dy int) bool {
	if sc.Blocked(s, dx, dy) {
		return false
	}
	s.Move(dx, dy)
	return true
}
