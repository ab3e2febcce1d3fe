package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/arcgym/arcgym/arcengine"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTargets(t *testing.T) {
	oneHot := func(of float64) Result { return Result{Name: targetEncoder, OfMemset: of} }
	numpy := func(way string, ratio float64, na string) Comparison {
		return Comparison{Part: "numpy", Baseline: numpyName(way), Ratio: ratio, NA: na}
	}
	loads := func(ratio float64) Comparison {
		return Comparison{Part: "json", Input: "a.json", Baseline: jsonName("loads"), Ratio: ratio}
	}
	tests := []struct {
		name     string
		results  []Result
		compared []Comparison
		want     []bool
	}{
		{"bandwidth met", []Result{oneHot(0.8)}, nil, []bool{true}},
		{"bandwidth missed", []Result{oneHot(0.69)}, nil, []bool{false}},
		{"other encoders ignored", []Result{{Name: "onehot/chw/f32/workers=2", OfMemset: 0.1}, {Name: "raw/f32"}}, nil, nil},
		{"numpy met", nil, []Comparison{numpy("naive", 9, ""), numpy("preallocated", 2.1, "")}, []bool{true}},
		{"numpy's fastest way counts", nil, []Comparison{numpy("naive", 1.9, ""), numpy("preallocated", 2.1, "")}, []bool{false}},
		{"numpy missing is not a pass", nil, []Comparison{numpy("naive", 0, "no numpy"), numpy("copyto", 0, "no numpy")}, []bool{false}},
		{"a way numpy cannot run is left out", nil, []Comparison{numpy("naive", 0, "old numpy"), numpy("copyto", 3, "")}, []bool{true}},
		{"json", nil, []Comparison{loads(5), loads(4.9)}, []bool{true, false}},
		{"json with numpy has no target", nil, []Comparison{{Part: "json", Baseline: jsonName("loads+numpy"), Ratio: 1}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var pass []bool
			for _, g := range targets(tt.results, tt.compared) {
				pass = append(pass, g.Pass)
			}
			assert.Equal(t, tt.want, pass)
		})
	}
}

// TestRunJSON runs the program on a small batch and checks the report it
// writes: every selected encoder measured against its baselines, and the
// targets evaluated on the same figures.
func TestRunJSON(t *testing.T) {
	var out bytes.Buffer
	err := run([]string{"-batch", "4", "-duration", "1ms", "-rounds", "1", "-run", "onehot/chw/f32$|raw", "-compare", "", "-json", "-"}, &out)
	require.NoError(t, err)
	var rep Report
	require.NoError(t, json.Unmarshal(out.Bytes(), &rep))
	require.Len(t, rep.Results, 2)
	for _, r := range rep.Results {
		assert.Positive(t, r.FramesPS, r.Name)
		assert.Positive(t, r.MemsetGB, r.Name)
		assert.Positive(t, r.MemcpyGB, r.Name)
		assert.InDelta(t, r.GBPS/r.MemsetGB, r.OfMemset, 1e-9, r.Name)
		assert.Zero(t, r.Allocs, r.Name)
	}
	assert.Equal(t, []int{4, 16, 64, 64}, rep.Results[0].OutShape)
	assert.Equal(t, 4*16*64*64*4, rep.Results[0].OutBytes)
	require.Len(t, rep.Targets, 1)
	assert.Equal(t, rep.Results[0].OfMemset, rep.Targets[0].Measured)
	assert.Empty(t, rep.Compared)
}

func TestRunErrors(t *testing.T) {
	for _, args := range [][]string{{"-batch", "6"}, {"-rounds", "0"}, {"-input", "noise"}, {"-run", "("}, {"-compare", "torch"}} {
		assert.Error(t, run(args, &bytes.Buffer{}), "%v", args)
	}
	// With the target encoder left out there is nothing to miss.
	err := run([]string{"-batch", "4", "-duration", "1ms", "-rounds", "1", "-run", "^raw", "-compare", "", "-check"}, &bytes.Buffer{})
	require.NoError(t, err)
}

// TestRunWithoutPython checks that a missing interpreter makes the Python
// rows and their targets N/A, which -check does not count as a miss.
func TestRunWithoutPython(t *testing.T) {
	var out bytes.Buffer
	args := []string{"-batch", "4", "-duration", "1ms", "-rounds", "1", "-run", "^onehot/chw/f32$",
		"-python", filepath.Join(t.TempDir(), "no-python"), "-json", "-"}
	require.NoError(t, run(args, &out))
	var rep Report
	require.NoError(t, json.Unmarshal(out.Bytes(), &rep))
	// Three numpy ways, two ways for each of two responses.
	require.Len(t, rep.Compared, 7)
	for _, c := range rep.Compared {
		assert.Contains(t, c.NA, "no-python", c.Baseline)
	}
	require.Len(t, rep.Targets, 4)
	for _, tg := range rep.Targets[1:] { // all but the memset target
		assert.NotEmpty(t, tg.NA, tg.Name)
		assert.False(t, tg.Pass, tg.Name)
	}
	// Without the one-hot encoder, only the N/A json targets remain.
	args[7] = "^raw$"
	require.NoError(t, run(append(args[:len(args)-2], "-check"), &bytes.Buffer{}))
}

// TestRunWithPython runs the Python baselines, when the project's Python
// is installed, and checks that both sides read the same input.
func TestRunWithPython(t *testing.T) {
	python(t)
	var out bytes.Buffer
	require.NoError(t, run([]string{"-batch", "4", "-duration", "1ms", "-rounds", "2", "-run", "^onehot/chw/f32$", "-json", "-"}, &out))
	var rep Report
	require.NoError(t, json.Unmarshal(out.Bytes(), &rep))
	require.Len(t, rep.Compared, 7)
	for _, c := range rep.Compared {
		require.Empty(t, c.NA, c.Baseline)
		assert.Positive(t, c.OursPS, c.Baseline)
		assert.Positive(t, c.BaselinePS, c.Baseline)
		assert.InDelta(t, c.OursPS/c.BaselinePS, c.Ratio, 1e-9, c.Baseline)
	}
	assert.Equal(t, 4, rep.Compared[0].Frames)
	assert.Equal(t, 1, rep.Compared[3].Frames, "ls20's ACTION1 returns one frame")
	assert.Equal(t, 5, rep.Compared[5].Frames, "ft09's click returns five frames")
	require.Len(t, rep.Targets, 4)
}

// TestBaselineImportError checks that a script that cannot start is
// reported as unavailable, with its last line of error output as reason.
func TestBaselineImportError(t *testing.T) {
	py := python(t)
	script := filepath.Join(t.TempDir(), "broken.py")
	require.NoError(t, os.WriteFile(script, []byte("import no_such_module_for_arcgym\n"), 0o644))
	_, err := startBaseline(py, script)
	require.ErrorIs(t, err, errNoBaseline)
	assert.Contains(t, err.Error(), "No module named 'no_such_module_for_arcgym'")
}

// TestBaselineUnknownVariant checks that a variant the script does not
// offer is reported as unavailable, not as a failure of the run.
func TestBaselineUnknownVariant(t *testing.T) {
	py := python(t)
	_, scripts, err := pythonSetup(py)
	require.NoError(t, err)
	p, err := startBaseline(py, filepath.Join(scripts, "frame_json.py"), filepath.Join("..", "..", "wire", "testdata", "decode", "11_ls20_action1.json"))
	require.NoError(t, err)
	_, err = p.best("yaml", time.Millisecond)
	require.ErrorIs(t, err, errNoBaseline)
	d, err := p.best("loads", time.Millisecond)
	require.NoError(t, err)
	assert.Positive(t, d)
	require.NoError(t, p.Close())
}

// python returns the project's interpreter, or skips the test without it
// (fails it when ARCGYM_REQUIRE_PYTHON is set, as in CI).
func python(t *testing.T) string {
	t.Helper()
	py, err := arcengine.Python("")
	if err == nil {
		err = exec.Command(py, "-c", "import numpy").Run()
	}
	if err != nil {
		if os.Getenv("ARCGYM_REQUIRE_PYTHON") != "" {
			t.Fatalf("Python with numpy required: %v", err)
		}
		t.Skipf("no Python with numpy: %v", err)
	}
	return py
}
