package server

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/games"
)

// The test game "tt01": level i is completed by baseline[i] ACTION1s,
// ACTION2 loses, ACTION5 blocks until the catalog's gate opens (when it has
// one), ACTION6 paints the clicked cell and the others do nothing. Frames
// show the level, the progress and the painted cells, so that different
// histories give different frames.
var (
	ttInfo = arc.GameInfo{
		ID: "tt01-0a0b0c0d", Title: "TT01", Tags: []string{"tag1", "tag2"},
		BaselineActions: []int{4, 8, 16, 20, 24}, DefaultFPS: 5, ClassName: "Tt01",
		Available: arc.ActionSetOf(arc.Action1, arc.Action2, arc.Action3, arc.Action4, arc.Action5, arc.Action6),
		Levels:    5,
	}
	uuInfo = arc.GameInfo{
		ID: "uu02-1234abcd", Title: "UU02", Tags: []string{"tag3"},
		BaselineActions: []int{2, 3}, DefaultFPS: 10,
		Available: arc.ActionSetOf(arc.Action1, arc.Action2, arc.Action6),
		Levels:    2,
	}
)

// testCatalog serves the test games. gate, when set, is what ACTION5 waits
// for; entered receives a value when an ACTION5 starts waiting.
type testCatalog struct {
	infos   []arc.GameInfo
	gate    chan struct{}
	entered chan struct{}
}

func newTestCatalog() *testCatalog {
	return &testCatalog{infos: []arc.GameInfo{ttInfo, uuInfo}}
}

func (c *testCatalog) List() []arc.GameInfo {
	out := make([]arc.GameInfo, len(c.infos))
	for i, in := range c.infos {
		in.Tags = slices.Clone(in.Tags)
		in.BaselineActions = slices.Clone(in.BaselineActions)
		out[i] = in
	}
	return out
}

func (c *testCatalog) New(id string) (games.Instance, error) {
	for _, in := range c.infos {
		if in.ID == id {
			return &testSession{info: in, gate: c.gate, entered: c.entered}, nil
		}
	}
	return nil, fmt.Errorf("%w: %q", arc.ErrUnknownGame, id)
}

type testSession struct {
	info          arc.GameInfo
	gate, entered chan struct{}

	started, closed bool
	state           arc.GameState
	level, progress int
	completed       int
	levelActions    int
	screen          arc.Frame
}

var errTestClosed = errors.New("test session closed")

func (t *testSession) Info() arc.GameInfo { return t.info }
func (t *testSession) Seed(int64)         {}
func (t *testSession) Close() error       { t.closed = true; return nil }

func (t *testSession) Do(ctx context.Context, a arc.Action, out *arc.FrameData) error {
	if t.closed {
		return errTestClosed
	}
	out.Frames = out.Frames[:0]
	out.FullReset = false
	if a.ID == arc.Reset {
		if !t.started || t.state == arc.Win || t.levelActions == 0 {
			t.completed, t.level = 0, 0
			t.screen = arc.Frame{}
			out.FullReset = true
			t.started = true
		}
		t.progress, t.levelActions = 0, 0
		t.state = arc.NotFinished
		t.emit(out)
	} else {
		if !t.started || t.state.Terminal() {
			return fmt.Errorf("test: %s in state %s: %w", a.ID, t.state, arc.ErrNotStarted)
		}
		t.levelActions++
		switch a.ID {
		case arc.Action1:
			t.progress++
			if t.progress >= t.info.BaselineActions[t.level] {
				t.completed++
				t.emit(out) // the completing frame, then the next level
				if t.completed == t.info.Levels {
					t.state = arc.Win
				} else {
					t.level++
					t.progress, t.levelActions = 0, 0
				}
			}
		case arc.Action2:
			t.state = arc.GameOver
		case arc.Action5:
			if t.gate != nil {
				if t.entered != nil {
					t.entered <- struct{}{}
				}
				select {
				case <-t.gate:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
		case arc.Action6:
			t.screen[int(a.Y)*arc.GridSize+int(a.X)] = uint8(1 + (int(a.X)+int(a.Y))%15)
		}
		t.emit(out)
	}
	out.GameID = t.info.ID
	out.GUID = "engine-guid"
	out.State = t.state
	out.LevelsCompleted = t.completed
	out.WinLevels = t.info.Levels
	out.Action = a
	out.Available = t.info.Available
	return nil
}

func (t *testSession) emit(out *arc.FrameData) {
	t.screen[0] = uint8(t.level)
	t.screen[1] = uint8(t.progress % arc.NumColors)
	t.screen[2] = uint8(t.completed)
	out.AppendFrame(t.screen[:])
}
