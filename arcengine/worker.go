package arcengine

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/arcgym/arcgym/arc"
)

// worker is one Python process hosting games. Requests go down one pipe and
// responses come up another (the child's file descriptors 3 and 4); the
// child's standard output and error are kept in a tail for error messages.
//
// One request is in flight at a time (mu). A worker that crashed, hung or
// broke the protocol is killed and marked dead; it is never used again.
//
// The pipes are kept out of Go's poller: a response wakes the reading
// thread directly, which measured 2-3x faster than the poller for these
// ping-pong exchanges (see wait.go for how a wait spins or sleeps). The
// wait watches the context of the request in flight; a worker that does
// not answer before it ends is killed.
type worker struct {
	pool *Pool
	cmd  *exec.Cmd
	pid  int
	req  *os.File
	resp *os.File
	rd   *pipeReader
	br   *bufio.Reader
	tail *tailWriter

	exited  chan struct{} // closed once the process has been waited for
	waitErr error         // the exit status, valid once exited is closed

	mu      sync.Mutex // held for a request and its response
	wbuf    []byte
	broken  error       // the failure that killed the worker (guarded by mu)
	dead    atomic.Bool // set with broken, readable without mu
	stopped sync.Once

	// Guarded by pool.mu.
	sessions  int
	nextSlot  uint32
	idleSince time.Time
}

// gracePeriod is how long a worker gets to exit after its request pipe is
// closed before it is killed.
const gracePeriod = 2 * time.Second

// startWorker starts a worker process and waits for its greeting.
func startWorker(ctx context.Context, p *Pool) (*worker, error) {
	reqR, reqW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("arcengine: pipe: %w", err)
	}
	respR, respW, err := os.Pipe()
	if err != nil {
		reqR.Close()
		reqW.Close()
		return nil, fmt.Errorf("arcengine: pipe: %w", err)
	}
	tail := &tailWriter{fwd: p.cfg.Output}
	spin := "0"
	if p.spin {
		spin = strconv.Itoa(int(workerSpin / time.Microsecond))
	}
	cmd := exec.Command(p.cfg.Python, p.script, "3", "4", spin)
	cmd.ExtraFiles = []*os.File{reqR, respW}
	cmd.Stdout, cmd.Stderr = tail, tail
	cmd.Env = append(append(os.Environ(), "PYTHONUNBUFFERED=1"), p.cfg.Env...)
	cmd.SysProcAttr = sysProcAttr()
	cmd.WaitDelay = gracePeriod
	err = cmd.Start()
	reqR.Close()
	respW.Close()
	// Fd switches the request pipe to blocking mode (see the type's
	// comment); newPipeReader takes the response pipe out of the poller.
	reqW.Fd()
	if err != nil {
		reqW.Close()
		respR.Close()
		return nil, &WorkerError{Kind: ErrNoPython, Op: "start", Err: err, Detail: "interpreter " + p.cfg.Python}
	}
	rd, err := newPipeReader(respR)
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		reqW.Close()
		respR.Close()
		return nil, fmt.Errorf("arcengine: pipe: %w", err)
	}
	w := &worker{
		pool:   p,
		cmd:    cmd,
		pid:    cmd.Process.Pid,
		req:    reqW,
		resp:   respR,
		rd:     rd,
		br:     bufio.NewReaderSize(rd, 1<<16),
		tail:   tail,
		exited: make(chan struct{}),
		wbuf:   make([]byte, 0, 256),
	}
	rd.pool = p
	go func() {
		w.waitErr = cmd.Wait()
		close(w.exited)
	}()

	ctx, cancel := context.WithTimeout(ctx, p.cfg.StartTimeout)
	defer cancel()
	var r response
	w.mu.Lock()
	w.wbuf = w.wbuf[:0]
	err = w.call(ctx, "start", "", nil, &r)
	w.mu.Unlock()
	if err == nil {
		err = w.checkHello(&r)
	}
	if err != nil {
		var we *WorkerError
		if errors.As(err, &we) && errors.Is(err, ErrCrashed) {
			// The interpreter ran but died before it could greet: not a
			// usable Python for the worker.
			we.Kind = ErrNoPython
		}
		w.close()
		return nil, err
	}
	return w, nil
}

// checkHello validates the greeting.
func (w *worker) checkHello(r *response) error {
	fail := func(kind error, detail string) error {
		w.kill(nil)
		return &WorkerError{Kind: kind, PID: w.pid, Op: "start", Detail: detail}
	}
	if r.kind != kindHello {
		return fail(ErrProtocol, fmt.Sprintf("first response is of kind %d, not a greeting", r.kind))
	}
	if r.proto != protocolVersion {
		return fail(ErrProtocol, fmt.Sprintf("worker speaks protocol %d, want %d", r.proto, protocolVersion))
	}
	if r.engine != "" && !w.pool.cfg.AnyEngineVersion {
		if err := checkEngineVersion(r.engine); err != nil {
			return fail(ErrEngineVersion, fmt.Sprintf("arcengine %v in %s; arcgym needs %s (scripts/setup-python.sh installs it)",
				err, w.pool.cfg.Python, SupportedEngine))
		}
	}
	if r.importError != "" {
		return fail(ErrEngineVersion, fmt.Sprintf("Python %s at %s cannot import arcengine (scripts/setup-python.sh installs it):\n%s",
			r.python, w.pool.cfg.Python, r.importError))
	}
	if r.engine == "" && !w.pool.cfg.AnyEngineVersion {
		return fail(ErrEngineVersion, fmt.Sprintf("arcengine in %s has no version metadata; arcgym needs %s", w.pool.cfg.Python, SupportedEngine))
	}
	return nil
}

// stackDumpWait is how long a hung worker gets to print its stacks.
const stackDumpWait = 200 * time.Millisecond

// call sends w.wbuf (if not empty) and reads one response into r, frames
// into out. The caller holds w.mu. Any failure of the process or the
// protocol kills the worker and is returned as a *WorkerError; ctx ending
// while waiting is ErrHung.
func (w *worker) call(ctx context.Context, op, game string, out *arc.FrameData, r *response) error {
	if w.broken != nil {
		return w.broken
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	var err error
	w.pool.busy.Add(1)
	w.rd.sending()
	if len(w.wbuf) > 0 {
		_, err = w.req.Write(w.wbuf)
	}
	if err == nil {
		if out == nil {
			out = &arc.FrameData{}
		}
		w.rd.ctx = ctx
		err = readResponse(w.br, out, r)
		w.rd.ctx = nil
	}
	w.pool.busy.Add(-1)
	if err == nil {
		w.rd.answered(r.step)
		return nil
	}
	we := &WorkerError{Game: game, PID: w.pid, Op: op}
	switch {
	case errors.Is(err, errContextDone):
		we.Kind, we.Err = ErrHung, context.Cause(ctx)
		// A hung worker is asked for its Python stacks before it is
		// killed; they end up in the error's detail.
		dumpStacks(w.cmd.Process)
		select {
		case <-w.exited:
		case <-time.After(stackDumpWait):
		}
	case errors.Is(err, ErrProtocol):
		we.Kind, we.Err = ErrProtocol, err
	default:
		// The pipe broke or closed: the process is gone or going.
		we.Kind = ErrCrashed
	}
	w.kill(we)
	if we.Kind == ErrCrashed {
		we.Err = w.exitStatus(err)
	}
	// The process has been waited for: its output is complete.
	we.Detail = w.tail.String()
	return we
}

// exitStatus describes how the process ended, or err if that is unknown.
func (w *worker) exitStatus(err error) error {
	select {
	case <-w.exited:
		if w.waitErr != nil {
			return w.waitErr
		}
		return errors.New("exit status 0")
	default:
		return err
	}
}

// kill marks the worker dead with cause, kills the process and waits for
// it. The caller holds w.mu.
func (w *worker) kill(cause error) {
	if w.broken == nil {
		if cause == nil {
			cause = &WorkerError{Kind: ErrCrashed, PID: w.pid, Op: "kill"}
		}
		w.broken = cause
	}
	w.dead.Store(true)
	w.cmd.Process.Kill()
	<-w.exited
}

// close stops the worker: its request pipe is closed, which makes it exit;
// if it does not within gracePeriod it is killed. close waits for the
// process and releases everything it holds. It is safe to call twice.
func (w *worker) close() {
	w.stopped.Do(func() {
		w.req.Close()
		select {
		case <-w.exited:
		case <-time.After(gracePeriod):
			w.cmd.Process.Kill()
			<-w.exited
		}
		w.dead.Store(true)
		w.resp.Close()
	})
}

// tailWriter keeps the last tailSize bytes written to it and forwards
// everything to fwd if set.
type tailWriter struct {
	mu  sync.Mutex
	buf []byte
	fwd io.Writer
}

const tailSize = 16 << 10

// Write keeps p's tail and forwards p.
func (t *tailWriter) Write(p []byte) (int, error) {
	t.mu.Lock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > 2*tailSize {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-tailSize:]...)
	}
	fwd := t.fwd
	t.mu.Unlock()
	if fwd != nil {
		fwd.Write(p)
	}
	return len(p), nil
}

// String returns the kept tail.
func (t *tailWriter) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	b := t.buf
	if len(b) > tailSize {
		b = b[len(b)-tailSize:]
	}
	return toValidUTF8(b)
}
