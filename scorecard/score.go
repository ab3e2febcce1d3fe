package scorecard

// MaxLevelScore caps the score of one level: an agent beating the human
// baseline can earn up to 15% more on a level, never more.
const MaxLevelScore = 115

// LevelScore returns the score of a level completed in actions actions
// against a human baseline of baseline actions: min(115, 100·(b/a)²). It is
// 0 when actions is not positive.
func LevelScore(baseline, actions int) float64 {
	if actions <= 0 || baseline <= 0 {
		return 0
	}
	r := float64(baseline) / float64(actions)
	return min(MaxLevelScore, 100*r*r)
}

// RunScore scores one run of a game with one human baseline per level.
// levelActions[i] holds the actions charged to level i+1 (it may be shorter
// than baselines) and completed is the number of levels completed, always
// the first ones. It returns the run score and the score of every level,
// aligned with baselines.
//
// The run score is Σ i·sᵢ / Σ i over all levels, i the 1-based level index,
// capped at 100·Σ i / Σ i where the numerator runs over the levels with a
// positive score only: surplus on one level cannot make up for a level not
// played, and a full clear scores at most 100.
func RunScore(baselines, levelActions []int, completed int) (score float64, levelScores []float64) {
	levelScores = make([]float64, len(baselines))
	return runScore(baselines, levelActions, completed, levelScores), levelScores
}

// Score is RunScore without the per-level scores; it allocates nothing, for
// callers that score every episode.
func Score(baselines, levelActions []int, completed int) float64 {
	return runScore(baselines, levelActions, completed, nil)
}

// runScore computes the run score, writing level scores into levelScores
// when it is not nil.
func runScore(baselines, levelActions []int, completed int, levelScores []float64) float64 {
	var weighted, total, earned float64
	for i, b := range baselines {
		w := float64(i + 1)
		total += w
		if i >= completed || i >= len(levelActions) {
			continue
		}
		s := LevelScore(b, levelActions[i])
		if levelScores != nil {
			levelScores[i] = s
		}
		weighted += w * s
		if s > 0 {
			earned += w
		}
	}
	if total == 0 {
		return 0
	}
	return min(weighted/total, 100*earned/total)
}
