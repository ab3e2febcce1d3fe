package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// runCmd runs the command line args in-process with stdin as standard
// input and returns standard output, standard error and the exit code.
func runCmd(t *testing.T, ctx context.Context, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(ctx, args, stdio{in: strings.NewReader(stdin), out: &out, err: &errb})
	return out.String(), errb.String(), code
}

func TestMainDispatch(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		code    int
		out     string // substring of stdout
		errText string // substring of stderr
	}{
		{"no arguments", nil, exitUsage, "", "Commands:"},
		{"unknown command", []string{"fly"}, exitUsage, "", `unknown command "fly"`},
		{"help", []string{"help"}, exitOK, "arcgym <command>", ""},
		{"-h", []string{"-h"}, exitOK, "Commands:", ""},
		{"help run", []string{"help", "run"}, exitOK, "-max-steps", ""},
		{"help play", []string{"help", "play"}, exitOK, "mouse click", ""},
		{"help render", []string{"help", "render"}, exitOK, "contact sheet", ""},
		{"help serve", []string{"help", "serve"}, exitOK, "-idle-timeout", ""},
		{"help unknown", []string{"help", "fly"}, exitUsage, "", "unknown command"},
		{"run -h", []string{"run", "-h"}, exitOK, "", "-episodes"},
		{"bad flag", []string{"run", "-nope"}, exitUsage, "", "flag provided but not defined"},
		{"version", []string{"version"}, exitOK, "arcgym ", ""},
		{"--version", []string{"--version"}, exitOK, "arcgym ", ""},
		{"version with argument", []string{"version", "x"}, exitUsage, "", "Usage"},
		{"list with argument", []string{"list", "x"}, exitUsage, "", "Usage"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errText, code := runCmd(t, t.Context(), "", tt.args...)
			assert.Equal(t, tt.code, code, "stdout %q stderr %q", out, errText)
			assert.Contains(t, out, tt.out)
			assert.Contains(t, errText, tt.errText)
		})
	}
}

func TestEveryCommandIsListed(t *testing.T) {
	out, _, code := runCmd(t, t.Context(), "", "help")
	assert.Equal(t, exitOK, code)
	for _, c := range commands {
		assert.Contains(t, out, c.name)
		assert.NotEmpty(t, c.summary)
	}
}
