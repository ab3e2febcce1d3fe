package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/games"
	"github.com/arcgym/arcgym/remote"
	"github.com/arcgym/arcgym/scorecard"
	"github.com/arcgym/arcgym/wire"
	"github.com/arcgym/arcgym/wrappers"
)

// Run plays cfg.Episodes random games of each game cfg names and writes
// the scorecard to w.
func Run(ctx context.Context, cfg Config, w io.Writer) error {
	if cfg.Episodes <= 0 {
		cfg.Episodes = 5
	}
	if cfg.MaxSteps <= 0 {
		cfg.MaxSteps = 1000
	}
	ids, err := gameIDs(ctx, &cfg)
	if err != nil {
		return err
	}
	card := scorecard.New(scorecard.Meta{ID: "local", Tags: []string{"random"}})
	var served []*wire.Scorecard
	for _, id := range ids {
		g, err := makeGame(ctx, &cfg, id)
		if err != nil {
			return err
		}
		err = play(ctx, &cfg, g, card)
		if err = errors.Join(err, g.Close()); err != nil {
			return err
		}
		// A remote session's scorecard is the service's, final once closed.
		if s, ok := g.Backend().(*remote.Session); ok && s.Scorecard() != nil {
			served = append(served, s.Scorecard())
		}
	}
	where := "local games"
	if cfg.Remote != "" {
		where = cfg.Remote
	}
	fmt.Fprintf(w, "random policy (seed %d), %d episodes per game, %s\n\n", cfg.Seed, cfg.Episodes, where)
	printCard(w, card.Summary())
	for _, s := range served {
		fmt.Fprintf(w, "\nscorecard %s as the service scored it: score %.2f, levels %d/%d, actions %d\n",
			s.CardID, s.Score, s.TotalLevelsCompleted, s.TotalLevels, s.TotalActions)
	}
	return nil
}

// gameIDs lists the games to play.
func gameIDs(ctx context.Context, cfg *Config) ([]string, error) {
	if cfg.Game != "" {
		return []string{cfg.Game}, nil
	}
	if cfg.Remote == "" {
		var ids []string
		for _, info := range games.List() {
			ids = append(ids, info.ID)
		}
		if len(ids) == 0 {
			return nil, errors.New("no built-in games are registered")
		}
		return ids, nil
	}
	c, err := remote.NewClient(cfg.Remote, clientConfig(cfg))
	if err != nil {
		return nil, err
	}
	defer c.Close()
	list, err := c.Games(ctx)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("%s lists no games", cfg.Remote)
	}
	return []string{list[0].GameID}, nil
}

// clientConfig is the remote client configuration of the flags: the key
// of -api-key, else ARC_API_KEY.
func clientConfig(cfg *Config) remote.ClientConfig {
	return remote.ClientConfig{APIKey: cfg.APIKey}
}

// makeGame returns the environment of one game, local or remote.
func makeGame(ctx context.Context, cfg *Config, id string) (*env.Game, error) {
	if cfg.Remote == "" {
		return env.Make(ctx, id, env.Config{})
	}
	return remote.Make(ctx, id, remote.MakeConfig{
		BaseURL: cfg.Remote,
		Client:  clientConfig(cfg),
		Session: remote.SessionConfig{Scorecard: remote.OpenOptions{Tags: []string{"random"}}},
	})
}

// play runs the episodes of one game and records every command's result on
// the card. The game is wrapped as a training loop would wrap it: a time
// limit, the mask of the actions offered now, and episode statistics. The
// policy draws from the game's action space under that mask.
func play(ctx context.Context, cfg *Config, g *env.Game, card *scorecard.Card) error {
	info := g.GameInfo()
	e, err := env.Wrap(g,
		wrappers.TimeLimitConfig{Max: cfg.MaxSteps},
		wrappers.ActionMaskConfig{},
		wrappers.EpisodeStatsConfig{},
	)
	if err != nil {
		return err
	}
	// These wrappers hold nothing of their own: closing g, as Run does,
	// closes all there is.
	space, _ := env.ActionSpaceOf(e) // always a *spaces.Action over a Game
	space.Seed(cfg.Seed)
	for ep := range cfg.Episodes {
		_, inf, err := e.Reset(ctx, env.ResetOptions{})
		if err != nil {
			return fmt.Errorf("%s: reset: %w", info.ID, err)
		}
		card.Record(&info, g.Last().GUID, g.Last())
		for {
			a, ok := space.Sample(inf.Mask)
			if !ok {
				return fmt.Errorf("%s: no action available in state %s", info.ID, inf.State)
			}
			st, err := e.Step(ctx, a)
			if err != nil {
				return fmt.Errorf("%s: step %d: %w", info.ID, inf.EpisodeSteps, err)
			}
			card.Record(&info, g.Last().GUID, g.Last())
			inf = st.Info
			if st.Done() {
				break
			}
		}
		if cfg.Log != nil {
			fmt.Fprintf(cfg.Log, "%s episode %d: %s after %d steps, levels %d/%d, return %.0f\n",
				info.ID, ep+1, inf.State, inf.Episode.Length, inf.LevelsCompleted, inf.WinLevels, inf.Episode.Return)
		}
	}
	return nil
}

// printCard writes a scorecard summary as a table.
func printCard(w io.Writer, s wire.Scorecard) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "game\truns\twins\tbest levels\tactions\tbest score\tlevel scores (best run)\t")
	for _, e := range s.Environments {
		wins := 0
		best := 0
		for i, r := range e.Runs {
			if r.State == arc.Win.String() {
				wins++
			}
			if r.Score > e.Runs[best].Score {
				best = i
			}
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d/%d\t%d\t%.2f\t%s\t\n", e.ID, len(e.Runs), wins,
			e.LevelsCompleted, e.LevelCount, e.Actions, e.Score, levelScores(e.Runs[best].LevelScores))
	}
	tw.Flush()
	fmt.Fprintf(w, "\nscore %.2f  levels %d/%d  games won %d/%d  actions %d\n",
		s.Score, s.TotalLevelsCompleted, s.TotalLevels, s.TotalEnvironmentsCompleted, s.TotalEnvironments, s.TotalActions)
}

func levelScores(ss []float64) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = fmt.Sprintf("%.0f", s)
	}
	return strings.Join(parts, " ")
}
