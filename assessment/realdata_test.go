package assessment

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/covgap/covgap/analyzer"
	"github.com/covgap/covgap/attack"
	"github.com/covgap/covgap/inventory"
)

var update = flag.Bool("update", false, "rewrite ../testdata/assessments from the ATT&CK bundles in ../shared")

const shared = "../../shared/attack/"

// catalogs loads the 15.1 and 18.1 Enterprise bundles once for all tests,
// or skips when ../shared is not there (a checkout without the data).
var catalogs = sync.OnceValues(func() (map[string]*attack.Catalog, error) {
	out := map[string]*attack.Catalog{}
	for _, v := range []string{"15.1", "18.1"} {
		cat, err := attack.LoadSTIXFiles(shared + "enterprise-attack-" + v + ".json.gz")
		if err != nil {
			return nil, err
		}
		out[v] = cat
	}
	return out, nil
})

func realCatalogs(t *testing.T) map[string]*attack.Catalog {
	t.Helper()
	if _, err := os.Stat(shared); err != nil {
		t.Skipf("no ATT&CK bundles at %s: %v", shared, err)
	}
	cats, err := catalogs()
	if err != nil {
		t.Fatal(err)
	}
	return cats
}

// The inventories of the real-data tests: a few mitigations in place, then
// a better quarter.
var (
	firstInventory = map[string]float64{
		"M1032": 1,    // Multi-factor Authentication
		"M1026": 0.5,  // Privileged Account Management
		"M1031": 1,    // Network Intrusion Prevention
		"M1017": 0.75, // User Training
	}
	betterInventory = map[string]float64{
		"M1032": 1, "M1026": 1, "M1031": 1, "M1017": 0.75,
		"M1037": 1,   // Filter Network Traffic
		"M1021": 0.5, // Restrict Web-Based Content
	}
)

// realAssessment analyses levels on cat for the given groups (every group
// when none is named; a group the catalog lacks is skipped, as a profile
// written for a newer ATT&CK would be) with SPEC's default options.
func realAssessment(t testing.TB, cat *attack.Catalog, levels map[string]float64, label string, created time.Time, groups ...string) *Assessment {
	t.Helper()
	prof := analyzer.AllGroups(cat)
	if len(groups) > 0 {
		prof = analyzer.Profile{Name: "fixture profile"}
		for _, id := range groups {
			if g := cat.Group(id); g != nil {
				prof.Members = append(prof.Members, analyzer.Member{Group: g, Weight: 1})
			}
		}
	}
	inv := &inventory.Inventory{File: "inventory.csv", Levels: levels}
	res, err := analyzer.Analyze(cat, inv, prof, analyzer.Options{Model: analyzer.ModelMax, Uses: attack.DefaultUseOptions(), Top: 5})
	if err != nil {
		t.Fatal(err)
	}
	a := New(res, label, created)
	a.Attach(cat, inv)
	return a
}

// TestRealDataAttackOnly assesses one inventory with ATT&CK 15.1 and 18.1:
// every movement is ATT&CK's.
func TestRealDataAttackOnly(t *testing.T) {
	cats := realCatalogs(t)
	old := realAssessment(t, cats["15.1"], firstInventory, "15.1", day)
	new := realAssessment(t, cats["18.1"], firstInventory, "18.1", day.AddDate(0, 3, 0))
	c := Compare(old, new)
	if len(c.Warnings) > 0 {
		t.Errorf("the rescoring disagrees with the analyzer: %q", c.Warnings)
	}
	if len(c.Inventory) != 0 {
		t.Errorf("inventory changes %+v, want none", c.Inventory)
	}
	checkNum(t, "profile delta_inventory", c.Profile.DeltaInventory, p(0))
	checkSplit(t, "profile", c.Profile.Movement)

	added, moved := 0, 0
	var polonium *GroupDelta
	for i := range c.Groups {
		g := &c.Groups[i]
		checkSplit(t, g.ID, g.Movement)
		if g.DeltaInventory != nil && *g.DeltaInventory != 0 {
			t.Errorf("%s: delta_inventory %v, want exactly 0", g.ID, *g.DeltaInventory)
		}
		if g.Delta != nil && *g.Delta != 0 {
			moved++
		}
		for _, ch := range g.Changes {
			if ch.Cause != CauseAttack {
				t.Errorf("%s: change %q attributed to %s", g.ID, ch.Message, ch.Cause)
			}
		}
		switch g.Status {
		case "added":
			if len(g.Changes) == 1 && g.Changes[0].Kind == GroupAdded && strings.Contains(g.Changes[0].Message, "is new in ATT&CK 18.1 (not in ATT&CK 15.1)") {
				added++
			} else {
				t.Errorf("%s added without saying it is new in 18.1: %+v", g.ID, g.Changes)
			}
		case "removed":
			t.Errorf("%s: no 15.1 group left ATT&CK by 18.1, yet %+v", g.ID, g.Changes)
		}
		if g.ID == "G1005" {
			polonium = g
		}
	}
	if added != 24 {
		t.Errorf("%d groups new since 15.1, want 24", added)
	}
	if moved == 0 {
		t.Error("no group moved between 15.1 and 18.1")
	}
	if polonium == nil {
		t.Fatal("no POLONIUM G1005")
	}
	found := false
	for _, ch := range polonium.Changes {
		if ch.Kind == MitigationAdded && ch.Technique == "T1078" && ch.Mitigation == "M1032" {
			found = true
		}
	}
	if !found {
		t.Errorf("POLONIUM's T1078 gaining M1032 is not named: %+v", polonium.Changes)
	}
	// M1032 is implemented: T1078 goes from partial (M1017 at .75) to
	// covered, one of POLONIUM's five mitigable techniques: 25 / 5 points.
	checkNum(t, "POLONIUM delta_attack", polonium.DeltaAttack, p(5))
}

// TestRealDataInventoryOnly assesses two inventories with ATT&CK 18.1:
// every movement is the inventory's.
func TestRealDataInventoryOnly(t *testing.T) {
	cats := realCatalogs(t)
	old := realAssessment(t, cats["18.1"], firstInventory, "Q1", day)
	new := realAssessment(t, cats["18.1"], betterInventory, "Q2", day.AddDate(0, 3, 0))
	c := Compare(old, new)
	if !c.SameMap || len(c.Warnings) > 0 {
		t.Errorf("same map %t, warnings %q", c.SameMap, c.Warnings)
	}
	checkNum(t, "profile delta_attack", c.Profile.DeltaAttack, p(0))
	moved := 0
	for _, g := range c.Groups {
		checkSplit(t, g.ID, g.Movement)
		if g.Status != "both" {
			t.Errorf("%s: status %s", g.ID, g.Status)
		}
		if g.DeltaAttack != nil && *g.DeltaAttack != 0 {
			t.Errorf("%s: delta_attack %v, want exactly 0", g.ID, *g.DeltaAttack)
		}
		if g.Delta != nil && *g.Delta != 0 {
			moved++
		}
		for _, ch := range g.Changes {
			if ch.Cause != CauseInventory || ch.Kind != LevelChanged {
				t.Errorf("%s: change %q is not the inventory's", g.ID, ch.Message)
			}
		}
	}
	if moved == 0 {
		t.Error("no group moved")
	}
	var ids []string
	for _, ch := range c.Inventory {
		ids = append(ids, ch.Mitigation)
	}
	if strings.Join(ids, ",") != "M1021,M1026,M1037" {
		t.Errorf("inventory changes %q, want M1021, M1026, M1037", ids)
	}
}

func TestRealDataMigrate(t *testing.T) {
	cats := realCatalogs(t)
	old := realAssessment(t, cats["15.1"], firstInventory, "15.1", day)
	found := false
	for _, m := range Migrate(old, cats["18.1"]) {
		if m.Status == MitigationsChanged && m.ID == "T1078" && strings.Join(m.Added, ",") == "M1032" {
			found = true
		}
		if m.Status == Revoked && m.ReplacedBy != "" && cats["18.1"].Technique(m.ReplacedBy) == nil && cats["18.1"].Mitigation(m.ReplacedBy) == nil && cats["18.1"].Group(m.ReplacedBy) == nil {
			t.Errorf("%s %s replaced by %s, which 18.1 does not hold", m.Kind, m.ID, m.ReplacedBy)
		}
	}
	if !found {
		t.Error("T1078 gaining M1032 is not named")
	}
}

// fixtureGroups are the profile of the committed assessments: POLONIUM,
// APT29, OilRig, and Agrius, which is new in 18.1.
var fixtureGroups = []string{"G1005", "G0016", "G0049", "G1030"}

// fixtures are the committed example assessments: a quarter on 15.1, the
// same inventory on 18.1, and a better inventory on 18.1.
func fixtures(t testing.TB, cats map[string]*attack.Catalog) map[string]*Assessment {
	return map[string]*Assessment{
		"2025-Q4.json": realAssessment(t, cats["15.1"], firstInventory, "2025-Q4", time.Date(2025, 12, 15, 9, 0, 0, 0, time.UTC), fixtureGroups...),
		"2026-Q1.json": realAssessment(t, cats["18.1"], firstInventory, "2026-Q1", time.Date(2026, 3, 16, 9, 0, 0, 0, time.UTC), fixtureGroups...),
		"2026-Q2.json": realAssessment(t, cats["18.1"], betterInventory, "2026-Q2", time.Date(2026, 6, 15, 9, 0, 0, 0, time.UTC), fixtureGroups...),
	}
}

// TestFixtures writes (with -update) and checks the committed assessments
// that the reports' golden tests and the CLI's examples read, and runs the
// trend over the three of them.
func TestFixtures(t *testing.T) {
	dir := filepath.Join("..", "testdata", "assessments")
	if *update {
		cats := realCatalogs(t)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, a := range fixtures(t, cats) {
			// The source is where the test found the bundle; the file
			// name alone reads the same on every machine.
			a.Catalog.Source = filepath.Base(a.Catalog.Source)
			if err := a.Save(filepath.Join(dir, name)); err != nil {
				t.Fatal(err)
			}
		}
	}
	var as []*Assessment
	for _, name := range []string{"2026-Q2.json", "2025-Q4.json", "2026-Q1.json"} {
		a, err := Load(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if w := checkSaved(a, a.Name()); len(w) > 0 {
			t.Errorf("%s: %q", name, w)
		}
		as = append(as, a)
	}
	tr := NewTrend(as)
	if len(tr.Points) != 3 || tr.Points[0].Label != "2025-Q4" || tr.Points[2].Label != "2026-Q2" {
		t.Fatalf("trend points %+v", tr.Points)
	}
	if tr.Points[0].Version != "15.1" || tr.Points[1].Version != "18.1" {
		t.Errorf("versions %s, %s", tr.Points[0].Version, tr.Points[1].Version)
	}
	if tr.Points[1].Delta == nil {
		t.Error("no profile Δ across ATT&CK versions")
	}
	if d := tr.Points[2].Delta; d == nil || *d <= 0 {
		t.Errorf("the better inventory: profile Δ %s, want a gain", fmtScore(d))
	}
	for _, g := range tr.Groups {
		if g.ID == "G1030" && (g.Scores[0] != nil || g.Scores[1] == nil) {
			t.Errorf("Agrius, new in 18.1: %+v", g)
		}
	}
}

// BenchmarkCompareAllGroups compares every group of 15.1 with every group
// of 18.1: the largest comparison the real data allows.
func BenchmarkCompareAllGroups(b *testing.B) {
	if _, err := os.Stat(shared); err != nil {
		b.Skipf("no ATT&CK bundles at %s", shared)
	}
	cats, err := catalogs()
	if err != nil {
		b.Fatal(err)
	}
	old := realAssessment(b, cats["15.1"], firstInventory, "15.1", day)
	new := realAssessment(b, cats["18.1"], betterInventory, "18.1", day)
	b.ResetTimer()
	for b.Loop() {
		Compare(old, new)
	}
}
