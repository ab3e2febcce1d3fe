package render

import (
	"fmt"
	"image"
	"image/gif"
	"image/png"
	"io"

	"github.com/arcgym/arcgym/arc"
)

// MaxScale bounds the pixels per cell of rendered images.
const MaxScale = 64

// Image returns frame (64x64 colour indices) as a paletted image in the ARC
// palette, each cell drawn as a scale x scale square.
func Image(frame []uint8, scale int) (*image.Paletted, error) {
	if err := checkImage(frame, scale); err != nil {
		return nil, err
	}
	n := arc.GridSize * scale
	img := image.NewPaletted(image.Rect(0, 0, n, n), ColorPalette())
	draw(img, frame, scale)
	return img, nil
}

// checkImage checks that frame is one 64x64 frame of colours 0..15
// and scale is within 1..MaxScale.
func checkImage(frame []uint8, scale int) error {
	if scale < 1 || scale > MaxScale {
		return fmt.Errorf("render: scale %d is outside 1..%d", scale, MaxScale)
	}
	if err := arc.ValidateFrame(frame); err != nil {
		return fmt.Errorf("render: %w", err)
	}
	return nil
}

func draw(img *image.Paletted, frame []uint8, scale int) {
	for y := range arc.GridSize {
		row := img.Pix[y*scale*img.Stride : y*scale*img.Stride+arc.GridSize*scale]
		for x, c := range frame[y*arc.GridSize : (y+1)*arc.GridSize] {
			for k := range scale {
				row[x*scale+k] = c
			}
		}
		for k := 1; k < scale; k++ {
			copy(img.Pix[(y*scale+k)*img.Stride:], row)
		}
	}
}

// WritePNG writes frame to w as a PNG image at scale pixels per cell.
func WritePNG(w io.Writer, frame []uint8, scale int) error {
	img, err := Image(frame, scale)
	if err != nil {
		return err
	}
	return png.Encode(w, img)
}

// Animation collects frames for an animated GIF in the ARC palette.
type Animation struct {
	// Scale is the number of pixels per cell (default 4).
	Scale int
	// Delay is the time each frame shows, in hundredths of a second
	// (default 10).
	Delay int
	g     gif.GIF
}

// Len returns the number of frames collected.
func (a *Animation) Len() int { return len(a.g.Image) }

// Add appends a copy of frame.
func (a *Animation) Add(frame []uint8) error {
	if a.Scale == 0 {
		a.Scale = 4
	}
	if a.Delay == 0 {
		a.Delay = 10
	}
	img, err := Image(frame, a.Scale)
	if err != nil {
		return err
	}
	a.g.Image = append(a.g.Image, img)
	a.g.Delay = append(a.g.Delay, a.Delay)
	return nil
}

// Reset drops the frames collected, keeping the settings.
func (a *Animation) Reset() {
	a.g.Image = a.g.Image[:0]
	a.g.Delay = a.g.Delay[:0]
}

// WriteGIF writes the collected frames to w as a looping animated GIF.
func (a *Animation) WriteGIF(w io.Writer) error {
	if len(a.g.Image) == 0 {
		return fmt.Errorf("render: animation has no frames")
	}
	return gif.EncodeAll(w, &a.g)
}
