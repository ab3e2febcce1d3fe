//go:build gotch

package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"unsafe"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/encoding"
	"github.com/arcgym/arcgym/encoding/torch"
	"github.com/arcgym/arcgym/tensor"
)

// Pool is the side of the square patches the one-hot input is averaged
// over before the first convolution: 64x64 frames become 16x16 maps of
// colour shares. The built-in games draw a grid cell at least 4 pixels
// wide, so a patch never hides a cell.
const Pool = 4

// mapSide is the side of the pooled maps.
const mapSide = arc.GridSize / Pool

// Policy is the actor-critic network over the pooled one-hot frame stack:
// a 1x1 convolution that mixes the colours, a 3x3 convolution of stride 2,
// a 3x3 convolution, a hidden layer, and a policy and a value head.
type Policy struct {
	vs           *nn.VarStore
	c1, c2, c3   *nn.Conv2D
	fc           *nn.Conv2D
	pi, v        *nn.Linear
	params       []*param
	inChannels   int
	moves        int // policy outputs: the actions of the game's compact layout
	hiddenWidth  int
	flattenWidth int
}

// param is one trainable tensor with a Go view of its memory and the Adam
// moments kept on the Go side, so that the whole optimiser state is plain
// data for checkpoints.
type param struct {
	name  string
	t     ts.Tensor
	data  []float32
	grad  []float32
	m, v  []float32
	fanIn int
	gain  float64
}

// NewPolicy builds the network for stacks of stack frames and moves
// actions (the size of the game's compact action layout, spaces.Compact)
// and initialises it from seed with Go's generator, so that a run is
// reproducible.
func NewPolicy(stack, moves int, seed uint64) (*Policy, error) {
	if moves <= 0 {
		return nil, fmt.Errorf("ppo: a policy over %d actions", moves)
	}
	vs := nn.NewVarStore(gotch.CPU)
	root := vs.Root()
	in := encoding.Colors * stack
	p := &Policy{vs: vs, inChannels: in, moves: moves, hiddenWidth: 128}
	pad := nn.WithPadding2D(1)
	// 16x16 -> 16x16 (colours mixed) -> 8x8 -> 8x8.
	p.c1 = nn.NewConv2D(root.Sub("c1"), int64(in), 16, 1, nn.DefaultConv2DConfig())
	p.c2 = nn.NewConv2D(root.Sub("c2"), 16, 16, 3, nn.NewConv2DConfig(nn.WithStride2D(2), pad))
	p.c3 = nn.NewConv2D(root.Sub("c3"), 16, 16, 3, nn.NewConv2DConfig(pad))
	half := mapSide / 2
	p.flattenWidth = 16 * half * half
	// The hidden layer is fully connected, written as a convolution whose
	// kernel covers the whole 8x8 map: with the reference BLAS that a stock
	// Debian libtorch links, its matrix product ran several times slower
	// per multiply than its convolutions.
	p.fc = nn.NewConv2D(root.Sub("fc"), 16, int64(p.hiddenWidth), int64(half), nn.DefaultConv2DConfig())
	p.pi = nn.NewLinear(root.Sub("pi"), int64(p.hiddenWidth), int64(moves), nn.DefaultLinearConfig())
	p.v = nn.NewLinear(root.Sub("v"), int64(p.hiddenWidth), 1, nn.DefaultLinearConfig())

	fanIn := map[string]int{"c1": in, "c2": 16 * 9, "c3": 16 * 9, "fc": p.flattenWidth, "pi": p.hiddenWidth, "v": p.hiddenWidth}
	// ReLU layers get He's uniform bound; a small policy head starts near
	// the uniform policy.
	gain := map[string]float64{"c1": math.Sqrt(6), "c2": math.Sqrt(6), "c3": math.Sqrt(6), "fc": math.Sqrt(6), "pi": 0.01, "v": 1}
	vars := vs.Variables()
	names := make([]string, 0, len(vars))
	for n := range vars {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		t := vars[n]
		ptr, err := t.DataPtr()
		if err != nil {
			return nil, fmt.Errorf("ppo: parameter %s: %w", n, err)
		}
		size := int(t.Numel())
		layer := n[:indexDot(n)]
		p.params = append(p.params, &param{
			name: n, t: t,
			data:  unsafe.Slice((*float32)(ptr), size),
			grad:  make([]float32, size),
			m:     make([]float32, size),
			v:     make([]float32, size),
			fanIn: fanIn[layer], gain: gain[layer],
		})
	}
	rng := rand.New(rand.NewPCG(seed, 0x70706f))
	for _, q := range p.params {
		bound := q.gain / math.Sqrt(float64(max(q.fanIn, 1)))
		if strings.HasSuffix(q.name, ".bias") {
			clear(q.data)
			continue
		}
		for i := range q.data {
			q.data[i] = float32((2*rng.Float64() - 1) * bound)
		}
	}
	return p, nil
}

func indexDot(s string) int {
	for i := range len(s) {
		if s[i] == '.' {
			return i
		}
	}
	return len(s)
}

// Moves returns the number of policy outputs.
func (p *Policy) Moves() int { return p.moves }

// NumParams returns the number of trainable numbers.
func (p *Policy) NumParams() int {
	n := 0
	for _, q := range p.params {
		n += len(q.data)
	}
	return n
}

// FeatureSize returns the number of inputs of one sample: the pooled maps
// of its 16*stack one-hot channels.
func (p *Policy) FeatureSize() int { return p.inChannels * mapSide * mapSide }

// Input turns batches of frame stacks into the network's input: the share
// of each colour in each Pool x Pool patch, (batch, 16*stack, 16, 16), the
// one-hot frames averaged over the patches, bit for bit, written by
// encoding.Shares straight into a libtorch tensor it keeps for the next
// batch, without building the 64x64 one-hot batch. The pooling has no
// parameters, so a rollout keeps these features rather than the frames.
type Input struct {
	enc  encoding.Shares
	x    *ts.Tensor
	view tensor.F32
}

// NewInput returns an Input for batches of batch stacks of stack frames.
func NewInput(batch, stack int) (*Input, error) {
	enc := encoding.Shares{Pool: Pool}
	shape := enc.OutShape([]int{batch, stack, arc.GridSize, arc.GridSize})
	if shape == nil {
		return nil, fmt.Errorf("ppo: no input for %d stacks of %d frames", batch, stack)
	}
	x, view, err := torch.NewF32(shape...)
	if err != nil {
		return nil, err
	}
	return &Input{enc: enc, x: x, view: view}, nil
}

// Features encodes stacks and returns the pooled features. The tensor
// belongs to the Input: it is overwritten by the next call, and the caller
// must not drop it.
func (in *Input) Features(stacks tensor.U8) (*ts.Tensor, error) {
	if err := in.enc.Encode(in.view, stacks); err != nil {
		return nil, err
	}
	return in.x, nil
}

// Close releases the Input's tensor.
func (in *Input) Close() { in.x.MustDrop() }

// Forward returns the move logits (batch, Moves()) and the values (batch)
// of a batch of features (batch, 16*stack, 16, 16). The caller drops both.
func (p *Policy) Forward(x *ts.Tensor) (logits, value *ts.Tensor) {
	// gotch's in-place operations (Relu_ and the like) leave the tensor's
	// previous handle undropped, and with it the autograd graph and the
	// activations it saved: every layer here makes a new tensor.
	h := x
	for i, c := range []*nn.Conv2D{p.c1, p.c2, p.c3} {
		next := c.Forward(h)
		if i > 0 {
			h.MustDrop()
		}
		h = next.MustRelu(true)
	}
	hc := p.fc.Forward(h)
	h.MustDrop()
	h3 := hc.MustFlatten(1, -1, true).MustRelu(true)
	logits = p.pi.Forward(h3)
	v := p.v.Forward(h3)
	h3.MustDrop()
	value = v.MustSqueezeDim(1, true)
	return logits, value
}

// Adam is the optimiser's settings and step count.
type Adam struct {
	LR, Beta1, Beta2, Eps float64
	// MaxNorm clips the global gradient norm (0: no clipping).
	MaxNorm float64
	Steps   int
}

// Step reads the gradients out of libtorch and clears them there for the
// next backward pass, clips their global norm and applies one Adam step to
// the parameters in place. It returns the norm before clipping.
func (p *Policy) Step(opt *Adam) (float64, error) {
	var sq float64
	for _, q := range p.params {
		g, err := q.t.Grad(false)
		if err != nil {
			return 0, fmt.Errorf("ppo: gradient of %s: %w", q.name, err)
		}
		if !g.MustDefined() {
			clear(q.grad)
			continue
		}
		ptr, err := g.DataPtr()
		if err != nil {
			g.MustDrop()
			return 0, err
		}
		lg := unsafe.Slice((*float32)(ptr), len(q.grad))
		copy(q.grad, lg)
		clear(lg)
		g.MustDrop()
		for _, x := range q.grad {
			sq += float64(x) * float64(x)
		}
	}
	norm := math.Sqrt(sq)
	scale := 1.0
	if opt.MaxNorm > 0 && norm > opt.MaxNorm {
		scale = opt.MaxNorm / norm
	}
	opt.Steps++
	b1, b2 := opt.Beta1, opt.Beta2
	c1 := 1 - math.Pow(b1, float64(opt.Steps))
	c2 := 1 - math.Pow(b2, float64(opt.Steps))
	for _, q := range p.params {
		for i, g32 := range q.grad {
			g := float64(g32) * scale
			m := b1*float64(q.m[i]) + (1-b1)*g
			v := b2*float64(q.v[i]) + (1-b2)*g*g
			q.m[i], q.v[i] = float32(m), float32(v)
			q.data[i] -= float32(opt.LR * (m / c1) / (math.Sqrt(v/c2) + opt.Eps))
		}
	}
	return norm, nil
}

// Weights is the plain-data form of the network and optimiser state.
type Weights struct {
	Names   []string
	Data    [][]float32
	M, V    [][]float32
	Adam    Adam
	Channel int
}

// Snapshot copies the parameters and the Adam moments out.
func (p *Policy) Snapshot(opt Adam) Weights {
	w := Weights{Adam: opt, Channel: p.inChannels}
	for _, q := range p.params {
		w.Names = append(w.Names, q.name)
		w.Data = append(w.Data, slices.Clone(q.data))
		w.M = append(w.M, slices.Clone(q.m))
		w.V = append(w.V, slices.Clone(q.v))
	}
	return w
}

// Restore copies a snapshot back in; the shapes must match.
func (p *Policy) Restore(w *Weights) error {
	if len(w.Names) != len(p.params) || w.Channel != p.inChannels {
		return fmt.Errorf("ppo: checkpoint has %d tensors over %d channels, network %d over %d", len(w.Names), w.Channel, len(p.params), p.inChannels)
	}
	for i, q := range p.params {
		if w.Names[i] != q.name || len(w.Data[i]) != len(q.data) {
			return fmt.Errorf("ppo: checkpoint tensor %s (%d numbers) does not fit %s (%d)", w.Names[i], len(w.Data[i]), q.name, len(q.data))
		}
	}
	for i, q := range p.params {
		copy(q.data, w.Data[i])
		copy(q.m, w.M[i])
		copy(q.v, w.V[i])
	}
	return nil
}

// Close releases the network's tensors.
func (p *Policy) Close() {
	for _, q := range p.params {
		q.t.MustDrop()
	}
	p.params = nil
}

// frameCells is the size of one frame.
const frameCells = arc.FrameCells
