package reports

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/covgap/covgap/assessment"
)

// loadAssessments reads the committed example assessments (made by
// go test ./assessment -run Fixtures -update from ATT&CK 15.1 and 18.1).
func loadAssessments(t testing.TB, names ...string) []*assessment.Assessment {
	t.Helper()
	var out []*assessment.Assessment
	for _, n := range names {
		a, err := assessment.Load(filepath.Join("..", "testdata", "assessments", n))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}

// comparisons are the two quarters of the examples: the same inventory on
// ATT&CK 15.1 and 18.1, then a better inventory on 18.1.
func comparisons(t testing.TB) map[string]*assessment.Comparison {
	as := loadAssessments(t, "2025-Q4.json", "2026-Q1.json", "2026-Q2.json")
	return map[string]*assessment.Comparison{
		"attack":    assessment.Compare(as[0], as[1]),
		"inventory": assessment.Compare(as[1], as[2]),
	}
}

func TestComparisonGolden(t *testing.T) {
	for name, c := range comparisons(t) {
		for _, f := range []struct{ format, ext string }{{"table", "txt"}, {"markdown", "md"}, {"json", "json"}} {
			t.Run(name+"/"+f.format, func(t *testing.T) {
				var b bytes.Buffer
				if err := WriteComparison(&b, f.format, c); err != nil {
					t.Fatal(err)
				}
				golden(t, "compare-"+name+"."+f.ext, b.Bytes())
			})
		}
	}
}

// TestComparisonContent checks what the goldens must say, so that an
// -update cannot quietly bless a report that lost it.
func TestComparisonContent(t *testing.T) {
	cs := comparisons(t)
	for _, tc := range []struct {
		name, format string
		want         []string
	}{
		{"attack", "table", []string{"2025-Q4 (2025-12-15 09:00 UTC, ATT&CK enterprise-attack 15.1", "Δ inventory",
			"T1078 Valid Accounts gained mitigation M1032 Multi-factor Authentication in ATT&CK 18.1",
			"G1030 Agrius is new in ATT&CK 18.1 (not in ATT&CK 15.1)", "moved no coverage"}},
		{"attack", "markdown", []string{"# Coverage change: 2025-Q4 → 2026-Q1", "### G1005 POLONIUM: ",
			"ATT&CK: T1078 Valid Accounts gained mitigation M1032", "## Method"}},
		{"inventory", "table", []string{"Inventory changes", "M1037", "not assessed", "100%"}},
		{"inventory", "markdown", []string{"## Inventory changes", "every Δ is the inventory's"}},
	} {
		var b bytes.Buffer
		if err := WriteComparison(&b, tc.format, cs[tc.name]); err != nil {
			t.Fatal(err)
		}
		for _, w := range tc.want {
			if !strings.Contains(b.String(), w) {
				t.Errorf("%s %s lacks %q", tc.name, tc.format, w)
			}
		}
	}

	var b bytes.Buffer
	if err := WriteComparison(&b, "json", cs["attack"]); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Groups []struct {
			ID             string   `json:"id"`
			Name           string   `json:"name"`
			Before         *float64 `json:"before"`
			After          *float64 `json:"after"`
			Delta          *float64 `json:"delta"`
			DeltaInventory *float64 `json:"delta_inventory"`
			DeltaAttack    *float64 `json:"delta_attack"`
			Changes        []any    `json:"changes"`
		} `json:"groups"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Groups) != 4 {
		t.Fatalf("%d groups", len(doc.Groups))
	}
	for _, g := range doc.Groups {
		if g.ID == "G1030" {
			if g.Before != nil || g.After == nil || g.Delta != nil {
				t.Errorf("Agrius, new in 18.1: %+v", g)
			}
			continue
		}
		if g.Delta == nil || *g.Delta != *g.DeltaInventory+*g.DeltaAttack || *g.DeltaInventory != 0 {
			t.Errorf("%s: delta %v, inventory %v, attack %v", g.ID, g.Delta, g.DeltaInventory, g.DeltaAttack)
		}
	}
}

func TestComparisonFormatErrors(t *testing.T) {
	c := comparisons(t)["attack"]
	if err := WriteComparison(&bytes.Buffer{}, "csv", c); err == nil || !strings.Contains(err.Error(), "table, json, markdown") {
		t.Errorf("csv format: %v", err)
	}
	path := filepath.Join(t.TempDir(), "delta.pdf")
	if err := WriteComparisonFile(path, c); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("pdf file: %v", err)
	}
}

func TestComparisonWorkbook(t *testing.T) {
	c := comparisons(t)["attack"]
	path := filepath.Join(t.TempDir(), "delta.xlsx")
	if err := WriteComparisonFile(path, c); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := []string{SheetDeltas, SheetCauses, SheetInventoryChanges, SheetCompareMethod}
	if got := f.GetSheetList(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("sheets %q, want %q", got, want)
	}
	cell := func(sheet, ref string) string {
		v, err := f.GetCellValue(sheet, ref)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if cell(SheetDeltas, "B2") != "Whole profile" || cell(SheetDeltas, "A3") != "G0016" {
		t.Errorf("Deltas rows: %q, %q", cell(SheetDeltas, "B2"), cell(SheetDeltas, "A3"))
	}
	// Scores show one decimal, the profile's too.
	if got := cell(SheetDeltas, "D2") + " " + cell(SheetDeltas, "E2"); got != "52.4 51.9" {
		t.Errorf("profile before/after %q, want 52.4 51.9", got)
	}
	// Row of POLONIUM: Δ inventory 0, Δ ATT&CK = Δ.
	rows, err := f.GetRows(SheetDeltas)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range rows {
		if r[0] == "G1005" {
			found = true
			if r[6] != "0.0" || r[5] != r[7] {
				t.Errorf("POLONIUM row %q", r)
			}
		}
	}
	if !found {
		t.Error("no POLONIUM row")
	}
	cf, err := f.GetConditionalFormats(SheetDeltas)
	if err != nil {
		t.Fatal(err)
	}
	if len(cf) != 1 {
		t.Errorf("conditional formats %v, want the red/green Δ colours", cf)
	}
	for _, opts := range cf {
		if len(opts) != 2 || opts[0].Criteria != "less than" || opts[1].Criteria != "greater than" {
			t.Errorf("Δ colours %+v", opts)
		}
	}
	causes, err := f.GetRows(SheetCauses)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, g := range c.Groups {
		n += len(g.Changes)
	}
	if len(causes) != n+1 {
		t.Errorf("Causes has %d rows, want every change (%d) and a header", len(causes), n)
	}
	method, _ := f.GetRows(SheetCompareMethod)
	text := ""
	for _, r := range method {
		text += strings.Join(r, "|") + "\n"
	}
	for _, w := range []string{"ATT&CK version|15.1|18.1", "Δ_inventory = mid − before"} {
		if !strings.Contains(text, w) {
			t.Errorf("Method sheet lacks %q:\n%s", w, text)
		}
	}
	link, url, _ := f.GetCellHyperLink(SheetDeltas, "A3")
	if !link || url != "https://attack.mitre.org/groups/G0016/" {
		t.Errorf("A3 link %t %q", link, url)
	}
}

// TestComparisonWorkbookFormulaText: text from an assessment file that a
// spreadsheet would run stays text.
func TestComparisonWorkbookFormulaText(t *testing.T) {
	as := loadAssessments(t, "2026-Q1.json", "2026-Q2.json")
	as[1].Groups[0].Name = `=HYPERLINK("http://evil.example","click")`
	as[1].Label = "+cmd|' /C calc'!A0"
	c := assessment.Compare(as[0], as[1])
	var b bytes.Buffer
	if err := WriteComparisonWorkbook(&b, c); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, ref := range []struct{ sheet, cell, want string }{
		{SheetDeltas, "B3", as[1].Groups[0].Name},
		{SheetCompareMethod, "C2", as[1].Label},
	} {
		v, _ := f.GetCellValue(ref.sheet, ref.cell)
		formula, _ := f.GetCellFormula(ref.sheet, ref.cell)
		if v != ref.want || formula != "" {
			t.Errorf("%s!%s = %q (formula %q), want the text %q", ref.sheet, ref.cell, v, formula, ref.want)
		}
	}
}
