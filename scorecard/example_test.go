package scorecard_test

import (
	"fmt"

	"github.com/arcgym/arcgym/arc"
	"github.com/arcgym/arcgym/scorecard"
)

// A run that completes only level one, in twice the human baseline, scores
// 25 on that level and 25·1/15 overall (level weights 1..5).
func ExampleCard() {
	info := arc.GameInfo{ID: "bt11-fd9df0622a1a", BaselineActions: []int{4, 8, 16, 20, 24}, Levels: 5}
	card := scorecard.New(scorecard.Meta{ID: "card-1"})

	res := arc.FrameData{GameID: info.ID, GUID: "g1", State: arc.NotFinished, Action: arc.Action{ID: arc.Reset}, FullReset: true}
	card.Record(&info, "g1", &res) // a new session: a new run, not charged
	res.Action, res.FullReset = arc.Action{ID: arc.Action3}, false
	for range 7 {
		card.Record(&info, "g1", &res)
	}
	res.LevelsCompleted = 1 // the eighth action completes level one
	card.Record(&info, "g1", &res)

	s := card.Summary()
	run := s.Environments[0].Runs[0]
	fmt.Println(run.LevelActions, run.LevelScores)
	fmt.Printf("run %.2f, card %.2f\n", run.Score, s.Score)
	// Output:
	// [8 0 0 0 0] [25 0 0 0 0]
	// run 1.67, card 1.67
}

func ExampleRunScore() {
	score, levels := scorecard.RunScore([]int{4, 8, 16, 20, 24}, []int{4, 8, 16, 20, 24}, 5)
	fmt.Println(score, levels)
	// Output: 100 [100 100 100 100 100]
}
