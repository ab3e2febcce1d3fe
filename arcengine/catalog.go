package arcengine

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/arcgym/arcgym/arc"
)

// Game is one game found in a games directory.
type Game struct {
	// Info is the metadata from metadata.json. Available and Levels are
	// zero until the game has been started once (see Pool.Probe): only the
	// game's code knows them.
	Info arc.GameInfo
	// Dir is the directory holding metadata.json and the source.
	Dir string
	// Source is the game's Python file.
	Source string
	// Downloaded is metadata.json's date_downloaded (zero if absent); of
	// several versions of a game, a base id names the latest downloaded.
	Downloaded time.Time
}

// metadata is the part of the toolkit's metadata.json that arcgym reads.
type metadata struct {
	GameID          string   `json:"game_id"`
	Title           *string  `json:"title"`
	DefaultFPS      *int     `json:"default_fps"`
	Tags            []string `json:"tags"`
	BaselineActions []int    `json:"baseline_actions"`
	DateDownloaded  *string  `json:"date_downloaded"`
	ClassName       *string  `json:"class_name"`
}

// ClassName returns the class the toolkit loads for a game: the metadata's
// class_name, or else the first four characters of the id with the first
// letter upper-cased ("ls20-9607627b" gives "Ls20").
func ClassName(gameID, className string) string {
	if className != "" {
		return className
	}
	base := gameID
	if len(base) > 4 {
		base = base[:4]
	}
	if base == "" {
		return ""
	}
	return strings.ToUpper(base[:1]) + base[1:]
}

// Scan reads every metadata.json below dir, as the toolkit does, and
// returns the games sorted by id. A metadata.json that does not parse or
// names no game is reported in the error list (the toolkit skips it with a
// warning) and left out; a game whose source file is missing is kept, and
// fails to load when started.
func Scan(dir string) ([]Game, []error) {
	var (
		games []Game
		errs  []error
	)
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			errs = append(errs, err)
			if d != nil && d.IsDir() && path != dir {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() || d.Name() != "metadata.json" {
			return nil
		}
		g, err := readGame(path)
		if err != nil {
			errs = append(errs, err)
			return nil
		}
		games = append(games, g)
		return nil
	})
	if err != nil {
		errs = append(errs, err)
	}
	sort.Slice(games, func(i, j int) bool {
		if games[i].Info.ID != games[j].Info.ID {
			return games[i].Info.ID < games[j].Info.ID
		}
		return games[i].Dir < games[j].Dir
	})
	return games, errs
}

func readGame(path string) (Game, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Game{}, err
	}
	var m metadata
	if err := json.Unmarshal(b, &m); err != nil {
		return Game{}, fmt.Errorf("%s: %w", path, err)
	}
	if m.GameID == "" {
		return Game{}, fmt.Errorf("%s: no game_id", path)
	}
	if strings.ContainsAny(m.GameID, "/\\\x00") {
		return Game{}, fmt.Errorf("%s: game_id %q", path, m.GameID)
	}
	for i, n := range m.BaselineActions {
		if n < 0 {
			return Game{}, fmt.Errorf("%s: baseline_actions[%d] is %d", path, i, n)
		}
	}
	dir := filepath.Dir(path)
	cls := ""
	if m.ClassName != nil {
		cls = *m.ClassName
	}
	cls = ClassName(m.GameID, cls)
	g := Game{
		Info: arc.GameInfo{
			ID:              m.GameID,
			Tags:            m.Tags,
			BaselineActions: m.BaselineActions,
			DefaultFPS:      5,
			ClassName:       cls,
		},
		Dir:    dir,
		Source: filepath.Join(dir, strings.ToLower(cls)+".py"),
	}
	if _, err := os.Stat(g.Source); err != nil {
		if alt := filepath.Join(dir, cls+".py"); fileExists(alt) {
			g.Source = alt
		}
	}
	if m.Title != nil {
		g.Info.Title = *m.Title
	}
	if m.DefaultFPS != nil {
		g.Info.DefaultFPS = *m.DefaultFPS
	}
	if m.DateDownloaded != nil {
		if t, err := parseTime(*m.DateDownloaded); err == nil {
			g.Downloaded = t
		}
	}
	return g, nil
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// parseTime reads the ISO 8601 forms pydantic accepts for date_downloaded.
func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05.999999999Z0700", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("date %q", s)
}

// find returns the game named by id: a versioned id exactly, or a base id
// as its latest downloaded version (ties: the greatest id).
func find(list []Game, id string) (Game, error) {
	base, version := arc.SplitGameID(id)
	var best *Game
	for i := range list {
		g := &list[i]
		gb, gv := arc.SplitGameID(g.Info.ID)
		if gb != base {
			continue
		}
		if version != "" {
			if gv == version {
				return *g, nil
			}
			continue
		}
		if best == nil || g.Downloaded.After(best.Downloaded) ||
			(g.Downloaded.Equal(best.Downloaded) && g.Info.ID > best.Info.ID) {
			best = g
		}
	}
	if best == nil {
		return Game{}, fmt.Errorf("%w: %q is not in the games directory", arc.ErrUnknownGame, id)
	}
	return *best, nil
}

// errorsJoin joins scan errors for a message, at most a few of them.
func errorsJoin(errs []error) error {
	if len(errs) > 5 {
		errs = append(errs[:5:5], fmt.Errorf("and %d more", len(errs)-5))
	}
	return errors.Join(errs...)
}
