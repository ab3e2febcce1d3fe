package engine

// Rect is a half-open rectangle of cells: X0 <= x < X1, Y0 <= y < Y1.
type Rect struct {
	X0, Y0, X1, Y1 int
}

// RectWH returns the rectangle of size w x h whose top-left cell is (x, y).
func RectWH(x, y, w, h int) Rect { return Rect{x, y, x + w, y + h} }

// Empty reports whether r holds no cell.
func (r Rect) Empty() bool { return r.X0 >= r.X1 || r.Y0 >= r.Y1 }

// Dx returns the width of r.
func (r Rect) Dx() int { return r.X1 - r.X0 }

// Dy returns the height of r.
func (r Rect) Dy() int { return r.Y1 - r.Y0 }

// Contains reports whether cell (x, y) lies in r.
func (r Rect) Contains(x, y int) bool { return x >= r.X0 && x < r.X1 && y >= r.Y0 && y < r.Y1 }

// Union returns the smallest rectangle holding r and o; an empty operand is
// ignored.
func (r Rect) Union(o Rect) Rect {
	if r.Empty() {
		return o
	}
	if o.Empty() {
		return r
	}
	return Rect{min(r.X0, o.X0), min(r.Y0, o.Y0), max(r.X1, o.X1), max(r.Y1, o.Y1)}
}

// Intersect returns the cells common to r and o (possibly empty).
func (r Rect) Intersect(o Rect) Rect {
	i := Rect{max(r.X0, o.X0), max(r.Y0, o.Y0), min(r.X1, o.X1), min(r.Y1, o.Y1)}
	if i.Empty() {
		return Rect{}
	}
	return i
}

// Overlaps reports whether r and o share at least one cell.
func (r Rect) Overlaps(o Rect) bool { return !r.Intersect(o).Empty() }
