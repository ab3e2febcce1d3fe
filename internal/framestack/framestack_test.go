package framestack

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The view always holds the last n frames pushed, through the moves of a
// full buffer, and after a refill.
func TestStackKeepsTheLastFrames(t *testing.T) {
	for _, slots := range []int{4, 5, 24} {
		s := New(make([]uint8, slots*2), 3, 2)
		assert.False(t, s.Started())
		s.Fill([]uint8{9, 9}, false)
		assert.True(t, s.Started())
		assert.Equal(t, []uint8{9, 9, 9, 9, 9, 9}, s.View())
		var pushed []uint8
		for k := range 40 {
			f := []uint8{uint8(k), uint8(k + 100)}
			s.Push(f)
			pushed = append(pushed, f...)
			want := append([]uint8{9, 9, 9, 9, 9, 9}, pushed...)
			require.Equal(t, want[len(want)-6:], s.View(), "slots %d push %d", slots, k)
		}
		s.Fill(nil, true)
		assert.Equal(t, make([]uint8, 6), s.View())
		s.Push([]uint8{1, 2})
		assert.Equal(t, []uint8{0, 0, 0, 0, 1, 2}, s.View())
	}
	assert.Panics(t, func() { New(make([]uint8, 6), 3, 2) }, "no slot to push into")
}

func TestPushAllocatesNothing(t *testing.T) {
	s := New(make([]uint8, 8*4096), 4, 4096)
	f := make([]uint8, 4096)
	s.Fill(f, false)
	assert.Zero(t, testing.AllocsPerRun(100, func() { s.Push(f) }))
}
