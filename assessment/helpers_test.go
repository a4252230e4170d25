package assessment

import (
	"sort"
	"testing"
	"time"

	"github.com/covgap/covgap/analyzer"
	"github.com/covgap/covgap/attack"
	"github.com/covgap/covgap/inventory"
)

// spec describes a small hand-made catalog: technique → mitigations and
// group → techniques (every use direct).
type spec struct {
	version string
	techs   map[string][]string
	groups  map[string][]string
	names   map[string]string // optional names by ID; "Name of <ID>" otherwise
	retired []attack.Retired
}

func (s spec) name(id string) string {
	if n, ok := s.names[id]; ok {
		return n
	}
	return "Name of " + id
}

func (s spec) catalog() *attack.Catalog {
	cat := &attack.Catalog{Domain: attack.Enterprise, Version: s.version, Source: "test " + s.version, Retired: s.retired}
	mits := map[string]*attack.Mitigation{}
	for tid, ms := range s.techs {
		t := &attack.Technique{ID: tid, Name: s.name(tid), Tactics: []string{"execution"}, Mitigations: sorted(ms)}
		cat.Techniques = append(cat.Techniques, t)
		for _, m := range ms {
			if mits[m] == nil {
				mits[m] = &attack.Mitigation{ID: m, Name: s.name(m)}
				cat.Mitigations = append(cat.Mitigations, mits[m])
			}
			mits[m].Techniques = append(mits[m].Techniques, tid)
		}
	}
	for gid, ts := range s.groups {
		g := &attack.Group{ID: gid, Name: s.name(gid)}
		for _, t := range ts {
			g.Uses = append(g.Uses, attack.Use{Technique: t, Direct: true})
		}
		cat.Groups = append(cat.Groups, g)
	}
	for _, m := range cat.Mitigations {
		sort.Strings(m.Techniques)
	}
	cat.Index()
	return cat
}

var day = time.Date(2026, 3, 31, 12, 0, 0, 0, time.UTC)

// assess analyses levels on the catalog of s with every group, as the CLI
// would, and turns the result into an attached assessment.
func assess(t testing.TB, s spec, levels map[string]float64, model analyzer.Model, label string, created time.Time) *Assessment {
	t.Helper()
	cat := s.catalog()
	inv := &inventory.Inventory{File: "inventory-" + label + ".csv", Levels: levels}
	res, err := analyzer.Analyze(cat, inv, analyzer.AllGroups(cat), analyzer.Options{Model: model})
	if err != nil {
		t.Fatal(err)
	}
	a := New(res, label, created)
	a.Attach(cat, inv)
	return a
}

func p(v float64) *float64 { return &v }
