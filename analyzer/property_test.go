package analyzer

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/covgap/covgap/attack"
	"github.com/covgap/covgap/inventory"
)

var models = []Model{ModelMax, ModelMean, ModelNoisyOr}

// randomProfile takes every group with a random weight among 0 (= 1), 0.5,
// 1, 2 and 5, so that n(t) is not a plain count.
func randomProfile(r *rand.Rand, cat *attack.Catalog) Profile {
	ws := []float64{0, 0.5, 1, 2, 5}
	p := AllGroups(cat)
	for i := range p.Members {
		p.Members[i].Weight = ws[r.IntN(len(ws))]
	}
	return p
}

func TestPlainAgreesOnRandomCatalogs(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		r := rand.New(rand.NewPCG(seed, 7))
		cat := randomCatalog(r, 60, 12, 8)
		iv := randomInventory(r, cat)
		p := randomProfile(r, cat)
		uses := attack.UseOptions{Campaigns: r.IntN(2) == 0, Software: r.IntN(2) == 0}
		for _, m := range models {
			t.Run(fmt.Sprintf("seed%d/%s", seed, m), func(t *testing.T) {
				compareWithPlain(t, cat, iv, p, m, uses, 12)
			})
		}
	}
}

// checkBounds: every score a percentage, every coverage a fraction.
func checkBounds(t *testing.T, r *Result) {
	t.Helper()
	in := func(what string, p *float64) {
		if p != nil && (*p < -tol || *p > 100+tol || math.IsNaN(*p)) {
			t.Errorf("%s = %v, outside 0–100", what, *p)
		}
	}
	in("profile", r.Profile.Score)
	in("profile assumed", r.Profile.AssumedScore)
	for _, g := range r.Groups {
		in(g.ID, g.Score)
		in(g.ID+" assumed", g.AssumedScore)
		for _, tr := range g.Tactics {
			in(g.ID+" "+tr.Tactic, tr.Score)
		}
		for _, it := range g.Items {
			if it.Coverage < 0 || it.Coverage > 1 {
				t.Errorf("%s %s coverage %v", g.ID, it.Technique, it.Coverage)
			}
		}
		if g.Techniques != g.Mitigable+g.Unmitigable || g.Mitigable != g.Covered+g.Partial+g.Gaps {
			t.Errorf("%s counts do not add up: %+v", g.ID, g.Counts)
		}
	}
	for _, rec := range r.Recommendations {
		in(rec.Mitigation+" after", &rec.ScoreAfter)
	}
}

// checkMonotone: raising one level never lowers any score.
func checkMonotone(t *testing.T, r *rand.Rand, cat *attack.Catalog, iv *inventory.Inventory, p Profile, m Model) {
	t.Helper()
	before, err := Analyze(cat, iv, p, Options{Model: m})
	if err != nil {
		t.Fatal(err)
	}
	raised := &inventory.Inventory{Levels: map[string]float64{}}
	for k, v := range iv.Levels {
		raised.Levels[k] = v
	}
	mit := cat.Mitigations[r.IntN(len(cat.Mitigations))].ID
	old := raised.Levels[mit]
	raised.Levels[mit] = old + (1-old)*r.Float64()
	after, err := Analyze(cat, raised, p, Options{Model: m})
	if err != nil {
		t.Fatal(err)
	}
	lower := func(a, b *float64) bool { return a != nil && b != nil && *b < *a-tol }
	if lower(before.Profile.Score, after.Profile.Score) {
		t.Errorf("%s: raising %s from %v to %v lowered the profile score %v → %v", m, mit, old, raised.Levels[mit], *before.Profile.Score, *after.Profile.Score)
	}
	for i := range before.Groups {
		if lower(before.Groups[i].Score, after.Groups[i].Score) {
			t.Errorf("%s: raising %s lowered %s", m, mit, before.Groups[i].ID)
		}
		for j := range before.Groups[i].Tactics {
			if lower(before.Groups[i].Tactics[j].Score, after.Groups[i].Tactics[j].Score) {
				t.Errorf("%s: raising %s lowered %s %s", m, mit, before.Groups[i].ID, before.Groups[i].Tactics[j].Tactic)
			}
		}
	}
}

// checkGreedy: gains never grow from one step to the next (SPEC asks it
// of max; mean and noisy-or have the same diminishing returns), the score
// after the last step is what assuming every recommended mitigation gives,
// and nothing not applicable or already complete is recommended.
func checkGreedy(t *testing.T, cat *attack.Catalog, iv *inventory.Inventory, p Profile, m Model) {
	t.Helper()
	r, err := Analyze(cat, iv, p, Options{Model: m, Top: 15})
	if err != nil {
		t.Fatal(err)
	}
	checkBounds(t, r)
	var assume []string
	for i, rec := range r.Recommendations {
		if i > 0 && rec.Gain > r.Recommendations[i-1].Gain+tol {
			t.Errorf("%s: gain rose from %v (%s) to %v (%s)", m, r.Recommendations[i-1].Gain, r.Recommendations[i-1].Mitigation, rec.Gain, rec.Mitigation)
		}
		if rec.Gain <= 0 || iv.NotApplicable[rec.Mitigation] || rec.Level >= 1 || rec.Level != iv.Levels[rec.Mitigation] {
			t.Errorf("%s: bad recommendation %+v", m, rec)
		}
		assume = append(assume, rec.Mitigation)
	}
	if len(assume) == 0 {
		return
	}
	w, err := Analyze(cat, iv, p, Options{Model: m, Assume: assume})
	if err != nil {
		t.Fatal(err)
	}
	checkBounds(t, w)
	if last := r.Recommendations[len(assume)-1].ScoreAfter; w.Profile.AssumedScore == nil || math.Abs(*w.Profile.AssumedScore-last) > 1e-7 {
		t.Errorf("%s: score after the plan %v, assuming it gives %s", m, last, score(w.Profile.AssumedScore))
	}
}

func TestPropertiesRandomCatalogs(t *testing.T) {
	for seed := uint64(1); seed <= 30; seed++ {
		r := rand.New(rand.NewPCG(seed, 11))
		cat := randomCatalog(r, 80, 15, 10)
		for range 3 {
			iv := randomInventory(r, cat)
			p := randomProfile(r, cat)
			for _, m := range models {
				checkGreedy(t, cat, iv, p, m)
				checkMonotone(t, r, cat, iv, p, m)
			}
		}
	}
}
