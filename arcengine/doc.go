// Package arcengine runs the real ARC-AGI-3 games, written for the official
// Python engine arcengine, in worker processes, and makes them arcgym
// backends: an Instance is an env.Backend, so every wrapper, vector env,
// encoder, recorder, the REST server and the CLI play them unchanged.
//
// A Pool holds one games directory in the official toolkit's layout
// (<base>/<version>/metadata.json beside the game's Python file, as the
// toolkit downloads them) and starts Python workers on demand. Each worker
// runs the official arcengine package and loads games exactly as the
// toolkit's local mode does: the class named by metadata.json's class_name
// (or the id's first four characters with the first upper-cased), from the
// file named after it in lower case, constructed with the seed when its
// constructor takes one. Go and a worker speak a small binary protocol over
// two pipes: the command goes down, the raw 64x64 frame bytes, state,
// levels, win levels and available actions come up, and Instance.Do decodes
// them straight into the caller's arc.FrameData without allocating.
//
// By default every session has a worker process of its own, so sessions
// step in parallel on every core and a crash or hang stays in its session.
// Config.EnvsPerWorker packs several games into one process to save memory.
//
// Failures are typed: *WorkerError with a Kind of ErrGameRaised (with the
// Python traceback), ErrCrashed, ErrHung (the context ended first; the
// worker is killed), ErrProtocol, ErrLoad, ErrNoPython, ErrEngineVersion or
// ErrGamesDir. A failure costs only the session concerned its game: its
// next RESET starts anew, on a new worker when needed.
//
// Configuration comes from Config or the environment: ARCGYM_GAMES_DIR (or
// the toolkit's ENVIRONMENTS_DIR) for the games, ARCGYM_PYTHON, an active
// virtual environment or the venv made by scripts/setup-python.sh for the
// interpreter. Default returns a process-wide Pool configured that way,
// which env.Make uses for ids that are not built-in games.
package arcengine
