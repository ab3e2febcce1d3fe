// Package machine describes the machine a benchmark runs on, for the
// headers of the benchmark programs: figures are read as ratios, but the
// machine they came from is named beside them.
package machine

import (
	"os"
	"runtime"
	"strings"
)

// CPU returns the CPU's model name and cache size as /proc/cpuinfo gives
// them, or the architecture where that file cannot be read.
func CPU() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	return parse(string(b))
}

// parse reads the first model name and cache size of a /proc/cpuinfo text.
func parse(info string) string {
	var model, cache string
	for line := range strings.SplitSeq(info, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		switch strings.TrimSpace(k) {
		case "model name":
			if model == "" {
				model = strings.TrimSpace(v)
			}
		case "cache size":
			if cache == "" {
				cache = strings.TrimSpace(v)
			}
		}
	}
	if model == "" {
		model = runtime.GOARCH
	}
	if cache != "" {
		return model + ", " + cache + " cache"
	}
	return model
}
