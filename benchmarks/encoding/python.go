package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/arcgym/arcgym/arcengine"
)

// pyBaseline is one running baseline script of benchmarks/python. The
// script answers timing requests over its standard input and output (the
// line protocol of besttime.py), so that its measurements can be
// interleaved with the Go ones in the same run.
type pyBaseline struct {
	cmd    *exec.Cmd
	in     io.WriteCloser
	out    *bufio.Reader
	stderr *bytes.Buffer
	// ready is the script's description of its input, its first line.
	ready []byte
}

// errNoBaseline marks a baseline that cannot run here (no interpreter,
// no numpy, not in a checkout): its rows are reported as N/A, not failed.
var errNoBaseline = errors.New("baseline not available")

// startBaseline runs script (a file of benchmarks/python) with python and
// args and waits for its ready line.
func startBaseline(python, script string, args ...string) (*pyBaseline, error) {
	cmd := exec.Command(python, append([]string{script}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%w: %v", errNoBaseline, err)
	}
	p := &pyBaseline{cmd: cmd, in: in, out: bufio.NewReader(out), stderr: &stderr}
	if p.ready, err = p.out.ReadBytes('\n'); err != nil {
		// The script died before it was ready: an import failed, most
		// likely. Its last line of error output says why.
		p.Close()
		return nil, fmt.Errorf("%w: %s: %s", errNoBaseline, filepath.Base(script), lastLine(stderr.String()))
	}
	return p, nil
}

// best asks for variant to run for about d and returns its fastest call.
func (p *pyBaseline) best(variant string, d time.Duration) (time.Duration, error) {
	if _, err := fmt.Fprintf(p.in, "%s %g\n", variant, d.Seconds()); err != nil {
		return 0, fmt.Errorf("%s: %w (%s)", variant, err, lastLine(p.stderr.String()))
	}
	line, err := p.out.ReadBytes('\n')
	if err != nil {
		return 0, fmt.Errorf("%s: %w (%s)", variant, err, lastLine(p.stderr.String()))
	}
	var r struct {
		Variant string  `json:"variant"`
		BestS   float64 `json:"best_s"`
		Error   string  `json:"error"`
	}
	if err := json.Unmarshal(line, &r); err != nil {
		return 0, fmt.Errorf("%s: reply %q: %w", variant, line, err)
	}
	if r.Error != "" {
		// The script cannot run this variant here (numpy missing, say).
		return 0, fmt.Errorf("%w: %s: %s", errNoBaseline, variant, r.Error)
	}
	if r.Variant != variant || r.BestS <= 0 {
		return 0, fmt.Errorf("%s: unexpected reply %q", variant, line)
	}
	return time.Duration(r.BestS * float64(time.Second)), nil
}

// Close ends the script (closing its input ends its loop) and waits for it.
func (p *pyBaseline) Close() error {
	p.in.Close()
	return p.cmd.Wait()
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	if s == "" {
		return "no error output"
	}
	return s
}

// pythonSetup finds the interpreter (as package arcengine does: the
// -python flag, ARCGYM_PYTHON, the project's venv, python3) and the folder
// of the baseline scripts in the checkout above the working directory.
func pythonSetup(flagPython string) (python, scripts string, err error) {
	python, err = arcengine.Python(flagPython)
	if err != nil {
		return "", "", fmt.Errorf("%w: %v", errNoBaseline, err)
	}
	root, err := moduleRoot()
	if err != nil {
		return "", "", fmt.Errorf("%w: %v", errNoBaseline, err)
	}
	return python, filepath.Join(root, "benchmarks", "python"), nil
}

// moduleRoot finds the checkout of arcgym above the working directory.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.Contains(b, []byte("module github.com/arcgym/arcgym\n")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("not in a checkout of arcgym, where the baseline scripts are (benchmarks/python)")
		}
		dir = parent
	}
}
