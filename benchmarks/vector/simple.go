package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/tensor"
	"github.com/arcgym/arcgym/vector"
)

// simpleVec is the simplest scheduler that could do what vector.Async
// does for Step, of PufferLib's shape: each of its worker goroutines owns
// a fixed, contiguous slice of the sub-environments; a call sends one job
// to each worker over the worker's channel, each worker runs its slice and
// writes the results into preallocated rows, and the caller waits for
// them all on a WaitGroup. Nothing spins, nothing times the calls, no
// worker takes another's work. The caller runs no sub-environment itself,
// unless simpleOptions.CallerRuns has it run the first slice, as worker 0,
// in place of a goroutine (one wake-up less per call).
//
// It plays the games through their public API (env.Env, env.StepInto),
// with vector's NextStep autoreset: a sub-environment whose episode ended
// is reset in place of its next step, and that row is marked First. The
// observations of all rows are one contiguous buffer. With
// simpleOptions.InPlace, a game that offers it (env.Game.WriteFramesTo,
// as vector binds its rows) writes its frame straight into its row;
// otherwise each row's frame is copied there, 4 KiB a step. Each row's Info is copied (its Frames left pointing into
// the game's memory, valid until the next call).
//
// A call allocates nothing (see TestSimpleAllocatesNothing).
type simpleVec struct {
	envs []env.Env
	into []env.StepperInto
	// steps receives each sub-environment's step, written in place.
	steps []env.Step
	// pending marks the sub-environments whose next step is a reset.
	pending []bool

	// The rows: obs holds n observations of size cells each.
	obs                []uint8
	size               int
	shape              []int
	rewards            []float64
	term, trunc, first []bool
	infos              []env.Info
	errs               []error

	// ctx is the running call's context, written by the caller before it
	// sends the jobs and read by the workers after they receive theirs.
	ctx  context.Context
	jobs []chan simpleJob
	// callerLo and callerHi bound the slice the caller runs (empty unless
	// CallerRuns).
	callerLo, callerHi int
	// call counts the jobs of the running call not done; exit the workers
	// not stopped.
	call, exit sync.WaitGroup
}

// simpleJob is one worker's share of a call: a reset of its slice, or a
// step with acts (all the call's actions, indexed by sub-environment).
type simpleJob struct {
	reset bool
	acts  []arc.Action
}

// simpleOptions are the variants of simpleVec.
type simpleOptions struct {
	// InPlace has games that can write their frames straight into their
	// rows; the others' frames are copied.
	InPlace bool
	// CallerRuns has the caller run worker 0's slice.
	CallerRuns bool
}

// newSimple makes n sub-environments with f and starts workers goroutines
// (at most n; one less with CallerRuns), worker w owning sub-environments
// w*n/workers up to (w+1)*n/workers.
func newSimple(ctx context.Context, n, workers int, f vector.Factory, opts simpleOptions) (*simpleVec, error) {
	if n < 1 || workers < 1 {
		return nil, fmt.Errorf("simple: %d envs on %d workers, want at least 1 of each", n, workers)
	}
	workers = min(workers, n)
	v := &simpleVec{
		envs:    make([]env.Env, 0, n),
		into:    make([]env.StepperInto, 0, n),
		steps:   make([]env.Step, n),
		pending: make([]bool, n),
		rewards: make([]float64, n),
		term:    make([]bool, n),
		trunc:   make([]bool, n),
		first:   make([]bool, n),
		infos:   make([]env.Info, n),
		errs:    make([]error, n),
	}
	for i := range n {
		e, err := f(ctx, i)
		if err != nil {
			v.closeEnvs()
			return nil, fmt.Errorf("simple: making env %d: %w", i, err)
		}
		v.envs = append(v.envs, e)
		v.into = append(v.into, env.Into(e))
	}
	single := v.envs[0].ObservationSpace().Shape()
	v.size = tensor.Size(single)
	v.shape = append([]int{n}, single...)
	v.obs = make([]uint8, n*v.size)
	for i, e := range v.envs {
		if !slices.Equal(e.ObservationSpace().Shape(), single) {
			v.closeEnvs()
			return nil, fmt.Errorf("simple: env %d has observation shape %v, env 0 %v", i, e.ObservationSpace().Shape(), single)
		}
		if w, ok := e.(interface{ WriteFramesTo([]uint8) bool }); ok && opts.InPlace && v.size == arc.FrameCells {
			w.WriteFramesTo(v.row(i))
		}
	}
	first := 0
	if opts.CallerRuns {
		first, v.callerHi = 1, n/workers
	}
	v.jobs = make([]chan simpleJob, workers-first)
	for k := range v.jobs {
		v.jobs[k] = make(chan simpleJob, 1)
		w := k + first
		lo, hi := w*n/workers, (w+1)*n/workers
		v.exit.Go(func() { v.work(v.jobs[k], lo, hi) })
	}
	return v, nil
}

// row returns sub-environment i's row of the observations, capped so that
// nothing written through it spills into the next row.
func (v *simpleVec) row(i int) []uint8 {
	return v.obs[i*v.size : (i+1)*v.size : (i+1)*v.size]
}

// work is a worker's loop: it runs sub-environments lo..hi-1 for each job
// it receives until jobs is closed.
func (v *simpleVec) work(jobs chan simpleJob, lo, hi int) {
	for j := range jobs {
		v.runSlice(j, lo, hi)
		v.call.Done()
	}
}

// runSlice runs job j on sub-environments lo..hi-1.
func (v *simpleVec) runSlice(j simpleJob, lo, hi int) {
	for i := lo; i < hi; i++ {
		var a arc.Action
		if !j.reset {
			a = j.acts[i]
		}
		v.run(i, j.reset, a)
	}
}

// do sends j to every worker and waits for them, under ctx.
func (v *simpleVec) do(ctx context.Context, j simpleJob) error {
	v.ctx = ctx
	v.call.Add(len(v.jobs))
	for _, c := range v.jobs {
		c <- j
	}
	v.runSlice(j, v.callerLo, v.callerHi)
	v.call.Wait()
	v.ctx = nil
	for _, err := range v.errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Step applies acts[i] to sub-environment i, or resets it when its episode
// ended in the step before, and waits for all of them. It returns the
// first row's error, if any.
func (v *simpleVec) Step(ctx context.Context, acts []arc.Action) error {
	if len(acts) != len(v.envs) {
		return fmt.Errorf("simple: %d actions for %d envs", len(acts), len(v.envs))
	}
	return v.do(ctx, simpleJob{acts: acts})
}

// Reset resets every sub-environment, each on its worker, and waits.
func (v *simpleVec) Reset(ctx context.Context) error {
	return v.do(ctx, simpleJob{reset: true})
}

// Obs returns the observations of the last call, one row per
// sub-environment.
func (v *simpleVec) Obs() tensor.U8 { return tensor.U8{Shape: v.shape, Data: v.obs} }

// run runs sub-environment i's command of the running call and fills its
// row: a reset when reset is set or its episode ended, else a step with a.
func (v *simpleVec) run(i int, reset bool, a arc.Action) {
	v.first[i], v.errs[i] = false, nil
	if reset || v.pending[i] {
		obs, info, err := v.envs[i].Reset(v.ctx, env.ResetOptions{})
		if err != nil {
			v.fail(i, err)
			return
		}
		v.pending[i] = false
		v.rewards[i], v.term[i], v.trunc[i], v.first[i] = 0, false, false, true
		v.store(i, obs, &info)
		return
	}
	st := &v.steps[i]
	if err := v.into[i].StepInto(v.ctx, a, st); err != nil {
		v.fail(i, err)
		v.pending[i] = errors.Is(err, env.ErrNeedsReset)
		return
	}
	v.rewards[i], v.term[i], v.trunc[i] = st.Reward, st.Terminated, st.Truncated
	v.pending[i] = st.Done()
	v.store(i, st.Obs, &st.Info)
}

// store puts an observation and its info into row i: the frame is there
// already when the game wrote it in place, else it is copied.
func (v *simpleVec) store(i int, obs env.Obs, info *env.Info) {
	row := v.row(i)
	if len(obs.Grid.Data) != len(row) {
		v.fail(i, fmt.Errorf("simple: env %d: observation of %d cells, rows of %d", i, len(obs.Grid.Data), len(row)))
		return
	}
	if &row[0] != &obs.Grid.Data[0] {
		copy(row, obs.Grid.Data)
	}
	v.infos[i] = *info
}

// fail records err as row i's result.
func (v *simpleVec) fail(i int, err error) {
	v.errs[i] = err
	v.rewards[i], v.term[i], v.trunc[i] = 0, false, false
}

// Close stops the workers, waits for them and closes the
// sub-environments.
func (v *simpleVec) Close() error {
	for _, c := range v.jobs {
		close(c)
	}
	v.jobs = nil
	v.exit.Wait()
	return v.closeEnvs()
}

// closeEnvs closes the sub-environments made so far.
func (v *simpleVec) closeEnvs() error {
	var errs []error
	for _, e := range v.envs {
		errs = append(errs, e.Close())
	}
	v.envs = nil
	return errors.Join(errs...)
}
