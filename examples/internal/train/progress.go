package train

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/arcgym/arcgym/vector"
)

// Progress draws a one-line progress bar, redrawn in place with a carriage
// return: steps done out of the total, steps per second over this run, the
// mean return of the last episodes and a note (an evaluation score, say).
//
// It only reads the clock to decide when to redraw and to measure speed, so
// a training loop that reports to it stays deterministic. A nil writer makes
// it silent. It is not safe for concurrent use.
type Progress struct {
	// Interval is the least time between two redraws (default 200ms).
	Interval time.Duration
	// Window is the number of recent episodes the mean return covers
	// (default 100).
	Window int

	w     io.Writer
	label string
	total int
	now   func() time.Time

	start     time.Time
	startStep int
	lastDraw  time.Time
	steps     int
	episodes  int
	returns   []float64
	next      int
	sum       float64
	note      string
}

// NewProgress returns a bar labelled label that counts up to total steps
// and draws on w.
func NewProgress(w io.Writer, label string, total int) *Progress {
	return &Progress{w: w, label: label, total: total, now: time.Now}
}

// Start begins timing; steps and episodes are what an earlier run (a
// resumed checkpoint) already did, counted in the totals but not in the
// speed.
func (p *Progress) Start(steps, episodes int) {
	if p.Interval <= 0 {
		p.Interval = 200 * time.Millisecond
	}
	if p.Window <= 0 {
		p.Window = 100
	}
	p.start = p.now()
	p.lastDraw = p.start
	p.steps, p.startStep, p.episodes = steps, steps, episodes
	p.returns = p.returns[:0]
	p.next, p.sum = 0, 0
}

// Step adds n environment steps and redraws when Interval has passed.
func (p *Progress) Step(n int) {
	p.steps += n
	p.maybeDraw()
}

// Episode records the return of a finished episode.
func (p *Progress) Episode(ret float64) {
	p.episodes++
	if len(p.returns) < p.Window {
		p.returns = append(p.returns, ret)
		p.sum += ret
		return
	}
	p.sum += ret - p.returns[p.next]
	p.returns[p.next] = ret
	p.next = (p.next + 1) % p.Window
}

// Episodes records the episodes that ended in a vector env's batch (see
// vector.EpisodeStats) and returns their number.
func (p *Progress) Episodes(e *vector.Episodes) int {
	n := 0
	for r, ended := range e.Ended {
		if ended {
			p.Episode(e.Returns[r])
			n++
		}
	}
	return n
}

// Note sets the text shown at the end of the line, e.g. "eval 2.31".
func (p *Progress) Note(format string, args ...any) {
	p.note = fmt.Sprintf(format, args...)
}

// Steps returns the steps counted so far.
func (p *Progress) Steps() int { return p.steps }

// MeanReturn returns the mean return of the recent episodes and how many
// episodes it covers.
func (p *Progress) MeanReturn() (mean float64, n int) {
	if len(p.returns) == 0 {
		return 0, 0
	}
	return p.sum / float64(len(p.returns)), len(p.returns)
}

// Rate returns the steps per second of this run.
func (p *Progress) Rate() float64 {
	el := p.now().Sub(p.start).Seconds()
	if el <= 0 {
		return 0
	}
	return float64(p.steps-p.startStep) / el
}

func (p *Progress) maybeDraw() {
	if p.w == nil {
		return
	}
	if t := p.now(); t.Sub(p.lastDraw) >= p.Interval {
		p.lastDraw = t
		p.draw()
	}
}

// Draw redraws the line now.
func (p *Progress) Draw() {
	if p.w != nil {
		p.lastDraw = p.now()
		p.draw()
	}
}

func (p *Progress) draw() {
	fmt.Fprintf(p.w, "\r%s\x1b[K", p.Line())
}

// Finish draws the final line and ends it with a newline.
func (p *Progress) Finish() {
	if p.w == nil {
		return
	}
	p.draw()
	fmt.Fprintln(p.w)
}

// Line returns the text of the bar as it would be drawn now.
func (p *Progress) Line() string {
	const width = 24
	var b strings.Builder
	frac := 0.0
	if p.total > 0 {
		frac = min(float64(p.steps)/float64(p.total), 1)
	}
	filled := int(frac * width)
	b.WriteString(p.label)
	b.WriteString(" [")
	b.WriteString(strings.Repeat("=", filled))
	if filled < width {
		b.WriteString(">")
		b.WriteString(strings.Repeat(" ", width-filled-1))
	}
	rate := p.Rate()
	fmt.Fprintf(&b, "] %3.0f%% %s/%s steps %s steps/s ep %d", 100*frac, Count(p.steps), Count(p.total), Count(int(rate)), p.episodes)
	if mean, n := p.MeanReturn(); n > 0 {
		fmt.Fprintf(&b, " return %.2f", mean)
	}
	if rate > 0 && p.steps < p.total {
		eta := time.Duration(float64(p.total-p.steps) / rate * float64(time.Second))
		fmt.Fprintf(&b, " eta %s", eta.Round(time.Second))
	}
	if p.note != "" {
		b.WriteString(" ")
		b.WriteString(p.note)
	}
	return b.String()
}

// Count formats n compactly: 950, 12.3k, 4.56M.
func Count(n int) string {
	switch {
	case n < 0:
		return "-" + Count(-n)
	case n < 1000:
		return fmt.Sprint(n)
	case n < 1_000_000:
		return trimZero(fmt.Sprintf("%.3g", float64(n)/1e3)) + "k"
	default:
		return trimZero(fmt.Sprintf("%.3g", float64(n)/1e6)) + "M"
	}
}

func trimZero(s string) string {
	if strings.Contains(s, ".") && !strings.ContainsAny(s, "e") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}
