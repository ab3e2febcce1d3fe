// Package vector runs many environments as one: a vector env steps N
// sub-environments (any env.Env: local games, remote games, wrapped ones,
// mixed freely) and returns their results batched, Gymnasium's VectorEnv
// with EnvPool's asynchronous interface.
//
// # Sync and Async
//
// Sync steps the sub-environments one after the other on the caller's
// goroutine. Async runs them on the caller's goroutine and worker
// goroutines together: CPU-bound local games spread over cores, and remote
// games, whose steps mostly wait on the network, overlap their waits (64
// remote games at 20 ms per step make about 3200 steps per second instead
// of 50). Each call splits the sub-environments into one fixed part per
// worker, the caller running the first; over local games idle workers spin
// briefly for the next call rather than park, and one who finishes early
// takes a part whose owner has not started. Over local games Async also
// times its calls both ways now and then and runs them all on the caller,
// as Sync does, while that is faster: when another process keeps a core
// busy, a worker the system holds back would hold up every call. Built-in
// games write their frames straight into the batch rows. Both are made
// from a Factory, called once per sub-environment:
//
//	v, err := vector.NewAsync(ctx, 64, remote.Factory("ls20", urls, remote.FleetConfig{}), vector.Config{})
//	b, err := v.Reset(ctx, env.WithSeed(1)) // sub-environment i gets seed 1+i
//	for {
//		b, err = v.Step(ctx, policy(b.Obs))
//		...
//	}
//
// # Batches
//
// Every call returns a *Batch, one row per sub-environment: the grids of all
// rows in one contiguous tensor (rows x frames x 64 x 64 as bytes), the float
// observations likewise when the sub-environments fill Obs.Float (an
// encoding wrapper), rewards, terminated and truncated flags, a First flag
// for rows that start an episode, an Idle flag for rows that ResetMask left
// out, and per-row infos. A sub-environment's own
// results are only valid until its next call, so the vector env copies them
// into buffers it allocates once; the Batch stays valid until the next call
// on the vector env and the steady state allocates nothing.
//
// # Autoreset
//
// Config.Autoreset selects what happens when an episode ends, with
// Gymnasium's three modes (Metadata reports the mode in use):
//
//   - NextStep (the default): the ending step returns the final observation
//     with terminated or truncated set; the next step of that
//     sub-environment ignores its action and resets it, returning the first
//     observation with reward 0, both flags false and First set. Training
//     code skips the transition into a First row.
//   - SameStep: the ending step resets at once; its row carries the step's
//     reward and flags but the new episode's first observation and reset
//     info, while the final observation and info go to FinalObs,
//     FinalFloat and FinalInfos, flagged by HasFinal.
//   - Disabled: nothing is reset; the caller calls ResetMask with the ended
//     rows, and stepping an ended sub-environment fails in its row with
//     env.ErrNeedsReset.
//
// In both autoreset modes, a sub-environment whose reset failed (or that
// reported env.ErrNeedsReset) is reset by its next step, as in NextStep.
//
// # Failures and deadlines
//
// A failing sub-environment does not fail the call: its row's Errs entry
// holds an *EnvError (sub-environment index, operation and cause), its
// reward is 0 and its flags false, and the other rows are valid; Batch.Err
// joins the failures. Config.Timeout puts a
// deadline on every command of every sub-environment, so a hung remote game
// shows up as ErrDeadline in its row. A failed sub-environment can be reset
// (ResetMask), replaced (Replace) or rebuilt by the factory (Remake).
//
// # Asynchronous batches
//
// Async also offers EnvPool's interface: Send queues actions for some
// sub-environments and returns at once, Recv returns the first
// Config.BatchSize sub-environments to finish, in order of completion, with
// Batch.EnvIDs naming them. With a batch smaller than the number of
// sub-environments, slow ones never hold up the learner:
//
//	a.SendReset(ctx, nil, env.ResetOptions{})
//	for {
//		b, err := a.Recv(ctx)
//		...
//		a.Send(ctx, b.EnvIDs, policy(b.Obs))
//	}
//
// # Wrappers and New
//
// New builds a vector env in one expression, Gymnasium's make_vec: a
// Spec names the factory, the env.Wrappers around each sub-environment,
// Sync or Async with its Config, and the vector Wrappers around the batch;
// on error New closes everything it made. The vector wrappers are vector
// envs whose Metadata and spaces describe their batches: FrameStack stacks
// observations (FinalObs too), Encode fills Float, Masks fills Batch.Mask
// in a spaces.Layout (by default the game's compact one, one index per
// action), EpisodeStats fills Batch.Episodes, NormalizeReward and
// NormalizeObservation keep Gymnasium's running statistics. None allocates
// per call.
//
//	v, err := vector.New(ctx, vector.Spec{
//		NumEnvs: 16, Make: vector.Make("gl02", env.Config{}),
//		Wrappers: []env.Wrapper{wrappers.TimeLimitConfig{Max: 500}},
//		Config:   vector.Config{Autoreset: vector.SameStep},
//		Vector:   []vector.Wrapper{vector.FrameStackConfig{Depth: 4}, vector.MasksConfig{}},
//	})
//
// # Helpers
//
// Batch.Masks writes the action masks of all rows in any layout, from an
// action-masking wrapper's Info.Mask or from the available actions;
// spaces.Layout turns a policy's indices into actions and back. Each calls
// a function on every sub-environment, ResetSeeds gives each its own seed,
// ActionSpaceOf and ObservationSpaceOf are the batched spaces. Make,
// RoundRobin and Mix build factories of local games, of games spread over
// several servers, and mixes of any factories; package remote provides the
// factories of remote games.
//
// # Fleets
//
// remote.Factory and the Factory method of a remote.Fleet make factories
// of remote games played through a fleet of servers: each sub-environment
// starts on the healthy server with the least load for its latency. When a server dies, the rows it served report an error matching
// remote.ErrSessionLost (and env.ErrNeedsReset) in their row; with an
// autoreset mode the vector env resets them, which starts them over on
// another server, so a lost server costs its rows one step. The fleet
// probes the dead server in the background and gives it envs again once it
// answers.
package vector
