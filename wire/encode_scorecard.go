package wire

import (
	"math"
	"strconv"
)

// AppendScorecard appends the JSON of the scorecard summary s to dst and
// returns the extended slice, in the reference server's form: keys in
// sorted order, optional fields left out when empty, lists written as []
// rather than null, and every score written as a float ("100.0", not
// "100"), as Python writes it, so that clients that tell integers from
// floats see the types they expect. s.Opaque must be valid JSON or empty.
func AppendScorecard(dst []byte, s *Scorecard) []byte {
	dst = append(dst, `{"card_id":`...)
	dst = AppendString(dst, s.CardID)
	if s.CompetitionMode {
		dst = append(dst, `,"competition_mode":true`...)
	}
	dst = append(dst, `,"environments":[`...)
	for i := range s.Environments {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendEnvironment(dst, &s.Environments[i])
	}
	dst = append(dst, ']')
	dst = appendOptString(dst, "last_update", s.LastUpdate)
	if len(s.Opaque) > 0 {
		dst = append(dst, `,"opaque":`...)
		dst = append(dst, s.Opaque...)
	}
	dst = appendOptString(dst, "open_at", s.OpenAt)
	dst = appendOptString(dst, "published_at", s.PublishedAt)
	dst = append(dst, `,"score":`...)
	dst = AppendFloat(dst, s.Score)
	dst = appendOptString(dst, "source_url", s.SourceURL)
	dst = append(dst, `,"tags":[`...)
	for i, tag := range s.Tags {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = AppendString(dst, tag)
	}
	dst = append(dst, `],"tags_scores":[`...)
	for i := range s.TagsScores {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendTagScore(dst, &s.TagsScores[i])
	}
	dst = append(dst, `],"total_actions":`...)
	dst = strconv.AppendInt(dst, int64(s.TotalActions), 10)
	dst = append(dst, `,"total_environments":`...)
	dst = strconv.AppendInt(dst, int64(s.TotalEnvironments), 10)
	dst = append(dst, `,"total_environments_completed":`...)
	dst = strconv.AppendInt(dst, int64(s.TotalEnvironmentsCompleted), 10)
	dst = append(dst, `,"total_levels":`...)
	dst = strconv.AppendInt(dst, int64(s.TotalLevels), 10)
	dst = append(dst, `,"total_levels_completed":`...)
	dst = strconv.AppendInt(dst, int64(s.TotalLevelsCompleted), 10)
	dst = appendOptString(dst, "user_id", s.UserID)
	dst = appendOptString(dst, "user_name", s.UserName)
	return append(dst, '}')
}

// MarshalJSON encodes the summary with AppendScorecard, so that
// encoding/json writes scores as floats too.
func (s Scorecard) MarshalJSON() ([]byte, error) {
	return AppendScorecard(nil, &s), nil
}

func appendEnvironment(dst []byte, e *EnvironmentScore) []byte {
	dst = append(dst, `{"actions":`...)
	dst = strconv.AppendInt(dst, int64(e.Actions), 10)
	dst = append(dst, `,"completed":`...)
	dst = strconv.AppendBool(dst, e.Completed)
	dst = append(dst, `,"id":`...)
	dst = AppendString(dst, e.ID)
	dst = append(dst, `,"level_count":`...)
	dst = strconv.AppendInt(dst, int64(e.LevelCount), 10)
	dst = append(dst, `,"levels_completed":`...)
	dst = strconv.AppendInt(dst, int64(e.LevelsCompleted), 10)
	dst = append(dst, `,"resets":`...)
	dst = strconv.AppendInt(dst, int64(e.Resets), 10)
	dst = append(dst, `,"runs":[`...)
	for i := range e.Runs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendRun(dst, &e.Runs[i])
	}
	dst = append(dst, `],"score":`...)
	dst = AppendFloat(dst, e.Score)
	return append(dst, '}')
}

func appendRun(dst []byte, r *RunScore) []byte {
	dst = append(dst, `{"actions":`...)
	dst = strconv.AppendInt(dst, int64(r.Actions), 10)
	dst = append(dst, `,"completed":`...)
	dst = strconv.AppendBool(dst, r.Completed)
	dst = append(dst, `,"guid":`...)
	dst = AppendString(dst, r.GUID)
	dst = appendOptString(dst, "id", r.ID)
	dst = append(dst, `,"level_actions":`...)
	dst = appendInts(dst, r.LevelActions)
	dst = append(dst, `,"level_baseline_actions":`...)
	dst = appendInts(dst, r.LevelBaselineActions)
	dst = append(dst, `,"level_scores":[`...)
	for i, v := range r.LevelScores {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = AppendFloat(dst, v)
	}
	dst = append(dst, `],"levels_completed":`...)
	dst = strconv.AppendInt(dst, int64(r.LevelsCompleted), 10)
	dst = appendOptString(dst, "message", r.Message)
	dst = append(dst, `,"resets":`...)
	dst = strconv.AppendInt(dst, int64(r.Resets), 10)
	dst = append(dst, `,"score":`...)
	dst = AppendFloat(dst, r.Score)
	dst = append(dst, `,"state":`...)
	dst = AppendString(dst, r.State)
	return append(dst, '}')
}

func appendTagScore(dst []byte, t *TagScore) []byte {
	dst = append(dst, `{"actions":`...)
	dst = strconv.AppendInt(dst, int64(t.Actions), 10)
	dst = append(dst, `,"id":`...)
	dst = AppendString(dst, t.ID)
	dst = append(dst, `,"levels_completed":`...)
	dst = strconv.AppendInt(dst, int64(t.LevelsCompleted), 10)
	dst = append(dst, `,"number_of_environments":`...)
	dst = strconv.AppendInt(dst, int64(t.NumberOfEnvironments), 10)
	dst = append(dst, `,"number_of_levels":`...)
	dst = strconv.AppendInt(dst, int64(t.NumberOfLevels), 10)
	dst = append(dst, `,"score":`...)
	dst = AppendFloat(dst, t.Score)
	return append(dst, '}')
}

func appendInts(dst []byte, vs []int) []byte {
	dst = append(dst, '[')
	for i, v := range vs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = strconv.AppendInt(dst, int64(v), 10)
	}
	return append(dst, ']')
}

// appendOptString writes `,"name":"value"`, or nothing for an empty value.
func appendOptString(dst []byte, name, value string) []byte {
	if value == "" {
		return dst
	}
	dst = append(dst, ',', '"')
	dst = append(dst, name...)
	dst = append(dst, '"', ':')
	return AppendString(dst, value)
}

// AppendFloat appends v as Python's repr writes a float: the shortest
// digits that read back as v, always with a decimal point or an exponent
// ("0.0", "100.0", "1.6666666666666667", "1e-05"), so that the value reads
// as a float in any JSON reader. NaN and the infinities, which JSON cannot
// carry, are written as null.
func AppendFloat(dst []byte, v float64) []byte {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return append(dst, "null"...)
	}
	if a := math.Abs(v); a != 0 && (a < 1e-4 || a >= 1e16) {
		return strconv.AppendFloat(dst, v, 'e', -1, 64)
	}
	start := len(dst)
	dst = strconv.AppendFloat(dst, v, 'f', -1, 64)
	for _, c := range dst[start:] {
		if c == '.' {
			return dst
		}
	}
	return append(dst, '.', '0')
}
