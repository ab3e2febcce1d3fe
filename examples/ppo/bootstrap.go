package main

// bootstrapTruncated adds to the reward of each row whose episode was cut
// off by the time limit in this step (truncated, not terminated) gamma
// times the critic's value of its final observation: what the episode
// would have gone on to collect. The step stays the episode's last for the
// advantages, which then neither stop at zero, as they rightly do after a
// termination, nor run on into the next episode. This is the treatment of
// time limits of Pardo et al., "Time Limits in Reinforcement Learning"
// (ICML 2018), and of Stable-Baselines3's on-policy rollouts.
// finalValues[i] is read only for the rows bootstrapped, whose number it
// returns.
func bootstrapTruncated(rewards []float32, terminated, truncated []bool, finalValues []float32, gamma float64) int {
	n := 0
	for i := range rewards {
		if truncated[i] && !terminated[i] {
			rewards[i] = float32(float64(rewards[i]) + gamma*float64(finalValues[i]))
			n++
		}
	}
	return n
}

// anyTruncated reports whether a row was truncated and not terminated.
func anyTruncated(terminated, truncated []bool) bool {
	for i, tr := range truncated {
		if tr && !terminated[i] {
			return true
		}
	}
	return false
}
