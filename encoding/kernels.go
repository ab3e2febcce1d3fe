package encoding

import "unsafe"

// The kernels below assume validated input: every source byte is a colour
// 0..15 and every slice has the length its layout implies. Indexing by c&15
// keeps the compiler from emitting bounds checks on the tables, and writing
// each output element exactly once, front to back, keeps the stores
// streaming.

// elem is an element type encoders write.
type elem interface{ ~uint8 | ~float32 | ~float64 }

// tables holds the precomputed values each encoder copies into its output.
type tables[T elem] struct {
	// onehot[c] is the one-hot pattern of colour c.
	onehot [Colors][Colors]T
	// scaled[c] is c/15; raw[c] is c.
	scaled, raw [Colors]T
	// changed[a^b] is 1 when colours a and b differ.
	changed [Colors]T
	// signed[(b+15-a)&31] is (b-a)/15.
	signed [32]T
}

func newTables[T elem]() *tables[T] {
	t := new(tables[T])
	for c := range Colors {
		t.onehot[c][c] = 1
		t.raw[c] = T(c)
		t.scaled[c] = T(c) / (Colors - 1)
		if c != 0 {
			t.changed[c] = 1
		}
	}
	for d := -(Colors - 1); d < Colors; d++ {
		t.signed[(d+Colors-1)&31] = T(d) / (Colors - 1)
	}
	return t
}

var (
	tabF32 = newTables[float32]()
	tabF64 = newTables[float64]()
	tabU8  = newTables[uint8]()
)

// oneHotCHW writes, for every source frame, its 16 colour planes. Where an
// assembly kernel exists it compares a plane at a time (see accel_amd64.go);
// the portable code clears the frame's block and then sets a single 1 per
// cell: clearing runs at memset speed and the block (256 KiB for float32)
// stays in the core's cache until the scattered stores land, which measured
// three times faster in Go than comparing every plane against the source.
func oneHotCHW[T elem](dst []T, src []uint8) {
	if accelOneHotCHW(dst, src) {
		return
	}
	for f := range len(src) / Cells {
		d := (*[Colors * Cells]T)(dst[f*Colors*Cells:])
		s := (*[Cells]uint8)(src[f*Cells:])
		clear(d[:])
		for i, c := range s {
			d[int(c&(Colors-1))<<12|i] = 1
		}
	}
}

// oneHotHWC writes 16 channels per cell and source frame: for every cell,
// the patterns of the stack frames one after the other.
func oneHotHWC[T elem](dst []T, src []uint8, stack int, pat *[Colors][Colors]T) {
	per := stack * Cells
	if per == 0 || accelOneHotHWC(dst, src, stack) {
		return
	}
	if stack == 1 {
		for f := range len(src) / Cells {
			// The length-checked conversion to a flat array makes the
			// reinterpretation as rows of patterns safe.
			d := (*[Cells][Colors]T)(unsafe.Pointer((*[Colors * Cells]T)(dst[f*Colors*Cells:])))
			s := (*[Cells]uint8)(src[f*Cells:])
			for i, c := range s {
				d[i] = pat[c&(Colors-1)]
			}
		}
		return
	}
	for g := range len(src) / per {
		frames := src[g*per : (g+1)*per]
		d := dst[g*per*Colors : (g+1)*per*Colors]
		o := 0
		for i := range Cells {
			for j := range stack {
				*(*[Colors]T)(d[o:]) = pat[frames[j*Cells+i]&(Colors-1)]
				o += Colors
			}
		}
	}
}

// lookup maps every cell through a 16-entry table.
func lookup[T elem](dst []T, src []uint8, lut *[Colors]T) {
	if accelLookup(dst, src, lut) {
		return
	}
	dst = dst[:len(src)]
	for i, c := range src {
		dst[i] = lut[c&(Colors-1)]
	}
}

// changed writes, for every group of stack frames, the stack-1 planes of 1
// where consecutive frames differ.
func changed[T elem](dst []T, src []uint8, stack int, lut *[Colors]T) {
	per := stack * Cells
	if stack < 2 {
		return
	}
	for g := range len(src) / per {
		for j := range stack - 1 {
			a := (*[Cells]uint8)(src[g*per+j*Cells:])
			b := (*[Cells]uint8)(src[g*per+(j+1)*Cells:])
			d := (*[Cells]T)(dst[(g*(stack-1)+j)*Cells:])
			for i := range Cells {
				d[i] = lut[(a[i]^b[i])&(Colors-1)]
			}
		}
	}
}

// signed writes, for every group of stack frames, the stack-1 planes of
// (next-previous)/15.
func signed[T elem](dst []T, src []uint8, stack int, lut *[32]T) {
	per := stack * Cells
	if stack < 2 {
		return
	}
	for g := range len(src) / per {
		for j := range stack - 1 {
			a := (*[Cells]uint8)(src[g*per+j*Cells:])
			b := (*[Cells]uint8)(src[g*per+(j+1)*Cells:])
			d := (*[Cells]T)(dst[(g*(stack-1)+j)*Cells:])
			for i := range Cells {
				d[i] = lut[(b[i]+(Colors-1)-a[i])&31]
			}
		}
	}
}
