// Package games holds arcgym's built-in ARC-style games, written in Go on
// the engine package, and the registry that finds them by ARC game id
// ("base-version", or the base id alone).
//
// The built-in games, all original designs with five hand-made levels and
// procedural level sets for every non-zero seed:
//
//   - kw01 Keyway (keyboard, ACTION1-4): walk a maze to the exit; coloured
//     doors open for the matching key.
//   - gl02 Glacier (keyboard, ACTION1-4 and ACTION7 undo): slide on ice
//     until something stops you, knock crates about, come to rest on the
//     exit. Slides animate one cell per frame.
//   - tl03 Tri-Lights (click, ACTION6): three-state lamps; a click advances
//     a lamp and its neighbours; make all green. Each click flashes.
//   - sp04 Spill (click, ACTION6): flood the board from the top-left corner
//     by picking colours until it is one colour.
//   - lv05 Lever (keyboard_click, ACTION1-6): walk, or click to walk along
//     the shortest path, and pull levers (ACTION5) that swap red and blue
//     gates. Walks and lever pulls animate.
//
// Every level has a step budget shown as a bar on the bottom row (running
// out is GAME_OVER) and level pips on the top row. The instances New returns
// are *engine.Instance values: Seed(0) selects the hand-made levels, any
// other seed a generated set.
package games
