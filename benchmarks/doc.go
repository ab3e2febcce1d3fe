// Package benchmarks holds benchmark programs that measure arcgym's hot
// paths against the machine they run on. Each program is a main package
// under this directory:
//
//	go run ./benchmarks/encoding   // encoders vs memset/memcpy bandwidth
//	go run ./benchmarks/env        // steps/s per game: engine, env, wrappers, encoding vs a frame copy
//	go run ./benchmarks/vector     // vector envs: workers scaling and latency hiding
//	go run -tags gotch ./benchmarks/torch  // learner input paths into libtorch, end to end
//
// The programs print a table for people and, with -json, a machine-readable
// report, so that figures from different machines and commits can be
// compared.
package benchmarks
