package vector

import "fmt"

// EpisodeStats tracks the return and length of each sub-environment's
// episode across the batches of a vector env, as Gymnasium's vector
// RecordEpisodeStatistics does: after each Update, Ended marks the rows
// whose episode ended in that batch (Gymnasium's "_episode" mask) and
// Returns and Lengths hold those episodes' return and number of steps (0
// in the other rows), row by row of the batch (EnvIDs say whose).
//
// Every step counts, the ending one included; a row that starts an
// episode without a step (a Reset, ResetMask or NextStep autoreset row,
// First and not done) starts the count at zero; idle and failed rows
// count nothing. It works in every autoreset mode and with Send/Recv's
// partial batches.
type EpisodeStats struct {
	ret []float64
	n   []int
	// Ended, Returns and Lengths describe the last batch given to Update,
	// one entry per row.
	Ended   []bool
	Returns []float64
	Lengths []int
}

// NewEpisodeStats tracks the episodes of a vector env of n sub-environments.
func NewEpisodeStats(n int) *EpisodeStats {
	return &EpisodeStats{
		ret: make([]float64, n), n: make([]int, n),
		Ended: make([]bool, 0, n), Returns: make([]float64, 0, n), Lengths: make([]int, 0, n),
	}
}

// Update counts the rows of b and returns the number of episodes that
// ended in it. It allocates nothing.
func (s *EpisodeStats) Update(b *Batch) (int, error) {
	k := b.Len()
	if k > len(s.ret) {
		return 0, fmt.Errorf("vector: episode stats of %d envs given a batch of %d rows", len(s.ret), k)
	}
	s.Ended, s.Returns, s.Lengths = s.Ended[:k], s.Returns[:k], s.Lengths[:k]
	ended := 0
	for r, i := range b.EnvIDs {
		if i < 0 || i >= len(s.ret) {
			return ended, fmt.Errorf("vector: episode stats of %d envs given row %d of env %d", len(s.ret), r, i)
		}
		s.Ended[r], s.Returns[r], s.Lengths[r] = false, 0, 0
		switch {
		case b.Idle[r] || b.Errs[r] != nil:
		case b.Done(r):
			s.Ended[r], s.Returns[r], s.Lengths[r] = true, s.ret[i]+b.Rewards[r], s.n[i]+1
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
