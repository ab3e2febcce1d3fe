// Package train holds what the training examples share: a progress bar with
// live throughput and return, learning curves drawn as PNG with gonum/plot,
// checkpoints written atomically and read back with their kind checked, and
// the evaluation of an agent over a list of game seeds.
//
// Nothing here is a learning algorithm: the examples bring their own and use
// this package for the plumbing every training program needs.
package train
