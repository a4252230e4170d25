package inventory

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/covgap/covgap/attack"
)

// profileCatalog is a small hand-made catalog: two groups, a revoked group
// replaced by APT29, three techniques and a revoked technique replaced by
// T1090.
func profileCatalog() *attack.Catalog {
	c := &attack.Catalog{Domain: attack.Enterprise, Version: "test",
		Techniques: []*attack.Technique{
			{ID: "T1078", Name: "Valid Accounts", Mitigations: []string{"M1032"}},
			{ID: "T1090", Name: "Proxy", Mitigations: []string{"M1020"}},
			{ID: "T1078.004", Name: "Cloud Accounts", Parent: "T1078", Mitigations: []string{"M1032"}},
		},
		Mitigations: []*attack.Mitigation{{ID: "M1020", Name: "SSL/TLS Inspection"}, {ID: "M1032", Name: "Multi-factor Authentication"}},
		Groups: []*attack.Group{
			{ID: "G0016", Name: "APT29", Aliases: []string{"APT29", "Cozy Bear"}},
			{ID: "G1005", Name: "POLONIUM", Aliases: []string{"Plaid Rain"}},
		},
		Retired: []attack.Retired{
			{Kind: attack.KindGroup, ID: "G0999", Name: "Old Bear", Revoked: true, ReplacedBy: "G0016"},
			{Kind: attack.KindTechnique, ID: "T1000", Name: "Old Proxy", Revoked: true, ReplacedBy: "T1090"},
		},
	}
	c.Index()
	return c
}

type wantEntry struct {
	group  string
	weight float64
	row    int
}

type wantProblem struct {
	sev  Severity
	row  int
	text string
}

func TestReadProfile(t *testing.T) {
	cat := profileCatalog()
	tests := []struct {
		name     string
		in       string
		format   string
		profile  string
		entries  []wantEntry
		problems []wantProblem
	}{
		{"yaml", "# our threats\nname: Q3 threats\ngroups:\n  - APT29\n  - {group: Polonium, weight: 2.5}\n  - group: G0016\n    weight: 3\n    note: again\n",
			ProfileYAML, "Q3 threats", []wantEntry{{"G0016", 1, 4}, {"G1005", 2.5, 5}, {"G0016", 3, 6}},
			[]wantProblem{{SeverityWarning, 6, "already listed in row 4"}}},
		{"yaml bare list", "- plaid rain\n- Old Bear\n", ProfileYAML, "p.txt",
			[]wantEntry{{"G1005", 1, 1}, {"G0016", 1, 2}}, []wantProblem{{SeverityWarning, 2, `"Old Bear" is revoked; using its replacement G0016`}}},
		{"json profile", `{"name": "J", "groups": [{"group": "APT29", "weight": 2}, "G1005"]}`, ProfileYAML, "J",
			[]wantEntry{{"G0016", 2, 1}, {"G1005", 1, 1}}, nil},
		{"yaml problems", "groups:\n  - APT-29x\n  - {group: G1005, weight: 0}\n  - {group: G1005, weight: many}\n  - {weight: 2}\n  - {group: G1005, priority: high}\n  - {group: G0016, weight: }\n  - [a, b]\nowner: me\n",
			ProfileYAML, "p.txt", []wantEntry{{"G1005", 1, 6}},
			[]wantProblem{
				{SeverityError, 2, `"APT-29x" names no active group`},
				{SeverityError, 3, `weight "0"`},
				{SeverityError, 4, `weight "many"`},
				{SeverityError, 5, "no group"},
				{SeverityWarning, 6, `unknown key "priority"`},
				{SeverityError, 7, "empty weight"},
				{SeverityError, 8, "neither a group"},
				{SeverityWarning, 9, `unknown key "owner"`},
			}},
		{"csv header reversed", "Weight,Group\n2,APT29\n,POLONIUM\n", ProfileCSV, "p.txt",
			[]wantEntry{{"G0016", 2, 2}, {"G1005", 1, 3}}, nil},
		{"csv no header", "APT29, 4\n\nG1005\n# a comment\nCozy Bear,1\n", ProfileCSV, "p.txt",
			[]wantEntry{{"G0016", 4, 1}, {"G1005", 1, 3}, {"G0016", 1, 5}}, []wantProblem{{SeverityWarning, 5, "already listed in row 1"}}},
		{"csv semicolons", "group;weight\nAPT29;1.5\nNobody;2\n;3\n", ProfileCSV, "p.txt",
			[]wantEntry{{"G0016", 1.5, 2}},
			[]wantProblem{{SeverityError, 3, `"Nobody" names no active group`}, {SeverityWarning, 4, "no group"}}},
		// A stray quote does not stop the file: the cell as read names no group.
		{"csv stray quote", "group,weight\nAPT \"29\",1\nG1005,2\n", ProfileCSV, "p.txt",
			[]wantEntry{{"G1005", 2, 3}}, []wantProblem{{SeverityError, 2, `"APT \"29\"" names no active group`}}},
		{"csv weights", "group,weight\nAPT29,-1\nAPT29,NaN\nAPT29,1e9\nAPT29,1e6\n", ProfileCSV, "p.txt",
			[]wantEntry{{"G0016", 1e6, 5}},
			[]wantProblem{{SeverityError, 2, "above 0"}, {SeverityError, 3, "above 0"}, {SeverityError, 4, "above 0"}}},
		{"layer", `{"name": "Our view", "domain": "mobile-attack", "techniques": [
			{"techniqueID": "T1078", "score": 0},
			{"techniqueID": "T1078", "tactic": "persistence", "score": 0},
			{"techniqueID": "T1090", "enabled": false, "color": "#ff0000"},
			{"techniqueID": "T1078.004", "color": ""},
			{"techniqueID": "T1000", "color": "#00ff00"},
			{"techniqueID": "T9999", "score": 5},
			{"score": 5},
			{"techniqueID": "T1078.004", "score": null, "comment": "no score, no colour"}
		]}`, ProfileNavigator, "Our view", []wantEntry{{"LAYER-OUR-VIEW", 1, 0}},
			[]wantProblem{
				{SeverityWarning, 0, "the layer is for mobile-attack"},
				{SeverityWarning, 0, `"Old Proxy" is revoked; using its replacement T1090`},
				{SeverityError, 0, `"T9999" names no active technique`},
				{SeverityError, 0, "no techniqueID"},
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tp, err := ReadProfile(strings.NewReader(tc.in), "p.txt", cat)
			if err != nil {
				t.Fatal(err)
			}
			if tp.Format != tc.format || tp.Name != tc.profile {
				t.Errorf("format %q name %q, want %q %q", tp.Format, tp.Name, tc.format, tc.profile)
			}
			var got []wantEntry
			for _, e := range tp.Entries {
				got = append(got, wantEntry{e.Group.ID, e.Weight, e.Row})
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.entries) {
				t.Errorf("entries = %v, want %v", got, tc.entries)
			}
			if len(tp.Problems) != len(tc.problems) {
				t.Errorf("problems = %+v, want %d", tp.Problems, len(tc.problems))
			}
			for i := 0; i < len(tp.Problems) && i < len(tc.problems); i++ {
				p, w := tp.Problems[i], tc.problems[i]
				if p.Severity != w.sev || p.Row != w.row || !strings.Contains(p.Message, w.text) || p.File != "p.txt" {
					t.Errorf("problem %d = %+v, want %s row %d %q", i, p, w.sev, w.row, w.text)
				}
			}
		})
	}
}

func TestReadProfileLayerGroup(t *testing.T) {
	tp, err := ReadProfile(strings.NewReader(`{"name": "Q3: ransomware & co.", "techniques": [
		{"techniqueID": "T1090", "score": 50}, {"techniqueID": "t1078", "color": "#fff"}, {"techniqueID": "T1000", "score": 1}]}`), "l.json", profileCatalog())
	if err != nil {
		t.Fatal(err)
	}
	g := tp.Entries[0].Group
	var uses []string
	for _, u := range g.Uses {
		if !u.Direct {
			t.Errorf("use %+v is not direct", u)
		}
		uses = append(uses, u.Technique)
	}
	if g.ID != "LAYER-Q3-RANSOMWARE-CO" || g.Name != "Q3: ransomware & co." || fmt.Sprint(uses) != "[T1078 T1090]" {
		t.Errorf("custom group = %s %q %v", g.ID, g.Name, uses)
	}
	if id := layerGroupID(""); id != "LAYER" {
		t.Errorf("unnamed layer ID = %q", id)
	}
	if id := layerGroupID(strings.Repeat("x", 100)); len(id) != len("LAYER-")+40 {
		t.Errorf("long layer ID = %q", id)
	}
}

func TestReadProfileRejects(t *testing.T) {
	cat := profileCatalog()
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "is empty"},
		{"blank", " \n\t\n", "is empty"},
		{"comments only", "# nothing\n", "names no groups"},
		{"not utf-8", "APT29\xff\xfe,1\n", "not UTF-8"},
		{"yaml syntax", "groups:\n  - [APT29\n", "not a valid YAML"},
		{"yaml no groups", "name: x\n", "no `groups:` list"},
		{"yaml groups not list", "groups: APT29\n", "must be a list"},
		{"yaml empty list", "groups: []\n", "names no groups"},
		{"layer bad techniques", `{"techniques": 5}`, "not a valid ATT&CK Navigator layer"},
		{"layer nothing scored", `{"name": "x", "techniques": [{"techniqueID": "T1078"}]}`, ""},
		{"too large", "- APT29\n" + strings.Repeat("#", maxProfileBytes), "larger than 16 MiB"},
	}
	for _, tc := range tests {
		tp, err := ReadProfile(strings.NewReader(tc.in), "bad.yaml", cat)
		if tc.want == "" {
			// A layer with nothing to score is read, with an error problem.
			if err != nil || len(tp.Entries) != 0 || len(tp.Problems) != 1 || tp.Problems[0].Severity != SeverityError {
				t.Errorf("%s: %v %+v", tc.name, err, tp)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "bad.yaml") {
			t.Errorf("%s: err = %v, want one starting with the file and saying %q", tc.name, err, tc.want)
		}
	}
	if _, err := ReadProfile(strings.NewReader("APT29"), "x", nil); err == nil {
		t.Error("a nil catalog must be an error")
	}
}

// The real Navigator layer of ../shared against the embedded ATT&CK 18.1:
// the layer is for ATT&CK 17, so some techniques may be gone, but every
// enabled, coloured technique that 18.1 holds must be a use.
func TestReadProfileRealLayer(t *testing.T) {
	data, err := os.ReadFile("../../shared/navigator/layer-example-attack17.json")
	if err != nil {
		t.Skipf("../shared is not available: %v", err)
	}
	cat, err := attack.Embedded("enterprise")
	if err != nil {
		t.Skipf("embedded catalog not available: %v", err)
	}
	tp, err := ReadProfile(bytes.NewReader(data), "layer-example-attack17.json", cat)
	if err != nil {
		t.Fatal(err)
	}
	if tp.Format != ProfileNavigator || tp.Name != "March 2026 Enterprise Updates" || len(tp.Entries) != 1 {
		t.Fatalf("profile = %+v", tp)
	}
	g := tp.Entries[0].Group
	if g.ID != "LAYER-MARCH-2026-ENTERPRISE-UPDATES" || len(g.Uses) < 600 || len(g.Uses) > 679 {
		t.Errorf("custom group %s has %d uses, want 600–679 (679 distinct techniques in the layer)", g.ID, len(g.Uses))
	}
	errs := 0
	for _, p := range tp.Problems {
		if p.Severity == SeverityError {
			errs++
		}
	}
	if len(g.Uses)+errs > 679 {
		t.Errorf("%d uses and %d unknown techniques exceed the layer's 679", len(g.Uses), errs)
	}
}

func FuzzReadProfile(f *testing.F) {
	for _, s := range []string{
		"name: x\ngroups:\n  - APT29\n  - {group: G1005, weight: 2}\n",
		"- APT29\n- Old Bear\n",
		"group,weight\nAPT29,2\n",
		"APT29;3\nPOLONIUM\n",
		`{"name": "l", "techniques": [{"techniqueID": "T1078", "score": 1}, {"techniqueID": "T1000", "color": "#fff"}]}`,
		`{"groups": ["APT29"]}`,
		"groups:\n  - &a APT29\n  - *a\n",
		"\xef\xbb\xbfgroup\tweight\nAPT29\t1e6\n",
		"",
	} {
		f.Add(s)
	}
	cat := profileCatalog()
	f.Fuzz(func(t *testing.T, in string) {
		tp, err := ReadProfile(strings.NewReader(in), "fuzz", cat)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz") || !utf8.ValidString(err.Error()) {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for _, e := range tp.Entries {
			if e.Group == nil || !(e.Weight > 0) || e.Weight > maxWeight || math.IsInf(e.Weight, 0) {
				t.Fatalf("bad entry %+v", e)
			}
		}
		for _, p := range tp.Problems {
			if p.File != "fuzz" || p.Message == "" || (p.Severity != SeverityError && p.Severity != SeverityWarning) {
				t.Fatalf("bad problem %+v", p)
			}
		}
	})
}

// The example profiles under testdata/profiles read cleanly against the
// embedded ATT&CK 18.1, so the README's examples keep working.
func TestReadProfileExamples(t *testing.T) {
	cat, err := attack.Embedded("enterprise")
	if err != nil {
		t.Skipf("embedded catalog not available: %v", err)
	}
	tests := []struct {
		file, format, name string
		groups             []string
		uses               int // of the layer's custom group
	}{
		{"middle-east.yaml", ProfileYAML, "Middle East focus", []string{"G1005", "G0049", "G0069", "G0064"}, 0},
		{"ransomware.csv", ProfileCSV, "ransomware.csv", []string{"G0102", "G1015", "G0046", "G0032"}, 0},
		// T1078 twice (two tactics), T1486 disabled, T1021.001 neither scored nor coloured.
		{"layer.json", ProfileNavigator, "Red team Q3 findings", []string{"LAYER-RED-TEAM-Q3-FINDINGS"}, 5},
	}
	for _, tc := range tests {
		f, err := os.Open("../testdata/profiles/" + tc.file)
		if err != nil {
			t.Fatal(err)
		}
		tp, err := ReadProfile(f, tc.file, cat)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, e := range tp.Entries {
			ids = append(ids, e.Group.ID)
		}
		if tp.Format != tc.format || tp.Name != tc.name || fmt.Sprint(ids) != fmt.Sprint(tc.groups) || len(tp.Problems) != 0 {
			t.Errorf("%s: %s %q %v problems %+v", tc.file, tp.Format, tp.Name, ids, tp.Problems)
		}
		if tc.uses > 0 && len(tp.Entries[0].Group.Uses) != tc.uses {
			t.Errorf("%s: %d uses, want %d", tc.file, len(tp.Entries[0].Group.Uses), tc.uses)
		}
	}
}
