package engine

// The sixteen colour indices of the ARC palette, named after the colours the
// reference renderer gives them.
const (
	White uint8 = iota
	VeryLightGrey
	LightGrey
	Grey
	DarkGrey
	Black
	Magenta
	Pink
	Red
	Blue
	LightBlue
	Yellow
	Orange
	Maroon
	Green
	Purple
)
