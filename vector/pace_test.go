package vector

import (
	"testing"
	"time"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/env/envtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// callPace runs one call of k commands through p as an Async does, the
// call taking per per command solo and shared per command shared, and
// returns whether it ran solo.
func callPace(p *pace, k int, solo, shared time.Duration) bool {
	s, timed := p.choose(k)
	if timed {
		d := shared
		if s {
			d = solo
		}
		p.record(s, d*time.Duration(k), k)
	}
	return s
}

func TestPaceFirstCallsMeasureBothWays(t *testing.T) {
	var p pace
	s, timed := p.choose(64)
	assert.True(t, s, "the first call runs solo")
	assert.True(t, timed)
	p.record(true, 64*time.Microsecond, 64)
	s, timed = p.choose(64)
	assert.False(t, s, "the second call tries the workers")
	assert.True(t, timed)
	p.record(false, 16*time.Microsecond, 64)
	assert.Equal(t, time.Microsecond, p.solo.per)
	assert.Equal(t, 250*time.Nanosecond, p.shared.per)
}

func TestPaceChoosesTheFasterWay(t *testing.T) {
	const k = 64
	for _, tc := range []struct {
		name          string
		solo, shared  time.Duration
		wantSoloShare float64 // fraction of the calls that run solo
	}{
		{"workers twice as fast", time.Microsecond, 500 * time.Nanosecond, 1.0 / paceEvery},
		{"workers slower", time.Microsecond, 3 * time.Microsecond, 1 - 1.0/paceEvery},
		{"within the margin stays solo", time.Microsecond, 990 * time.Nanosecond, 1 - 1.0/paceEvery},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var p pace
			for range 2 * paceEvery {
				callPace(&p, k, tc.solo, tc.shared)
			}
			solo := 0
			const calls = 10 * paceEvery
			for range calls {
				if callPace(&p, k, tc.solo, tc.shared) {
					solo++
				}
			}
			assert.InDelta(t, tc.wantSoloShare, float64(solo)/calls, 0.5/paceEvery)
		})
	}
}

func TestPaceRunsFewFastCommandsSolo(t *testing.T) {
	var p pace
	// 4 commands of 300 ns: 1.2 µs of work, less than a hand-off costs.
	for range 10 * paceEvery {
		require.True(t, callPace(&p, 4, 300*time.Nanosecond, 100*time.Nanosecond))
	}
	assert.False(t, p.shared.known, "the workers are never tried")
	// The same games in a batch of 64 are worth sharing.
	callPace(&p, 64, 300*time.Nanosecond, 100*time.Nanosecond)
	assert.False(t, callPace(&p, 64, 300*time.Nanosecond, 100*time.Nanosecond))
}

func TestPaceFollowsAChangeOfLoad(t *testing.T) {
	const k = 256
	var p pace
	fast, slow := 200*time.Nanosecond, 5*time.Microsecond
	for range 4 * paceEvery {
		callPace(&p, k, time.Microsecond, fast)
	}
	require.True(t, p.sharing)
	// Another process takes the workers' core: shared calls wait for
	// descheduled workers.
	for range 4 * paceEvery {
		callPace(&p, k, time.Microsecond, slow)
	}
	assert.False(t, p.sharing, "back to solo once sharing is slower")
	// The core is free again: the probes notice.
	for range 8 * paceEvery {
		callPace(&p, k, time.Microsecond, fast)
	}
	assert.True(t, p.sharing)
}

// An Async gives the same batches as Sync whether its calls run on the
// caller alone or shared with the workers. Each Async starts out one way;
// the probes of its pace may change it later, which the rows must not show.
func TestAsyncSoloAndSharedAgree(t *testing.T) {
	const n, steps = 9, 120
	f := sameFakes(envtest.FakeConfig{})
	ref, err := NewSync(n, f, Config{})
	require.NoError(t, err)
	defer ref.Close()
	ways := map[string]pace{
		"solo":   {solo: estimate{per: time.Nanosecond, known: true}},
		"shared": {solo: estimate{per: time.Millisecond, known: true}, shared: estimate{per: time.Nanosecond, known: true}, sharing: true},
	}
	asyncs := map[string]*Async{}
	for name, p := range ways {
		a := newAsync(t, n, f, Config{Workers: 2})
		a.cpuBound = true // as on a machine of 2 cores or more
		a.pace = p
		asyncs[name] = a
	}
	opts := env.WithSeed(3)
	want, err := ref.Reset(t.Context(), opts)
	require.NoError(t, err)
	for name, a := range asyncs {
		got, err := a.Reset(t.Context(), opts)
		require.NoError(t, err)
		assert.Equal(t, want.Obs.Data, got.Obs.Data, name)
	}
	for s := range steps {
		acts := make([]arc.Action, n)
		for i := range acts {
			acts[i] = arc.Click((s*5+i)%64, (s+3*i)%64)
		}
		want, err := ref.Step(t.Context(), acts)
		require.NoError(t, err)
		for name, a := range asyncs {
			got, err := a.Step(t.Context(), acts)
			require.NoError(t, err)
			require.Equal(t, want.Obs.Data, got.Obs.Data, "%s, step %d", name, s)
			require.Equal(t, want.Rewards, got.Rewards, "%s, step %d", name, s)
			require.Equal(t, want.Terminated, got.Terminated, "%s, step %d", name, s)
			require.Equal(t, want.First, got.First, "%s, step %d", name, s)
			for r := range n {
				require.Equal(t, want.Infos[r].EpisodeSteps, got.Infos[r].EpisodeSteps, "%s, step %d, row %d", name, s, r)
			}
		}
	}
}
