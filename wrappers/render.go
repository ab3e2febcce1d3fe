package wrappers

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/wrappers/render"
)

// RenderConfig configures a Render. Out must be set; the zero value of the
// other fields draws the last frame of every step below the previous one.
type RenderConfig struct {
	// Out receives the drawings (a terminal, os.Stdout for instance).
	Out io.Writer
	// AllFrames draws every frame of a step, not only the last.
	AllFrames bool
	// Home moves the cursor to the top left corner before each frame, so
	// that a terminal shows an animation in place.
	Home bool
}

// Render is a wrapper that draws the frames of every Reset and Step to a
// terminal (RenderConfig.Out) as ANSI true-colour text in the ARC palette.
type Render struct {
	inner
	w   io.Writer
	cfg RenderConfig
	buf []byte
}

// NewRender wraps e so that its frames are drawn to cfg.Out.
func NewRender(e env.Env, cfg RenderConfig) (*Render, error) {
	if e == nil || cfg.Out == nil {
		return nil, fmt.Errorf("wrappers: render needs an env and a writer")
	}
	return &Render{inner: e, w: cfg.Out, cfg: cfg}, nil
}

// Wrap implements env.Wrapper: NewRender(e, c).
func (c RenderConfig) Wrap(e env.Env) (env.Env, error) { return wrapped(NewRender(e, c)) }

// Unwrap returns the wrapped Env.
func (r *Render) Unwrap() env.Env { return r.inner }

// Reset resets the wrapped Env and draws the first frames.
func (r *Render) Reset(ctx context.Context, opts env.ResetOptions) (env.Obs, env.Info, error) {
	obs, info, err := r.inner.Reset(ctx, opts)
	if err != nil {
		return obs, info, err
	}
	return obs, info, r.draw(&info)
}

// Step steps the wrapped Env and draws the step's frames.
func (r *Render) Step(ctx context.Context, a arc.Action) (env.Step, error) {
	st, err := r.inner.Step(ctx, a)
	if err != nil {
		return st, err
	}
	return st, r.draw(&st.Info)
}

func (r *Render) draw(info *env.Info) error {
	n := info.Frames.Len() / arc.FrameCells
	first := n - 1
	if r.cfg.AllFrames {
		first = 0
	}
	r.buf = r.buf[:0]
	for i := max(first, 0); i < n; i++ {
		if r.cfg.Home {
			r.buf = append(r.buf, "\x1b[H"...)
		}
		r.buf = render.AppendANSI(r.buf, info.Frames.Data[i*arc.FrameCells:(i+1)*arc.FrameCells])
	}
	if _, err := r.w.Write(r.buf); err != nil {
		return fmt.Errorf("wrappers: render: %w", err)
	}
	return nil
}

// VideoConfig configures a Video. Dir must be set; the zero value of the
// other fields records every episode at 4 pixels per cell and 10 frames per
// second, last frame of each step.
type VideoConfig struct {
	// Dir is the directory the GIFs go to, created if needed.
	Dir string
	// Scale is the number of pixels per cell (default 4).
	Scale int
	// Delay is the time each frame shows in hundredths of a second
	// (default 10).
	Delay int
	// AllFrames records every frame of a step, not only the last.
	AllFrames bool
	// Every records one episode in Every (default 1, all of them).
	Every int
}

// Video is a wrapper that saves episodes as animated GIFs in the ARC
// palette, <Dir>/episode-<n>.gif (Dir of VideoConfig) with n counting from
// 1, written when the episode ends (or, for an unfinished one, on Close).
type Video struct {
	inner
	dir     string
	cfg     VideoConfig
	anim    render.Animation
	episode int
	active  bool
	last    string
}

// NewVideo wraps e so that its episodes are saved under cfg.Dir, which is
// created if needed.
func NewVideo(e env.Env, cfg VideoConfig) (*Video, error) {
	if e == nil {
		return nil, fmt.Errorf("wrappers: video needs an env")
	}
	if cfg.Dir == "" {
		return nil, fmt.Errorf("wrappers: video needs a directory")
	}
	if cfg.Every < 0 || cfg.Scale < 0 || cfg.Scale > render.MaxScale || cfg.Delay < 0 {
		return nil, fmt.Errorf("wrappers: bad video config %+v", cfg)
	}
	if cfg.Every == 0 {
		cfg.Every = 1
	}
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("wrappers: video: %w", err)
	}
	return &Video{inner: e, dir: cfg.Dir, cfg: cfg, anim: render.Animation{Scale: cfg.Scale, Delay: cfg.Delay}}, nil
}

// Wrap implements env.Wrapper: NewVideo(e, c).
func (c VideoConfig) Wrap(e env.Env) (env.Env, error) { return wrapped(NewVideo(e, c)) }

// Unwrap returns the wrapped Env.
func (v *Video) Unwrap() env.Env { return v.inner }

// LastFile returns the path of the last GIF written, "" before the first.
func (v *Video) LastFile() string { return v.last }

// Reset saves an unfinished episode, resets the wrapped Env and starts
// collecting the new episode when it is one to record.
func (v *Video) Reset(ctx context.Context, opts env.ResetOptions) (env.Obs, env.Info, error) {
	if err := v.flush(); err != nil {
		return env.Obs{}, env.Info{}, err
	}
	obs, info, err := v.inner.Reset(ctx, opts)
	if err != nil {
		return obs, info, err
	}
	v.episode++
	v.active = (v.episode-1)%v.cfg.Every == 0
	v.anim.Reset()
	return obs, info, v.add(&info)
}

// Step steps the wrapped Env, collects its frames and saves the episode
// when it ends.
func (v *Video) Step(ctx context.Context, a arc.Action) (env.Step, error) {
	st, err := v.inner.Step(ctx, a)
	if err != nil {
		return st, err
	}
	if err := v.add(&st.Info); err != nil {
		return st, err
	}
	if st.Done() {
		return st, v.flush()
	}
	return st, nil
}

// Close saves an unfinished episode and closes the wrapped Env.
func (v *Video) Close() error {
	ferr := v.flush()
	if err := v.inner.Close(); err != nil {
		return err
	}
	return ferr
}

func (v *Video) add(info *env.Info) error {
	if !v.active {
		return nil
	}
	n := info.Frames.Len() / arc.FrameCells
	first := n - 1
	if v.cfg.AllFrames {
		first = 0
	}
	for i := max(first, 0); i < n; i++ {
		if err := v.anim.Add(info.Frames.Data[i*arc.FrameCells : (i+1)*arc.FrameCells]); err != nil {
			return fmt.Errorf("wrappers: video: %w", err)
		}
	}
	return nil
}

func (v *Video) flush() error {
	if !v.active || v.anim.Len() == 0 {
		v.active = false
		return nil
	}
	v.active = false
	path := filepath.Join(v.dir, "episode-"+strconv.Itoa(v.episode)+".gif")
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("wrappers: video: %w", err)
	}
	err = v.anim.WriteGIF(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	v.anim.Reset()
	if err != nil {
		return fmt.Errorf("wrappers: video %s: %w", path, err)
	}
	v.last = path
	return nil
}
