package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// progress reports how far a run is on stderr: a bar redrawn in place on a
// terminal, plain lines otherwise. Workers report steps and finished
// episodes; a goroutine owned by progress prints every interval.
type progress struct {
	w        io.Writer
	tty      bool
	total    int
	interval time.Duration

	nsteps atomic.Int64
	mu     sync.Mutex
	eps    int
	wins   int
	ret    float64

	began time.Time
	quit  chan struct{}
	wg    sync.WaitGroup
}

// newProgress returns a reporter for total episodes. interval 0 picks a
// default for the kind of writer; a negative interval prints nothing.
func newProgress(w io.Writer, total int, interval time.Duration) *progress {
	p := &progress{w: w, tty: isTerminal(w), total: total, interval: interval}
	if p.interval == 0 {
		p.interval = 2 * time.Second
		if p.tty {
			p.interval = 100 * time.Millisecond
		}
	}
	return p
}

func (p *progress) start() {
	p.began = time.Now()
	if p.interval < 0 {
		return
	}
	p.quit = make(chan struct{})
	p.wg.Go(func() {
		t := time.NewTicker(p.interval)
		defer t.Stop()
		for {
			select {
			case <-p.quit:
				return
			case <-t.C:
				p.print(false)
			}
		}
	})
}

// stop ends the printing goroutine, waits for it and prints the final
// state.
func (p *progress) stop() {
	if p.quit == nil {
		return
	}
	close(p.quit)
	p.wg.Wait()
	p.print(true)
}

func (p *progress) steps(n int) { p.nsteps.Add(int64(n)) }

func (p *progress) done(ep episode) {
	p.mu.Lock()
	p.eps++
	if ep.won {
		p.wins++
	}
	p.ret += ep.ret
	p.mu.Unlock()
}

// print writes the progress line: redrawn in place on a terminal, with
// a bar, or as a plain line; final ends the line on a terminal. While
// episodes remain it shows an estimate of the time left.
func (p *progress) print(final bool) {
	p.mu.Lock()
	eps, wins, ret := p.eps, p.wins, p.ret
	p.mu.Unlock()
	elapsed := time.Since(p.began).Seconds()
	steps := p.nsteps.Load()
	rate := 0.0
	if elapsed > 0 {
		rate = float64(steps) / elapsed
	}
	mean := 0.0
	if eps > 0 {
		mean = ret / float64(eps)
	}
	stats := fmt.Sprintf("%d/%d episodes  %s steps  %s steps/s  %d wins  mean return %.3f  %.1fs",
		eps, p.total, human(float64(steps)), human(rate), wins, mean, elapsed)
	if !final && eps > 0 && eps < p.total {
		// Real games take seconds per episode: say how long is left, at
		// the pace of the episodes finished so far.
		left := time.Duration(elapsed / float64(eps) * float64(p.total-eps) * float64(time.Second))
		stats += "  ETA " + left.Round(time.Second).String()
	}
	if !p.tty {
		fmt.Fprintf(p.w, "progress: %s\n", stats)
		return
	}
	const width = 30
	fill := 0
	if p.total > 0 {
		fill = width * eps / p.total
	}
	bar := strings.Repeat("=", fill) + strings.Repeat(" ", width-fill)
	end := ""
	if final {
		end = "\n"
	}
	fmt.Fprintf(p.w, "\r[%s] %s\x1b[K%s", bar, stats, end)
}

// human formats a count with a k or M suffix.
func human(x float64) string {
	switch {
	case x >= 1e7:
		return fmt.Sprintf("%.1fM", x/1e6)
	case x >= 1e4:
		return fmt.Sprintf("%.1fk", x/1e3)
	}
	return fmt.Sprintf("%.0f", x)
}
