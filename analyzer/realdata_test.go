package analyzer

import (
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"testing"

	"github.com/covgap/covgap/attack"
	"github.com/covgap/covgap/inventory"
)

// Tests on the real ATT&CK Enterprise 18.1 catalog that the binary embeds.

func TestRealPolonium(t *testing.T) {
	cat := realCatalog(t)
	iv := inv(map[string]float64{"M1032": 1, "M1021": 1, "M1018": 0.5})
	r, err := Analyze(cat, iv, one(cat, "POLONIUM"), Options{Top: 10, Uses: attack.DefaultUseOptions()})
	if err != nil {
		t.Fatal(err)
	}
	g := r.Groups[0]
	want := Counts{Techniques: 7, Mitigable: 5, Covered: 4, Gaps: 1, Unmitigable: 2}
	if g.ID != "G1005" || g.Counts != want || !sameScore(g.Score, 80) {
		t.Errorf("G1005 = %s %+v", score(g.Score), g.Counts)
	}
	if len(r.Recommendations) != 1 {
		t.Fatalf("recommendations = %+v", r.Recommendations)
	}
	if rec := r.Recommendations[0]; rec.Mitigation != "M1020" || !near(rec.Gain, 20) || !near(rec.ScoreAfter, 100) ||
		!slices.Equal(rec.Techniques, []string{"T1090"}) || rec.Name != "SSL/TLS Inspection" {
		t.Errorf("first recommendation = %+v", rec)
	}
	if r.Attack.Version != "18.1" || r.Attack.Domain != attack.Enterprise {
		t.Errorf("attack = %+v", r.Attack)
	}
}

// APT29 is credited with the SolarWinds Compromise (C0024): its techniques
// count for G0016 by default and not with --no-campaigns.
func TestRealCampaigns(t *testing.T) {
	cat := realCatalog(t)
	c := cat.Campaign("C0024")
	if c == nil || !slices.Contains(c.Groups, "G0016") {
		t.Fatalf("C0024 is not attributed to G0016 in the catalog: %+v", c)
	}
	count := func(uses attack.UseOptions) (map[string]Item, GroupResult) {
		r, err := Analyze(cat, nil, one(cat, "APT29"), Options{Uses: uses})
		if err != nil {
			t.Fatal(err)
		}
		items := map[string]Item{}
		for _, it := range r.Groups[0].Items {
			items[it.Technique] = it
		}
		return items, r.Groups[0]
	}
	on, gOn := count(attack.DefaultUseOptions())
	off, gOff := count(attack.UseOptions{})
	for _, tech := range c.Techniques {
		if cat.Technique(tech) == nil {
			continue
		}
		it, ok := on[tech]
		if !ok {
			t.Errorf("with campaigns, %s of C0024 is missing", tech)
			continue
		}
		if !slices.Contains(it.Sources, "C0024") {
			t.Errorf("%s sources = %v, want C0024 among them", tech, it.Sources)
		}
		if _, direct := off[tech]; direct != slices.Contains(it.Sources, "direct") {
			t.Errorf("%s: present without campaigns = %v, but sources %v", tech, direct, it.Sources)
		}
	}
	if gOn.Techniques <= gOff.Techniques || gOff.Techniques != len(cat.TechniquesOf(cat.Group("G0016"), attack.UseOptions{})) {
		t.Errorf("techniques with campaigns %d, without %d", gOn.Techniques, gOff.Techniques)
	}
	for tech, it := range off {
		if !slices.Equal(it.Sources, []string{"direct"}) {
			t.Errorf("without campaigns %s has sources %v", tech, it.Sources)
		}
	}

	sw, gSw := count(attack.UseOptions{Campaigns: true, Software: true})
	if gSw.Techniques <= gOn.Techniques {
		t.Errorf("--include-software: %d techniques, without %d", gSw.Techniques, gOn.Techniques)
	}
	for tech, it := range sw {
		if _, ok := on[tech]; !ok && !hasSoftwareSource(it.Sources) {
			t.Errorf("%s came in with software but its sources are %v", tech, it.Sources)
		}
	}
}

func hasSoftwareSource(src []string) bool {
	for _, s := range src {
		if len(s) > 1 && s[0] == 'S' {
			return true
		}
	}
	return false
}

func TestRealSelection(t *testing.T) {
	cat := realCatalog(t)
	if ids := memberIDs(MatchGroups(cat, "Israel")); !slices.Contains(ids, "G1005") {
		t.Errorf(`MatchGroups("Israel") = %v, want POLONIUM among them`, ids)
	}
	p, err := SelectGroups(cat, []string{"cozy bear", "G1005", "Lazarus Group"})
	if err != nil {
		t.Fatal(err)
	}
	if ids := memberIDs(p); !slices.Equal(ids, []string{"G0016", "G1005", "G0032"}) {
		t.Errorf("SelectGroups = %v", ids)
	}
	if len(AllGroups(cat).Members) != 172 {
		t.Errorf("AllGroups has %d groups", len(AllGroups(cat).Members))
	}
}

// All 172 groups under every model, on several random inventories and
// option sets, against the plain implementation.
func TestRealPlainAgrees(t *testing.T) {
	cat := realCatalog(t)
	optionSets := []attack.UseOptions{attack.DefaultUseOptions(), {}, {Campaigns: true, Software: true}}
	for seed := uint64(1); seed <= 3; seed++ {
		r := rand.New(rand.NewPCG(seed, 18))
		iv := randomInventory(r, cat)
		p := AllGroups(cat)
		if seed == 3 {
			p = randomProfile(r, cat)
		}
		for _, m := range models {
			uses := optionSets[int(seed-1)%len(optionSets)]
			t.Run(fmt.Sprintf("seed%d/%s", seed, m), func(t *testing.T) {
				compareWithPlain(t, cat, iv, p, m, uses, 10)
			})
		}
	}
	// An empty inventory and a full one are the edge cases of every model.
	full := &inventory.Inventory{Levels: map[string]float64{}}
	for _, m := range cat.Mitigations {
		full.Levels[m.ID] = 1
	}
	for _, iv := range []*inventory.Inventory{nil, full} {
		for _, m := range models {
			compareWithPlain(t, cat, iv, AllGroups(cat), m, attack.DefaultUseOptions(), 10)
		}
	}
}

func TestRealProperties(t *testing.T) {
	cat := realCatalog(t)
	r := rand.New(rand.NewPCG(42, 42))
	for range 3 {
		iv := randomInventory(r, cat)
		p := randomProfile(r, cat)
		for _, m := range models {
			checkGreedy(t, cat, iv, p, m)
			checkMonotone(t, r, cat, iv, p, m)
		}
	}
	// Groups with no mitigable technique exist in 18.1 (83 techniques have
	// only M1056); any such group must have no score, never 0.
	res, err := Analyze(cat, nil, AllGroups(cat), Options{Uses: attack.DefaultUseOptions()})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range res.Groups {
		if (g.Mitigable == 0) != (g.Score == nil) {
			t.Errorf("%s: %d mitigable, score %s", g.ID, g.Mitigable, score(g.Score))
		}
	}
}

// BenchmarkAnalyzeAllGroups is the target: all 172 groups with
// ten recommendations on the embedded catalog in at most 20 ms.
func BenchmarkAnalyzeAllGroups(b *testing.B) {
	cat := realCatalog(b)
	r := rand.New(rand.NewPCG(2026, 4))
	iv := randomInventory(r, cat)
	p := AllGroups(cat)
	o := Options{Top: 10, Uses: attack.DefaultUseOptions()}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Analyze(cat, iv, p, o); err != nil {
			b.Fatal(err)
		}
	}
}

// A profile file through ProfileFrom into Analyze: weights arrive as n(t).
func TestRealProfileFile(t *testing.T) {
	cat := realCatalog(t)
	f, err := os.Open("../testdata/profiles/middle-east.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tp, err := inventory.ReadProfile(f, "middle-east.yaml", cat)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Analyze(cat, nil, ProfileFrom(tp), Options{Uses: attack.DefaultUseOptions(), Top: 3})
	if err != nil {
		t.Fatal(err)
	}
	weights := map[string]float64{}
	for _, g := range r.Groups {
		weights[g.ID] = g.Weight
	}
	if weights["G1005"] != 3 || weights["G0049"] != 2 || weights["G0069"] != 1 || weights["G0064"] != 1.5 || r.Profile.Name != "Middle East focus" {
		t.Fatalf("weights = %v, profile %q", weights, r.Profile.Name)
	}
	for _, it := range r.Techniques {
		sum := 0.0
		for _, g := range it.Groups {
			sum += weights[g]
		}
		if !near(it.Weight, sum) {
			t.Errorf("%s: n(t) = %v, its groups' weights sum to %v", it.Technique, it.Weight, sum)
		}
	}
	if len(r.Recommendations) != 3 || r.Profile.Score == nil || *r.Profile.Score != 0 {
		t.Errorf("empty inventory: score %s, %d recommendations", score(r.Profile.Score), len(r.Recommendations))
	}
}
