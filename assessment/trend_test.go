package assessment

import (
	"reflect"
	"testing"

	"github.com/covgap/covgap/analyzer"
)

func TestTrend(t *testing.T) {
	q1 := assess(t, base, map[string]float64{"M1": 1}, analyzer.ModelMax, "2026-Q1", day)
	q2 := assess(t, base, map[string]float64{"M1": 1, "M2": 1}, analyzer.ModelMax, "2026-Q2", day.AddDate(0, 3, 0))
	q3 := assess(t, moved, map[string]float64{"M1": 1, "M2": 1, "M3": 0.5}, analyzer.ModelMax, "2026-Q3", day.AddDate(0, 6, 0))
	// The same day twice: the label decides.
	q3b := assess(t, moved, map[string]float64{"M1": 1, "M2": 1, "M3": 0.75}, analyzer.ModelMax, "2026-Q3b", day.AddDate(0, 6, 0))

	tr := NewTrend([]*Assessment{q3b, q1, q3, q2})
	var labels []string
	for _, pt := range tr.Points {
		labels = append(labels, pt.Label)
	}
	if want := []string{"2026-Q1", "2026-Q2", "2026-Q3", "2026-Q3b"}; !reflect.DeepEqual(labels, want) {
		t.Fatalf("order %q, want %q", labels, want)
	}
	if tr.Points[0].Delta != nil {
		t.Error("the first assessment has a Δ")
	}
	for i := 1; i < len(tr.Points); i++ {
		checkNum(t, labels[i]+" Δ", tr.Points[i].Delta, p(*tr.Points[i].Score-*tr.Points[i-1].Score))
	}

	// G1: (1+0+0)/3, (1+1+0)/3, then T1, T2, T5 at 1, 1, 1.
	g1 := tr.Groups[0]
	if g1.ID != "G1" || len(g1.Scores) != 4 {
		t.Fatalf("first group %+v", g1)
	}
	for i, w := range []float64{100.0 / 3, 200.0 / 3, 100, 100} {
		checkNum(t, "G1 score", g1.Scores[i], p(w))
	}
	checkNum(t, "G1 Δ Q2", g1.Deltas[1], p(100.0/3))
	g3 := tr.Groups[2]
	if g3.ID != "G3" || g3.Scores[1] != nil || g3.Deltas[1] != nil || g3.Latest() != nil {
		t.Errorf("G3 has no mitigable technique, yet %+v", g3)
	}
	low := tr.Lowest(5)
	if len(low) != 2 || low[0].ID != "G2" || low[1].ID != "G1" {
		t.Errorf("lowest %+v, want G2 then G1 and no G3", low)
	}
	if got := tr.Lowest(1); len(got) != 1 || got[0].ID != "G2" {
		t.Errorf("Lowest(1) = %+v", got)
	}
}

func TestTrendGroupOnSomeOnly(t *testing.T) {
	regrouped := spec{version: "2.0", techs: base.techs, groups: map[string][]string{"G1": {"T1"}, "G9": {"T3"}}}
	a := assess(t, base, map[string]float64{"M1": 1}, analyzer.ModelMax, "A", day)
	b := assess(t, regrouped, map[string]float64{"M1": 1}, analyzer.ModelMax, "B", day.AddDate(0, 1, 0))
	tr := NewTrend([]*Assessment{a, b})
	byID := map[string]GroupTrend{}
	for _, g := range tr.Groups {
		byID[g.ID] = g
	}
	if g := byID["G2"]; g.Scores[0] == nil || g.Scores[1] != nil || g.Deltas[1] != nil {
		t.Errorf("G2 (first only) %+v", g)
	}
	if g := byID["G9"]; g.Scores[0] != nil || g.Scores[1] == nil || g.Deltas[1] != nil {
		t.Errorf("G9 (second only) %+v", g)
	}
}
