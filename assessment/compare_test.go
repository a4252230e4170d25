package assessment

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/covgap/covgap/analyzer"
	"github.com/covgap/covgap/attack"
)

// base is the old quarter's map: T4 is unmitigable, so G3 has no score.
var base = spec{
	version: "1.0",
	techs:   map[string][]string{"T1": {"M1", "M2"}, "T2": {"M2"}, "T3": {"M3"}, "T4": {}, "T5": {"M1"}},
	groups:  map[string][]string{"G1": {"T1", "T2", "T3"}, "G2": {"T3", "T4"}, "G3": {"T4"}},
}

// moved is base one ATT&CK release later: T2 gains M3, G1 drops T3 and
// picks up T5.
var moved = spec{
	version: "2.0",
	techs:   base.techs,
	groups:  map[string][]string{"G1": {"T1", "T2", "T5"}, "G2": {"T3", "T4"}, "G3": {"T4"}},
}

func init() {
	moved.techs = map[string][]string{"T1": {"M1", "M2"}, "T2": {"M2", "M3"}, "T3": {"M3"}, "T4": {}, "T5": {"M1"}}
}

// want is one group's expected movement (nil: no value) and its changes as
// "cause kind technique mitigation replaced_by".
type want struct {
	before, after, di, da *float64
	changes               []string
}

func TestCompare(t *testing.T) {
	low := map[string]float64{"M1": 1, "M2": 0.5, "M3": 0}
	high := map[string]float64{"M1": 1, "M2": 0.5, "M3": 1}

	revoked := spec{
		version: "2.0",
		techs:   map[string][]string{"T1": {"M1", "M2"}, "T2": {"M2"}, "T6": {"M3"}, "T4": {}, "T5": {"M1"}},
		groups:  map[string][]string{"G1": {"T1", "T2"}, "G2": {"T6", "T4"}, "G3": {"T4"}},
		retired: []attack.Retired{{Kind: attack.KindTechnique, ID: "T3", Name: "Name of T3", Revoked: true, ReplacedBy: "T6"}},
	}
	regrouped := spec{
		version: "2.0",
		techs:   base.techs,
		groups:  map[string][]string{"G1": {"T1", "T2", "T3"}, "G4": {"T3", "T4"}, "G3": {"T4"}},
		retired: []attack.Retired{{Kind: attack.KindGroup, ID: "G2", Name: "Name of G2", Revoked: true, ReplacedBy: "G4"}},
	}
	scorable := spec{
		version: "2.0",
		techs:   map[string][]string{"T1": {"M1", "M2"}, "T2": {"M2"}, "T3": {"M3"}, "T4": {"M4"}, "T5": {"M1"}},
		groups:  base.groups,
	}
	renamed := spec{version: "2.0", techs: base.techs, groups: base.groups, names: map[string]string{"G1": "New name"}}

	tests := []struct {
		name             string
		old, new         spec
		oldLevels, levls map[string]float64
		groups           map[string]want
	}{
		{
			name: "inventory only", old: base, new: base, oldLevels: low, levls: high,
			groups: map[string]want{
				// G1: (1 + .5 + 0)/3 → (1 + .5 + 1)/3.
				"G1": {p(50), p(250.0 / 3), p(100.0 / 3), p(0), []string{"inventory level-changed - M3 -"}},
				"G2": {p(0), p(100), p(100), p(0), []string{"inventory level-changed - M3 -"}},
				"G3": {nil, nil, nil, nil, nil},
			},
		},
		{
			name: "ATT&CK only", old: base, new: moved, oldLevels: high, levls: high,
			groups: map[string]want{
				// G1: T1 1, T2 .5, T3 1 → T1 1, T2 max(.5, 1), T5 1.
				"G1": {p(250.0 / 3), p(100), p(0), p(50.0 / 3), []string{
					"attack technique-dropped T3 - -", "attack technique-added T5 - -", "attack mitigation-added T2 M3 -"}},
				"G2": {p(100), p(100), p(0), p(0), nil},
				"G3": {nil, nil, nil, nil, nil},
			},
		},
		{
			name: "both", old: base, new: moved, oldLevels: low, levls: high,
			groups: map[string]want{
				// mid = T1 1, T2 .5, T3 1 on the old map with the new levels.
				"G1": {p(50), p(100), p(100.0 / 3), p(50.0 / 3), []string{
					"inventory level-changed - M3 -",
					"attack technique-dropped T3 - -", "attack technique-added T5 - -", "attack mitigation-added T2 M3 -"}},
				"G2": {p(0), p(100), p(100), p(0), []string{"inventory level-changed - M3 -"}},
				"G3": {nil, nil, nil, nil, nil},
			},
		},
		{
			name: "technique revoked", old: base, new: revoked, oldLevels: high, levls: high,
			groups: map[string]want{
				"G1": {p(250.0 / 3), p(75), p(0), p(75 - 250.0/3), []string{"attack technique-revoked T3 - T6"}},
				"G2": {p(100), p(100), p(0), p(0), []string{"attack technique-revoked T3 - T6"}},
				"G3": {nil, nil, nil, nil, nil},
			},
		},
		{
			name: "group revoked and its successor added", old: base, new: regrouped, oldLevels: low, levls: low,
			groups: map[string]want{
				"G1": {p(50), p(50), p(0), p(0), nil},
				"G2": {p(0), nil, nil, nil, []string{"attack group-revoked - - G4"}},
				"G3": {nil, nil, nil, nil, nil},
				"G4": {nil, p(0), nil, nil, []string{"attack group-added - - -"}},
			},
		},
		{
			name: "a group gets its first mitigable technique", old: base, new: scorable, oldLevels: low, levls: low,
			groups: map[string]want{
				"G1": {p(50), p(50), p(0), p(0), nil},
				// G2's T4 becomes mitigable: all of it is ATT&CK's.
				"G2": {p(0), p(0), p(0), p(0), []string{"attack mitigation-added T4 M4 -"}},
				"G3": {nil, p(0), nil, nil, []string{"attack mitigation-added T4 M4 -", "attack no-score - - -"}},
			},
		},
		{
			name: "group renamed", old: base, new: renamed, oldLevels: low, levls: low,
			groups: map[string]want{
				"G1": {p(50), p(50), p(0), p(0), []string{"attack group-renamed - - -"}},
				"G2": {p(0), p(0), p(0), p(0), nil},
				"G3": {nil, nil, nil, nil, nil},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			old := assess(t, tc.old, tc.oldLevels, analyzer.ModelMax, "Q1", day)
			new := assess(t, tc.new, tc.levls, analyzer.ModelMax, "Q2", day.AddDate(0, 3, 0))
			c := Compare(old, new)
			if len(c.Warnings) > 0 {
				t.Errorf("warnings: %q", c.Warnings)
			}
			if len(c.Groups) != len(tc.groups) {
				t.Fatalf("%d groups, want %d", len(c.Groups), len(tc.groups))
			}
			for _, g := range c.Groups {
				w, ok := tc.groups[g.ID]
				if !ok {
					t.Errorf("unexpected group %s", g.ID)
					continue
				}
				checkNum(t, g.ID+" before", g.Before, w.before)
				checkNum(t, g.ID+" after", g.After, w.after)
				checkNum(t, g.ID+" delta_inventory", g.DeltaInventory, w.di)
				checkNum(t, g.ID+" delta_attack", g.DeltaAttack, w.da)
				checkSplit(t, g.ID, g.Movement)
				var got []string
				for _, ch := range g.Changes {
					got = append(got, fmt.Sprintf("%s %s %s %s %s", ch.Cause, ch.Kind, dash(ch.Technique), dash(ch.Mitigation), dash(ch.ReplacedBy)))
					if ch.Message == "" {
						t.Errorf("%s: change %s has no message", g.ID, ch.Kind)
					}
				}
				if !reflect.DeepEqual(got, w.changes) {
					t.Errorf("%s changes:\n got %q\nwant %q", g.ID, got, w.changes)
				}
			}
			checkSplit(t, "profile", c.Profile.Movement)
		})
	}
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// checkNum compares got with want; a zero want must be exactly zero, since
// a cause that did not change must not show as floating-point dust.
func checkNum(t *testing.T, what string, got, want *float64) {
	t.Helper()
	switch {
	case got == nil && want == nil:
	case got == nil || want == nil:
		t.Errorf("%s = %s, want %s", what, fmtScore(got), fmtScore(want))
	case *want == 0 && *got != 0:
		t.Errorf("%s = %v, want exactly 0", what, *got)
	case math.Abs(*got-*want) > 1e-9:
		t.Errorf("%s = %v, want %v", what, *got, *want)
	}
}

func checkSplit(t *testing.T, what string, m Movement) {
	t.Helper()
	if m.Before == nil || m.After == nil {
		if m.Delta != nil || m.DeltaInventory != nil || m.DeltaAttack != nil {
			t.Errorf("%s: a Δ without both scores: %+v", what, m)
		}
		return
	}
	if *m.Delta != *m.DeltaInventory+*m.DeltaAttack {
		t.Errorf("%s: delta %v ≠ %v + %v", what, *m.Delta, *m.DeltaInventory, *m.DeltaAttack)
	}
	if math.Abs(*m.Delta-(*m.After-*m.Before)) > 1e-9 {
		t.Errorf("%s: delta %v ≠ after − before = %v", what, *m.Delta, *m.After-*m.Before)
	}
}

func TestCompareProfileAndInventory(t *testing.T) {
	old := assess(t, base, map[string]float64{"M1": 1, "M2": 0.5}, analyzer.ModelMax, "Q1", day)
	new := assess(t, moved, map[string]float64{"M1": 1, "M2": 0.5, "M3": 1, "M9": 0.5}, analyzer.ModelMax, "Q2", day.AddDate(0, 3, 0))
	c := Compare(old, new)

	// Profile on the old map: n(T3) = 2 (G1, G2), T1, T2 once; T4 and T5
	// unmitigable or unused. before = (1 + .5 + 0)/4, mid = (1 + .5 + 2)/4.
	checkNum(t, "profile before", c.Profile.Before, p(100*1.5/4))
	checkNum(t, "profile delta_inventory", c.Profile.DeltaInventory, p(100*2.0/4))
	checkSplit(t, "profile", c.Profile.Movement)

	var inv []string
	for _, ch := range c.Inventory {
		inv = append(inv, ch.Mitigation+" "+fmtLevel(ch.LevelBefore)+" → "+fmtLevel(ch.LevelAfter)+" "+strings.Join(ch.Techniques, ","))
	}
	want := []string{"M3 not assessed → 100% T2,T3", "M9 not assessed → 50% "}
	if !reflect.DeepEqual(inv, want) {
		t.Errorf("inventory changes %q, want %q", inv, want)
	}
	// M9 touches nothing, so the profile's causes leave it out.
	if len(c.Profile.Changes) != 1 || c.Profile.Changes[0].Mitigation != "M3" {
		t.Errorf("profile changes %+v", c.Profile.Changes)
	}
	if c.SameMap {
		t.Error("SameMap for two different maps")
	}
	if !Compare(old, old).SameMap {
		t.Error("an assessment's map differs from itself")
	}
}

func TestCompareModelChange(t *testing.T) {
	lv := map[string]float64{"M1": 1, "M2": 0.5}
	old := assess(t, base, lv, analyzer.ModelMax, "Q1", day)
	new := assess(t, base, lv, analyzer.ModelMean, "Q2", day.AddDate(0, 3, 0))
	c := Compare(old, new)
	g := c.Groups[0] // G1: T1 is max 1, mean .75
	checkNum(t, "G1 delta_inventory", g.DeltaInventory, p(0))
	checkNum(t, "G1 delta_attack", g.DeltaAttack, p(-25.0/3))
	if len(c.Profile.Changes) != 1 || c.Profile.Changes[0].Kind != OptionsChanged {
		t.Errorf("profile changes %+v, want the model change", c.Profile.Changes)
	}
}

// TestRevokedMitigationKeepsItsLevel: an inventory that named M2, read
// with a catalog that revoked M2 in favour of M7, has M7's level; that is
// ATT&CK's change, not the inventory's.
func TestRevokedMitigationKeepsItsLevel(t *testing.T) {
	next := spec{
		version: "2.0",
		techs:   map[string][]string{"T1": {"M1", "M7"}, "T2": {"M7"}, "T3": {"M3"}, "T4": {}, "T5": {"M1"}},
		groups:  base.groups,
		retired: []attack.Retired{{Kind: attack.KindMitigation, ID: "M2", Name: "Name of M2", Revoked: true, ReplacedBy: "M7"}},
	}
	old := assess(t, base, map[string]float64{"M1": 0, "M2": 0.5}, analyzer.ModelMax, "Q1", day)
	new := assess(t, next, map[string]float64{"M1": 0, "M7": 0.5}, analyzer.ModelMax, "Q2", day.AddDate(0, 3, 0))
	c := Compare(old, new)
	if len(c.Inventory) != 0 {
		t.Errorf("inventory changes %+v, want none", c.Inventory)
	}
	g := c.Groups[0]
	checkNum(t, "G1 delta", g.Delta, p(0))
	var kinds []string
	for _, ch := range g.Changes {
		kinds = append(kinds, string(ch.Kind)+" "+ch.Technique+" "+ch.Mitigation+"→"+ch.ReplacedBy)
	}
	want := []string{"mitigation-revoked T1 M2→M7", "mitigation-revoked T2 M2→M7"}
	if !reflect.DeepEqual(kinds, want) {
		t.Errorf("changes %q, want %q", kinds, want)
	}
}

// TestSavedScoresMatchRescoring checks the rescoring against the analyzer
// for every model: Compare warns when they disagree.
func TestSavedScoresMatchRescoring(t *testing.T) {
	lv := map[string]float64{"M1": 0.3, "M2": 0.5, "M3": 0.75}
	for _, m := range []analyzer.Model{analyzer.ModelMax, analyzer.ModelMean, analyzer.ModelNoisyOr} {
		a := assess(t, moved, lv, m, "Q", day)
		if w := checkSaved(a, a.Name()); len(w) > 0 {
			t.Errorf("%s: %q", m, w)
		}
		a.Groups[0].Score = p(*a.Groups[0].Score + 1)
		if w := Compare(a, a).Warnings; len(w) != 2 || !strings.Contains(w[0], "group G1") {
			t.Errorf("%s: an edited score gives warnings %q", m, w)
		}
	}
}

// TestChangeCoverage: each ATT&CK change carries what it alone did to its
// technique's coverage, read with the new levels.
func TestChangeCoverage(t *testing.T) {
	for _, tc := range []struct {
		name          string
		m3            float64
		before, after float64
		model         analyzer.Model
		movedByItself bool
	}{
		{"implemented mitigation added", 1, 0.5, 1, analyzer.ModelMax, true},
		{"absent mitigation added, max", 0, 0.5, 0.5, analyzer.ModelMax, false},
		{"absent mitigation added, mean", 0, 0.5, 0.25, analyzer.ModelMean, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lv := map[string]float64{"M1": 1, "M2": 0.5, "M3": tc.m3}
			c := Compare(assess(t, base, lv, tc.model, "Q1", day), assess(t, moved, lv, tc.model, "Q2", day))
			for _, ch := range c.Groups[0].Changes {
				if ch.Kind != MitigationAdded {
					continue
				}
				checkNum(t, "coverage before", ch.CoverageBefore, p(tc.before))
				checkNum(t, "coverage after", ch.CoverageAfter, p(tc.after))
				if (*ch.CoverageBefore != *ch.CoverageAfter) != tc.movedByItself {
					t.Errorf("moved by itself: %v → %v", *ch.CoverageBefore, *ch.CoverageAfter)
				}
				return
			}
			t.Fatal("no mitigation-added change")
		})
	}
}

func TestCompareDomains(t *testing.T) {
	old := assess(t, base, nil, analyzer.ModelMax, "Q1", day)
	ics := assess(t, base, nil, analyzer.ModelMax, "Q2", day)
	ics.Catalog.Domain = attack.ICS
	if w := Compare(old, ics).Warnings; len(w) != 1 || !strings.Contains(w[0], "different ATT&CK domains") {
		t.Errorf("warnings %q", w)
	}
}
