package spaces

import (
	"fmt"
	"math/rand/v2"
)

// maskElem is an element type a mask may hold: bool, or int8 0/1 as in
// Gymnasium.
type maskElem interface{ ~bool | ~int8 }

// checkMask verifies the length of a mask and that int8 entries are 0 or 1.
func checkMask[M maskElem](mask []M, n int) error {
	if len(mask) != n {
		return fmt.Errorf("%w: length %d, want %d", ErrInvalidMask, len(mask), n)
	}
	if m, ok := any(mask).([]int8); ok {
		for i, v := range m {
			if v != 0 && v != 1 {
				return fmt.Errorf("%w: entry %d is %d, want 0 or 1", ErrInvalidMask, i, v)
			}
		}
	}
	return nil
}

// pickMasked returns the index of a uniformly chosen allowed entry of mask,
// or -1 when none is allowed.
func pickMasked[M maskElem](rng *rand.Rand, mask []M) int {
	switch m := any(mask).(type) {
	case []bool:
		return pickBool(rng, m)
	case []int8:
		return pickInt8(rng, m)
	}
	return -1
}

func pickBool(rng *rand.Rand, mask []bool) int {
	k := 0
	for _, m := range mask {
		if m {
			k++
		}
	}
	if k == 0 {
		return -1
	}
	pick := rng.IntN(k)
	for i, m := range mask {
		if m {
			if pick == 0 {
				return i
			}
			pick--
		}
	}
	return -1
}

func pickInt8(rng *rand.Rand, mask []int8) int {
	k := 0
	for _, m := range mask {
		if m != 0 {
			k++
		}
	}
	if k == 0 {
		return -1
	}
	pick := rng.IntN(k)
	for i, m := range mask {
		if m != 0 {
			if pick == 0 {
				return i
			}
			pick--
		}
	}
	return -1
}

// asInt converts any Go integer to int; ok is false for other types and for
// values that do not fit.
func asInt(v any) (int, bool) {
	switch x := v.(type) {
	case int:
		return x, true
	case int8:
		return int(x), true
	case int16:
		return int(x), true
	case int32:
		return int(x), true
	case int64:
		return int(x), int64(int(x)) == x
	case uint:
		return int(x), x <= uint(maxInt)
	case uint8:
		return int(x), true
	case uint16:
		return int(x), true
	case uint32:
		return int(x), uint64(x) <= uint64(maxInt)
	case uint64:
		return int(x), x <= uint64(maxInt)
	}
	return 0, false
}

const maxInt = int(^uint(0) >> 1)

// orNil boxes a typed sample, or gives a nil value with the error.
func orNil[T any](v T, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return v, nil
}
