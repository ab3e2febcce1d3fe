// Package spaces describes the sets that observations and actions live in,
// after Gymnasium's spaces: Discrete, MultiDiscrete, Box, Dict, Tuple and the
// ARC action space (ACTION1-5, ACTION7, or ACTION6 at a cell), which flattens
// to one Discrete index and back.
//
// Every space can test membership (Contains), sample from its own seeded
// random source, and sample under a mask.
package spaces
