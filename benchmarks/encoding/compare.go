package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/encoding"
	"github.com/arcgym/arcgym/tensor"
	"github.com/arcgym/arcgym/wire"
)

// Comparison is arcgym against what a Python user would run instead, on
// the same input and measured in the same run, interleaved.
type Comparison struct {
	// Part is "numpy" or "json".
	Part string `json:"part"`
	// Input names what both sides process: a batch or a response file.
	Input    string `json:"input"`
	Ours     string `json:"ours"`
	Baseline string `json:"baseline"`
	// OursPS and BaselinePS count calls per second (batches or responses)
	// of each side's fastest call.
	OursPS     float64 `json:"ours_calls_per_s"`
	BaselinePS float64 `json:"baseline_calls_per_s"`
	// Frames is the number of frames one call handles.
	Frames int `json:"frames_per_call"`
	// Ratio is OursPS / BaselinePS.
	Ratio float64 `json:"ratio"`
	// NA, when set, says why the baseline could not run.
	NA string `json:"na,omitempty"`
}

// numpyVariants are the ways of onehot_numpy.py, as the table names them.
var numpyVariants = []struct{ variant, name string }{
	{"naive", "numpy (f == arange(16)).astype(f32)"},
	{"preallocated", "numpy np.equal(..., out=f32)"},
	{"copyto", "numpy np.equal(out=bool), copyto(f32)"},
}

// numpyName returns the table's name of a variant of onehot_numpy.py.
func numpyName(variant string) string {
	for _, v := range numpyVariants {
		if v.variant == variant {
			return v.name
		}
	}
	return variant
}

// jsonName returns the table's name of a variant of frame_json.py.
func jsonName(variant string) string {
	for _, v := range jsonVariants {
		if v.variant == variant {
			return v.name
		}
	}
	return variant
}

// compareNumpy encodes one batch to one-hot float32 CHW with arcgym and
// with numpy in each of its ways (onehot_numpy.py), interleaved over
// rounds.
func compareNumpy(python, scripts string, batch int, gen func(*rand.Rand, tensor.U8), d time.Duration, rounds int) ([]Comparison, error) {
	// The batch of setup's first encoders: the same seed, the same frames.
	src := tensor.New[uint8](batch, 1, 64, 64)
	gen(rand.New(rand.NewPCG(1, 2)), src)
	var enc encoding.OneHot
	dst := tensor.New[float32](enc.OutShape(src.Shape)...)
	encode := func() error { return enc.Encode(dst, src) }
	if err := encode(); err != nil {
		return nil, err
	}
	ours := fmt.Sprintf("arcgym %s", targetEncoder)
	input := fmt.Sprintf("%d frames", batch)
	rows := make([]Comparison, len(numpyVariants))
	for i, v := range numpyVariants {
		rows[i] = Comparison{Part: "numpy", Input: input, Ours: ours, Baseline: v.name, Frames: batch}
	}
	na := func(err error) ([]Comparison, error) {
		if !errors.Is(err, errNoBaseline) {
			return nil, err
		}
		for i := range rows {
			rows[i].NA = err.Error()
		}
		return rows, nil
	}
	if python == "" {
		return na(fmt.Errorf("%w: %s", errNoBaseline, scripts))
	}
	f, err := os.CreateTemp("", "arcgym-frames-*.bin")
	if err != nil {
		return nil, err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(src.Data); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	py, err := startBaseline(python, filepath.Join(scripts, "onehot_numpy.py"), f.Name())
	if err != nil {
		return na(err)
	}
	defer py.Close()
	var ready struct {
		Frames      int     `json:"frames"`
		ChannelSums []int64 `json:"channel_sums"`
	}
	if err := jsonUnmarshal(py.ready, &ready); err != nil {
		return nil, err
	}
	if want := channelSums(dst); ready.Frames != batch || !slices.Equal(ready.ChannelSums, want) {
		return nil, fmt.Errorf("numpy encoded another batch: %d frames, channel sums %v; arcgym %d frames, %v",
			ready.Frames, ready.ChannelSums, batch, want)
	}
	variants := make([]string, len(numpyVariants))
	for i, v := range numpyVariants {
		variants[i] = v.variant
	}
	if err := interleave(py, variants, encode, rows, d, rounds); err != nil {
		return nil, err
	}
	return rows, nil
}

// channelSums counts the cells each channel of a one-hot CHW batch marks.
func channelSums(t tensor.F32) []int64 {
	sums := make([]int64, encoding.Colors)
	for i, v := range t.Data {
		if v != 0 {
			sums[i/encoding.Cells%encoding.Colors]++
		}
	}
	return sums
}

// jsonVariants are the ways of frame_json.py, as the table names them.
var jsonVariants = []struct{ variant, name string }{
	{"loads", "Python json.loads"},
	{"loads+numpy", "json.loads + np.asarray(uint8)"},
}

// compareJSON decodes each response file with wire.DecodeFrame (what the
// remote client runs on every RESET and ACTION) and with Python
// (frame_json.py), interleaved over rounds.
func compareJSON(python, scripts string, files []string, d time.Duration, rounds int) ([]Comparison, error) {
	var out []Comparison
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		var fd arc.FrameData
		decode := func() error { return wire.DecodeFrame(data, &fd) }
		if err := decode(); err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		rows := make([]Comparison, len(jsonVariants))
		for i, v := range jsonVariants {
			rows[i] = Comparison{Part: "json", Input: filepath.Base(file), Ours: "arcgym wire.DecodeFrame",
				Baseline: v.name, Frames: fd.NumFrames()}
		}
		got, err := compareJSONFile(python, scripts, file, &fd, decode, rows, d, rounds)
		if errors.Is(err, errNoBaseline) {
			for i := range rows {
				rows[i].NA = err.Error()
			}
			got, err = rows, nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	return out, nil
}

func compareJSONFile(python, scripts, file string, fd *arc.FrameData, decode func() error, rows []Comparison, d time.Duration, rounds int) ([]Comparison, error) {
	if python == "" {
		return nil, fmt.Errorf("%w: %s", errNoBaseline, scripts)
	}
	py, err := startBaseline(python, filepath.Join(scripts, "frame_json.py"), file)
	if err != nil {
		return nil, err
	}
	defer py.Close()
	var ready struct {
		Frames  int   `json:"frames"`
		CellSum int64 `json:"cell_sum"`
	}
	if err := jsonUnmarshal(py.ready, &ready); err != nil {
		return nil, err
	}
	var sum int64
	for _, c := range fd.Frames {
		sum += int64(c)
	}
	if ready.Frames != fd.NumFrames() || ready.CellSum != sum {
		return nil, fmt.Errorf("%s: Python read %d frames summing to %d, arcgym %d summing to %d",
			file, ready.Frames, ready.CellSum, fd.NumFrames(), sum)
	}
	variants := make([]string, len(jsonVariants))
	for i, v := range jsonVariants {
		variants[i] = v.variant
	}
	if err := interleave(py, variants, decode, rows, d, rounds); err != nil {
		return nil, err
	}
	return rows, nil
}

// interleave measures ours and every variant of py for d each, over
// rounds, rotating the order so that no side always follows the same one,
// and fills rows (one per variant) with the rates of the fastest calls. A
// variant the script cannot run here leaves its row N/A.
func interleave(py *pyBaseline, variants []string, ours func() error, rows []Comparison, d time.Duration, rounds int) error {
	best := make([]time.Duration, 1+len(variants))
	for i := range best {
		best[i] = time.Duration(1<<63 - 1)
	}
	for r := range rounds {
		for k := range best {
			i := (k + r) % len(best)
			if i > 0 && rows[i-1].NA != "" {
				continue
			}
			var t time.Duration
			var err error
			if i == 0 {
				var perSec float64
				if perSec, _, err = rate(d, ours); err != nil {
					return err
				}
				t = time.Duration(float64(time.Second) / perSec)
			} else if t, err = py.best(variants[i-1], d); errors.Is(err, errNoBaseline) {
				rows[i-1].NA = err.Error()
				continue
			} else if err != nil {
				return err
			}
			best[i] = min(best[i], t)
		}
	}
	for i := range rows {
		if rows[i].NA != "" {
			continue
		}
		rows[i].OursPS, rows[i].BaselinePS = 1/best[0].Seconds(), 1/best[i+1].Seconds()
		rows[i].Ratio = rows[i].OursPS / rows[i].BaselinePS
	}
	return nil
}

func jsonUnmarshal(data []byte, v any) error {
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("baseline's ready line %q: %w", data, err)
	}
	return nil
}
