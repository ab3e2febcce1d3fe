package wrappers

import (
	"context"
	"fmt"
	"reflect"
	"slices"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/internal/diff"
	"github.com/arcgym/arcgym/spaces"
)

// CellMask decides which cells of a frame are worth clicking: it sets
// allowed[y*64+x] for every cell (x, y) of frame (64x64, row-major) that
// ACTION6 may target. Both slices hold arc.FrameCells entries.
type CellMask func(frame []uint8, allowed []bool)

// NonBackground allows the cells whose colour differs from the background,
// the most frequent colour of the frame (the lowest colour index on a tie),
// so that clicks land on objects. ActionMask recognises it and keeps the
// mask up to date from the cells that changed since the last frame, rather
// than scanning the whole frame every step.
func NonBackground(frame []uint8, allowed []bool) {
	var hist [arc.NumColors]int
	for _, c := range frame {
		hist[c&(arc.NumColors-1)]++
	}
	bg := 0
	for c, n := range hist {
		if n > hist[bg] {
			bg = c
		}
	}
	for i, c := range frame {
		allowed[i] = int(c) != bg
	}
}

// MaskPolicy says what Step does with an action the mask forbids.
type MaskPolicy uint8

const (
	// MaskReject fails the Step with an error wrapping
	// arc.ErrActionNotAvailable and sends nothing (the default).
	MaskReject MaskPolicy = iota
	// MaskRemap replaces the action: a click on a forbidden cell moves to
	// the nearest allowed cell (squared Euclidean distance, the lowest
	// y*64+x on a tie), any other forbidden action becomes an allowed action
	// drawn at random (seeded). Info.Action reports what was applied.
	MaskRemap
)

// ActionMaskConfig configures an ActionMask; the zero value masks by
// available_actions only and rejects masked actions.
type ActionMaskConfig struct {
	// Cells, when set, restricts ACTION6 to the cells it allows. When it
	// allows no cell at all, every cell is allowed, so that a uniform frame
	// does not take ACTION6 away.
	Cells CellMask
	// Policy selects what happens to a masked action.
	Policy MaskPolicy
	// Seed seeds the random remapping; Reset with a seed reseeds it.
	Seed uint64
}

// Mask is the structured form of the action mask: the allowed action ids
// and, for ACTION6, the allowed cells.
type Mask struct {
	// IDs holds the allowed ids; ACTION6 is in it when any cell is allowed.
	IDs arc.ActionSet
	// Cells holds arc.FrameCells entries, row-major: Cells[y*64+x] allows
	// ACTION6 at (x, y). It is a view into the flat mask.
	Cells []bool
}

// Allows reports whether the mask allows a.
func (m Mask) Allows(a arc.Action) bool {
	if !m.IDs.Has(a.ID) {
		return false
	}
	if a.ID == arc.Action6 {
		return a.X < arc.GridSize && a.Y < arc.GridSize && m.Cells[int(a.Y)*arc.GridSize+int(a.X)]
	}
	return true
}

// cellState remembers what the ACTION6 part of the flat mask holds, so that
// it is rewritten only when it changes.
type cellState uint8

const (
	cellsNone cellState = iota
	cellsAll
	cellsSome
)

// ActionMask is a wrapper that computes the action mask after every Reset
// and Step from available_actions (and optionally the frame, for ACTION6),
// publishes it in Info.Mask in the flat layout of package spaces, and
// enforces it on Step according to its policy.
type ActionMask struct {
	// into steps inner in place (env.Into).
	into env.StepperInto
	// out receives the steps of Step, which the layers below write
	// into in place (StepInto).
	out env.Step
	inner
	cfg     ActionMaskConfig
	life    lifecycle
	flat    []bool
	mask    Mask
	cells   cellState
	sampler *spaces.Action
	bg      *backgroundMask // set when cfg.Cells is NonBackground
}

// NewActionMask wraps e with an action mask.
func NewActionMask(e env.Env, cfg ActionMaskConfig) (*ActionMask, error) {
	if e == nil {
		return nil, fmt.Errorf("wrappers: action mask needs an env")
	}
	if cfg.Policy > MaskRemap {
		return nil, fmt.Errorf("wrappers: unknown mask policy %d", cfg.Policy)
	}
	flat := make([]bool, spaces.FlatSize)
	s := spaces.NewAction(arc.ActionSetOf(arc.Action1, arc.Action2, arc.Action3, arc.Action4, arc.Action5, arc.Action6, arc.Action7))
	s.Seed(cfg.Seed)
	w := &ActionMask{
		inner:   e,
		into:    env.Into(e),
		cfg:     cfg,
		flat:    flat,
		mask:    Mask{Cells: flat[spaces.FlatAction6:]},
		sampler: s,
	}
	if cfg.Cells != nil && reflect.ValueOf(cfg.Cells).Pointer() == reflect.ValueOf(NonBackground).Pointer() {
		w.bg = &backgroundMask{}
	}
	return w, nil
}

// Wrap implements env.Wrapper: NewActionMask(e, c).
func (c ActionMaskConfig) Wrap(e env.Env) (env.Env, error) { return wrapped(NewActionMask(e, c)) }

// Unwrap returns the wrapped Env.
func (w *ActionMask) Unwrap() env.Env { return w.inner }

// Mask returns the current mask (a view, valid until the next call).
func (w *ActionMask) Mask() Mask { return w.mask }

// Reset resets the wrapped Env and computes the first mask.
func (w *ActionMask) Reset(ctx context.Context, opts env.ResetOptions) (env.Obs, env.Info, error) {
	obs, info, err := w.life.resetInner(ctx, w.inner, opts)
	if err != nil {
		return obs, info, err
	}
	if opts.HasSeed {
		w.sampler.Seed(uint64(opts.Seed))
	}
	w.update(&info)
	return obs, info, nil
}

// Step enforces the mask on a, steps the wrapped Env and computes the next
// mask.
func (w *ActionMask) Step(ctx context.Context, a arc.Action) (env.Step, error) {
	err := w.StepInto(ctx, a, &w.out)
	return w.out, err
}

// StepInto is Step with the result left in *st (see env.StepperInto).
func (w *ActionMask) StepInto(ctx context.Context, a arc.Action, st *env.Step) error {
	if err := w.life.stepErr(); err != nil {
		return failStep(st, err)
	}
	if spaces.Flatten(a) >= 0 && !w.mask.Allows(a) {
		if w.cfg.Policy == MaskReject {
			return failStep(st, fmt.Errorf("%w: %s is masked; allowed ids %v", arc.ErrActionNotAvailable, a, w.mask.IDs))
		}
		a = w.remap(a)
	}
	if err := w.into.StepInto(ctx, a, st); err != nil {
		return err
	}
	w.life.step(st)
	w.update(&st.Info)
	return nil
}

// Close closes the wrapped Env.
func (w *ActionMask) Close() error {
	w.life.close()
	return w.inner.Close()
}

func (w *ActionMask) remap(a arc.Action) arc.Action {
	if a.ID == arc.Action6 && w.mask.IDs.Has(arc.Action6) {
		return w.nearest(int(a.X), int(a.Y))
	}
	b, ok := w.sampler.Sample(w.flat)
	if !ok {
		return a
	}
	b.Reasoning = a.Reasoning
	return b
}

func (w *ActionMask) nearest(x, y int) arc.Action {
	i := nearestCell(w.mask.Cells, x, y)
	return arc.Click(i%arc.GridSize, i/arc.GridSize)
}

// nearestCell returns the allowed cell nearest to (x, y) by squared
// Euclidean distance, the lowest index y*64+x on a tie; cells must allow
// at least one. It searches rows outwards from y and stops once a row is
// farther than the best cell found, so that it reads a few rows where the
// allowed cells are dense rather than the whole frame.
func nearestCell(cells []bool, x, y int) int {
	best, bestD := -1, 1<<30
	consider := func(row, dy int) {
		line := cells[row*arc.GridSize : (row+1)*arc.GridSize]
		for dx := 0; dx < arc.GridSize; dx++ {
			if d := dx*dx + dy*dy; d > bestD {
				return
			}
			// The left cell first: it has the lower index.
			for _, cx := range [2]int{x - dx, x + dx} {
				if cx < 0 || cx >= arc.GridSize || !line[cx] {
					continue
				}
				d, i := dx*dx+dy*dy, row*arc.GridSize+cx
				if d < bestD || d == bestD && i < best {
					best, bestD = i, d
				}
			}
		}
	}
	for dy := 0; dy < arc.GridSize && dy*dy <= bestD; dy++ {
		if y-dy >= 0 {
			consider(y-dy, dy)
		}
		if dy > 0 && y+dy < arc.GridSize {
			consider(y+dy, dy)
		}
	}
	return best
}

func (w *ActionMask) update(info *env.Info) {
	ids := info.Available &^ arc.ActionSetOf(arc.Reset)
	spaces.SimpleMask(w.flat, ids)
	cells := w.mask.Cells
	switch {
	case !ids.Has(arc.Action6):
		if w.cells != cellsNone {
			clear(cells)
			w.cells = cellsNone
		}
	case w.cfg.Cells == nil:
		if w.cells != cellsAll {
			fill(cells, true)
			w.cells = cellsAll
		}
	default:
		n := info.Frames.Len()
		if n < arc.FrameCells {
			fill(cells, true)
			w.cells = cellsAll
			break
		}
		frame := info.Frames.Data[n-arc.FrameCells:]
		var some bool
		if w.bg != nil {
			some = w.bg.update(frame, cells, w.cells == cellsSome)
		} else {
			w.cfg.Cells(frame, cells)
			some = slices.Contains(cells, true)
		}
		w.cells = cellsSome
		if !some {
			fill(cells, true)
			w.cells = cellsAll
		}
	}
	w.mask.IDs = ids
	info.Mask = w.flat
}

func fill(b []bool, v bool) {
	for i := range b {
		b[i] = v
	}
}

// backgroundMask keeps NonBackground's mask of the last frame up to date
// from the cells that change: the colour histogram and the mask follow the
// changed cells, and the whole mask is rewritten only when the background
// colour changes.
type backgroundMask struct {
	prev [arc.FrameCells]uint8
	hist [arc.NumColors]int
	bg   int
}

// update sets allowed to NonBackground(frame) and reports whether it allows
// any cell. current says that allowed still holds the mask of the frame
// before (nothing else wrote it since), so that only changes are applied.
func (m *backgroundMask) update(frame []uint8, allowed []bool, current bool) bool {
	if !current {
		m.hist = [arc.NumColors]int{}
		for _, c := range frame {
			m.hist[c&(arc.NumColors-1)]++
		}
		m.bg = commonest(&m.hist)
		diff.NotEqual(allowed, frame, uint8(m.bg))
		copy(m.prev[:], frame)
		return m.hist[m.bg] < arc.FrameCells || slices.Contains(allowed, true)
	}
	diff.Track(m.prev[:], frame[:arc.FrameCells], allowed[:arc.FrameCells], uint8(m.bg), &m.hist)
	if bg := commonest(&m.hist); bg != m.bg {
		m.bg = bg
		diff.NotEqual(allowed, frame, uint8(bg))
	}
	// Cells of colours past 15 share a histogram entry with a colour of
	// 0..15, so a full background entry is checked against the mask.
	return m.hist[m.bg] < arc.FrameCells || slices.Contains(allowed, true)
}

// commonest returns the most frequent colour of a histogram, the lowest on
// a tie.
func commonest(hist *[arc.NumColors]int) int {
	bg := 0
	for c, n := range hist {
		if n > hist[bg] {
			bg = c
		}
	}
	return bg
}
