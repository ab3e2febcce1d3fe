package vector

import (
	"errors"
	"slices"

	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/spaces"
	"github.com/arcgym/arcgym/tensor"
)

// Batch holds the results of one call on a vector env, one row per
// sub-environment, in buffers that the vector env allocates once and reuses:
// the observations of all rows are one contiguous tensor. A Batch and
// everything it points to stay valid until the next call on the vector env.
//
// Rows are in sub-environment order for Reset, ResetMask and Step, and in
// order of completion for Async.Recv; EnvIDs names the sub-environment of
// each row.
type Batch struct {
	// EnvIDs[r] is the sub-environment of row r.
	EnvIDs []int
	// Obs holds the grids, shape (rows, obs shape...), e.g. (rows, 64, 64)
	// or (rows, k, 64, 64) over frame-stacking sub-environments.
	Obs tensor.U8
	// Float holds the float observations, shape (rows, float shape...),
	// when the sub-environments fill Obs.Float; it is empty otherwise.
	Float tensor.F32
	// Rewards, Terminated and Truncated are the step results of each row.
	Rewards    []float64
	Terminated []bool
	Truncated  []bool
	// First marks rows whose observation starts an episode: every row after
	// Reset, and rows that were autoreset.
	First []bool
	// Idle marks rows whose sub-environment ran no command in this call:
	// the rows that ResetMask left out. Their observation and info are
	// those of the previous call, with First, Errs and HasFinal cleared;
	// they hold no new transition.
	Idle []bool
	// Infos holds a copy of each row's info; its Frames, Mask and Episode
	// point into buffers of the Batch.
	Infos []env.Info
	// Errs holds each row's failure (an *EnvError) or nil. A failed row has
	// a reward of 0 and both flags false (except after a failed SameStep
	// autoreset, which keeps the ending step's reward and flags, and its
	// final observation); its observation and info are unspecified. The
	// other rows are valid.
	Errs []error

	// HasFinal marks rows whose episode ended and was reset in the same
	// step (SameStep mode only; nil in the other modes). For those rows
	// FinalObs, FinalFloat and FinalInfos hold the ending step's
	// observation and info; elsewhere they are unspecified.
	HasFinal   []bool
	FinalObs   tensor.U8
	FinalFloat tensor.F32
	FinalInfos []env.Info

	// Mask holds the action masks of the rows in Layout, row after row
	// (rows x Layout.N()), when a Masks vector wrapper fills them; nil
	// otherwise (Masks computes them on demand).
	Mask   []bool
	Layout *spaces.Layout
	// Episodes describes the episodes that ended in this batch when an
	// EpisodeStats vector wrapper tracks them; nil otherwise.
	Episodes *Episodes

	// copies owns the memory of the infos of a Batch made by Clone or
	// CopyInto; nil in a vector env's own Batch.
	copies *infoCopies
}

// infoCopies is what the infos of a copied Batch point into, per row.
type infoCopies struct {
	infos, finals []infoCopy
	episodes      *Episodes
}

type infoCopy struct {
	shape []int
	data  []uint8
	mask  []bool
	ep    env.EpisodeStats
}

// Clone returns a deep copy of b that no later call on the vector env
// changes: a Batch is a view into the vector env's buffers, overwritten by
// its next call (Gymnasium's vector envs copy by default; here copying is
// the caller's choice). To keep batches without allocating each time, use
// CopyInto.
func (b *Batch) Clone() *Batch { return b.CopyInto(nil) }

// CopyInto makes dst a deep copy of b and returns it; a nil dst is
// allocated. dst must be nil or a Batch from Clone or CopyInto, whose
// storage it reuses: copying into the same dst again allocates nothing
// once its buffers are large enough. Any other Batch (a vector env's own)
// is left as it is and a new one returned.
func (b *Batch) CopyInto(dst *Batch) *Batch {
	if dst == nil || dst.copies == nil {
		dst = &Batch{copies: &infoCopies{}}
	}
	dst.EnvIDs = copyOf(dst.EnvIDs, b.EnvIDs)
	copyU8(&dst.Obs, &b.Obs)
	copyF32(&dst.Float, &b.Float)
	dst.Rewards = copyOf(dst.Rewards, b.Rewards)
	dst.Terminated = copyOf(dst.Terminated, b.Terminated)
	dst.Truncated = copyOf(dst.Truncated, b.Truncated)
	dst.First = copyOf(dst.First, b.First)
	dst.Idle = copyOf(dst.Idle, b.Idle)
	dst.Errs = copyOf(dst.Errs, b.Errs)
	dst.HasFinal = copyOf(dst.HasFinal, b.HasFinal)
	copyU8(&dst.FinalObs, &b.FinalObs)
	copyF32(&dst.FinalFloat, &b.FinalFloat)
	dst.Mask, dst.Layout = copyOf(dst.Mask, b.Mask), b.Layout
	if b.Episodes == nil {
		dst.Episodes = nil
	} else {
		if dst.copies.episodes == nil {
			dst.copies.episodes = &Episodes{}
		}
		e := dst.copies.episodes
		e.Ended = copyOf(e.Ended, b.Episodes.Ended)
		e.Returns = copyOf(e.Returns, b.Episodes.Returns)
		e.Lengths = copyOf(e.Lengths, b.Episodes.Lengths)
		dst.Episodes = e
	}
	c := dst.copies
	dst.Infos, c.infos = copyInfos(dst.Infos, b.Infos, c.infos, &b.Obs, &dst.Obs)
	dst.FinalInfos, c.finals = copyInfos(dst.FinalInfos, b.FinalInfos, c.finals, &b.FinalObs, &dst.FinalObs)
	return dst
}

// copyOf copies src into dst's storage; nil stays nil.
func copyOf[T any](dst, src []T) []T {
	if src == nil {
		return nil
	}
	return append(dst[:0], src...)
}

func copyU8(dst, src *tensor.U8) {
	dst.Shape = copyOf(dst.Shape, src.Shape)
	dst.Data = copyOf(dst.Data, src.Data)
}

func copyF32(dst, src *tensor.F32) {
	dst.Shape = copyOf(dst.Shape, src.Shape)
	dst.Data = copyOf(dst.Data, src.Data)
}

// copyInfos deep-copies the infos src into dst, their frames, masks and
// episode statistics into own (one per row). Frames that are the row's
// observation in srcObs (one frame, the same memory) become a view of the
// row in dstObs, as in the vector env's own Batch.
func copyInfos(dst, src []env.Info, own []infoCopy, srcObs, dstObs *tensor.U8) ([]env.Info, []infoCopy) {
	if src == nil {
		return nil, own
	}
	dst = copyOf(dst, src)
	if len(own) < len(src) {
		own = append(own, make([]infoCopy, len(src)-len(own))...)
	}
	size := 0
	if len(src) > 0 {
		size = len(srcObs.Data) / len(src)
	}
	for r := range src {
		s, d, o := &src[r], &dst[r], &own[r]
		o.shape = copyOf(o.shape, s.Frames.Shape)
		d.Frames.Shape = o.shape
		switch f := s.Frames.Data; {
		case f == nil:
		case size > 0 && len(f) == size && len(srcObs.Data) >= (r+1)*size && &f[0] == &srcObs.Data[r*size]:
			d.Frames.Data = dstObs.Data[r*size : (r+1)*size]
		default:
			o.data = append(o.data[:0], f...)
			d.Frames.Data = o.data
		}
		if s.Mask != nil {
			o.mask = append(o.mask[:0], s.Mask...)
			d.Mask = o.mask
		}
		if s.Episode != nil {
			o.ep = *s.Episode
			d.Episode = &o.ep
		}
	}
	return dst, own
}

// Len returns the number of rows.
func (b *Batch) Len() int { return len(b.EnvIDs) }

// Done reports whether the episode of row r ended in this step.
func (b *Batch) Done(r int) bool { return b.Terminated[r] || b.Truncated[r] }

// Failed reports whether any row failed.
func (b *Batch) Failed() bool {
	for _, err := range b.Errs {
		if err != nil {
			return true
		}
	}
	return false
}

// Err joins the errors of the failed rows; it is nil when none failed.
func (b *Batch) Err() error {
	if !b.Failed() {
		return nil
	}
	return errors.Join(b.Errs...)
}

// Masks writes the action masks of all rows in layout l into dst, row
// after row (rows x l.N()), reusing dst's storage, and returns it; a nil l
// is spaces.Full, 4,102 wide. A row uses Info.Mask when an action-masking
// wrapper filled it and the available actions of Info.Available otherwise.
// It allocates nothing once dst is large enough.
func (b *Batch) Masks(dst []bool, l *spaces.Layout) []bool {
	if l == nil {
		l = spaces.Full
	}
	w := l.N()
	n := len(b.EnvIDs) * w
	if cap(dst) < n {
		dst = make([]bool, n)
	}
	dst = dst[:n]
	for r := range b.EnvIDs {
		row := dst[r*w : (r+1)*w]
		info := &b.Infos[r]
		// row has l's length: neither can fail.
		if len(info.Mask) == spaces.FlatSize {
			_ = l.FromFlat(row, info.Mask)
			continue
		}
		_ = l.Mask(row, info.Available)
	}
	return dst
}

// infoBuf owns the memory an info copy points into.
type infoBuf struct {
	frames []uint8
	shape  []int
	mask   []bool
	ep     env.EpisodeStats
}

// copyInfo makes dst a copy of src whose episode statistics and frame
// shape point into b. When src's frames are just the observation
// srcObs (one frame, the same memory), as for a plain Game's single-frame
// steps, they become a view of dstObs, the observation's copy in the batch,
// and are not copied twice. Other frames (several per step, as animations
// give) and the action mask are copied into b when own is set; otherwise
// dst shares them with src: the caller knows that src's frames stay as they are as long as the
// batch is valid. A sub-environment's frames do: it runs its next command
// only in a later call on the vector env, except the reset that follows a
// SameStep final step, whose frames are copied.
func (b *infoBuf) copyInfo(dst, src *env.Info, srcObs, dstObs []uint8, own bool) {
	*dst = *src
	if !slices.Equal(b.shape, src.Frames.Shape) {
		// Written only when it changes: the small shape arrays of
		// neighbouring rows may share a cache line across workers.
		b.shape = append(b.shape[:0], src.Frames.Shape...)
	}
	frames := src.Frames.Data
	switch {
	case len(frames) > 0 && len(frames) == len(srcObs) && &frames[0] == &srcObs[0]:
		dst.Frames = tensor.U8{Shape: b.shape, Data: dstObs}
	case own:
		b.frames = append(b.frames[:0], frames...)
		dst.Frames = tensor.U8{Shape: b.shape, Data: b.frames}
	default:
		dst.Frames = tensor.U8{Shape: b.shape, Data: frames}
	}
	if src.Mask != nil && own {
		// A flat mask is 4 KiB, as much as the observation: shared like
		// the frames unless own.
		b.mask = append(b.mask[:0], src.Mask...)
		dst.Mask = b.mask
	}
	if src.Episode != nil {
		b.ep = *src.Episode
		dst.Episode = &b.ep
	}
}

// rows holds the per-row storage of a Batch of up to cap rows.
type rows struct {
	b      Batch
	infos  []infoBuf
	finals []infoBuf
	// obsShape and floatShape are (rows, single shape...) for the views.
	obsShape, floatShape []int
	obsSize, floatSize   int
	obsData, finalData   []uint8
	floatData, finalF    []float32
}

func newRows(n int, single []int, sameStep bool) *rows {
	size := tensor.Size(single)
	r := &rows{
		infos:    make([]infoBuf, n),
		obsShape: append([]int{n}, single...),
		obsSize:  size,
		obsData:  make([]uint8, n*size),
	}
	r.b = Batch{
		EnvIDs:     make([]int, n),
		Rewards:    make([]float64, n),
		Terminated: make([]bool, n),
		Truncated:  make([]bool, n),
		First:      make([]bool, n),
		Idle:       make([]bool, n),
		Infos:      make([]env.Info, n),
		Errs:       make([]error, n),
	}
	r.b.Obs = tensor.U8{Shape: r.obsShape, Data: r.obsData}
	if sameStep {
		r.finals = make([]infoBuf, n)
		r.finalData = make([]uint8, n*size)
		r.b.HasFinal = make([]bool, n)
		r.b.FinalInfos = make([]env.Info, n)
		r.b.FinalObs = tensor.U8{Shape: r.obsShape, Data: r.finalData}
	}
	return r
}

// setFloat allocates the float storage for single-row shape shape.
func (r *rows) setFloat(shape []int) {
	n := len(r.b.EnvIDs)
	r.floatSize = tensor.Size(shape)
	r.floatShape = append([]int{n}, shape...)
	r.floatData = make([]float32, n*r.floatSize)
	r.b.Float = tensor.F32{Shape: r.floatShape, Data: r.floatData}
	if r.b.HasFinal != nil {
		r.finalF = make([]float32, n*r.floatSize)
		r.b.FinalFloat = tensor.F32{Shape: r.floatShape, Data: r.finalF}
	}
}

// view narrows the batch to its first k rows; the shapes are the Batch's
// own, so the change costs no allocation.
func (r *rows) view(k int) *Batch {
	b := &r.b
	r.obsShape[0] = k
	full := cap(b.EnvIDs)
	b.EnvIDs = b.EnvIDs[:k:full]
	b.Rewards = b.Rewards[:k:full]
	b.Terminated = b.Terminated[:k:full]
	b.Truncated = b.Truncated[:k:full]
	b.First = b.First[:k:full]
	b.Idle = b.Idle[:k:full]
	b.Infos = b.Infos[:k:full]
	b.Errs = b.Errs[:k:full]
	b.Obs.Data = r.obsData[:k*r.obsSize]
	if r.floatShape != nil {
		r.floatShape[0] = k
		b.Float.Data = r.floatData[:k*r.floatSize]
	}
	if b.HasFinal != nil {
		b.HasFinal = b.HasFinal[:k:full]
		b.FinalInfos = b.FinalInfos[:k:full]
		b.FinalObs.Data = r.finalData[:k*r.obsSize]
		if r.floatShape != nil {
			b.FinalFloat.Data = r.finalF[:k*r.floatSize]
		}
	}
	return b
}

// copyRow copies row i of src into row r, deep-copying the infos.
func (r *rows) copyRow(k int, src *rows, i int) {
	d, s := &r.b, &src.b
	d.EnvIDs[k] = s.EnvIDs[i]
	srcObs := src.obsData[i*src.obsSize : (i+1)*src.obsSize]
	dstObs := r.obsData[k*r.obsSize : (k+1)*r.obsSize]
	copy(dstObs, srcObs)
	if src.floatData != nil {
		if r.floatData == nil {
			r.setFloat(src.floatShape[1:])
		}
		copy(r.floatData[k*r.floatSize:(k+1)*r.floatSize], src.floatData[i*src.floatSize:(i+1)*src.floatSize])
	}
	d.Rewards[k] = s.Rewards[i]
	d.Terminated[k] = s.Terminated[i]
	d.Truncated[k] = s.Truncated[i]
	d.First[k] = s.First[i]
	d.Idle[k] = s.Idle[i]
	d.Errs[k] = s.Errs[i]
	// Row i of src changes only when its sub-environment runs its next
	// command, after a later call: its frames can be shared.
	r.infos[k].copyInfo(&d.Infos[k], &s.Infos[i], srcObs, dstObs, false)
	if d.HasFinal == nil {
		return
	}
	d.HasFinal[k] = s.HasFinal[i]
	if !s.HasFinal[i] {
		return
	}
	srcObs = src.finalData[i*src.obsSize : (i+1)*src.obsSize]
	dstObs = r.finalData[k*r.obsSize : (k+1)*r.obsSize]
	copy(dstObs, srcObs)
	if src.finalF != nil {
		copy(r.finalF[k*r.floatSize:(k+1)*r.floatSize], src.finalF[i*src.floatSize:(i+1)*src.floatSize])
	}
	r.finals[k].copyInfo(&d.FinalInfos[k], &s.FinalInfos[i], srcObs, dstObs, false)
}
