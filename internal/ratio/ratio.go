// Package ratio holds what the benchmark programs share to judge a figure
// against its baseline of the same run: the median of per-round ratios and
// the verdict printed beside a target.
package ratio

import "slices"

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
