package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
)

const playSummary = `Play runs a game in the terminal: a built-in game, or a real ARC-AGI-3
game of the games directory (-games, $ARCGYM_GAMES_DIR or $ENVIRONMENTS_DIR),
by base id (its latest version) or versioned id. "arcgym list" lists them.

On a terminal it reads single keys: w/a/s/d or the arrow keys for
ACTION1-4 (up, down, left, right), space or e for ACTION5, u or z for
ACTION7, a mouse click for ACTION6 at the clicked cell (left button: upper
cell of the character, right button: lower cell) or c to type its
coordinates, r to reset and q to quit.

When standard input is not a terminal (or with -line) it reads one command
per line: 1..7, "6 x y", the same key letters, r, q; it prints the frame
and a status line after every command, so that games can be scripted.`

// playConfig holds the flags of play.
type playConfig struct {
	game   string
	seed   int64
	fps    int
	line   bool
	color  string
	frames bool
}

// runPlay is the play command.
func runPlay(ctx context.Context, args []string, io stdio) error {
	var cfg playConfig
	fs := newFlagSet("play", "<game>", playSummary, io)
	fs.Int64Var(&cfg.seed, "seed", 0, "level set: 0 plays the hand-made levels, any other value a procedurally generated set\n(real games: passed to the game's constructor when it takes a seed)")
	fs.IntVar(&cfg.fps, "fps", 0, "animation speed in frames per second (0: the game's default)")
	fs.BoolVar(&cfg.line, "line", false, "read commands per line even on a terminal")
	fs.StringVar(&cfg.color, "color", "auto", "line mode frame colours: auto, always or never (hex digits)")
	fs.BoolVar(&cfg.frames, "frames", true, "line mode: print the frame after every command")
	gf := addGameFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errUsage
	}
	cfg.game = fs.Arg(0)
	switch cfg.color {
	case "auto", "always", "never":
	default:
		fmt.Fprintf(io.err, "arcgym play: -color %q: want auto, always or never\n", cfg.color)
		return errUsage
	}
	cat, err := gf.open()
	if err != nil {
		return err
	}
	defer cat.Close()
	g, err := cat.make(ctx, cfg.game)
	if err != nil {
		return err
	}
	defer g.Close()
	p := &player{g: g, info: g.GameInfo(), io: io, cfg: cfg}
	if in, ok := io.in.(*os.File); ok && !cfg.line && term.IsTerminal(int(in.Fd())) && isTerminal(io.out) {
		return p.playRaw(ctx, in)
	}
	return p.playLines(ctx)
}

func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// player drives one game for a person.
type player struct {
	g    *env.Game
	info arc.GameInfo
	io   stdio
	cfg  playConfig

	last    env.Info
	reward  float64
	ret     float64
	over    bool
	message string
	buf     []byte
}

func (p *player) reset(ctx context.Context) error {
	opts := env.ResetOptions{}
	if p.cfg.seed != 0 {
		opts = env.WithSeed(p.cfg.seed)
	}
	_, info, err := p.g.Reset(ctx, opts)
	if err != nil {
		return err
	}
	p.last, p.reward, p.ret, p.over = info, 0, 0, false
	p.message = ""
	return nil
}

// step applies a; a refused action (unavailable, or after the end) is
// reported in the message and is not an error.
func (p *player) step(ctx context.Context, a arc.Action) error {
	st, err := p.g.Step(ctx, a)
	switch {
	case errors.Is(err, env.ErrNeedsReset):
		p.message = "the game is over: r to play again"
		return nil
	case errors.Is(err, arc.ErrActionNotAvailable), errors.Is(err, arc.ErrInvalidAction):
		p.message = fmt.Sprintf("%s is not available in this game", a)
		return nil
	case err != nil:
		return err
	}
	p.last, p.reward = st.Info, st.Reward
	p.ret += st.Reward
	p.over = st.Done()
	p.message = ""
	switch st.Info.State {
	case arc.Win:
		p.message = "you won! r to play again"
	case arc.GameOver:
		p.message = "game over: r to play again"
	}
	return nil
}

// status is the one-line summary of the game shown under the frame.
func (p *player) status() string {
	return fmt.Sprintf("game=%s state=%s levels=%d/%d steps=%d actions=%d reward=%g return=%g available=%s action=%s",
		p.info.ID, p.last.State, p.last.LevelsCompleted, p.last.WinLevels, p.last.EpisodeSteps,
		p.last.ScoreActions, p.reward, p.ret, actionNames(p.last.Available), p.last.Action)
}

// playLines is line mode: one command per input line.
func (p *player) playLines(ctx context.Context) error {
	color := p.cfg.color == "always" || p.cfg.color == "auto" && isTerminal(p.io.out)
	out := bufio.NewWriter(p.io.out)
	defer out.Flush()
	show := func() error {
		p.buf = p.buf[:0]
		if p.cfg.frames {
			if color {
				p.buf = appendFrameANSI(p.buf, p.g.Last().Last(), "\n")
			} else {
				p.buf = appendFramePlain(p.buf, p.g.Last().Last())
			}
		}
		p.buf = append(p.buf, p.status()...)
		p.buf = append(p.buf, '\n')
		if p.message != "" {
			p.buf = append(p.buf, "# "+p.message+"\n"...)
		}
		if _, err := out.Write(p.buf); err != nil {
			return err
		}
		return out.Flush()
	}
	if err := p.reset(ctx); err != nil {
		return err
	}
	if err := show(); err != nil {
		return err
	}
	// Lines are read on their own goroutine so that an interrupt is seen
	// while the reader waits for input. A read from a terminal cannot be
	// cancelled: on an interrupt the goroutine is left blocked until the
	// input ends, which for the program is when it exits right after.
	lines := make(chan string)
	readErr := make(chan error, 1)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(p.io.in)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
		readErr <- sc.Err()
	}()
	for n := 1; ; n++ {
		var line string
		select {
		case <-ctx.Done():
			// An interrupt ends the game like q does.
			return nil
		case l, ok := <-lines:
			if !ok {
				select {
				case err := <-readErr:
					return err
				default:
					return nil
				}
			}
			line = l
		}
		in, err := parseLine(line)
		if err != nil {
			fmt.Fprintf(p.io.err, "line %d: %v\n", n, err)
			continue
		}
		switch in.kind {
		case inNone:
			continue
		case inQuit:
			return nil
		case inReset:
			err = p.reset(ctx)
		case inAction:
			err = p.step(ctx, in.action)
		}
		if errors.Is(err, context.Canceled) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := show(); err != nil {
			return err
		}
	}
}

// Screen layout of raw mode: two status lines, then the frame.
const (
	frameTop    = 3 // 1-based screen row of the first frame line
	frameBottom = frameTop + arc.GridSize/2
)

// playRaw is the interactive mode on a terminal.
func (p *player) playRaw(ctx context.Context, in *os.File) error {
	fd := int(in.Fd())
	old, err := term.MakeRaw(fd)
	if err != nil {
		return fmt.Errorf("terminal raw mode: %w", err)
	}
	defer term.Restore(fd, old)
	fmt.Fprint(p.io.out, ansiEnter+ansiClear)
	defer fmt.Fprint(p.io.out, ansiLeave)

	if err := p.reset(ctx); err != nil {
		return err
	}
	if err := p.draw(p.g.Last().Last()); err != nil {
		return err
	}
	r := bufio.NewReader(in)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		k, err := readKey(r)
		if err != nil {
			return nil // end of input ends the game
		}
		switch k.kind {
		case inNone:
			continue
		case inQuit:
			return nil
		case inReset:
			err = p.reset(ctx)
		case inPrompt:
			var a arc.Action
			var ok bool
			if a, ok, err = p.promptClick(r); err == nil && ok {
				err = p.stepAnimated(ctx, a)
			}
		case inMouse:
			a, ok := clickAt(k)
			if !ok {
				continue
			}
			err = p.stepAnimated(ctx, a)
		case inAction:
			err = p.stepAnimated(ctx, k.action)
		}
		if err != nil {
			return err
		}
		if err := p.draw(p.g.Last().Last()); err != nil {
			return err
		}
	}
}

// clickAt maps a mouse click on the screen to ACTION6 at the cell under
// it; ok is false outside the frame. A character shows two cells, one above
// the other: the left button picks the upper, the right button the lower.
func clickAt(k input) (a arc.Action, ok bool) {
	x, y := k.col-1, 2*(k.row-frameTop)
	if k.lower {
		y++
	}
	if k.row < frameTop || k.row >= frameBottom || x < 0 || x >= arc.GridSize {
		return arc.Action{}, false
	}
	return arc.Click(x, y), true
}

// stepAnimated steps and plays the intermediate frames of the action at
// the game's frame rate before the final frame is drawn.
func (p *player) stepAnimated(ctx context.Context, a arc.Action) error {
	if err := p.step(ctx, a); err != nil {
		return err
	}
	fd := p.g.Last()
	n := fd.NumFrames()
	if n < 2 {
		return nil
	}
	fps := p.cfg.fps
	if fps <= 0 {
		fps = p.info.DefaultFPS
	}
	if fps <= 0 {
		fps = 10
	}
	tick := time.NewTicker(time.Second / time.Duration(fps))
	defer tick.Stop()
	for i := range n - 1 {
		if err := p.draw(fd.Frame(i)); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
	return nil
}

// promptClick reads "x y" typed after the prompt, echoing it; Enter
// confirms, Escape or q cancels.
func (p *player) promptClick(r *bufio.Reader) (arc.Action, bool, error) {
	var typed []byte
	for {
		fmt.Fprintf(p.io.out, "\x1b[%d;1HACTION6 at x y (0..63), Enter to click, Esc to cancel: %s%s", frameBottom+1, typed, ansiClearLine)
		b, err := r.ReadByte()
		if err != nil {
			return arc.Action{}, false, err
		}
		switch {
		case b == '\r' || b == '\n':
			in, err := parseLine("6 " + string(typed))
			if err != nil {
				p.message = "type two numbers 0..63, e.g. 12 40"
				return arc.Action{}, false, nil
			}
			return in.action, true, nil
		case b == 0x1b || b == 'q' || b == 3:
			return arc.Action{}, false, nil
		case b == 0x7f || b == 8:
			if len(typed) > 0 {
				typed = typed[:len(typed)-1]
			}
		case b >= '0' && b <= '9' || b == ' ' || b == ',':
			if b == ',' {
				b = ' '
			}
			if len(typed) < 16 {
				typed = append(typed, b)
			}
		}
	}
}

// draw paints the whole screen: status, frame, key help and message.
func (p *player) draw(frame []uint8) error {
	b := p.buf[:0]
	b = append(b, ansiHome...)
	b = fmt.Appendf(b, "\x1b[1m%s\x1b[0m (%s)  level %d/%d  %s%s\r\n", p.info.Title, p.info.ID,
		min(p.last.LevelsCompleted+1, max(p.last.WinLevels, 1)), p.last.WinLevels, p.last.State, ansiClearLine)
	b = fmt.Appendf(b, "step %d  actions %d  last %s  reward %g  return %g  available %s%s\r\n",
		p.last.EpisodeSteps, p.last.ScoreActions, p.last.Action, p.reward, p.ret, actionNames(p.last.Available), ansiClearLine)
	b = appendFrameANSI(b, frame, "\r\n")
	b = append(b, keyHelp(p.last.Available)...)
	b = append(b, ansiClearLine+"\r\n"...)
	b = append(b, p.message...)
	b = append(b, ansiClearLine...)
	p.buf = b
	_, err := p.io.out.Write(b)
	return err
}

// keyHelp describes the keys of the actions the game offers.
func keyHelp(avail arc.ActionSet) string {
	var parts []string
	if avail.Has(arc.Action1) || avail.Has(arc.Action2) || avail.Has(arc.Action3) || avail.Has(arc.Action4) {
		parts = append(parts, "w/a/s/d or arrows: ACTION1-4")
	}
	if avail.Has(arc.Action5) {
		parts = append(parts, "space/e: ACTION5")
	}
	if avail.Has(arc.Action6) {
		parts = append(parts, "click or c: ACTION6")
	}
	if avail.Has(arc.Action7) {
		parts = append(parts, "u/z: ACTION7")
	}
	parts = append(parts, "r: reset", "q: quit")
	return strings.Join(parts, "  ")
}
