package reports

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

func writeDir(t *testing.T, r *Report, format string) (string, []string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "out") + "/"
	w, err := ForFile(dir, FileOptions{Format: format})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(stable(r)); err != nil {
		t.Fatal(err)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return dir, names
}

func TestLayersGolden(t *testing.T) {
	dir, names := writeDir(t, testReport(t), "")
	want := "G0016-APT29.json G1005-POLONIUM.json G9001-cmd-C-notepad-A1.json profile.json"
	if got := strings.Join(names, " "); got != want {
		t.Fatalf("layer files %s, want %s", got, want)
	}
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		golden(t, filepath.Join("layers", n+".golden"), b)
	}
	// -o X.layer.json is the profile's layer.
	path := filepath.Join(t.TempDir(), "x.layer.json")
	w, _ := ForFile(path, FileOptions{})
	if err := w.Write(stable(testReport(t))); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(path)
	b, _ := os.ReadFile(filepath.Join(dir, "profile.json"))
	if string(a) != string(b) {
		t.Error("x.layer.json differs from the directory's profile.json")
	}
}

// kind names a JSON value's type the way the layer format documents it.
func kind(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "boolean"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	case nil:
		return "null"
	}
	return "?"
}

// Every layer has the fields of layer format 4.5 with the right types; where
// MITRE's example layer has a field, ours has the same type; techniques name
// valid tactics of the domain and carry scores only when mitigable.
func TestLayersStructure(t *testing.T) {
	r := testReport(t)
	dir, names := writeDir(t, r, "")
	tactics := map[string]bool{}
	for _, ta := range r.Catalog.Tactics {
		tactics[ta.ShortName] = true
	}
	var example map[string]any
	if b, err := os.ReadFile("../../shared/navigator/layer-example-attack17.json"); err == nil {
		if err := json.Unmarshal(b, &example); err != nil {
			t.Fatal(err)
		}
	} else {
		t.Logf("no example layer to compare with (%v); checking the documented fields only", err)
	}
	required := map[string]string{
		"name": "string", "versions": "object", "domain": "string", "description": "string",
		"techniques": "array", "gradient": "object", "legendItems": "array", "metadata": "array",
		"layout": "object", "sorting": "number", "hideDisabled": "boolean",
		"showTacticRowBackground": "boolean", "selectSubtechniquesWithParent": "boolean",
		"selectTechniquesAcrossTactics": "boolean",
	}
	for _, n := range names {
		b, _ := os.ReadFile(filepath.Join(dir, n))
		var l map[string]any
		if err := json.Unmarshal(b, &l); err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		for k, want := range required {
			if got := kind(l[k]); got != want {
				t.Errorf("%s: %s is %s, want %s", n, k, got, want)
			}
		}
		for k, v := range example {
			if lv, ok := l[k]; ok && k != "techniques" && kind(lv) != kind(v) {
				t.Errorf("%s: %s is %s, the example's is %s", n, k, kind(lv), kind(v))
			}
		}
		v := l["versions"].(map[string]any)
		if v["layer"] != "4.5" || v["navigator"] != "5.1.0" || v["attack"] != "18.1" {
			t.Errorf("%s: versions %v", n, v)
		}
		if l["domain"] != "enterprise-attack" {
			t.Errorf("%s: domain %v", n, l["domain"])
		}
		if l["selectSubtechniquesWithParent"] != false {
			t.Errorf("%s: selectSubtechniquesWithParent must be false: a parent's coverage says nothing of its sub-techniques'", n)
		}
		g := l["gradient"].(map[string]any)
		if cs := g["colors"].([]any); len(cs) < 2 || g["minValue"].(float64) != 0 || g["maxValue"].(float64) != 100 {
			t.Errorf("%s: gradient %v", n, g)
		}
		for _, li := range l["legendItems"].([]any) {
			m := li.(map[string]any)
			if kind(m["label"]) != "string" || !strings.HasPrefix(m["color"].(string), "#") {
				t.Errorf("%s: legend item %v", n, m)
			}
		}
		var exampleTech map[string]any
		if ts, ok := example["techniques"].([]any); ok && len(ts) > 0 {
			exampleTech = ts[0].(map[string]any)
		}
		techs := l["techniques"].([]any)
		if len(techs) == 0 {
			t.Errorf("%s: no techniques", n)
		}
		for _, te := range techs {
			m := te.(map[string]any)
			for k, v := range exampleTech {
				// color is optional: a scored technique takes the gradient's.
				if mv, ok := m[k]; (ok || k != "color") && kind(mv) != kind(v) {
					t.Errorf("%s: technique %v: %s is %s, the example's is %s", n, m["techniqueID"], k, kind(m[k]), kind(v))
				}
			}
			id, _ := m["techniqueID"].(string)
			if !strings.HasPrefix(id, "T") {
				t.Errorf("%s: techniqueID %v", n, m["techniqueID"])
			}
			if !tactics[m["tactic"].(string)] {
				t.Errorf("%s: %s: tactic %v is not a tactic of the domain", n, id, m["tactic"])
			}
			state := ""
			for _, md := range m["metadata"].([]any) {
				mm := md.(map[string]any)
				if kind(mm["name"]) != "string" || kind(mm["value"]) != "string" {
					t.Errorf("%s: %s: metadata %v", n, id, mm)
				}
				if mm["name"] == "state" {
					state = mm["value"].(string)
				}
			}
			score, scored := m["score"].(float64)
			switch {
			case state == "unmitigable":
				if scored || m["color"] != unmitigableColour {
					t.Errorf("%s: unmitigable %s has score %v, colour %v", n, id, m["score"], m["color"])
				}
			case !scored || score < 0 || score > 100 || m["color"] != nil:
				t.Errorf("%s: %s (%s) has score %v, colour %v", n, id, state, m["score"], m["color"])
			}
		}
	}
}

// One entry per tactic of a technique: T1078 has four in ATT&CK.
func TestLayerOneEntryPerTactic(t *testing.T) {
	r := testReport(t)
	l := groupLayer(r, &r.Result.Groups[0])
	var tacs []string
	for _, te := range l.Techniques {
		if te.TechniqueID == "T1078" {
			tacs = append(tacs, te.Tactic)
		}
	}
	if got := strings.Join(tacs, ","); got != "initial-access,persistence,privilege-escalation,defense-evasion" {
		t.Errorf("T1078 entries for tactics %s", got)
	}
	// Without tactics on the item or a catalog, one entry that the
	// Navigator shows under every tactic.
	r.Catalog = nil
	g := r.Result.Groups[0]
	g.Items = append(g.Items[:0:0], g.Items...)
	for i := range g.Items {
		g.Items[i].Tactics = nil
	}
	if l := groupLayer(r, &g); len(l.Techniques) != len(g.Items) || l.Techniques[0].Tactic != "" {
		t.Errorf("without tactics: %d entries for %d items", len(l.Techniques), len(g.Items))
	}
}
