// Package render draws ARC frames in the ARC palette: as ANSI true-colour
// text for terminals, as PNG images and as animated GIFs of whole episodes.
//
// Palette holds the sixteen colours with their RGB values; command-line tools
// and notebooks use it to show frames the way the official toolkit does.
// Frames are 64x64 colour indices, row-major, as in package arc.
package render
