package analyzer

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/covgap/covgap/attack"
	"github.com/covgap/covgap/inventory"
)

// eps absorbs floating-point noise: a coverage within eps of 1 is covered,
// within eps of 0 is a gap, and a recommendation must gain more than eps
// points. Levels come from percentages, so nothing real is this small.
const eps = 1e-9

// Analyze scores inv against the techniques that the groups of p use in
// cat, as SPEC §4 defines it. A nil inventory means every mitigation is at
// level 0. Groups are sorted by ID and every slice is in a fixed order, so
// the same input always gives the same result.
//
// When o asks for a what-if (Assume or Planned), the real scores stay in
// Score and Coverage and the assumed ones go to AssumedScore and
// AssumedCoverage; the recommendations are then made on the assumed levels,
// because a planner asking "what if we do what we already plan?" next asks
// "and after that, what?" — recommending what is already planned would
// waste the list.
func Analyze(cat *attack.Catalog, inv *inventory.Inventory, p Profile, o Options) (*Result, error) {
	if cat == nil {
		return nil, errors.New("analyze: no catalog")
	}
	model, err := checkModel(o.Model)
	if err != nil {
		return nil, err
	}
	if o.Top < 0 {
		return nil, fmt.Errorf("analyze: the number of recommendations must not be negative, got %d", o.Top)
	}
	members, err := checkMembers(p)
	if err != nil {
		return nil, err
	}
	assumed, err := resolveAssume(cat, o.Assume)
	if err != nil {
		return nil, err
	}
	whatIf := len(o.Assume) > 0 || o.Planned

	a := newAnalysis(cat, model, o.Uses)
	a.real = a.levelsOf(inv)
	a.plan = a.real
	if whatIf {
		a.plan = append([]float64(nil), a.real...)
		for _, id := range assumed {
			a.plan[a.mitIdx[id]] = 1
		}
		if o.Planned && inv != nil {
			for id, ok := range inv.Planned {
				if j, known := a.mitIdx[id]; ok && known {
					a.plan[j] = 1
				}
			}
		}
	}
	a.collect(members, whatIf)

	res := &Result{
		Attack: CatalogInfo{Domain: cat.Domain, Version: cat.Version, Source: cat.Source},
		Model:  model,
		Options: OptionsInfo{
			Campaigns:       o.Uses.Campaigns,
			IncludeSoftware: o.Uses.Software,
			Top:             o.Top,
			Assume:          assumed,
			Planned:         o.Planned,
			Profile:         p.Name,
		},
		Inventory: summarize(cat, inv),
	}
	res.Groups = make([]GroupResult, 0, len(members))
	for k, m := range members {
		res.Groups = append(res.Groups, a.group(m, a.memberUses[k], whatIf))
	}
	sort.Slice(res.Groups, func(i, j int) bool { return res.Groups[i].ID < res.Groups[j].ID })
	res.Techniques, res.Profile = a.profile(p, len(members), whatIf)
	res.Recommendations = a.recommend(o.Top, inv)
	return res, nil
}

func checkModel(m Model) (Model, error) {
	pm, err := ParseModel(string(m))
	if err != nil {
		return "", fmt.Errorf("analyze: %w", err)
	}
	return pm, nil
}

// ParseModel reads a model's name as users, saved assessments and the web
// form write it; "" is the default, max.
func ParseModel(s string) (Model, error) {
	switch m := Model(strings.ToLower(strings.TrimSpace(s))); m {
	case "":
		return ModelMax, nil
	case ModelMax, ModelMean, ModelNoisyOr:
		return m, nil
	}
	return "", fmt.Errorf("unknown model %q; expected %s, %s or %s", s, ModelMax, ModelMean, ModelNoisyOr)
}

// checkMembers gives every member its effective weight and refuses a
// profile that names a group twice: the two weights would have to be
// reconciled, and that is the caller's decision (MergeProfiles makes it one way).
func checkMembers(p Profile) ([]Member, error) {
	if len(p.Members) == 0 {
		return nil, errors.New("the threat profile has no groups")
	}
	seen := make(map[string]bool, len(p.Members))
	out := make([]Member, 0, len(p.Members))
	for i, m := range p.Members {
		if m.Group == nil {
			return nil, fmt.Errorf("analyze: member %d of the threat profile has no group", i+1)
		}
		w := m.Weight
		switch {
		case w == 0:
			w = 1
		case w < 0 || math.IsNaN(w) || math.IsInf(w, 0):
			return nil, fmt.Errorf("analyze: group %s %q has weight %v; expected a number above 0", m.Group.ID, m.Group.Name, m.Weight)
		}
		if seen[m.Group.ID] {
			return nil, fmt.Errorf("analyze: group %s %q is in the threat profile twice; merge the profile first", m.Group.ID, m.Group.Name)
		}
		seen[m.Group.ID] = true
		out = append(out, Member{Group: m.Group, Weight: w})
	}
	return out, nil
}

// resolveAssume turns the what-if references into mitigation IDs, sorted
// and without repeats, and names every reference it cannot resolve.
func resolveAssume(cat *attack.Catalog, refs []string) ([]string, error) {
	var ids, bad []string
	seen := map[string]bool{}
	for _, r := range refs {
		if strings.TrimSpace(r) == "" {
			continue
		}
		res, err := cat.FindMitigation(r)
		if err != nil {
			bad = append(bad, err.Error())
			continue
		}
		if !seen[res.Value.ID] {
			seen[res.Value.ID] = true
			ids = append(ids, res.Value.ID)
		}
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("assume: %s", strings.Join(bad, "; "))
	}
	sort.Strings(ids)
	return ids, nil
}

// analysis is the indexed form of one run: mitigations and the profile's
// techniques are numbered so that coverage is computed over small integer
// slices, which keeps the greedy search cheap.
type analysis struct {
	cat    *attack.Catalog
	model  Model
	uses   attack.UseOptions
	mitIdx map[string]int // catalog mitigation ID → index in cat.Mitigations
	real   []float64      // level per mitigation index, from the inventory
	plan   []float64      // the what-if levels; the same slice as real without one

	techs []*techInfo // the profile's techniques, sorted by ID
	// memberUses[k] are the techniques member k uses under the options,
	// sorted by ID, from collect.
	memberUses [][]memberUse
	// tactics gives every tactic a column: the catalog's in matrix order,
	// then any tactic only a technique names (a hand-made or partial
	// catalog), alphabetically; tacticNames is the reverse.
	tactics     map[string]int
	tacticNames []string
}

// techInfo is one technique of the profile.
type techInfo struct {
	t       *attack.Technique
	mits    []int   // M(t): catalog indexes, M1056 left out, in ID order
	weight  float64 // n(t)
	groups  []string
	real    float64 // c(t) on the real levels
	planned float64 // c(t) on the what-if levels
	item    Item    // the group-independent part of its items
	cols    []int   // its tactics' columns
}

func newAnalysis(cat *attack.Catalog, model Model, uses attack.UseOptions) *analysis {
	a := &analysis{
		cat:     cat,
		model:   model,
		uses:    uses,
		mitIdx:  make(map[string]int, len(cat.Mitigations)),
		tactics: make(map[string]int, len(cat.Tactics)),
	}
	for i, m := range cat.Mitigations {
		a.mitIdx[m.ID] = i
	}
	for _, t := range cat.Tactics {
		a.tactics[t.ShortName] = len(a.tacticNames)
		a.tacticNames = append(a.tacticNames, t.ShortName)
	}
	return a
}

func (a *analysis) levelsOf(inv *inventory.Inventory) []float64 {
	lv := make([]float64, len(a.cat.Mitigations))
	if inv == nil {
		return lv
	}
	for id, l := range inv.Levels {
		if j, ok := a.mitIdx[id]; ok {
			lv[j] = Clamp01(l)
		}
	}
	return lv
}

// Clamp01 bounds a level to 0–1, NaN counting as 0: the bound every
// level passes through before scoring, here and in saved assessments.
func Clamp01(x float64) float64 {
	switch {
	case math.IsNaN(x) || x < 0:
		return 0
	case x > 1:
		return 1
	}
	return x
}

// memberUse is one technique a member uses: the profile technique and the
// index of the use in the group's Uses, for its sources.
type memberUse struct {
	ti  *techInfo
	use int
}

// collect builds the profile's technique list with n(t), the groups using
// each technique and both coverages. It goes through each group's uses
// rather than Catalog.TechniquesOf because a custom group is not in the
// catalog and its uses may repeat or come unsorted.
func (a *analysis) collect(members []Member, whatIf bool) {
	a.memberUses = make([][]memberUse, len(members))
	techIdx := map[string]int{} // technique ID → index in a.techs while collecting
	seen := map[*techInfo]bool{}
	for k, m := range members {
		clear(seen)
		mu := make([]memberUse, 0, len(m.Group.Uses))
		for ui, u := range m.Group.Uses {
			if !u.Counts(a.uses) {
				continue
			}
			t := a.cat.Technique(u.Technique)
			if t == nil {
				continue
			}
			i, ok := techIdx[t.ID]
			if !ok {
				ti := &techInfo{t: t}
				for _, id := range t.Mitigations {
					if j, ok := a.mitIdx[id]; ok && attack.Deployable(id) {
						ti.mits = append(ti.mits, j)
					}
				}
				sort.Ints(ti.mits)
				i = len(a.techs)
				techIdx[t.ID] = i
				a.techs = append(a.techs, ti)
			}
			ti := a.techs[i]
			if seen[ti] {
				continue
			}
			seen[ti] = true
			ti.weight += m.Weight
			ti.groups = append(ti.groups, m.Group.ID)
			mu = append(mu, memberUse{ti: ti, use: ui})
		}
		byID := func(x, y memberUse) int { return strings.Compare(x.ti.t.ID, y.ti.t.ID) }
		if !slices.IsSortedFunc(mu, byID) {
			slices.SortFunc(mu, byID)
		}
		a.memberUses[k] = mu
	}
	sort.Slice(a.techs, func(i, j int) bool { return a.techs[i].t.ID < a.techs[j].t.ID })
	for _, ti := range a.techs {
		sort.Strings(ti.groups)
		ti.real = a.cover(ti.mits, a.real, -1)
		ti.planned = a.cover(ti.mits, a.plan, -1)
		ti.item = a.item(ti, whatIf)
	}
	var extra []string
	for _, ti := range a.techs {
		for _, tac := range ti.t.Tactics {
			if _, ok := a.tactics[tac]; !ok {
				a.tactics[tac] = -1
				extra = append(extra, tac)
			}
		}
	}
	sort.Strings(extra)
	for _, tac := range extra {
		a.tactics[tac] = len(a.tacticNames)
		a.tacticNames = append(a.tacticNames, tac)
	}
	for _, ti := range a.techs {
		ti.cols = make([]int, len(ti.t.Tactics))
		for i, tac := range ti.t.Tactics {
			ti.cols[i] = a.tactics[tac]
		}
	}
}

// cover is c(t) for a technique whose mitigations are ms, under levels lv,
// with mitigation raise (an index, or -1 for none) taken at level 1. The
// raise lets the greedy search try a mitigation without copying levels.
func (a *analysis) cover(ms []int, lv []float64, raise int) float64 {
	return Combine(a.model, len(ms), func(i int) float64 {
		if ms[i] == raise {
			return 1
		}
		return lv[ms[i]]
	})
}

// Combine is c(t) of SPEC §4: the coverage, 0–1, of a technique whose n
// deployable mitigations have the levels level(0) … level(n-1), under the
// model (max by default). It is the one place the formula lives: the
// analysis and the rescoring of saved assessments both call it, so a
// comparison can never disagree with the scores it compares.
func Combine(model Model, n int, level func(i int) float64) float64 {
	if n <= 0 {
		return 0
	}
	var c float64
	switch model {
	case ModelMean:
		for i := range n {
			c += level(i)
		}
		c /= float64(n)
	case ModelNoisyOr:
		miss := 1.0
		for i := range n {
			miss *= 1 - level(i)
		}
		c = 1 - miss
	default:
		for i := range n {
			c = max(c, level(i))
		}
	}
	return Clamp01(c)
}

func stateOf(mitigable bool, c float64) State {
	switch {
	case !mitigable:
		return Unmitigable
	case c >= 1-eps:
		return Covered
	case c <= eps:
		return Gap
	}
	return Partial
}

// tally adds one technique to counts and to the coverage sums behind a score.
type tally struct {
	Counts
	sumReal, sumPlan float64
}

func (t *tally) add(ti *techInfo) {
	t.Techniques++
	if len(ti.mits) == 0 {
		t.Unmitigable++
		return
	}
	t.Mitigable++
	switch stateOf(true, ti.real) {
	case Covered:
		t.Covered++
	case Partial:
		t.Partial++
	default:
		t.Gaps++
	}
	t.sumReal += ti.real
	t.sumPlan += ti.planned
}

// scores returns the real score and, for a what-if, the assumed one; nil
// when nothing is mitigable, since 0 % would claim a gap that is not there.
func (t *tally) scores(whatIf bool) (real, assumed *float64) {
	if t.Mitigable == 0 {
		return nil, nil
	}
	real = ptr(100 * t.sumReal / float64(t.Mitigable))
	if whatIf {
		assumed = ptr(100 * t.sumPlan / float64(t.Mitigable))
	}
	return real, assumed
}

func ptr(x float64) *float64 { return &x }

// item describes technique ti with the real levels of its mitigations and,
// where a what-if changes one, its assumed level beside it.
func (a *analysis) item(ti *techInfo, whatIf bool) Item {
	mitigable := len(ti.mits) > 0
	it := Item{
		Technique:   ti.t.ID,
		Name:        ti.t.Name,
		Tactics:     append([]string(nil), ti.t.Tactics...),
		State:       stateOf(mitigable, ti.real),
		Mitigations: make([]MitigationLevel, 0, len(ti.mits)),
	}
	if mitigable {
		it.Coverage = ti.real
	}
	for _, j := range ti.mits {
		m := a.cat.Mitigations[j]
		ml := MitigationLevel{ID: m.ID, Name: m.Name, Level: a.real[j]}
		if a.plan[j] != a.real[j] {
			ml.AssumedLevel = ptr(a.plan[j])
		}
		it.Mitigations = append(it.Mitigations, ml)
	}
	if whatIf {
		c := 0.0
		if mitigable {
			c = ti.planned
		}
		it.AssumedCoverage = ptr(c)
		it.AssumedState = stateOf(mitigable, c)
	}
	return it
}

func (a *analysis) group(m Member, uses []memberUse, whatIf bool) GroupResult {
	g := m.Group
	gr := GroupResult{ID: g.ID, Name: g.Name, Weight: m.Weight, Items: make([]Item, 0, len(uses)), Tactics: []TacticResult{}}
	var all tally
	perTactic := make([]tally, len(a.tacticNames))
	for _, mu := range uses {
		ti := mu.ti
		it := ti.item
		it.Sources = a.sources(g.Uses[mu.use])
		gr.Items = append(gr.Items, it)
		all.add(ti)
		for _, col := range ti.cols {
			perTactic[col].add(ti)
		}
	}
	gr.Counts = all.Counts
	gr.Score, gr.AssumedScore = all.scores(whatIf)
	for col := range perTactic {
		tt := &perTactic[col]
		if tt.Techniques == 0 {
			continue
		}
		tac := a.tacticNames[col]
		tr := TacticResult{Tactic: tac, Name: tac, Counts: tt.Counts}
		if t := a.cat.Tactic(tac); t != nil {
			tr.Name = t.Name
		}
		tr.Score, tr.AssumedScore = tt.scores(whatIf)
		gr.Tactics = append(gr.Tactics, tr)
	}
	return gr
}

// directOnly is the Sources of most items, shared rather than allocated
// for each of the thousands of items of an all-groups analysis (the
// capacity of 1 makes an append by a reader copy it).
var directOnly = []string{"direct"}

func (a *analysis) sources(u attack.Use) []string {
	if u.Direct && (!a.uses.Campaigns || len(u.Campaigns) == 0) && (!a.uses.Software || len(u.Software) == 0) {
		return directOnly[:1:1]
	}
	return u.Sources(a.uses)
}

// profile returns the profile's techniques with n(t) and the weighted
// score P = 100 × Σ n(t)·c(t) / Σ n(t) over mitigable t.
func (a *analysis) profile(p Profile, groups int, whatIf bool) ([]Item, ProfileScore) {
	items := make([]Item, 0, len(a.techs))
	var all tally
	var sumW, sumReal, sumPlan float64
	for _, ti := range a.techs {
		it := ti.item
		it.Weight = ti.weight
		it.Groups = append([]string(nil), ti.groups...)
		items = append(items, it)
		all.add(ti)
		if len(ti.mits) > 0 {
			sumW += ti.weight
			sumReal += ti.weight * ti.real
			sumPlan += ti.weight * ti.planned
		}
	}
	ps := ProfileScore{Name: p.Name, Groups: groups, Counts: all.Counts}
	if sumW > 0 {
		ps.Score = ptr(100 * sumReal / sumW)
		if whatIf {
			ps.AssumedScore = ptr(100 * sumPlan / sumW)
		}
	}
	return items, ps
}

// recommend runs the greedy plan on the what-if levels (the real ones when
// there is no what-if). Only the techniques of the mitigation being tried
// can change, so each trial costs the size of its technique list, not of
// the profile.
func (a *analysis) recommend(top int, inv *inventory.Inventory) []Recommendation {
	recs := []Recommendation{}
	lv := append([]float64(nil), a.plan...)
	cur := make([]float64, len(a.techs))
	var sumW, sumNC float64
	byMit := make([][]int, len(lv)) // mitigation index → profile technique indexes
	for i, ti := range a.techs {
		if len(ti.mits) == 0 {
			continue
		}
		cur[i] = ti.planned
		sumW += ti.weight
		sumNC += ti.weight * ti.planned
		for _, j := range ti.mits {
			byMit[j] = append(byMit[j], i)
		}
	}
	if top == 0 || sumW == 0 {
		return recs
	}
	var cands []int
	for j, m := range a.cat.Mitigations {
		// byMit holds only deployable mitigations (collect left the others
		// out of every M(t)), so M1056 and M0816 are never candidates.
		if len(byMit[j]) == 0 || lv[j] >= 1 {
			continue
		}
		if inv != nil && inv.NotApplicable[m.ID] {
			continue
		}
		cands = append(cands, j) // cat.Mitigations is sorted, so in ID order
	}

	for rank := 1; rank <= top; rank++ {
		best, bestNew := -1, 0
		bestDelta := 0.0
		for _, j := range cands {
			if lv[j] >= 1 {
				continue
			}
			var delta float64
			newly := 0
			for _, i := range byMit[j] {
				c := a.cover(a.techs[i].mits, lv, j)
				delta += a.techs[i].weight * (c - cur[i])
				if c >= 1-eps && cur[i] < 1-eps {
					newly++
				}
			}
			gain := 100 * delta / sumW
			bestGain := 100 * bestDelta / sumW
			// Candidates come in ID order, so on a full tie the first,
			// lower M-ID, stays.
			if best < 0 || gain > bestGain+eps || (gain >= bestGain-eps && newly > bestNew) {
				best, bestNew, bestDelta = j, newly, delta
			}
		}
		if best < 0 || 100*bestDelta/sumW <= eps {
			break
		}
		m := a.cat.Mitigations[best]
		r := Recommendation{
			Rank: rank, Mitigation: m.ID, Name: m.Name, Level: lv[best],
			Techniques: []string{}, Groups: []string{},
		}
		lv[best] = 1
		groups := map[string]bool{}
		for _, i := range byMit[best] {
			c := a.cover(a.techs[i].mits, lv, -1)
			if c >= 1-eps && cur[i] < 1-eps {
				r.Techniques = append(r.Techniques, a.techs[i].t.ID)
				for _, g := range a.techs[i].groups {
					groups[g] = true
				}
			}
			cur[i] = c
		}
		sumNC += bestDelta
		for g := range groups {
			r.Groups = append(r.Groups, g)
		}
		sort.Strings(r.Groups)
		r.Gain = 100 * bestDelta / sumW
		r.ScoreAfter = 100 * sumNC / sumW
		recs = append(recs, r)
	}
	return recs
}

// summarize is the inventory part of a result, with empty lists rather
// than nulls so that JSON readers need no special case.
func summarize(cat *attack.Catalog, inv *inventory.Inventory) InventorySummary {
	s := InventorySummary{Problems: []inventory.Problem{}, NotAssessed: []string{}, Levels: map[string]float64{}}
	if inv == nil {
		for _, m := range cat.Mitigations {
			s.NotAssessed = append(s.NotAssessed, m.ID)
		}
		return s
	}
	s.File = inv.File
	s.Rows = len(inv.Rows)
	s.Problems = append(s.Problems, inv.Problems...)
	s.NotAssessed = append(s.NotAssessed, inv.NotAssessed...)
	for id, l := range inv.Levels {
		s.Levels[id] = l
	}
	return s
}
