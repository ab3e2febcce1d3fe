// Package games holds arcgym's built-in ARC-style games, written in Go on the
// engine package, and the registry that finds them by ARC game id
// ("base-version", or the base id alone).
package games
