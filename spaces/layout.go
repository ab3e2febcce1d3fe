package spaces

import (
	"fmt"

	"github.com/arcgym/arcgym/arc"
)

// Layout numbers the actions of a set of action ids 0..N()-1, the order of
// a policy's logits and of its action masks: the payload-free ids of the
// set in increasing order (ACTION1..ACTION5, ACTION7), then, when the set
// holds ACTION6, one index per cell, y*64 + x after them. A policy over a
// game with five keyboard actions thus has five logits, and one over a
// click-only game a 64x64 map.
//
// Full is the layout of every action, which is Flatten's; Compact(avail)
// is a game's own. Conversions between a layout's indices and actions are
// fixed-length (dst as long as the source) and allocate nothing.
type Layout struct {
	set    arc.ActionSet
	simple int                            // number of payload-free ids
	ids    [arc.NumActionIDs]arc.ActionID // the payload-free ids, in index order
	index  [arc.NumActionIDs]int8         // per id: its index, or -1 (ACTION6: -1)
	click  bool
}

// Full is the layout of all seven actions, FlatSize wide: index i is
// Flatten's flat index i.
var Full = Compact(arc.ActionSetOf(arc.Action1, arc.Action2, arc.Action3, arc.Action4, arc.Action5, arc.Action6, arc.Action7))

// Compact returns the layout of the actions in avail (RESET and unknown ids
// are left out).
func Compact(avail arc.ActionSet) *Layout {
	l := &Layout{}
	for i := range l.index {
		l.index[i] = -1
	}
	for id := arc.Action1; id <= arc.Action7; id++ {
		if !avail.Has(id) {
			continue
		}
		l.set = l.set.With(id)
		if id == arc.Action6 {
			l.click = true
			continue
		}
		l.index[id] = int8(l.simple)
		l.ids[l.simple] = id
		l.simple++
	}
	return l
}

// N returns the number of indices: the payload-free actions, plus 4,096
// cells when the layout has ACTION6.
func (l *Layout) N() int {
	if l.click {
		return l.simple + arc.FrameCells
	}
	return l.simple
}

// Set returns the action ids of the layout.
func (l *Layout) Set() arc.ActionSet { return l.set }

// Simple returns the number of payload-free actions, whose indices come
// first.
func (l *Layout) Simple() int { return l.simple }

// Click reports whether the layout has ACTION6; its cells are indices
// Simple()..N()-1.
func (l *Layout) Click() bool { return l.click }

// String describes the layout.
func (l *Layout) String() string { return fmt.Sprintf("Layout(%v, %d indices)", l.set, l.N()) }

// Index returns the index of a, or -1 when a is not in the layout (an id
// outside it, RESET, or a click off the grid).
func (l *Layout) Index(a arc.Action) int {
	switch {
	case a.ID == arc.Action6:
		if !l.click || a.X >= arc.GridSize || a.Y >= arc.GridSize {
			return -1
		}
		return l.simple + int(a.Y)*arc.GridSize + int(a.X)
	case a.ID < arc.NumActionIDs:
		return int(l.index[a.ID])
	}
	return -1
}

// Action returns the action at index i; ok is false outside 0..N()-1.
func (l *Layout) Action(i int) (a arc.Action, ok bool) {
	switch {
	case i < 0:
		return arc.Action{}, false
	case i < l.simple:
		return arc.Action{ID: l.ids[i]}, true
	case l.click && i < l.simple+arc.FrameCells:
		c := i - l.simple
		return arc.Click(c%arc.GridSize, c/arc.GridSize), true
	}
	return arc.Action{}, false
}

// Actions writes the action of each index of idx into dst, which must be as
// long as idx. An index outside the layout fails with arc.ErrInvalidAction
// and leaves the rest of dst unspecified.
func (l *Layout) Actions(dst []arc.Action, idx []int) error {
	if len(dst) != len(idx) {
		return fmt.Errorf("spaces: %d actions for %d indices", len(dst), len(idx))
	}
	for r, i := range idx {
		a, ok := l.Action(i)
		if !ok {
			return fmt.Errorf("spaces: index %d of row %d outside %v: %w", i, r, l, arc.ErrInvalidAction)
		}
		dst[r] = a
	}
	return nil
}

// Indices writes the index of each action of acts into dst, which must be
// as long as acts. An action outside the layout fails with
// arc.ErrInvalidAction.
func (l *Layout) Indices(dst []int, acts []arc.Action) error {
	if len(dst) != len(acts) {
		return fmt.Errorf("spaces: %d indices for %d actions", len(dst), len(acts))
	}
	for r, a := range acts {
		i := l.Index(a)
		if i < 0 {
			return fmt.Errorf("spaces: action %v of row %d outside %v: %w", a, r, l, arc.ErrInvalidAction)
		}
		dst[r] = i
	}
	return nil
}

// Mask writes into dst (length N()) the mask of the actions of avail: true
// at the indices of its payload-free ids, and at every cell when it has
// ACTION6. Ids outside the layout are ignored.
func (l *Layout) Mask(dst []bool, avail arc.ActionSet) error {
	if len(dst) != l.N() {
		return fmt.Errorf("%w: length %d for %v", ErrInvalidMask, len(dst), l)
	}
	for i := range l.simple {
		dst[i] = avail.Has(l.ids[i])
	}
	if l.click {
		cells, on := dst[l.simple:], avail.Has(arc.Action6)
		for c := range cells {
			cells[c] = on
		}
	}
	return nil
}

// FromFlat writes into dst (length N()) the layout's part of flat, a mask
// in Flatten's layout (length FlatSize), as an action-masking wrapper
// fills env.Info.Mask. Entries of flat outside the layout are dropped.
func (l *Layout) FromFlat(dst, flat []bool) error {
	if len(dst) != l.N() || len(flat) != FlatSize {
		return fmt.Errorf("%w: lengths %d and %d for %v from a flat mask of %d", ErrInvalidMask, len(dst), len(flat), l, FlatSize)
	}
	for i := range l.simple {
		dst[i] = flat[Flatten(arc.Action{ID: l.ids[i]})]
	}
	if l.click {
		copy(dst[l.simple:], flat[FlatAction6:])
	}
	return nil
}

// ToFlat writes mask, in the layout (length N()), into flat (length
// FlatSize), Flatten's layout: the actions outside the layout are not
// allowed.
func (l *Layout) ToFlat(flat, mask []bool) error {
	if len(mask) != l.N() || len(flat) != FlatSize {
		return fmt.Errorf("%w: lengths %d and %d for %v into a flat mask of %d", ErrInvalidMask, len(mask), len(flat), l, FlatSize)
	}
	clear(flat[:FlatAction6])
	for i := range l.simple {
		flat[Flatten(arc.Action{ID: l.ids[i]})] = mask[i]
	}
	if l.click {
		copy(flat[FlatAction6:], mask[l.simple:])
	} else {
		clear(flat[FlatAction6:])
	}
	return nil
}
