package render

import (
	"image/color"

	"github.com/arcgym/arcgym/arc"
)

// Palette holds the RGB value of every ARC colour index.
var Palette = [arc.NumColors]color.RGBA{
	{0xFF, 0xFF, 0xFF, 0xFF}, // 0 white
	{0xCC, 0xCC, 0xCC, 0xFF}, // 1 very light grey
	{0x99, 0x99, 0x99, 0xFF}, // 2 light grey
	{0x66, 0x66, 0x66, 0xFF}, // 3 grey
	{0x33, 0x33, 0x33, 0xFF}, // 4 dark grey
	{0x00, 0x00, 0x00, 0xFF}, // 5 black
	{0xE5, 0x3A, 0xA3, 0xFF}, // 6 magenta
	{0xFF, 0x7B, 0xCC, 0xFF}, // 7 pink
	{0xF9, 0x3C, 0x31, 0xFF}, // 8 red
	{0x1E, 0x93, 0xFF, 0xFF}, // 9 blue
	{0x88, 0xD8, 0xF1, 0xFF}, // 10 light blue
	{0xFF, 0xDC, 0x00, 0xFF}, // 11 yellow
	{0xFF, 0x85, 0x1B, 0xFF}, // 12 orange
	{0x92, 0x12, 0x31, 0xFF}, // 13 maroon
	{0x4F, 0xCC, 0x30, 0xFF}, // 14 green
	{0xA3, 0x56, 0xD6, 0xFF}, // 15 purple
}

// ColorNames holds the name of every ARC colour index.
var ColorNames = [arc.NumColors]string{
	"white", "very light grey", "light grey", "grey", "dark grey", "black", "magenta", "pink",
	"red", "blue", "light blue", "yellow", "orange", "maroon", "green", "purple",
}

// ColorPalette returns Palette as an image/color palette, index for index,
// ready for image.Paletted.
func ColorPalette() color.Palette {
	p := make(color.Palette, arc.NumColors)
	for i, c := range Palette {
		p[i] = c
	}
	return p
}
