package assessment

import (
	"github.com/covgap/covgap/analyzer"
)

// scoring is one side of a rescoring: a map (an assessment's group →
// techniques and technique → mitigations, with its model) and a level for
// every mitigation. Mixing the map of one assessment with the levels of
// another is what separates the two causes of a change.
type scoring struct {
	m     *Assessment
	level func(id string) float64
	// model, when set, replaces the map's model, to measure what a change
	// of model alone does to a score.
	model analyzer.Model
}

// coverage is c(t) of SPEC §4 for technique t of the map; ok is false when
// t is unmitigable. An assessment is rescored without a catalog, from the
// mitigation IDs it saved.
func (s scoring) coverage(t *Technique) (c float64, ok bool) {
	if t == nil {
		return 0, false
	}
	return s.coverageOf(t.Mitigations)
}

// coverageOf is c(t) for a technique whose mitigations are ms, by the
// analyzer's own formula.
func (s scoring) coverageOf(ms []string) (c float64, ok bool) {
	if len(ms) == 0 {
		return 0, false
	}
	model := s.m.Model
	if s.model != "" {
		model = s.model
	}
	return analyzer.Combine(model, len(ms), func(i int) float64 { return s.level(ms[i]) }), true
}

// group is S(g): 100 × the mean coverage over the group's mitigable
// techniques in the map; nil when it has none. Techniques are summed in ID
// order, so two scorings that see the same coverages give bit-identical
// scores — that is what makes an unchanged cause come out as exactly 0.
func (s scoring) group(g *Group) *float64 {
	if g == nil {
		return nil
	}
	var sum float64
	n := 0
	for _, id := range g.TechniqueIDs {
		if c, ok := s.coverage(s.m.technique(id)); ok {
			sum += c
			n++
		}
	}
	if n == 0 {
		return nil
	}
	v := 100 * sum / float64(n)
	return &v
}

// profile is P: 100 × Σ n(t)·c(t) / Σ n(t) over the map's mitigable
// techniques, n(t) being the summed weight of the groups using t.
func (s scoring) profile() *float64 {
	n := make(map[string]float64, len(s.m.Techniques))
	for _, g := range s.m.Groups {
		for _, t := range g.TechniqueIDs {
			n[t] += g.Weight
		}
	}
	var sumW, sumNC float64
	for i := range s.m.Techniques {
		t := &s.m.Techniques[i]
		if c, ok := s.coverage(t); ok && n[t.ID] > 0 {
			sumW += n[t.ID]
			sumNC += n[t.ID] * c
		}
	}
	if sumW == 0 {
		return nil
	}
	v := 100 * sumNC / sumW
	return &v
}

// own scores a on its own inventory.
func own(a *Assessment) scoring {
	return scoring{m: a, level: func(id string) float64 { return analyzer.Clamp01(a.Inventory.Levels[id]) }}
}
