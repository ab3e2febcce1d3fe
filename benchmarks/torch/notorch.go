//go:build !gotch

// Command torch measures the ways from a vector env into a libtorch tensor;
// it needs the gotch build tag and libtorch (see encoding/torch). Built
// without the tag it only says so.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, `benchmarks/torch needs libtorch: source the gotch environment, then
  go run -tags gotch ./benchmarks/torch`)
	os.Exit(2)
}
