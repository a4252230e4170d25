package assessment

import (
	"reflect"
	"strings"
	"testing"

	"github.com/covgap/covgap/analyzer"
	"github.com/covgap/covgap/attack"
)

func TestMigrate(t *testing.T) {
	old := assess(t, base, map[string]float64{"M1": 1, "M2": 0.5, "M8": 1}, analyzer.ModelMax, "Q1", day)
	newer := spec{
		version: "3.0",
		techs:   map[string][]string{"T1": {"M1", "M7"}, "T2": {"M7", "M3", attack.PreCompromise}, "T6": {"M3"}, "T4": {}, "T5": {"M1", "M3"}},
		groups:  map[string][]string{"G1": {"T1"}, "G2": {"T6"}},
		names:   map[string]string{"T1": "Valid Accounts"},
		retired: []attack.Retired{
			{Kind: attack.KindTechnique, ID: "T3", Name: "Name of T3", Revoked: true, ReplacedBy: "T6"},
			{Kind: attack.KindMitigation, ID: "M2", Name: "Name of M2", Revoked: true, ReplacedBy: "M7"},
			{Kind: attack.KindMitigation, ID: "M8", Name: "Name of M8", Deprecated: true},
		},
	}
	cat := newer.catalog()
	var got []string
	for _, m := range Migrate(old, cat) {
		got = append(got, string(m.Kind)+" "+m.ID+" "+m.Status+" "+m.ReplacedBy+" +"+strings.Join(m.Added, ",")+" -"+strings.Join(m.Removed, ","))
		if m.Message == "" {
			t.Errorf("%s %s: no message", m.Kind, m.ID)
		}
	}
	want := []string{
		"group G3 missing  + -",
		"technique T1 renamed  + -",
		"technique T1 mitigations-changed  +M7 -M2",
		"technique T2 mitigations-changed  +M3,M7 -M2",
		"technique T3 revoked T6 + -",
		"mitigation M2 revoked M7 + -",
		"mitigation M8 deprecated  + -",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("migrations:\n got %q\nwant %q", got, want)
	}

	levels, ms := MigrateLevels(map[string]float64{"M1": 0.5, "M2": 0.75, "M7": 0.25, "M8": 1, "M99": 1}, cat)
	if want := map[string]float64{"M1": 0.5, "M7": 0.75}; !reflect.DeepEqual(levels, want) {
		t.Errorf("levels %v, want %v", levels, want)
	}
	var st []string
	for _, m := range ms {
		st = append(st, m.ID+" "+m.Status)
	}
	if want := []string{"M2 revoked", "M8 deprecated", "M99 missing"}; !reflect.DeepEqual(st, want) {
		t.Errorf("level migrations %q, want %q", st, want)
	}
}
