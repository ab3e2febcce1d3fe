package vector

import (
	"errors"
	"fmt"
)

// Episodes describes the episodes that ended in one batch, one entry per
// row of it (EnvIDs say whose): Ended marks the rows whose episode ended
// (Gymnasium's "_episode" mask), Returns and Lengths hold those episodes'
// return and number of steps, 0 in the other rows.
type Episodes struct {
	Ended   []bool
	Returns []float64
	Lengths []int
}

// Count returns the number of episodes that ended.
func (e *Episodes) Count() int {
	n := 0
	for _, x := range e.Ended {
		if x {
			n++
		}
	}
	return n
}

// EpisodeStatsConfig configures an EpisodeStats vector wrapper; it has no
// settings.
type EpisodeStatsConfig struct{}

// Wrap implements Wrapper: NewEpisodeStats(v, c).
func (c EpisodeStatsConfig) Wrap(v Env) (Env, error) { return wrapped(NewEpisodeStats(v, c)) }

// EpisodeStats is a vector wrapper that tracks the return and length of
// each sub-environment's episode and puts those that ended in each batch
// in Batch.Episodes, as Gymnasium's vector RecordEpisodeStatistics does.
//
// Every step counts, the ending one included; a row that starts an episode
// without a step (a Reset, ResetMask or NextStep autoreset row, First and
// not done) starts the count at zero; idle and failed rows count nothing.
// It works in every autoreset mode and allocates nothing.
type EpisodeStats struct {
	base
	track episodeTracker
	out   Batch
}

// NewEpisodeStats wraps v so that its batches report ended episodes.
func NewEpisodeStats(v Env, _ EpisodeStatsConfig) (*EpisodeStats, error) {
	if v == nil {
		return nil, errors.New("vector: episode statistics need a vector env")
	}
	w := &EpisodeStats{track: newEpisodeTracker(v.Metadata().NumEnvs)}
	w.base = base{inner: v, t: w}
	return w, nil
}

func (w *EpisodeStats) transform(b *Batch, _ bool) (*Batch, error) {
	w.out = *b
	if _, err := w.track.update(b); err != nil {
		return nil, err
	}
	w.out.Episodes = &w.track.last
	return &w.out, nil
}

// episodeTracker counts the returns and lengths of the episodes under way.
type episodeTracker struct {
	ret  []float64
	n    []int
	last Episodes
}

func newEpisodeTracker(n int) episodeTracker {
	return episodeTracker{
		ret: make([]float64, n), n: make([]int, n),
		last: Episodes{Ended: make([]bool, 0, n), Returns: make([]float64, 0, n), Lengths: make([]int, 0, n)},
	}
}

// update counts the rows of b and returns the number of episodes that
// ended in it.
func (s *episodeTracker) update(b *Batch) (int, error) {
	k := b.Len()
	if k > len(s.ret) {
		return 0, fmt.Errorf("vector: episode stats of %d envs given a batch of %d rows", len(s.ret), k)
	}
	e := &s.last
	e.Ended, e.Returns, e.Lengths = e.Ended[:k], e.Returns[:k], e.Lengths[:k]
	ended := 0
	for r, i := range b.EnvIDs {
		if i < 0 || i >= len(s.ret) {
			return ended, fmt.Errorf("vector: episode stats of %d envs given row %d of env %d", len(s.ret), r, i)
		}
		e.Ended[r], e.Returns[r], e.Lengths[r] = false, 0, 0
		switch {
		case b.Idle[r] || b.Errs[r] != nil:
		case b.Done(r):
			e.Ended[r], e.Returns[r], e.Lengths[r] = true, s.ret[i]+b.Rewards[r], s.n[i]+1
			s.ret[i], s.n[i] = 0, 0
			ended++
		case b.First[r]:
			s.ret[i], s.n[i] = 0, 0
		default:
			s.ret[i] += b.Rewards[r]
			s.n[i]++
		}
	}
	return ended, nil
}

// wrapped returns w as an Env, or a nil Env (not a typed nil) on error.
func wrapped[W Env](w W, err error) (Env, error) {
	if err != nil {
		return nil, err
	}
	return w, nil
}
