package analyzer

import (
	"errors"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/covgap/covgap/attack"
	"github.com/covgap/covgap/inventory"
)

func memberIDs(p Profile) []string {
	ids := make([]string, 0, len(p.Members))
	for _, m := range p.Members {
		ids = append(ids, m.Group.ID)
	}
	return ids
}

func selectionCatalog() *attack.Catalog {
	apt29 := &attack.Group{ID: "G0016", Name: "APT29", Aliases: []string{"APT29", "Cozy Bear", "NOBELIUM"},
		Description: "APT29 is threat group that has been attributed to Russia's Foreign Intelligence Service.", Uses: directUses("T1078")}
	cat := poloniumCatalog(apt29)
	cat.Retired = []attack.Retired{{Kind: attack.KindGroup, ID: "G0999", Name: "Old Name", Revoked: true, ReplacedBy: "G0016"}}
	cat.Index()
	return cat
}

func TestSelectGroups(t *testing.T) {
	cat := selectionCatalog()
	tests := []struct {
		refs  []string
		want  []string
		notes int
		err   []string // fragments the error must hold
	}{
		{[]string{"G1005"}, []string{"G1005"}, 0, nil},
		{[]string{"polonium", " plaid rain "}, []string{"G1005"}, 0, nil},
		{[]string{"Cozy Bear", "G1005", "apt29", ""}, []string{"G0016", "G1005"}, 0, nil},
		{[]string{"Old Name"}, []string{"G0016"}, 1, nil},
		{[]string{"APT-29x", "G1005", "Polonum"}, nil, 0, []string{"2 unknown groups", `"APT-29x"`, `"Polonum"`, "did you mean", "POLONIUM G1005"}},
	}
	for _, tc := range tests {
		p, err := SelectGroups(cat, tc.refs)
		if tc.err != nil {
			var se *SelectionError
			if !errors.As(err, &se) {
				t.Fatalf("%v: err = %v, want a SelectionError", tc.refs, err)
			}
			for _, f := range tc.err {
				if !strings.Contains(err.Error(), f) {
					t.Errorf("%v: error %q lacks %q", tc.refs, err, f)
				}
			}
			continue
		}
		if err != nil {
			t.Fatalf("%v: %v", tc.refs, err)
		}
		if got := memberIDs(p); !reflect.DeepEqual(got, tc.want) || len(p.Notes) != tc.notes {
			t.Errorf("%v: got %v notes %v, want %v and %d notes", tc.refs, got, p.Notes, tc.want, tc.notes)
		}
	}
}

func TestMatchAllMerge(t *testing.T) {
	cat := selectionCatalog()
	for text, want := range map[string][]string{
		"Israel":    {"G1005"}, // in the description: "Israeli organizations"
		"cozy":      {"G0016"}, // an alias
		"apt":       {"G0016"},
		"a":         {"G0016", "G1005"},
		"  ":        nil,
		"Atlantis!": nil,
	} {
		if got := memberIDs(MatchGroups(cat, text)); !reflect.DeepEqual(got, want) && len(got)+len(want) > 0 {
			t.Errorf("MatchGroups(%q) = %v, want %v", text, got, want)
		}
	}
	all := AllGroups(cat)
	if got := memberIDs(all); !reflect.DeepEqual(got, []string{"G0016", "G1005"}) || all.Members[0].Weight != 1 {
		t.Errorf("AllGroups = %v", got)
	}

	g16, g1005 := cat.Group("G0016"), cat.Group("G1005")
	m := MergeProfiles(
		Profile{Name: "a", Members: []Member{{Group: g1005, Weight: 2}}, Notes: []string{"n1"}},
		Profile{Name: "b", Members: []Member{{Group: g16}, {Group: g1005, Weight: 5}, {Group: nil}}},
		Profile{Members: []Member{{Group: g1005, Weight: 1}}},
	)
	if got := memberIDs(m); !reflect.DeepEqual(got, []string{"G1005", "G0016"}) || m.Members[0].Weight != 5 || m.Members[1].Weight != 1 ||
		m.Name != "a + b" || !reflect.DeepEqual(m.Notes, []string{"n1"}) {
		t.Errorf("Merge = %+v", m)
	}
}

func TestProfileFrom(t *testing.T) {
	cat := selectionCatalog()
	tp := &inventory.ThreatProfile{Name: "Q3 threats", Entries: []inventory.ProfileEntry{
		{Ref: "APT29", Group: cat.Group("G0016"), Weight: 2, Row: 2},
		{Ref: "Polonium", Group: cat.Group("G1005"), Weight: 1, Row: 3},
		{Ref: "Cozy Bear", Group: cat.Group("G0016"), Weight: 3, Row: 4},
	}, Problems: []inventory.Problem{
		{Severity: inventory.SeverityWarning, File: "p.yaml", Row: 4, Message: "group G0016 \"APT29\" is already listed in row 2"},
		{Severity: inventory.SeverityError, File: "p.yaml", Row: 5, Message: "unknown"},
	}}
	p := ProfileFrom(tp)
	ids := memberIDs(p)
	sort.Strings(ids)
	if p.Name != "Q3 threats" || !reflect.DeepEqual(ids, []string{"G0016", "G1005"}) || p.Members[0].Weight != 3 {
		t.Errorf("ProfileFrom = %+v", p)
	}
	if len(p.Notes) != 0 {
		t.Errorf("problems are the caller's to tell, got notes %q", p.Notes)
	}
	if _, err := Analyze(cat, nil, p, Options{}); err != nil {
		t.Errorf("a profile from a file must analyse: %v", err)
	}
}
