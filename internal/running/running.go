// Package running keeps the running mean and variance of a stream of
// vectors, element by element, as the normalisation wrappers need them.
package running

// Stats is the running mean and variance of vectors of one length, merged
// batch by batch (Chan et al.'s parallel algorithm) from Gymnasium's
// starting point: mean 0, variance 1 and a count of 1e-4, so that the first
// values are not divided by a variance of 0.
type Stats struct {
	Mean, Var []float64
	Count     float64
	// bm and bv are the batch moments of AddRows.
	bm, bv []float64
}

// New returns the statistics of vectors of n elements.
func New(n int) *Stats {
	s := &Stats{Mean: make([]float64, n), Var: make([]float64, n), Count: 1e-4}
	for i := range s.Var {
		s.Var[i] = 1
	}
	return s
}

// Add merges one vector x (a batch of one, whose variance is 0).
func (s *Stats) Add(x []float64) {
	tot := s.Count + 1
	for i, v := range x {
		delta := v - s.Mean[i]
		s.Mean[i] += delta / tot
		s.Var[i] = (s.Var[i]*s.Count + delta*delta*s.Count/tot) / tot
	}
	s.Count = tot
}

// AddRows merges a batch of rows vectors laid out one after the other in x
// (rows x len(Mean)), with the batch's own mean and (population) variance,
// as Gymnasium's RunningMeanStd.update does with a batch. It allocates
// nothing after its first call.
func (s *Stats) AddRows(x []float32, rows int) {
	n := len(s.Mean)
	if rows <= 0 || len(x) != rows*n {
		panic("running: batch of the wrong size")
	}
	if s.bm == nil {
		s.bm, s.bv = make([]float64, n), make([]float64, n)
	}
	bm, bv := s.bm, s.bv
	clear(bm)
	clear(bv)
	for r := range rows {
		for i, v := range x[r*n : (r+1)*n] {
			bm[i] += float64(v)
		}
	}
	k := float64(rows)
	for i := range bm {
		bm[i] /= k
	}
	for r := range rows {
		for i, v := range x[r*n : (r+1)*n] {
			d := float64(v) - bm[i]
			bv[i] += d * d
		}
	}
	tot := s.Count + k
	for i := range bm {
		delta := bm[i] - s.Mean[i]
		s.Mean[i] += delta * k / tot
		m2 := s.Var[i]*s.Count + bv[i] + delta*delta*s.Count*k/tot
		s.Var[i] = m2 / tot
	}
	s.Count = tot
}
