// Arcgym is the command-line tool of arcgym: it lists the built-in games,
// plays them in a terminal, draws them as pictures, runs baseline agents over them in parallel and
// serves them over the ARC-AGI-3 REST API.
//
// Usage:
//
//	arcgym <command> [flags] [arguments]
//
// The commands are:
//
//	list     list the built-in games
//	play     play a game in the terminal
//	run      run a baseline agent over many episodes and print a summary
//	render   draw the games as a PNG contact sheet or an episode as a GIF
//	serve    serve the built-in games over the ARC-AGI-3 REST API
//	version  print the version
//	help     show help for a command
//
// "arcgym help <command>" describes a command's flags.
package main
