package assessment

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/covgap/covgap/analyzer"
	"github.com/covgap/covgap/attack"
	"github.com/covgap/covgap/inventory"
)

// usesCatalog is a catalog whose group G1 uses T1 directly, T2 only
// through campaign C0001, T3 only through software S0001, and T4 directly
// and through campaign C0002.
func usesCatalog() *attack.Catalog {
	s := spec{version: "18.1", techs: map[string][]string{"T1": {"M1"}, "T2": {"M2"}, "T3": {"M3"}, "T4": {"M1"}}}
	cat := s.catalog()
	cat.Groups = []*attack.Group{{ID: "G1", Name: "Name of G1", Uses: []attack.Use{
		{Technique: "T1", Direct: true},
		{Technique: "T2", Campaigns: []string{"C0001"}},
		{Technique: "T3", Software: []string{"S0001"}},
		{Technique: "T4", Direct: true, Campaigns: []string{"C0002"}},
	}}}
	cat.Index()
	return cat
}

func assessWith(t *testing.T, cat *attack.Catalog, o analyzer.Options, label string) *Assessment {
	t.Helper()
	inv := &inventory.Inventory{Levels: map[string]float64{"M1": 1, "M2": 0.5, "M3": 0.25}}
	res, err := analyzer.Analyze(cat, inv, analyzer.AllGroups(cat), o)
	if err != nil {
		t.Fatal(err)
	}
	a := New(res, label, day)
	a.Attach(cat, inv)
	return a
}

// changesOf returns group id's changes by technique (or by kind for those
// without one).
func changesOf(t *testing.T, c *Comparison, id string) map[string]Change {
	t.Helper()
	out := map[string]Change{}
	for _, g := range c.Groups {
		if g.ID != id {
			continue
		}
		for _, ch := range g.Changes {
			k := ch.Technique
			if k == "" {
				k = string(ch.Kind)
			}
			out[k] = ch
		}
		return out
	}
	t.Fatalf("no group %s", id)
	return nil
}

func TestSourcesSaved(t *testing.T) {
	a := assessWith(t, usesCatalog(), analyzer.Options{Uses: attack.UseOptions{Campaigns: true, Software: true}}, "Q")
	want := map[string][]string{"direct": {"T1", "T4"}, "C0001": {"T2"}, "C0002": {"T4"}, "S0001": {"T3"}}
	if got := a.Groups[0].Sources; !reflect.DeepEqual(got, want) {
		t.Errorf("sources %v, want %v", got, want)
	}
}

// TestOptionsNotBlamedOnAttack: with one catalog, techniques that came or
// went with the campaign and software options are the profile's doing,
// and each says which source it hung on.
func TestOptionsNotBlamedOnAttack(t *testing.T) {
	cat := usesCatalog()
	all := assessWith(t, cat, analyzer.Options{Uses: attack.UseOptions{Campaigns: true, Software: true}}, "ALL")
	none := assessWith(t, cat, analyzer.Options{}, "NONE")

	c := Compare(all, none)
	chs := changesOf(t, c, "G1")
	for tech, want := range map[string]string{
		"T2": "T2 Name of T2 is no longer counted: it came only from campaign C0001, and campaigns are not counted in NONE",
		"T3": "T3 Name of T3 is no longer counted: it came only from software S0001, and software is not counted in NONE",
	} {
		ch, ok := chs[tech]
		if !ok || ch.Cause != CauseProfile || ch.Kind != TechniqueDropped || !strings.HasPrefix(ch.Message, want) {
			t.Errorf("%s: %+v, want cause profile and %q", tech, ch, want)
		}
	}
	if _, ok := chs["T4"]; ok {
		t.Error("T4, linked directly as well, is named as a change")
	}

	back := changesOf(t, Compare(none, all), "G1")
	if ch := back["T2"]; ch.Cause != CauseProfile || ch.Kind != TechniqueAdded ||
		!strings.Contains(ch.Message, "is now counted: it comes only from campaign C0001, and campaigns were not counted in NONE") {
		t.Errorf("T2 added: %+v", ch)
	}

	// A file saved before sources were recorded: the same catalog on both
	// sides still rules ATT&CK out.
	for i := range all.Groups {
		all.Groups[i].Sources = nil
	}
	if ch := changesOf(t, Compare(all, none), "G1")["T2"]; ch.Cause != CauseProfile || !strings.Contains(ch.Message, "does not record") {
		t.Errorf("T2 without sources: %+v", ch)
	}
	// ... and a different catalog leaves it to ATT&CK, with the caveat.
	all.Catalog.Fingerprint, all.Catalog.Version = "sha256:other", "17.0"
	if ch := changesOf(t, Compare(all, none), "G1")["T2"]; ch.Cause != CauseAttack || !strings.Contains(ch.Message, "may be the cause instead") {
		t.Errorf("T2 without sources on another catalog: %+v", ch)
	}
}

// TestOptionsAndAttackBothChanged: when the catalog changed too, a
// technique whose sources still count under the new options was dropped
// by ATT&CK.
func TestOptionsAndAttackBothChanged(t *testing.T) {
	old := assessWith(t, usesCatalog(), analyzer.Options{Uses: attack.UseOptions{Campaigns: true}}, "OLD")
	cat := usesCatalog()
	cat.Version = "19.0"
	cat.Groups[0].Uses = []attack.Use{{Technique: "T2", Campaigns: []string{"C0001"}}, {Technique: "T4", Direct: true}}
	cat.Index()
	new := assessWith(t, cat, analyzer.Options{}, "NEW")
	chs := changesOf(t, Compare(old, new), "G1")
	if ch := chs["T1"]; ch.Cause != CauseAttack || !strings.Contains(ch.Message, "no longer linked to the group in ATT&CK 19.0") {
		t.Errorf("T1: %+v", ch)
	}
	if ch := chs["T2"]; ch.Cause != CauseProfile {
		t.Errorf("T2: %+v", ch)
	}
}

// TestModelChangeNamedPerGroup: a change of model alone is named in every
// group with what it did, and that is the group's whole Δ_attack.
func TestModelChangeNamedPerGroup(t *testing.T) {
	lv := map[string]float64{"M1": 1, "M2": 0.5}
	a := assess(t, base, lv, analyzer.ModelMax, "MAX", day)
	b := assess(t, base, lv, analyzer.ModelMean, "MEAN", day)
	c := Compare(a, b)
	moved := 0
	for _, g := range c.Groups {
		if g.DeltaAttack == nil || *g.DeltaAttack == 0 {
			continue
		}
		moved++
		var found bool
		for _, ch := range g.Changes {
			if ch.Kind == OptionsChanged && ch.Cause == CauseProfile && strings.Contains(ch.Message, "from max to mean") {
				found = true
				want := fmt.Sprintf("%+.1f", *g.DeltaAttack)
				if !strings.HasSuffix(ch.Message, "moves the group by "+want) {
					t.Errorf("%s: %q, want the move %s", g.ID, ch.Message, want)
				}
			}
		}
		if !found {
			t.Errorf("%s: Δ_attack %v and no model change in %+v", g.ID, *g.DeltaAttack, g.Changes)
		}
	}
	if moved == 0 {
		t.Error("the model change moved no group; the test tests nothing")
	}
}

func TestNames(t *testing.T) {
	at := func(label string, tm time.Time) *Assessment { return &Assessment{Label: label, Created: tm} }
	d := time.Date(2026, 12, 4, 9, 30, 15, 0, time.UTC)
	for _, tc := range []struct {
		as   []*Assessment
		want []string
	}{
		{[]*Assessment{at("", d), at("", d.Add(time.Hour))}, []string{"2026-12-04 09:30 UTC", "2026-12-04 10:30 UTC"}},
		{[]*Assessment{at("", d), at("", d.Add(20*time.Second)), at("", d.Add(time.Hour))},
			[]string{"2026-12-04 09:30:15 UTC", "2026-12-04 09:30:35 UTC", "2026-12-04 10:30 UTC"}},
		{[]*Assessment{at("", d), at("", d.Add(time.Millisecond))},
			[]string{"2026-12-04 09:30:15 UTC", "2026-12-04 09:30:15.001 UTC"}},
		{[]*Assessment{at("Q4", d), at("", d)}, []string{"Q4", "2026-12-04 09:30 UTC"}},
		{[]*Assessment{at("2026-12-04 09:30 UTC", d), at("", d)}, []string{"2026-12-04 09:30 UTC", "2026-12-04 09:30:15 UTC"}},
	} {
		if got := Names(tc.as); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Names %q, want %q", got, tc.want)
		}
	}
}
