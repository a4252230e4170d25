package reports

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// POLONIUM's layer on the embedded catalog: each technique under each of
// its 18.1 tactics, T1090 red at 0, the pre-compromise ones grey.
func TestLayerRealPolonium(t *testing.T) {
	r := polonium(t)
	dir, _ := writeDir(t, r, "")
	b, err := os.ReadFile(filepath.Join(dir, "G1005-POLONIUM.json"))
	if err != nil {
		t.Fatal(err)
	}
	var l layer
	if err := json.Unmarshal(b, &l); err != nil {
		t.Fatal(err)
	}
	if l.Versions.Attack != "18.1" || l.Domain != "enterprise-attack" {
		t.Errorf("versions %+v, domain %s", l.Versions, l.Domain)
	}
	valid := map[string]bool{}
	for _, ta := range r.Catalog.Tactics {
		valid[ta.ShortName] = true
	}
	perTech := map[string]int{}
	for _, te := range l.Techniques {
		perTech[te.TechniqueID]++
		if !valid[te.Tactic] {
			t.Errorf("%s under %q, not an enterprise tactic", te.TechniqueID, te.Tactic)
		}
		switch te.TechniqueID {
		case "T1090":
			if te.Score == nil || *te.Score != 0 {
				t.Errorf("T1090 score %v, want 0", te.Score)
			}
		case "T1588.002", "T1583.006":
			if te.Score != nil || te.Color != unmitigableColour {
				t.Errorf("%s score %v colour %s, want unscored grey", te.TechniqueID, te.Score, te.Color)
			}
		case "T1567.002", "T1078", "T1199", "T1102.002":
			if te.Score == nil || *te.Score != 100 {
				t.Errorf("%s score %v, want 100", te.TechniqueID, te.Score)
			}
		}
	}
	if len(perTech) != 7 {
		t.Errorf("%d techniques, want 7", len(perTech))
	}
	for id, n := range perTech {
		if want := len(r.Catalog.Technique(id).Tactics); n != want {
			t.Errorf("%s has %d entries, want one per tactic (%d)", id, n, want)
		}
	}
}

func BenchmarkLayersAllGroups(b *testing.B) {
	r := allGroups(b)
	b.ReportAllocs()
	for b.Loop() {
		if err := encodeLayer(io.Discard, profileLayer(r)); err != nil {
			b.Fatal(err)
		}
		for i := range r.Result.Groups {
			if err := encodeLayer(io.Discard, groupLayer(r, &r.Result.Groups[i])); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkTableAllGroups(b *testing.B) {
	r := allGroups(b)
	b.ReportAllocs()
	for b.Loop() {
		if err := writeTables(io.Discard, r); err != nil {
			b.Fatal(err)
		}
	}
}
