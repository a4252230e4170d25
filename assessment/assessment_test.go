package assessment

import (
	"reflect"
	"strings"
	"testing"

	"github.com/covgap/covgap/analyzer"
	"github.com/covgap/covgap/attack"
	"github.com/covgap/covgap/inventory"
)

func TestNewKeepsTheMap(t *testing.T) {
	s := moved
	s.techs = map[string][]string{"T1": {"M1", "M2", attack.PreCompromise}, "T2": {"M2", "M3"}, "T3": {"M3"}, "T4": {attack.PreCompromise}, "T5": {"M1"}}
	a := assess(t, s, map[string]float64{"M1": 1, "M9": 0.5}, analyzer.ModelMax, "Q", day)
	var got []string
	for _, tc := range a.Techniques {
		got = append(got, tc.ID+":"+strings.Join(tc.Mitigations, ","))
	}
	// M1056 never counts, so T4 stays unmitigable in the file too.
	if want := []string{"T1:M1,M2", "T2:M2,M3", "T3:M3", "T4:", "T5:M1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("techniques %q, want %q", got, want)
	}
	if g := a.group("G1"); g == nil || strings.Join(g.TechniqueIDs, ",") != "T1,T2,T5" || g.Techniques != 3 {
		t.Errorf("G1 %+v", g)
	}
	// Every mitigation of the map or the inventory is listed; M9, which
	// the catalog does not hold, has no name to give.
	var ids []string
	for _, m := range a.Mitigations {
		ids = append(ids, m.ID+"="+m.Name)
	}
	if want := []string{"M1=Name of M1", "M2=Name of M2", "M3=Name of M3", "M9="}; !reflect.DeepEqual(ids, want) {
		t.Errorf("mitigations %q, want %q", ids, want)
	}
}

func TestAttach(t *testing.T) {
	s := base
	s.retired = []attack.Retired{
		{Kind: attack.KindMitigation, ID: "T1078", Name: "Valid Accounts Mitigation", Deprecated: true},
		{Kind: attack.KindMitigation, ID: "M2000", Name: "Old", Revoked: true, ReplacedBy: "M1"},
		{Kind: attack.KindTechnique, ID: "T9", Name: "Old technique", Revoked: true, ReplacedBy: "T1"},
	}
	cat := s.catalog()
	inv := &inventory.Inventory{Levels: map[string]float64{"M1": 1}, NotApplicable: map[string]bool{"M3": true, "M2": true, "M4": false}}
	res, err := analyzer.Analyze(cat, inv, analyzer.AllGroups(cat), analyzer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a := New(res, "", day)
	if a.Catalog.Fingerprint != "" || a.Catalog.Groups != nil {
		t.Errorf("New alone knows the catalog: %+v", a.Catalog)
	}
	if a.Name() != "2026-03-31 12:00 UTC" {
		t.Errorf("unlabelled name %q", a.Name())
	}
	a.Attach(cat, inv)
	var ret []string
	for _, r := range a.Catalog.Retired {
		ret = append(ret, r.ID)
	}
	if want := []string{"M2000", "T9"}; !reflect.DeepEqual(ret, want) {
		t.Errorf("retired %q, want %q (no technique-ID course-of-action)", ret, want)
	}
	if want := []string{"M2", "M3"}; !reflect.DeepEqual(a.Inventory.NotApplicable, want) {
		t.Errorf("not applicable %q", a.Inventory.NotApplicable)
	}
	if want := []string{"G1", "G2", "G3"}; !reflect.DeepEqual(a.Catalog.Groups, want) {
		t.Errorf("groups %q", a.Catalog.Groups)
	}
	fp := a.Catalog.Fingerprint
	// The fingerprint depends on content, not on load order.
	cat.Techniques[0], cat.Techniques[1] = cat.Techniques[1], cat.Techniques[0]
	if CatalogFingerprint(cat) != fp {
		t.Error("fingerprint depends on order")
	}
	cat.Techniques[0].Mitigations = append(cat.Techniques[0].Mitigations, "M3")
	if CatalogFingerprint(cat) == fp {
		t.Error("fingerprint blind to a new mitigates relation")
	}
}
