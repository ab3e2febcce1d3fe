// Package spaces describes the sets that observations and actions live in,
// after Gymnasium's spaces: Discrete, MultiDiscrete, Box, Dict, Tuple and the
// ARC action space (ACTION1-5, ACTION7, or ACTION6 at a cell), which flattens
// to one Discrete index and back.
//
// Every space can test membership (Contains), sample from its own seeded
// random source, and sample under a mask.
//
// # Elements
//
//   - Discrete: int (Contains takes any Go integer type)
//   - MultiDiscrete: []int
//   - Box: tensor.U8 or tensor.F32 of the box's shape
//   - Dict: map[string]any with exactly the Dict's keys
//   - Tuple: []any with one entry per member
//   - Action: arc.Action, or its flat index (see Flatten)
//
// # Sampling and masks
//
// A new space samples from a source seeded with 0, so programs are
// reproducible by default; Seed(s) restarts the source. Composite spaces
// seed each member with a seed derived from s and the member's position.
// Spaces are not safe for concurrent use: each sampler owns its source.
//
// Masks follow Gymnasium. A Discrete mask has one entry per value, either
// []bool or []int8 holding 0 (excluded) and 1 (allowed); sampling is uniform
// over the allowed values, and when none is allowed the result is Start.
// MultiDiscrete takes one such mask per dimension (nil for none), with the
// same Start fallback per dimension. Box takes no mask. Dict and Tuple take a
// mask per member. The Action space takes a flat mask of length FlatSize and
// reports that nothing is allowed instead of inventing an action. A mask of
// the wrong type or length is an error wrapping ErrInvalidMask.
//
// Typed methods (Discrete.Sample, Box.SampleU8, ...) return concrete values
// and allocate nothing; Sampler.SampleValue gives every space one generic
// entry point, used by Dict and Tuple.
package spaces
