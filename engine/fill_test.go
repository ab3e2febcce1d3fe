package engine

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/arcgym/arcgym/arc"
)

func TestFillSetsEveryByte(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 7, 63, 64, 65, 1000, arc.FrameCells} {
		buf := make([]uint8, n+2)
		for i := range buf {
			buf[i] = 9
		}
		fill(buf[1:n+1], 5)
		want := make([]uint8, n+2)
		for i := range want {
			want[i] = 5
		}
		want[0], want[n+1] = 9, 9
		assert.Equal(t, want, buf, "length %d: every byte set, none outside", n)
	}
}

func TestCameraClearFillsTheFrame(t *testing.T) {
	c := NewCamera(21, 21, 7)
	frame := make([]uint8, arc.FrameCells)
	c.Clear(frame)
	for i, v := range frame {
		if v != 7 {
			t.Fatalf("cell %d is %d, want the letterbox colour 7", i, v)
		}
	}
}

func TestBudgetBarSharesTheRow(t *testing.T) {
	for _, tc := range []struct{ budget, steps, full int }{
		{10, 0, 64}, {10, 5, 32}, {10, 10, 0}, {3, 1, 43}, {64, 63, 1},
	} {
		w := &World{Level: &Level{Budget: tc.budget}, Steps: tc.steps}
		frame := make([]uint8, arc.FrameCells)
		BudgetBar{Row: 2, Full: 4, Empty: 1}.Draw(frame, w)
		row := frame[2*arc.GridSize : 3*arc.GridSize]
		for x, v := range row {
			want := uint8(1)
			if x < tc.full {
				want = 4
			}
			if v != want {
				t.Fatalf("budget %d, %d steps: cell %d is %d, want %d", tc.budget, tc.steps, x, v, want)
			}
		}
		assert.Zero(t, frame[arc.GridSize], "other rows untouched")
	}
}

func BenchmarkCameraClear(b *testing.B) {
	c := NewCamera(21, 21, 7)
	frame := make([]uint8, arc.FrameCells)
	b.SetBytes(arc.FrameCells)
	b.ReportAllocs()
	for b.Loop() {
		c.Clear(frame)
	}
}

// BenchmarkClearLoopBaseline is the byte-by-byte loop that Clear replaced,
// measured in the same run.
func BenchmarkClearLoopBaseline(b *testing.B) {
	frame := make([]uint8, arc.FrameCells)
	v := uint8(7)
	b.SetBytes(arc.FrameCells)
	b.ReportAllocs()
	for b.Loop() {
		for i := range frame {
			frame[i] = v
		}
	}
}
