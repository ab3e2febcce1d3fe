package arc

import (
	"fmt"
	"strings"
)

// GameInfo is a game's metadata as /api/games lists it, plus the per-level
// human baseline action counts that scoring needs.
type GameInfo struct {
	// ID is the versioned id, "<base>-<version>" (e.g. "ls20-9607627b").
	ID    string
	Title string
	Tags  []string
	// BaselineActions holds one human baseline action count per level.
	BaselineActions []int
	DefaultFPS      int
	ClassName       string
	// Available is the set of actions the game offers (constant per game).
	Available ActionSet
	// Levels is the number of levels; WIN needs all of them.
	Levels int
}

// SplitGameID splits a game id at its first '-' into base and version; the
// version is empty for a bare base id.
func SplitGameID(id string) (base, version string) {
	base, version, _ = strings.Cut(id, "-")
	return base, version
}

// MatchGameID reports whether query names the game with versioned id full:
// either exactly, or as its base id.
func MatchGameID(full, query string) bool {
	if full == query {
		return true
	}
	base, _ := SplitGameID(full)
	return query == base
}

// ValidateGameID checks the "<base>-<version>" form: a base of letters and
// digits, and a version of lower-case hex digits.
func ValidateGameID(id string) error {
	base, version := SplitGameID(id)
	if base == "" || version == "" {
		return fmt.Errorf("%w: %q is not of the form base-version", ErrUnknownGame, id)
	}
	for _, r := range base {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return fmt.Errorf("%w: base of %q has %q", ErrUnknownGame, id, r)
		}
	}
	for _, r := range version {
		if !(r >= 'a' && r <= 'f' || r >= '0' && r <= '9') {
			return fmt.Errorf("%w: version of %q has %q", ErrUnknownGame, id, r)
		}
	}
	return nil
}
