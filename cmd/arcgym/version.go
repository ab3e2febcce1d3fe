package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

// version is the release version; builds may set it with
// -ldflags "-X main.version=v1.2.3".
var version = "devel"

func runVersion(_ context.Context, args []string, io stdio) error {
	fs := newFlagSet("version", "", "Version prints the version of arcgym and of the Go toolchain that built it.", io)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return errUsage
	}
	v := version
	if bi, ok := debug.ReadBuildInfo(); ok && v == "devel" {
		if m := bi.Main.Version; m != "" && m != "(devel)" {
			v = m
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += "+" + s.Value[:12]
			}
		}
	}
	_, err := fmt.Fprintf(io.out, "arcgym %s %s %s/%s\n", v, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return err
}
