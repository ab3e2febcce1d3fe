// Package cmem reports how much of the C heap is in use, so that tests of
// package torch can show that the libtorch tensors they create are freed:
// gotch tensors live in C memory the Go garbage collector never sees.
//
// Everything except this comment is behind the build tags gotch and linux
// (it reads glibc's allocator statistics).
package cmem
