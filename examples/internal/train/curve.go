package train

import (
	"fmt"
	"image/color"
	"os"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Series is one line of a learning curve: Y against X, X increasing.
type Series struct {
	Name string
	X, Y []float64
}

// Curve is a learning curve: one or more series over training steps. It is
// plain data, so it travels inside checkpoints and a resumed run goes on
// drawing the same curve.
type Curve struct {
	Title, XLabel, YLabel string
	Series                []Series
}

// Add appends the point (x, y) to the series named name, creating it.
func (c *Curve) Add(name string, x, y float64) {
	for i := range c.Series {
		if c.Series[i].Name == name {
			c.Series[i].X = append(c.Series[i].X, x)
			c.Series[i].Y = append(c.Series[i].Y, y)
			return
		}
	}
	c.Series = append(c.Series, Series{Name: name, X: []float64{x}, Y: []float64{y}})
}

// Get returns the series named name, or nil.
func (c *Curve) Get(name string) *Series {
	for i := range c.Series {
		if c.Series[i].Name == name {
			return &c.Series[i]
		}
	}
	return nil
}

// Plot builds the plot of the curve: one line with point markers per
// series, coloured from a fixed palette, and a legend.
func (c *Curve) Plot() (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = c.Title
	p.X.Label.Text = c.XLabel
	p.Y.Label.Text = c.YLabel
	p.Add(plotter.NewGrid())
	p.Legend.Top = true
	p.Legend.Left = true
	lo, hi := 0.0, 0.0
	for i, s := range c.Series {
		if len(s.X) == 0 {
			continue
		}
		xys := make(plotter.XYs, len(s.X))
		for j := range s.X {
			xys[j] = plotter.XY{X: s.X[j], Y: s.Y[j]}
			lo, hi = min(lo, s.Y[j]), max(hi, s.Y[j])
		}
		line, points, err := plotter.NewLinePoints(xys)
		if err != nil {
			return nil, fmt.Errorf("train: series %q: %w", s.Name, err)
		}
		col := palette[i%len(palette)]
		line.Color = col
		line.Width = vg.Points(1.5)
		points.Color = col
		points.Shape = draw.CircleGlyph{}
		points.Radius = vg.Points(1.5)
		if len(s.X) > 60 {
			p.Add(line)
		} else {
			p.Add(line, points)
		}
		p.Legend.Add(s.Name, line)
	}
	// Headroom above the data keeps the legend clear of the lines.
	span := max(hi-lo, 1e-9)
	p.Y.Min = lo
	p.Y.Max = hi + 0.1*span + 0.09*span*float64(len(c.Series))
	return p, nil
}

// palette holds distinguishable line colours.
var palette = []color.Color{
	color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff},
	color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff},
	color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff},
	color.RGBA{R: 0x7f, G: 0x7f, B: 0x7f, A: 0xff},
	color.RGBA{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff},
	color.RGBA{R: 0x94, G: 0x67, B: 0xbd, A: 0xff},
}

// SavePNG draws the curve into a PNG of 640x400 pixels at path, creating
// the directory when needed.
func (c *Curve) SavePNG(path string) error {
	p, err := c.Plot()
	if err != nil {
		return err
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("train: plot directory: %w", err)
		}
	}
	// 6.67 x 4.17 inches at the default 96 dpi of vgimg is 640x400 pixels.
	if err := p.Save(vg.Length(640)*vg.Inch/96, vg.Length(400)*vg.Inch/96, path); err != nil {
		return fmt.Errorf("train: save plot %s: %w", path, err)
	}
	return nil
}
