package analyzer

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/covgap/covgap/attack"
	"github.com/covgap/covgap/inventory"
)

const tol = 1e-9

func near(a, b float64) bool { return math.Abs(a-b) <= tol }

func score(p *float64) string {
	if p == nil {
		return "nil"
	}
	return jsonNum(*p)
}

func jsonNum(x float64) string { b, _ := json.Marshal(x); return string(b) }

func sameScore(got *float64, want float64) bool {
	if math.IsNaN(want) {
		return got == nil
	}
	return got != nil && near(*got, want)
}

func findGroup(t *testing.T, r *Result, id string) GroupResult {
	t.Helper()
	for _, g := range r.Groups {
		if g.ID == id {
			return g
		}
	}
	t.Fatalf("group %s not in result", id)
	return GroupResult{}
}

func itemOf(t *testing.T, items []Item, tech string) Item {
	t.Helper()
	for _, it := range items {
		if it.Technique == tech {
			return it
		}
	}
	t.Fatalf("technique %s not among the items", tech)
	return Item{}
}

// The case of the issue, worked by hand: M1032 and M1021 implemented,
// M1018 partial. T1567.002 (M1021), T1102.002 (M1021), T1199 (M1032) and
// T1078 (M1032) are covered, T1090 has none of its three, T1588.002 and
// T1583.006 have only M1056: 4/5 = 80 %. Raising M1020, M1031 or M1037
// covers T1090 alone (T1102.002 is already covered by M1021, so M1031
// gains nothing more): three ties at 20 points and one technique each,
// the lower M-ID wins. After it every mitigable technique is covered, so
// no second step gains anything.
func TestPoloniumByHand(t *testing.T) {
	cat := poloniumCatalog()
	iv := inv(map[string]float64{"M1032": 1, "M1021": 1, "M1018": 0.5})
	r, err := Analyze(cat, iv, one(cat, "G1005"), Options{Top: 10})
	if err != nil {
		t.Fatal(err)
	}
	g := findGroup(t, r, "G1005")
	want := Counts{Techniques: 7, Mitigable: 5, Covered: 4, Partial: 0, Gaps: 1, Unmitigable: 2}
	if g.Counts != want {
		t.Errorf("counts = %+v, want %+v", g.Counts, want)
	}
	if !sameScore(g.Score, 80) || !sameScore(r.Profile.Score, 80) {
		t.Errorf("score = %s, profile %s; want 80", score(g.Score), score(r.Profile.Score))
	}
	states := map[string]State{
		"T1567.002": Covered, "T1102.002": Covered, "T1090": Gap, "T1588.002": Unmitigable,
		"T1199": Covered, "T1583.006": Unmitigable, "T1078": Covered,
	}
	for tech, st := range states {
		if it := itemOf(t, g.Items, tech); it.State != st {
			t.Errorf("%s state = %s, want %s", tech, it.State, st)
		}
	}
	it := itemOf(t, g.Items, "T1090")
	if got := it.Mitigations; len(got) != 3 || got[0].ID != "M1020" || got[0].Name != "SSL/TLS Inspection" || got[0].Level != 0 {
		t.Errorf("T1090 mitigations = %+v", got)
	}
	if it := itemOf(t, g.Items, "T1588.002"); len(it.Mitigations) != 0 || it.Coverage != 0 {
		t.Errorf("M1056 must not count: %+v", it)
	}
	if it := itemOf(t, g.Items, "T1199"); it.Mitigations[0].ID != "M1018" || it.Mitigations[0].Level != 0.5 || !reflect.DeepEqual(it.Sources, []string{"direct"}) {
		t.Errorf("T1199 = %+v", it)
	}

	wantTactics := []struct {
		tactic string
		score  float64 // NaN: no score
		n, cov int
	}{
		{"resource-development", math.NaN(), 2, 0},
		{"initial-access", 100, 2, 2},
		{"persistence", 100, 1, 1},
		{"privilege-escalation", 100, 1, 1},
		{"defense-evasion", 100, 1, 1},
		{"command-and-control", 50, 2, 1},
		{"exfiltration", 100, 1, 1},
	}
	if len(g.Tactics) != len(wantTactics) {
		t.Fatalf("tactics = %+v", g.Tactics)
	}
	for i, w := range wantTactics {
		got := g.Tactics[i]
		if got.Tactic != w.tactic || !sameScore(got.Score, w.score) || got.Techniques != w.n || got.Covered != w.cov {
			t.Errorf("tactic %d = %s %s n=%d covered=%d, want %s %v n=%d covered=%d",
				i, got.Tactic, score(got.Score), got.Techniques, got.Covered, w.tactic, w.score, w.n, w.cov)
		}
	}
	if g.Tactics[0].Name != "Resource Development" || g.Tactics[0].Unmitigable != 2 {
		t.Errorf("resource-development = %+v", g.Tactics[0])
	}

	wantRec := []Recommendation{{Rank: 1, Mitigation: "M1020", Name: "SSL/TLS Inspection", Level: 0,
		Gain: 20, ScoreAfter: 100, Techniques: []string{"T1090"}, Groups: []string{"G1005"}}}
	if !reflect.DeepEqual(r.Recommendations, wantRec) {
		t.Errorf("recommendations = %+v\nwant %+v", r.Recommendations, wantRec)
	}

	if r.Inventory.File != "test.csv" || r.Inventory.Levels["M1018"] != 0.5 || r.Model != ModelMax || r.Attack.Version != "test" {
		t.Errorf("summary = %+v %+v %s", r.Inventory, r.Attack, r.Model)
	}
	if len(r.Techniques) != 7 || r.Techniques[0].Technique != "T1078" || r.Techniques[0].Weight != 1 ||
		!reflect.DeepEqual(r.Techniques[0].Groups, []string{"G1005"}) {
		t.Errorf("profile techniques = %+v", r.Techniques)
	}
	if r.Profile.Counts != want || r.Profile.Groups != 1 {
		t.Errorf("profile = %+v", r.Profile)
	}
}

// Each model on two inventories, every coverage worked by hand from the
// mitigation lists of poloniumTechs (mitigable ones only; mean divides by
// |M(t)|, which leaves M1056 out).
func TestModelsByHand(t *testing.T) {
	cat := poloniumCatalog()
	a := map[string]float64{"M1032": 1, "M1021": 1, "M1018": 0.5}
	b := map[string]float64{"M1018": 0.5, "M1021": 0.5, "M1031": 0.5}
	tests := []struct {
		name   string
		levels map[string]float64
		model  Model
		cov    map[string]float64 // T1567.002 T1102.002 T1090 T1199 T1078
		score  float64
		counts [3]int // covered, partial, gaps
	}{
		{"a/max", a, ModelMax, map[string]float64{"T1567.002": 1, "T1102.002": 1, "T1090": 0, "T1199": 1, "T1078": 1}, 80, [3]int{4, 0, 1}},
		{"a/default is max", a, "", map[string]float64{"T1567.002": 1, "T1102.002": 1, "T1090": 0, "T1199": 1, "T1078": 1}, 80, [3]int{4, 0, 1}},
		// (1) + (1+0)/2 + 0 + (0.5+0+1)/3 + (0.5+1)/8 = 2.1875 → 43.75
		{"a/mean", a, ModelMean, map[string]float64{"T1567.002": 1, "T1102.002": 0.5, "T1090": 0, "T1199": 0.5, "T1078": 0.1875}, 43.75, [3]int{1, 3, 1}},
		{"a/noisy-or", a, ModelNoisyOr, map[string]float64{"T1567.002": 1, "T1102.002": 1, "T1090": 0, "T1199": 1, "T1078": 1}, 80, [3]int{4, 0, 1}},
		{"b/max", b, ModelMax, map[string]float64{"T1567.002": 0.5, "T1102.002": 0.5, "T1090": 0.5, "T1199": 0.5, "T1078": 0.5}, 50, [3]int{0, 5, 0}},
		// 0.5 + 0.5 + 0.5/3 + 0.5/3 + 0.5/8 = 1.3958333 → 27.916666
		{"b/mean", b, ModelMean, map[string]float64{"T1567.002": 0.5, "T1102.002": 0.5, "T1090": 0.5 / 3, "T1199": 0.5 / 3, "T1078": 0.0625}, 100 * (0.5 + 0.5 + 0.5/3 + 0.5/3 + 0.0625) / 5, [3]int{0, 5, 0}},
		// T1102.002: 1 − 0.5·0.5 = 0.75; the rest have one mitigation at 0.5 → 2.75/5
		{"b/noisy-or", b, ModelNoisyOr, map[string]float64{"T1567.002": 0.5, "T1102.002": 0.75, "T1090": 0.5, "T1199": 0.5, "T1078": 0.5}, 55, [3]int{0, 5, 0}},
		{"nothing/noisy-or", map[string]float64{}, ModelNoisyOr, map[string]float64{"T1567.002": 0, "T1102.002": 0, "T1090": 0, "T1199": 0, "T1078": 0}, 0, [3]int{0, 0, 5}},
		{"all/mean", map[string]float64{"M1013": 1, "M1015": 1, "M1017": 1, "M1018": 1, "M1020": 1, "M1021": 1, "M1026": 1, "M1027": 1, "M1030": 1, "M1031": 1, "M1032": 1, "M1036": 1, "M1037": 1},
			ModelMean, map[string]float64{"T1567.002": 1, "T1102.002": 1, "T1090": 1, "T1199": 1, "T1078": 1}, 100, [3]int{5, 0, 0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Analyze(cat, inv(tc.levels), one(cat, "POLONIUM"), Options{Model: tc.model})
			if err != nil {
				t.Fatal(err)
			}
			g := findGroup(t, r, "G1005")
			for tech, c := range tc.cov {
				if it := itemOf(t, g.Items, tech); !near(it.Coverage, c) {
					t.Errorf("c(%s) = %v, want %v", tech, it.Coverage, c)
				}
			}
			if !sameScore(g.Score, tc.score) {
				t.Errorf("score = %s, want %v", score(g.Score), tc.score)
			}
			if got := [3]int{g.Covered, g.Partial, g.Gaps}; got != tc.counts {
				t.Errorf("covered/partial/gaps = %v, want %v", got, tc.counts)
			}
			if len(r.Recommendations) != 0 {
				t.Errorf("Top 0 must recommend nothing, got %d", len(r.Recommendations))
			}
		})
	}
}

func TestRecommendationTies(t *testing.T) {
	// Under mean on inventory a: raising M1031 adds ½ to T1102.002 and ⅓
	// to T1090 → (0.5+⅓)/5 = 16.67 points and covers T1102.002. Then
	// M1020, M1030 and M1037 each add ⅓ of one technique (6.67 points),
	// none covers anything, and the lowest M-ID, M1020, goes first.
	cat := poloniumCatalog()
	iv := inv(map[string]float64{"M1032": 1, "M1021": 1, "M1018": 0.5})
	r, err := Analyze(cat, iv, one(cat, "G1005"), Options{Model: ModelMean, Top: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Recommendations) != 3 {
		t.Fatalf("recommendations = %+v", r.Recommendations)
	}
	r1, r2, r3 := r.Recommendations[0], r.Recommendations[1], r.Recommendations[2]
	if r1.Mitigation != "M1031" || !near(r1.Gain, 100*(0.5+1.0/3)/5) || !reflect.DeepEqual(r1.Techniques, []string{"T1102.002"}) {
		t.Errorf("first = %+v", r1)
	}
	if r2.Mitigation != "M1020" || !near(r2.Gain, 100.0/3/5) || len(r2.Techniques) != 0 || len(r2.Groups) != 0 {
		t.Errorf("second = %+v", r2)
	}
	// M1030 and M1037 now tie with each other and also with nothing else:
	// M1037 adds ⅓ to T1090 (now ⅔ → 1, covering it) — 6.67 points and one
	// technique covered, which beats M1030's 6.67 points and none.
	if r3.Mitigation != "M1037" || !near(r3.Gain, 100.0/3/5) || !reflect.DeepEqual(r3.Techniques, []string{"T1090"}) {
		t.Errorf("third = %+v", r3)
	}
	if !near(r3.ScoreAfter, 43.75+r1.Gain+r2.Gain+r3.Gain) {
		t.Errorf("score after = %v", r3.ScoreAfter)
	}

	// Under max, equal gains with different numbers of techniques covered:
	// M1013 would cover T1001 (gain ⅓·100); M1020 raises T1002 and T1003
	// from ½ to 1 (the same gain) and covers two, so it goes first although
	// M1021 (also at ½ on both) has the same two and a higher ID.
	cat2 := buildCatalog([]techSpec{
		{"T1001", "One", []string{"execution"}, []string{"M1013"}},
		{"T1002", "Two", []string{"execution"}, []string{"M1020", "M1021"}},
		{"T1003", "Three", []string{"execution"}, []string{"M1020", "M1021"}},
	}, &attack.Group{ID: "G0001", Name: "Tie", Uses: directUses("T1001", "T1002", "T1003")})
	r, err = Analyze(cat2, inv(map[string]float64{"M1021": 0.5}), one(cat2, "G0001"), Options{Top: 5})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, rec := range r.Recommendations {
		got = append(got, rec.Mitigation)
		if !near(rec.Gain, 100.0/3) {
			t.Errorf("%s gain = %v, want 33.33", rec.Mitigation, rec.Gain)
		}
	}
	if !reflect.DeepEqual(got, []string{"M1020", "M1013"}) {
		t.Errorf("order = %v, want [M1020 M1013]", got)
	}
	if r.Recommendations[0].Level != 0 || !reflect.DeepEqual(r.Recommendations[0].Techniques, []string{"T1002", "T1003"}) {
		t.Errorf("first = %+v", r.Recommendations[0])
	}
}

// A second group with weight 3 that uses T1090 and T1078: n(T1090) =
// n(T1078) = 4, the other three mitigable techniques 1 each, Σn = 11, and
// only T1090 is uncovered: P = 7/11, and covering it gains 4/11.
func TestWeights(t *testing.T) {
	heavy := &attack.Group{ID: "G9999", Name: "Heavy", Uses: directUses("T1090", "T1078")}
	cat := poloniumCatalog(heavy)
	iv := inv(map[string]float64{"M1032": 1, "M1021": 1, "M1018": 0.5})
	p := Profile{Name: "weighted", Members: []Member{{Group: cat.Group("G9999"), Weight: 3}, {Group: cat.Group("G1005")}}}
	r, err := Analyze(cat, iv, p, Options{Top: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !sameScore(r.Profile.Score, 700.0/11) {
		t.Errorf("P = %s, want %v", score(r.Profile.Score), 700.0/11)
	}
	if r.Groups[0].ID != "G1005" || r.Groups[0].Weight != 1 || r.Groups[1].Weight != 3 || !sameScore(r.Groups[1].Score, 50) {
		t.Errorf("groups = %+v", r.Groups)
	}
	if it := itemOf(t, r.Techniques, "T1090"); it.Weight != 4 || !reflect.DeepEqual(it.Groups, []string{"G1005", "G9999"}) {
		t.Errorf("T1090 = %+v", it)
	}
	rec := r.Recommendations[0]
	if rec.Mitigation != "M1020" || !near(rec.Gain, 400.0/11) || !near(rec.ScoreAfter, 100) ||
		!reflect.DeepEqual(rec.Groups, []string{"G1005", "G9999"}) {
		t.Errorf("recommendation = %+v", rec)
	}
	if r.Profile.Techniques != 7 || r.Profile.Groups != 2 {
		t.Errorf("profile counts = %+v", r.Profile)
	}
}

func TestUseOptions(t *testing.T) {
	g := &attack.Group{ID: "G0100", Name: "Sources", Uses: []attack.Use{
		{Technique: "T1078", Direct: true},
		{Technique: "T1090", Campaigns: []string{"C0001"}},
		{Technique: "T1199", Software: []string{"S0001"}},
		{Technique: "T1102.002", Direct: true, Campaigns: []string{"C0002"}},
	}}
	cat := poloniumCatalog(g)
	tests := []struct {
		uses    attack.UseOptions
		techs   []string
		sources map[string][]string
	}{
		{attack.UseOptions{}, []string{"T1078", "T1102.002"}, map[string][]string{"T1102.002": {"direct"}}},
		{attack.DefaultUseOptions(), []string{"T1078", "T1090", "T1102.002"}, map[string][]string{"T1090": {"C0001"}, "T1102.002": {"direct", "C0002"}}},
		{attack.UseOptions{Software: true}, []string{"T1078", "T1102.002", "T1199"}, map[string][]string{"T1199": {"S0001"}}},
		{attack.UseOptions{Campaigns: true, Software: true}, []string{"T1078", "T1090", "T1102.002", "T1199"}, nil},
	}
	for _, tc := range tests {
		r, err := Analyze(cat, nil, one(cat, "G0100"), Options{Uses: tc.uses})
		if err != nil {
			t.Fatal(err)
		}
		gr := r.Groups[0]
		var got []string
		for _, it := range gr.Items {
			got = append(got, it.Technique)
		}
		if !reflect.DeepEqual(got, tc.techs) || gr.Techniques != len(tc.techs) {
			t.Errorf("%+v: techniques %v, want %v", tc.uses, got, tc.techs)
		}
		for tech, src := range tc.sources {
			if it := itemOf(t, gr.Items, tech); !reflect.DeepEqual(it.Sources, src) {
				t.Errorf("%+v: %s sources %v, want %v", tc.uses, tech, it.Sources, src)
			}
		}
		if r.Options.Campaigns != tc.uses.Campaigns || r.Options.IncludeSoftware != tc.uses.Software {
			t.Errorf("options = %+v", r.Options)
		}
		// A nil inventory: everything at 0, every catalog mitigation not assessed.
		if !sameScore(gr.Score, 0) || len(r.Inventory.NotAssessed) != len(cat.Mitigations) || r.Inventory.Levels == nil {
			t.Errorf("nil inventory: score %s, summary %+v", score(gr.Score), r.Inventory)
		}
	}
}

func TestWhatIf(t *testing.T) {
	cat := poloniumCatalog()
	base := map[string]float64{"M1032": 1, "M1021": 1, "M1018": 0.5}
	planned := &inventory.Inventory{Levels: base, Planned: map[string]bool{"M1031": true}}
	tests := []struct {
		name     string
		iv       *inventory.Inventory
		o        Options
		assumed  float64
		t1090    State
		firstRec string // "" for none
		err      string
	}{
		{"assume by ID", inv(base), Options{Assume: []string{"m1020"}, Top: 3}, 100, Covered, "", ""},
		{"assume by name", inv(base), Options{Assume: []string{"SSL/TLS Inspection", " "}, Top: 3}, 100, Covered, "", ""},
		{"assume what is there", inv(base), Options{Assume: []string{"M1032"}, Top: 3}, 80, Gap, "M1020", ""},
		{"planned", planned, Options{Planned: true, Top: 3}, 100, Covered, "", ""},
		{"planned without the flag", planned, Options{Top: 3}, math.NaN(), "", "M1020", ""},
		// Nothing at all: M1018, M1021, M1031 and M1032 each cover two
		// techniques (40 points); the lowest ID goes first.
		{"planned on nil inventory", nil, Options{Planned: true, Top: 1}, 0, Gap, "M1018", ""},
		{"unknown", inv(base), Options{Assume: []string{"M1020", "M9999", "Firewal"}}, 0, "", "", `"M9999" names no active mitigation`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Analyze(cat, tc.iv, one(cat, "G1005"), tc.o)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), "Firewal") {
					t.Fatalf("err = %v, want one naming every unknown reference (%s)", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			g := r.Groups[0]
			if !sameScore(g.AssumedScore, tc.assumed) || !sameScore(r.Profile.AssumedScore, tc.assumed) {
				t.Errorf("assumed = %s / %s, want %v", score(g.AssumedScore), score(r.Profile.AssumedScore), tc.assumed)
			}
			it := itemOf(t, g.Items, "T1090")
			if it.AssumedState != tc.t1090 || (tc.t1090 == "") != (it.AssumedCoverage == nil) {
				t.Errorf("T1090 assumed = %s %v, want %s", it.AssumedState, it.AssumedCoverage, tc.t1090)
			}
			if it := itemOf(t, g.Items, "T1588.002"); tc.t1090 != "" && it.AssumedState != Unmitigable {
				t.Errorf("unmitigable stays so under a what-if: %+v", it)
			}
			// The real score never moves with a what-if.
			if tc.iv != nil && !sameScore(g.Score, 80) {
				t.Errorf("real score = %s", score(g.Score))
			}
			first := ""
			if len(r.Recommendations) > 0 {
				first = r.Recommendations[0].Mitigation
			}
			if first != tc.firstRec {
				t.Errorf("first recommendation = %q, want %q", first, tc.firstRec)
			}
		})
	}
	r, _ := Analyze(cat, inv(base), one(cat, "G1005"), Options{Assume: []string{"M1037", "m1020", "M1037"}})
	if !reflect.DeepEqual(r.Options.Assume, []string{"M1020", "M1037"}) {
		t.Errorf("assume recorded as %v", r.Options.Assume)
	}
	// The mitigations of an item keep their real levels, beside the
	// assumed ones where the what-if changes them.
	ml := itemOf(t, r.Groups[0].Items, "T1090").Mitigations
	if ml[0].Level != 0 || ml[0].AssumedLevel == nil || *ml[0].AssumedLevel != 1 || ml[0].Effective() != 1 ||
		ml[2].Level != 0 || ml[2].AssumedLevel == nil || *ml[2].AssumedLevel != 1 ||
		ml[1].Level != 0 || ml[1].AssumedLevel != nil || ml[1].Effective() != 0 {
		t.Errorf("levels = %+v", ml)
	}
	if tr := r.Groups[0].Tactics[5]; tr.Tactic != "command-and-control" || !sameScore(tr.AssumedScore, 100) || !sameScore(tr.Score, 50) {
		t.Errorf("tactic what-if = %+v", tr)
	}
}

func TestNoMitigableTechnique(t *testing.T) {
	pre := &attack.Group{ID: "G0200", Name: "Pre only", Uses: directUses("T1588.002", "T1583.006")}
	empty := &attack.Group{ID: "G0201", Name: "Nothing known"}
	cat := poloniumCatalog(pre, empty)
	r, err := Analyze(cat, inv(map[string]float64{"M1056": 1}), one(cat, "G0200", "G0201"), Options{Top: 5})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range r.Groups {
		if g.Score != nil || g.Mitigable != 0 {
			t.Errorf("%s: score %s, counts %+v; want no score", g.ID, score(g.Score), g.Counts)
		}
	}
	if r.Groups[0].Unmitigable != 2 || r.Profile.Score != nil || len(r.Recommendations) != 0 {
		t.Errorf("result = %+v", r)
	}
	b, err := json.Marshal(r.Groups[0])
	if err != nil || !strings.Contains(string(b), `"score":null`) {
		t.Errorf("JSON = %s, %v", b, err)
	}
}

func TestNotApplicableNeverRecommended(t *testing.T) {
	cat := poloniumCatalog()
	iv := inv(map[string]float64{"M1032": 1, "M1021": 1})
	iv.NotApplicable = map[string]bool{"M1020": true}
	r, err := Analyze(cat, iv, one(cat, "G1005"), Options{Top: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Recommendations) != 1 || r.Recommendations[0].Mitigation != "M1031" {
		t.Errorf("recommendations = %+v, want M1031 alone", r.Recommendations)
	}
}

// A custom group, as a Navigator layer makes it, is not in the catalog;
// uses of unknown techniques are skipped and repeats counted once.
func TestCustomGroup(t *testing.T) {
	cat := poloniumCatalog()
	custom := &attack.Group{ID: "LAYER-MINE", Name: "Mine", Uses: directUses("T1090", "t1090", "T9999", "T1199")}
	r, err := Analyze(cat, inv(map[string]float64{"M1030": 1}), Profile{Members: []Member{{Group: custom}}}, Options{Top: 1})
	if err != nil {
		t.Fatal(err)
	}
	g := r.Groups[0]
	if g.ID != "LAYER-MINE" || g.Techniques != 2 || !sameScore(g.Score, 50) || g.Weight != 1 {
		t.Errorf("custom group = %+v", g)
	}
	if rec := r.Recommendations[0]; rec.Mitigation != "M1020" || !reflect.DeepEqual(rec.Groups, []string{"LAYER-MINE"}) {
		t.Errorf("recommendation = %+v", rec)
	}
}

func TestAnalyzeRejects(t *testing.T) {
	cat := poloniumCatalog()
	g := cat.Group("G1005")
	tests := []struct {
		name string
		cat  *attack.Catalog
		p    Profile
		o    Options
		want string
	}{
		{"no catalog", nil, one(cat, "G1005"), Options{}, "no catalog"},
		{"model", cat, one(cat, "G1005"), Options{Model: "median"}, `unknown model "median"`},
		{"top", cat, one(cat, "G1005"), Options{Top: -1}, "negative"},
		{"empty", cat, Profile{}, Options{}, "no groups"},
		{"nil group", cat, Profile{Members: []Member{{}}}, Options{}, "member 1"},
		{"twice", cat, Profile{Members: []Member{{Group: g}, {Group: g, Weight: 2}}}, Options{}, "twice"},
		{"negative weight", cat, Profile{Members: []Member{{Group: g, Weight: -1}}}, Options{}, "weight -1"},
		{"NaN weight", cat, Profile{Members: []Member{{Group: g, Weight: math.NaN()}}}, Options{}, "weight NaN"},
	}
	for _, tc := range tests {
		_, err := Analyze(tc.cat, nil, tc.p, tc.o)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want it to mention %q", tc.name, err, tc.want)
		}
	}
}

func TestDeterministic(t *testing.T) {
	cat := poloniumCatalog(&attack.Group{ID: "G0300", Name: "Other", Uses: directUses("T1090", "T1199")})
	iv := inv(map[string]float64{"M1018": 0.5, "M1031": 0.25})
	p := Profile{Members: []Member{{Group: cat.Group("G1005")}, {Group: cat.Group("G0300")}}}
	a, _ := Analyze(cat, iv, p, Options{Top: 10, Model: ModelNoisyOr, Assume: []string{"M1037"}})
	p.Members[0], p.Members[1] = p.Members[1], p.Members[0]
	for range 5 {
		b, _ := Analyze(cat, iv, p, Options{Top: 10, Model: ModelNoisyOr, Assume: []string{"M1037"}})
		if !reflect.DeepEqual(a, b) {
			t.Fatal("two runs on the same input differ")
		}
	}
}

func TestDeployable(t *testing.T) {
	tests := []struct {
		mits []string
		want string
	}{
		{nil, ""},
		{[]string{"M1056"}, ""},
		{[]string{"M1020", "M1056", "M1031"}, "M1020 M1031"},
	}
	for _, tc := range tests {
		got := strings.Join(Deployable(&attack.Technique{ID: "T1", Mitigations: tc.mits}), " ")
		if got != tc.want {
			t.Errorf("Deployable(%v) = %q, want %q", tc.mits, got, tc.want)
		}
	}
	if Deployable(nil) != nil {
		t.Error("Deployable(nil) should be nil")
	}
}

// TestICSNotEffectiveIsUnmitigable: in ATT&CK for ICS, M0816 "Mitigation
// Limited or Not Effective" plays M1056's part: a technique it alone
// mitigates is unmitigable, and it is never recommended.
func TestICSNotEffectiveIsUnmitigable(t *testing.T) {
	cat, err := attack.Embedded("ics")
	if err != nil {
		t.Fatal(err)
	}
	m := cat.Mitigation(attack.LimitedOrNotEffective)
	if m == nil || len(m.Techniques) == 0 {
		t.Fatalf("ICS 18.1 lacks M0816 with techniques: %+v", m)
	}
	r, err := Analyze(cat, &inventory.Inventory{Levels: map[string]float64{}}, AllGroups(cat), Options{Model: ModelMax, Top: 50})
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range r.Recommendations {
		if rec.Mitigation == attack.LimitedOrNotEffective {
			t.Errorf("M0816 recommended: %+v", rec)
		}
	}
	for _, it := range r.Techniques {
		t0 := cat.Technique(it.Technique)
		if len(Deployable(t0)) == 0 && it.State != Unmitigable {
			t.Errorf("%s has only non-deployable mitigations %v but state %s", it.Technique, t0.Mitigations, it.State)
		}
	}
}

func TestCombine(t *testing.T) {
	lv := []float64{0.5, 0, 1}
	at := func(i int) float64 { return lv[i] }
	for _, tc := range []struct {
		model Model
		n     int
		want  float64
	}{
		{ModelMax, 3, 1}, {ModelMean, 3, 0.5}, {ModelNoisyOr, 3, 1},
		{ModelMax, 2, 0.5}, {ModelMean, 2, 0.25}, {ModelNoisyOr, 2, 0.5},
		{ModelMax, 0, 0}, {"", 1, 0.5},
	} {
		if got := Combine(tc.model, tc.n, at); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("Combine(%s, %d) = %v, want %v", tc.model, tc.n, got, tc.want)
		}
	}
	if got := Combine(ModelMean, 1, func(int) float64 { return math.NaN() }); got != 0 {
		t.Errorf("NaN level gives %v, want 0", got)
	}
}
