// Arcgym is the command-line tool of arcgym: it lists the games, plays them
// in a terminal, draws them as pictures, runs baseline agents over them in
// parallel and serves them over the ARC-AGI-3 REST API.
//
// Usage:
//
//	arcgym <command> [flags] [arguments]
//
// The commands are:
//
//	list     list the games, built-in and real
//	play     play a game in the terminal
//	run      run a baseline agent over many episodes and print a summary
//	render   draw the games as a PNG contact sheet or an episode as a GIF
//	serve    serve the games over the ARC-AGI-3 REST API
//	version  print the version
//	help     show help for a command
//
// The games are the built-in games and, beside them, the real ARC-AGI-3
// games of a games directory in the official toolkit's layout, run by the
// official Python engine in worker processes (package arcengine). list,
// play, run, render and serve take the directory from -games, or else from
// $ARCGYM_GAMES_DIR or the toolkit's $ENVIRONMENTS_DIR, and the interpreter
// from -python, or else $ARCGYM_PYTHON, the active virtual environment, the
// venv made by scripts/setup-python.sh or python3. Without a games
// directory there are only the built-in games.
//
// "arcgym help <command>" describes a command's flags.
package main
