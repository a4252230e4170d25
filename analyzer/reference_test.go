package analyzer

import (
	"math"
	"sort"
	"testing"

	"github.com/covgap/covgap/attack"
	"github.com/covgap/covgap/inventory"
)

// A second implementation of SPEC §4, written as plainly as possible and
// sharing nothing with analyze.go: maps and full recomputation everywhere,
// and a greedy search that rescores the whole profile for every
// candidate. Analyze must agree with it; if they differ, one of them has
// misread the SPEC.

type plainGroup struct {
	score                                                *float64
	techniques, mitigable, covered, partial, gaps, unmit int
}

type plainRec struct {
	id         string
	gain       float64
	scoreAfter float64
	newly      []string
}

type plain struct {
	cat    *attack.Catalog
	model  Model
	uses   attack.UseOptions
	groups map[string]plainGroup
	score  *float64
	recs   []plainRec
}

// plainMits is M(t): the active M-mitigations of t other than M1056.
func plainMits(cat *attack.Catalog, tech string) []string {
	t := cat.Technique(tech)
	var out []string
	for _, m := range t.Mitigations {
		if m != "M1056" && cat.Mitigation(m) != nil {
			out = append(out, m)
		}
	}
	return out
}

func plainCoverage(model Model, mits []string, levels map[string]float64) float64 {
	if len(mits) == 0 {
		return 0
	}
	switch model {
	case ModelMean:
		total := 0.0
		for _, m := range mits {
			total += levels[m]
		}
		return total / float64(len(mits))
	case ModelNoisyOr:
		notCovered := 1.0
		for _, m := range mits {
			notCovered = notCovered * (1 - levels[m])
		}
		return 1 - notCovered
	default:
		best := 0.0
		for _, m := range mits {
			if levels[m] > best {
				best = levels[m]
			}
		}
		return best
	}
}

// plainTechniques lists the techniques g uses under uses, once each.
func plainTechniques(cat *attack.Catalog, g *attack.Group, uses attack.UseOptions) []string {
	seen := map[string]bool{}
	var out []string
	for _, u := range g.Uses {
		counts := u.Direct
		if uses.Campaigns && len(u.Campaigns) > 0 {
			counts = true
		}
		if uses.Software && len(u.Software) > 0 {
			counts = true
		}
		if !counts {
			continue
		}
		t := cat.Technique(u.Technique)
		if t == nil || seen[t.ID] {
			continue
		}
		seen[t.ID] = true
		out = append(out, t.ID)
	}
	return out
}

// plainProfileScore returns P and the coverage of every profile technique.
func plainProfileScore(cat *attack.Catalog, model Model, weight map[string]float64, levels map[string]float64) (*float64, map[string]float64) {
	top, bottom := 0.0, 0.0
	cov := map[string]float64{}
	for tech, n := range weight {
		mits := plainMits(cat, tech)
		if len(mits) == 0 {
			continue
		}
		c := plainCoverage(model, mits, levels)
		cov[tech] = c
		top += n * c
		bottom += n
	}
	if bottom == 0 {
		return nil, cov
	}
	p := 100 * top / bottom
	return &p, cov
}

func plainAnalyze(cat *attack.Catalog, iv *inventory.Inventory, members []Member, model Model, uses attack.UseOptions, top int) plain {
	if model == "" {
		model = ModelMax
	}
	out := plain{cat: cat, model: model, uses: uses, groups: map[string]plainGroup{}}
	levels := map[string]float64{}
	if iv != nil {
		for id, l := range iv.Levels {
			levels[id] = l
		}
	}
	weight := map[string]float64{}
	groupsOf := map[string][]string{}
	for _, m := range members {
		w := m.Weight
		if w == 0 {
			w = 1
		}
		var g plainGroup
		sum := 0.0
		for _, tech := range plainTechniques(cat, m.Group, uses) {
			weight[tech] += w
			groupsOf[tech] = append(groupsOf[tech], m.Group.ID)
			g.techniques++
			mits := plainMits(cat, tech)
			if len(mits) == 0 {
				g.unmit++
				continue
			}
			g.mitigable++
			c := plainCoverage(model, mits, levels)
			sum += c
			if c >= 1-1e-9 {
				g.covered++
			} else if c > 1e-9 {
				g.partial++
			} else {
				g.gaps++
			}
		}
		if g.mitigable > 0 {
			s := 100 * sum / float64(g.mitigable)
			g.score = &s
		}
		out.groups[m.Group.ID] = g
	}
	out.score, _ = plainProfileScore(cat, model, weight, levels)

	for step := 0; step < top && out.score != nil; step++ {
		before, covBefore := plainProfileScore(cat, model, weight, levels)
		bestID, bestGain, bestNew := "", 0.0, -1
		var bestCovered []string
		for _, m := range cat.Mitigations { // sorted by ID
			if m.ID == "M1056" || levels[m.ID] >= 1 || (iv != nil && iv.NotApplicable[m.ID]) {
				continue
			}
			touches := false
			for tech := range covBefore {
				for _, x := range plainMits(cat, tech) {
					if x == m.ID {
						touches = true
					}
				}
			}
			if !touches {
				continue
			}
			trial := map[string]float64{}
			for k, v := range levels {
				trial[k] = v
			}
			trial[m.ID] = 1
			after, covAfter := plainProfileScore(cat, model, weight, trial)
			gain := *after - *before
			var newly []string
			for tech, c := range covAfter {
				if c >= 1-1e-9 && covBefore[tech] < 1-1e-9 {
					newly = append(newly, tech)
				}
			}
			better := bestNew < 0 || gain > bestGain+1e-9 || (math.Abs(gain-bestGain) <= 1e-9 && len(newly) > bestNew)
			if better {
				bestID, bestGain, bestNew, bestCovered = m.ID, gain, len(newly), newly
			}
		}
		if bestID == "" || bestGain <= 1e-9 {
			break
		}
		levels[bestID] = 1
		after, _ := plainProfileScore(cat, model, weight, levels)
		sort.Strings(bestCovered)
		out.recs = append(out.recs, plainRec{id: bestID, gain: bestGain, scoreAfter: *after, newly: bestCovered})
	}
	return out
}

// compareWithPlain checks Analyze against the plain implementation.
func compareWithPlain(t *testing.T, cat *attack.Catalog, iv *inventory.Inventory, p Profile, model Model, uses attack.UseOptions, top int) {
	t.Helper()
	r, err := Analyze(cat, iv, p, Options{Model: model, Uses: uses, Top: top})
	if err != nil {
		t.Fatal(err)
	}
	want := plainAnalyze(cat, iv, p.Members, model, uses, top)
	const tl = 1e-7
	sameP := func(a, b *float64) bool {
		return (a == nil) == (b == nil) && (a == nil || math.Abs(*a-*b) <= tl)
	}
	if len(r.Groups) != len(want.groups) {
		t.Fatalf("%s: %d groups, plain %d", model, len(r.Groups), len(want.groups))
	}
	for _, g := range r.Groups {
		w := want.groups[g.ID]
		got := plainGroup{g.Score, g.Techniques, g.Mitigable, g.Covered, g.Partial, g.Gaps, g.Unmitigable}
		if !sameP(g.Score, w.score) || got.techniques != w.techniques || got.mitigable != w.mitigable ||
			got.covered != w.covered || got.partial != w.partial || got.gaps != w.gaps || got.unmit != w.unmit {
			t.Errorf("%s %s: analyzer %s %+v, plain %s %+v", model, g.ID, score(g.Score), got, score(w.score), w)
		}
	}
	if !sameP(r.Profile.Score, want.score) {
		t.Errorf("%s: profile %s, plain %s", model, score(r.Profile.Score), score(want.score))
	}
	if len(r.Recommendations) != len(want.recs) {
		t.Errorf("%s: %d recommendations, plain %d", model, len(r.Recommendations), len(want.recs))
	}
	for i := 0; i < len(r.Recommendations) && i < len(want.recs); i++ {
		a, b := r.Recommendations[i], want.recs[i]
		if a.Mitigation != b.id || math.Abs(a.Gain-b.gain) > tl || math.Abs(a.ScoreAfter-b.scoreAfter) > tl || !sameStrings(a.Techniques, b.newly) {
			t.Errorf("%s: recommendation %d: analyzer %s %v→%v %v, plain %s %v→%v %v",
				model, i+1, a.Mitigation, a.Gain, a.ScoreAfter, a.Techniques, b.id, b.gain, b.scoreAfter, b.newly)
			break
		}
	}
}

func sameStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
