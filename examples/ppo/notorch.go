//go:build !gotch

// Command ppo trains a small convolutional policy with PPO on a built-in
// game through libtorch. It needs the gotch build tag and a libtorch
// installation; see examples/README.md. Built without the tag it only says
// so.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, `ppo needs libtorch: run scripts/setup-gotch.sh, source the environment it prints, then
  go run -tags gotch ./examples/ppo`)
	os.Exit(2)
}
