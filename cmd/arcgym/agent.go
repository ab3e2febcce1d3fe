package main

import (
	"fmt"
	"hash/maphash"
	"math/rand/v2"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/env"
	"github.com/arcgym/arcgym/spaces"
)

// agent chooses actions for one episode at a time. An agent is used by one
// worker only.
type agent interface {
	// begin starts an episode of the game; seed makes the episode's choices
	// reproducible.
	begin(info arc.GameInfo, seed uint64)
	// act returns the next action for the observation frame (64x64) and its
	// info. ok is false when the agent has nothing to offer.
	act(frame []uint8, info *env.Info) (a arc.Action, ok bool)
	// observe reports the frame that the last action led to.
	observe(frame []uint8, info *env.Info)
}

// agentNames lists the agents of -agent.
var agentNames = []string{"random", "explore"}

func newAgent(name string) (agent, error) {
	switch name {
	case "random":
		return &randomAgent{space: spaces.NewAction(0)}, nil
	case "explore":
		return newExploreAgent(), nil
	}
	return nil, fmt.Errorf("unknown agent %q (want random or explore)", name)
}

// randomAgent draws uniformly among the available actions (masking the
// others), and for ACTION6 a cell uniformly.
type randomAgent struct {
	space *spaces.Action
}

func (r *randomAgent) begin(_ arc.GameInfo, seed uint64) { r.space.Seed(seed) }

func (r *randomAgent) act(_ []uint8, info *env.Info) (arc.Action, bool) {
	r.space.Available = info.Available &^ arc.ActionSetOf(arc.Reset)
	return r.space.Sample(nil)
}

func (r *randomAgent) observe([]uint8, *env.Info) {}

// exploreAgent is a count-based explorer. It identifies states by a hash of
// the frame without its top and bottom rows (where the built-in games draw
// their level pips and step budget) and prefers, in every state, an action
// not tried there yet (repeating the last action first while it keeps
// reaching new states), then the action whose known outcome was visited
// least. Clicks are tried on a few cells of the less common colours, where
// objects tend to be. It forgets everything between episodes, so episodes
// stay independent and reproducible.
type exploreAgent struct {
	rng   *rand.Rand
	seed  maphash.Seed
	nodes map[uint64]*node
	cur   *node
	// choice is the index of the last action taken in cur.
	choice int
	// lastID is the last action's id and moved whether it reached a state
	// not seen before.
	lastID arc.ActionID
	moved  bool
	hist   [arc.NumColors]int
}

// node is what the explorer knows about one state.
type node struct {
	visits  int
	actions []arc.Action
	next    []*node // outcome of each action, nil while untried
}

// exploreClicks is the number of click targets tried per state.
const exploreClicks = 8

// exploreEpsilon is the chance of a uniformly random choice, which keeps
// the explorer from cycling between two states.
const exploreEpsilon = 0.05

func newExploreAgent() *exploreAgent {
	return &exploreAgent{rng: rand.New(rand.NewPCG(0, 0)), seed: maphash.MakeSeed(), nodes: map[uint64]*node{}}
}

func (e *exploreAgent) begin(_ arc.GameInfo, seed uint64) {
	e.rng = rand.New(rand.NewPCG(seed, seed^0x5851f42d4c957f2d))
	clear(e.nodes)
	e.cur = nil
	e.moved = false
}

// key hashes the frame without its first and last rows.
func (e *exploreAgent) key(frame []uint8) uint64 {
	return maphash.Bytes(e.seed, frame[arc.GridSize:len(frame)-arc.GridSize])
}

func (e *exploreAgent) node(frame []uint8, avail arc.ActionSet) *node {
	k := e.key(frame)
	if n, ok := e.nodes[k]; ok {
		return n
	}
	n := &node{}
	for id := arc.Action1; id <= arc.Action7; id++ {
		if avail.Has(id) && id != arc.Action6 {
			n.actions = append(n.actions, arc.Simple(id))
		}
	}
	if avail.Has(arc.Action6) {
		n.actions = e.clickTargets(n.actions, frame)
	}
	n.next = make([]*node, len(n.actions))
	e.nodes[k] = n
	return n
}

// clickTargets appends up to exploreClicks distinct cells whose colour is
// not the frame's most common one, or random cells on a uniform frame.
func (e *exploreAgent) clickTargets(dst []arc.Action, frame []uint8) []arc.Action {
	clear(e.hist[:])
	for _, c := range frame {
		e.hist[c&(arc.NumColors-1)]++
	}
	bg := 0
	for c, n := range e.hist {
		if n > e.hist[bg] {
			bg = c
		}
	}
	fg := len(frame) - e.hist[bg]
	for range exploreClicks {
		if fg == 0 {
			c := e.rng.IntN(len(frame))
			dst = append(dst, arc.Click(c%arc.GridSize, c/arc.GridSize))
			continue
		}
		// The pick-th cell not of the background colour.
		pick := e.rng.IntN(fg)
		for c, v := range frame {
			if int(v&(arc.NumColors-1)) == bg {
				continue
			}
			if pick == 0 {
				dst = append(dst, arc.Click(c%arc.GridSize, c/arc.GridSize))
				break
			}
			pick--
		}
	}
	return dst
}

func (e *exploreAgent) act(frame []uint8, info *env.Info) (arc.Action, bool) {
	if e.cur == nil {
		e.cur = e.node(frame, info.Available)
		e.cur.visits++
	}
	n := e.cur
	if len(n.actions) == 0 {
		return arc.Action{}, false
	}
	e.choice = e.pick(n)
	e.lastID = n.actions[e.choice].ID
	return n.actions[e.choice], true
}

// pick returns the index of an untried action if there is one, else of the
// action leading to the least visited state, ties broken at random.
func (e *exploreAgent) pick(n *node) int {
	if e.rng.Float64() < exploreEpsilon {
		return e.rng.IntN(len(n.actions))
	}
	// Momentum: keep going the way that just led somewhere new.
	if e.moved && e.choice < len(n.next) && n.next[e.choice] == nil && n.actions[e.choice].ID == e.lastID && e.lastID != arc.Action6 {
		return e.choice
	}
	best, bestVisits, ties := 0, int(^uint(0)>>1), 0
	for i, nx := range n.next {
		v := 0
		if nx != nil {
			v = nx.visits
			if nx == n {
				// An action that changes nothing is the worst choice.
				v = 1 << 30
			}
		}
		switch {
		case v < bestVisits:
			best, bestVisits, ties = i, v, 1
		case v == bestVisits:
			// Reservoir sampling among equally good actions.
			ties++
			if e.rng.IntN(ties) == 0 {
				best = i
			}
		}
	}
	return best
}

func (e *exploreAgent) observe(frame []uint8, info *env.Info) {
	next := e.node(frame, info.Available)
	e.moved = next.visits == 0
	next.visits++
	if e.cur != nil {
		e.cur.next[e.choice] = next
	}
	e.cur = next
}
