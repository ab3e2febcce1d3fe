package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/engine"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/tensor"
	"github.com/arcgym/arcgym/wrappers/render"
)

const renderSummary = `Render draws games as pictures in the ARC palette: the built-in games and
the real ARC-AGI-3 games of the games directory (-games, $ARCGYM_GAMES_DIR
or $ENVIRONMENTS_DIR).

With -o it writes a PNG contact sheet: one row per game (the games named as
arguments, ids or the selectors all, builtin and real; default all, in the
order of "arcgym list") and one column per level, each picture the level's
first frame. Later levels of a built-in game are reached by replaying the
solutions its levels carry, so every picture is the exact frame a player
sees when the level begins. Real games carry no solutions: their row holds
one picture, the first frame after RESET.

With -gif it writes an animated GIF of one episode of -game played by
-agent, with every frame of multi-frame steps (animations, level
transitions), shown at the game's default frame rate. The episode ends on
WIN or after -max-steps actions; a GAME_OVER restarts the level. The
solution agent needs a built-in game.

-seed picks the level set of a built-in game (0: the hand-made levels,
others: a generated set), is passed to a real game's constructor when it
takes one, and seeds the agent.`

// renderConfig holds the flags of render.
type renderConfig struct {
	sheet, gif string
	game       string
	agent      string
	seed       int64
	scale      int
	maxSteps   int
	games      []string
}

// runRender is the render command.
func runRender(ctx context.Context, args []string, io stdio) error {
	var cfg renderConfig
	fs := newFlagSet("render", "[game ...]", renderSummary, io)
	fs.StringVar(&cfg.sheet, "o", "", "write a PNG contact sheet of every level's first frame to this file")
	fs.StringVar(&cfg.gif, "gif", "", "write an animated GIF of one episode to this file")
	fs.StringVar(&cfg.game, "game", "", "game of -gif (base or versioned id)")
	fs.StringVar(&cfg.agent, "agent", "random", "agent of -gif: "+strings.Join(renderAgents, ", "))
	fs.Int64Var(&cfg.seed, "seed", 0, "level set (0: hand-made; real games: constructor seed) and agent seed")
	fs.IntVar(&cfg.scale, "scale", 3, fmt.Sprintf("pixels per cell, 1..%d", render.MaxScale))
	fs.IntVar(&cfg.maxSteps, "max-steps", 200, "actions after which the -gif episode stops")
	gf := addGameFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg.games = fs.Args()
	if err := cfg.validate(); err != nil {
		return err
	}
	cat, err := gf.open()
	if err != nil {
		return err
	}
	defer cat.Close()
	var (
		buf bytes.Buffer
		out string
	)
	if cfg.sheet != "" {
		out = cfg.sheet
		err = writeSheet(ctx, &buf, cat, cfg)
	} else {
		out = cfg.gif
		err = writeEpisodeGIF(ctx, &buf, cat, cfg)
	}
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	_, err = fmt.Fprintf(io.out, "wrote %s (%d bytes)\n", out, buf.Len())
	return err
}

// renderAgents lists the agents of -agent: the baseline agents and
// "solution", which replays the solutions the levels carry.
var renderAgents = append(append([]string(nil), agentNames...), "solution")

func (c *renderConfig) validate() error {
	switch {
	case c.sheet == "" && c.gif == "":
		return errors.New("nothing to render: give -o sheet.png or -gif episode.gif")
	case c.sheet != "" && c.gif != "":
		return errors.New("-o and -gif exclude each other: render one at a time")
	case c.scale < 1 || c.scale > render.MaxScale:
		return fmt.Errorf("-scale %d: want 1..%d", c.scale, render.MaxScale)
	case c.sheet != "" && c.game != "":
		return fmt.Errorf("-game %q is for -gif: name the games of -o as arguments", c.game)
	case c.gif != "" && c.game == "":
		return errors.New("-gif needs -game")
	case c.gif != "" && len(c.games) > 0:
		return fmt.Errorf("unexpected arguments %q: -gif renders the one game of -game", c.games)
	case c.maxSteps < 1:
		return fmt.Errorf("-max-steps %d: want at least 1", c.maxSteps)
	}
	if c.gif != "" {
		if _, err := newRenderAgent(c.agent); err != nil {
			return err
		}
	}
	return nil
}

// levelSet is implemented by the built-in games' backends, which expose
// the levels in play; real games do not.
type levelSet interface{ Levels() []engine.Level }

// startGame makes the game id of cat and starts a run on the level set of
// seed.
func startGame(ctx context.Context, cat *catalog, id string, seed int64) (*env.Game, env.Obs, env.Info, error) {
	g, err := cat.make(ctx, id)
	if err != nil {
		return nil, env.Obs{}, env.Info{}, err
	}
	obs, info, err := g.Reset(ctx, env.ResetOptions{Mode: env.ResetGame, Seed: seed, HasSeed: true})
	if err != nil {
		_ = g.Close()
		return nil, env.Obs{}, env.Info{}, err
	}
	return g, obs, info, nil
}

// levelStarts returns the first frame of every level of game id of cat in
// the level set of seed, reaching each level by replaying the solution of
// the one before. A game that does not expose its levels (a real game)
// gives its first frame only.
func levelStarts(ctx context.Context, cat *catalog, id string, seed int64) ([][]uint8, error) {
	g, obs, info, err := startGame(ctx, cat, id, seed)
	if err != nil {
		return nil, err
	}
	defer g.Close()
	frames := [][]uint8{bytes.Clone(obs.Grid.Data)}
	ls, ok := g.Backend().(levelSet)
	if !ok {
		return frames, nil
	}
	levels := ls.Levels()
	for i, lv := range levels[:len(levels)-1] {
		if len(lv.Solution) == 0 {
			return nil, fmt.Errorf("%s level %d (%q) has no known solution", id, i+1, lv.Name)
		}
		for _, a := range lv.Solution {
			st, err := g.Step(ctx, a)
			if err != nil {
				return nil, fmt.Errorf("%s level %d: %w", id, i+1, err)
			}
			obs, info = st.Obs, st.Info
		}
		if info.LevelsCompleted != i+1 || info.State != arc.NotFinished {
			return nil, fmt.Errorf("%s level %d: its solution left the game in state %s with %d levels completed", id, i+1, info.State, info.LevelsCompleted)
		}
		frames = append(frames, bytes.Clone(obs.Grid.Data))
	}
	return frames, nil
}

// sheetGap is the gap between pictures and around the sheet, in cells.
const sheetGap = 2

// sheetBackground is the colour of the gaps (white).
const sheetBackground = 0

// writeSheet writes the contact sheet of cfg.games of cat as a PNG to w.
// The rows are drawn as many at a time as there are CPUs: a real game
// takes a worker process start.
func writeSheet(ctx context.Context, w *bytes.Buffer, cat *catalog, cfg renderConfig) error {
	list, err := selectGames(cat, strings.Join(cfg.games, ","))
	if err != nil {
		return err
	}
	rows := make([][][]uint8, len(list))
	errs := make([]error, len(list))
	sem := make(chan struct{}, runtime.NumCPU())
	var wg sync.WaitGroup
	for i, info := range list {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			rows[i], errs[i] = levelStarts(ctx, cat, info.ID, cfg.seed)
		})
	}
	wg.Wait()
	cols := 0
	for i := range list {
		if errs[i] != nil {
			return errs[i]
		}
		cols = max(cols, len(rows[i]))
	}
	cell, gap := arc.GridSize*cfg.scale, sheetGap*cfg.scale
	sheet := image.NewPaletted(image.Rect(0, 0, gap+cols*(cell+gap), gap+len(rows)*(cell+gap)), render.ColorPalette())
	for i := range sheet.Pix {
		sheet.Pix[i] = sheetBackground
	}
	for r, frames := range rows {
		for c, f := range frames {
			img, err := render.Image(f, cfg.scale)
			if err != nil {
				return err
			}
			x0, y0 := gap+c*(cell+gap), gap+r*(cell+gap)
			for y := range cell {
				copy(sheet.Pix[(y0+y)*sheet.Stride+x0:], img.Pix[y*img.Stride:y*img.Stride+cell])
			}
		}
	}
	return png.Encode(w, sheet)
}

// chooser picks the actions of a rendered episode.
type chooser interface {
	begin(g *env.Game, seed uint64)
	act(frame []uint8, info *env.Info) (arc.Action, bool)
	observe(frame []uint8, info *env.Info)
}

// baselineChooser drives a baseline agent of run.
type baselineChooser struct{ agent }

func (b baselineChooser) begin(g *env.Game, seed uint64) { b.agent.begin(g.GameInfo(), seed) }

// solutionChooser replays the solutions the levels carry.
type solutionChooser struct {
	levels []engine.Level
	level  int // level being played
	next   int // index of the next action of its solution
}

func (s *solutionChooser) begin(g *env.Game, _ uint64) {
	s.levels, s.level, s.next = nil, 0, 0
	if ls, ok := g.Backend().(levelSet); ok {
		s.levels = ls.Levels()
	}
}

func (s *solutionChooser) act(_ []uint8, info *env.Info) (arc.Action, bool) {
	if info.LevelsCompleted != s.level {
		s.level, s.next = info.LevelsCompleted, 0
	}
	if s.level >= len(s.levels) || s.next >= len(s.levels[s.level].Solution) {
		return arc.Action{}, false
	}
	s.next++
	return s.levels[s.level].Solution[s.next-1], true
}

func (s *solutionChooser) observe(_ []uint8, info *env.Info) {
	// A level restarted after a GAME_OVER is replayed from the start.
	if info.Action.ID == arc.Reset {
		s.next = 0
	}
}

func newRenderAgent(name string) (chooser, error) {
	if name == "solution" {
		return &solutionChooser{}, nil
	}
	a, err := newAgent(name)
	if err != nil {
		return nil, fmt.Errorf("unknown agent %q (want %s)", name, strings.Join(renderAgents, ", "))
	}
	return baselineChooser{a}, nil
}

// writeEpisodeGIF plays one episode of cfg.game of cat and writes it to w
// as an animated GIF.
func writeEpisodeGIF(ctx context.Context, w *bytes.Buffer, cat *catalog, cfg renderConfig) error {
	ag, err := newRenderAgent(cfg.agent)
	if err != nil {
		return err
	}
	if _, err := cat.lookup(cfg.game); err != nil {
		return err
	}
	if _, ok := ag.(*solutionChooser); ok && cat.isReal(cfg.game) {
		return fmt.Errorf("-agent solution needs a built-in game: %s is a real game, which carries no solutions (use %s)",
			cfg.game, strings.Join(agentNames, " or "))
	}
	g, obs, info, err := startGame(ctx, cat, cfg.game, cfg.seed)
	if err != nil {
		return err
	}
	defer g.Close()
	fps := max(g.GameInfo().DefaultFPS, 1)
	// GIF delays are in hundredths of a second; viewers slow down anything
	// under 2.
	anim := render.Animation{Scale: cfg.scale, Delay: max(100/fps, 2)}
	if err := anim.Add(obs.Grid.Data); err != nil {
		return err
	}
	ag.begin(g, uint64(cfg.seed))
	for range cfg.maxSteps {
		a, ok := ag.act(obs.Grid.Data, &info)
		if !ok {
			break
		}
		st, err := g.Step(ctx, a)
		if err != nil {
			return err
		}
		if err := addFrames(&anim, st.Info.Frames); err != nil {
			return err
		}
		obs, info = st.Obs, st.Info
		if info.State == arc.GameOver {
			if obs, info, err = g.Reset(ctx, env.ResetOptions{Mode: env.ResetLevel}); err != nil {
				return err
			}
			if err := addFrames(&anim, info.Frames); err != nil {
				return err
			}
		} else if st.Done() {
			break
		}
		ag.observe(obs.Grid.Data, &info)
	}
	return anim.WriteGIF(w)
}

// addFrames adds every frame of a (n,64,64) stack to anim.
func addFrames(anim *render.Animation, frames tensor.U8) error {
	const size = arc.GridSize * arc.GridSize
	for f := range slices.Chunk(frames.Data, size) {
		if err := anim.Add(f); err != nil {
			return err
		}
	}
	return nil
}
