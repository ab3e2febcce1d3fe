package spaces

import (
	"fmt"

	"github.com/arcgym/arcgym/arc"
)

// The flat layout of ARC actions: ACTION1..ACTION5 at 0..4, ACTION7 at 5,
// then ACTION6 at every cell, 6 + y*64 + x.
const (
	// FlatAction6 is the flat index of ACTION6 at (0,0).
	FlatAction6 = 6
	// FlatSize is the number of flat action indices.
	FlatSize = FlatAction6 + arc.FrameCells
)

// Flatten maps an action to its flat index. RESET and unknown ids have none
// and give -1.
func Flatten(a arc.Action) int {
	switch {
	case a.ID >= arc.Action1 && a.ID <= arc.Action5:
		return int(a.ID) - 1
	case a.ID == arc.Action7:
		return 5
	case a.ID == arc.Action6 && a.X < arc.GridSize && a.Y < arc.GridSize:
		return FlatAction6 + int(a.Y)*arc.GridSize + int(a.X)
	}
	return -1
}

// Unflatten maps a flat index back to its action; ok is false outside
// 0..FlatSize-1.
func Unflatten(i int) (a arc.Action, ok bool) {
	switch {
	case i >= 0 && i < 5:
		return arc.Action{ID: arc.ActionID(i + 1)}, true
	case i == 5:
		return arc.Action{ID: arc.Action7}, true
	case i >= FlatAction6 && i < FlatSize:
		c := i - FlatAction6
		return arc.Action{ID: arc.Action6, X: uint8(c % arc.GridSize), Y: uint8(c / arc.GridSize)}, true
	}
	return arc.Action{}, false
}

// Action is the space of ARC game actions: any id in Available (ACTION1-7;
// RESET is never part of it), with ACTION6 at any of the 64x64 cells. Its
// elements are arc.Action values; flat indices (Flatten) are accepted by
// Contains too.
type Action struct {
	Available arc.ActionSet
	rng       *source
}

// NewAction returns the action space for a game offering avail; RESET is
// dropped from the set.
func NewAction(avail arc.ActionSet) *Action {
	return &Action{Available: avail &^ arc.ActionSetOf(arc.Reset), rng: newRand(0)}
}

// Contains accepts an arc.Action or a flat index (an int or any other Go
// integer type) of an available action.
func (s *Action) Contains(v any) bool {
	if x, ok := v.(arc.Action); ok {
		return Flatten(x) >= 0 && s.Available.Has(x.ID)
	}
	i, ok := asInt(v)
	if !ok {
		return false
	}
	a, ok := Unflatten(i)
	return ok && s.Available.Has(a.ID)
}

// Shape is nil: an action is a structured scalar.
func (s *Action) Shape() []int { return nil }

// Seed reseeds the sampler.
func (s *Action) Seed(seed uint64) { s.rng.seed(seed) }

// String describes the space.
func (s *Action) String() string { return fmt.Sprintf("Action(%v)", s.Available) }

// N returns the size of the flat space, FlatSize.
func (s *Action) N() int { return FlatSize }

// Mask writes the flat availability mask into dst (len FlatSize) and returns it.
func (s *Action) Mask(dst []bool) []bool {
	if len(dst) != FlatSize {
		dst = make([]bool, FlatSize)
	}
	AvailableMask(dst, s.Available)
	return dst
}

// SimpleMask writes the mask of the payload-free actions in avail into
// dst[:FlatAction6], leaving the ACTION6 cells alone.
func SimpleMask(dst []bool, avail arc.ActionSet) {
	for id := arc.Action1; id <= arc.Action7; id++ {
		if id != arc.Action6 {
			dst[Flatten(arc.Action{ID: id})] = avail.Has(id)
		}
	}
}

// AvailableMask writes the flat mask of the actions in avail into dst (len
// FlatSize): the simple actions at their indices and every ACTION6 cell
// when ACTION6 is available. RESET is never part of it.
func AvailableMask(dst []bool, avail arc.ActionSet) {
	SimpleMask(dst, avail)
	click := avail.Has(arc.Action6)
	cells := dst[FlatAction6:FlatSize]
	for i := range cells {
		cells[i] = click
	}
}

// Sample draws an action: an available id uniformly, then for ACTION6 a cell
// uniformly. With a non-nil flat mask (len FlatSize) only indices whose mask
// entry is true are drawn, still id first, then cell, so that the 4096
// ACTION6 cells do not swamp the other actions. ok is false when nothing is
// allowed, which includes a mask of the wrong length. Unlike Discrete there
// is no fallback value: no ARC action stands for "nothing".
func (s *Action) Sample(mask []bool) (a arc.Action, ok bool) {
	var ids [arc.NumActionIDs]arc.ActionID
	n := 0
	for id := arc.Action1; id <= arc.Action7; id++ {
		if !s.Available.Has(id) {
			continue
		}
		if mask != nil && !anyAllowed(id, mask) {
			continue
		}
		ids[n] = id
		n++
	}
	if n == 0 {
		return arc.Action{}, false
	}
	id := ids[s.rng.IntN(n)]
	if id != arc.Action6 {
		return arc.Action{ID: id}, true
	}
	if mask == nil {
		c := s.rng.IntN(arc.FrameCells)
		return arc.Click(c%arc.GridSize, c/arc.GridSize), true
	}
	cells := mask[FlatAction6:FlatSize]
	k := 0
	for _, m := range cells {
		if m {
			k++
		}
	}
	pick := s.rng.IntN(k)
	for c, m := range cells {
		if m {
			if pick == 0 {
				return arc.Click(c%arc.GridSize, c/arc.GridSize), true
			}
			pick--
		}
	}
	return arc.Action{}, false
}

func anyAllowed(id arc.ActionID, mask []bool) bool {
	if len(mask) != FlatSize {
		return false
	}
	if id != arc.Action6 {
		return mask[Flatten(arc.Action{ID: id})]
	}
	for _, m := range mask[FlatAction6:] {
		if m {
			return true
		}
	}
	return false
}

// SampleValue implements Sampler: mask is nil, or a flat mask of length
// FlatSize as []bool or as []int8 of 0 and 1, and the value an arc.Action.
// When the mask allows nothing the error wraps ErrInvalidMask.
func (s *Action) SampleValue(mask any) (any, error) {
	var m []bool
	switch x := mask.(type) {
	case nil:
	case []bool:
		if err := checkMask(x, FlatSize); err != nil {
			return nil, fmt.Errorf("%v: %w", s, err)
		}
		m = x
	case []int8:
		if err := checkMask(x, FlatSize); err != nil {
			return nil, fmt.Errorf("%v: %w", s, err)
		}
		m = make([]bool, FlatSize)
		for i, v := range x {
			m[i] = v != 0
		}
	default:
		return nil, fmt.Errorf("%w: %T for %v, want []bool or []int8", ErrInvalidMask, mask, s)
	}
	a, ok := s.Sample(m)
	if !ok {
		return nil, fmt.Errorf("%w: no available action is allowed by the mask of %v", ErrInvalidMask, s)
	}
	return a, nil
}
