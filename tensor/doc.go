// Package tensor defines the dense, row-major tensors that arcgym passes
// between environments, wrappers and encoders: a flat slice plus a shape.
//
// A tensor value is a view: copying the struct shares the data. Functions
// that copy data say so in their name (CopyFrom, Clone).
package tensor
