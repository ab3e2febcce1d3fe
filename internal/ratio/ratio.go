// Package ratio holds what the benchmark programs share to judge a figure
// against its baseline of the same run: the median of per-round ratios, how
// far noise leaves it uncertain, and the verdict printed beside a target.
package ratio

import (
	"math"
	"slices"
)

// Median returns the median of xs (the mean of the middle two for an even
// count, 0 for none), leaving xs as it was.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// MedianCI returns a 95% confidence interval for the median of the
// distribution xs were drawn from, without assuming its shape: the k-th
// smallest and k-th largest of xs, k the largest for which the chance that
// fewer than k of n draws fall below the median (binomial, p = 1/2) is at
// most 2.5%. With too few values for that (n < 6) it returns the smallest
// and the largest.
func MedianCI(xs []float64) (lo, hi float64) {
	n := len(xs)
	if n == 0 {
		return 0, 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	k, cdf := 0, 0.0
	for j := 0; j < n; j++ {
		cdf += binomialHalf(n, j)
		if cdf > 0.025 {
			break
		}
		k = j + 1
	}
	k = max(k, 1)
	return s[k-1], s[n-k]
}

// binomialHalf is the chance of exactly j successes in n trials of
// chance 1/2.
func binomialHalf(n, j int) float64 {
	ln, _ := math.Lgamma(float64(n + 1))
	lj, _ := math.Lgamma(float64(j + 1))
	lr, _ := math.Lgamma(float64(n - j + 1))
	return math.Exp(ln - lj - lr - float64(n)*math.Ln2)
}

// Verdict is the word printed beside a target: N/A for one that cannot be
// judged in this run, else PASS or FAIL.
func Verdict(pass, na bool) string {
	switch {
	case na:
		return "N/A"
	case pass:
		return "PASS"
	}
	return "FAIL"
}
