package reports

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/covgap/covgap/analyzer"
	"github.com/covgap/covgap/attack"
	"github.com/covgap/covgap/inventory"
)

// realReport scores a small hand-written inventory against every group of
// the embedded ATT&CK 18.1: the size of report a team gets without
// --groups, and the input of the benchmark.
func realReport(tb testing.TB, assume ...string) *Report {
	tb.Helper()
	cat, err := attack.Embedded(attack.Enterprise)
	if err != nil {
		tb.Fatal(err)
	}
	inv := &inventory.Inventory{
		File: "inventory.csv", Format: "csv",
		Rows: []inventory.Row{
			{Row: 2, Control: "MFA everywhere", MitigationText: "M1032", Mitigations: []string{"M1032"}, Status: inventory.StatusImplemented, Level: 1, Notes: injections[0]},
			{Row: 3, Control: "EDR", MitigationText: "M1049", Mitigations: []string{"M1049"}, Status: inventory.StatusImplemented, Level: 1, Notes: injections[1]},
			{Row: 4, Control: "Proxy", MitigationText: "M1021", Mitigations: []string{"M1021"}, Status: inventory.StatusPartial, Level: 0.5, Notes: injections[2]},
			{Row: 5, Control: "PAM", MitigationText: "M1026", Mitigations: []string{"M1026"}, Status: inventory.StatusPartial, Coverage: ptr(0.7), Level: 0.7, Notes: injections[3]},
			{Row: 6, Control: "Segmentation", MitigationText: "M1030", Mitigations: []string{"M1030"}, Status: inventory.StatusPlanned, Level: 0},
		},
		Levels:  map[string]float64{"M1032": 1, "M1049": 1, "M1021": 0.5, "M1026": 0.7, "M1030": 0},
		Planned: map[string]bool{"M1030": true},
	}
	for _, m := range cat.Mitigations {
		if _, ok := inv.Levels[m.ID]; !ok {
			inv.NotAssessed = append(inv.NotAssessed, m.ID)
		}
	}
	res, err := analyzer.Analyze(cat, inv, analyzer.AllGroups(cat), analyzer.Options{
		Model: analyzer.ModelMax, Uses: attack.DefaultUseOptions(), Top: 10, Assume: assume,
	})
	if err != nil {
		tb.Fatal(err)
	}
	return &Report{Result: res, Inventory: inv, Catalog: cat,
		Generated: time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC), Command: "covgap analyze inventory.csv -o report.xlsx", Tool: "covgap test"}
}

func TestWorkbookRealData(t *testing.T) {
	if testing.Short() {
		t.Skip("scores all 172 groups of the embedded catalog")
	}
	r := realReport(t, "M1037")
	res := r.Result
	if len(res.Groups) != 172 {
		t.Fatalf("%d groups, want the 172 of ATT&CK 18.1", len(res.Groups))
	}
	f, raw := writeAndOpen(t, r)

	gr := rows(t, f, SheetGroups)
	if len(gr) != 173 {
		t.Fatalf("Groups sheet has %d rows, want 173", len(gr))
	}
	hs, ha := column(t, gr[0], hScore), column(t, gr[0], hAssumedScore)
	for i, g := range res.Groups {
		row := gr[i+1]
		if row[0] != g.ID {
			t.Fatalf("Groups row %d is %s, want %s", i+2, row[0], g.ID)
		}
		if g.Score == nil {
			if at(row, hs) != "n/a" {
				t.Errorf("%s: score %q, want n/a", g.ID, at(row, hs))
			}
			continue
		}
		approx(t, g.ID+" score", at(row, hs), *g.Score)
		approx(t, g.ID+" assumed score", at(row, ha), *g.AssumedScore)
		if at(row, ha+1) != strconv.Itoa(g.Techniques) || at(row, ha+5) != strconv.Itoa(g.Gaps) {
			t.Errorf("%s counts %q", g.ID, row)
		}
	}
	// The chart shows the 30 lowest of the scored groups, the first 30
	// rows of the Summary table.
	hdr := summaryHeaderRow(t, f)
	chart := string(zipPart(t, raw, "xl/charts/chart1.xml"))
	if want := fmt.Sprintf("$B$%d:$B$%d", hdr+1, hdr+chartGroups); !strings.Contains(chart, want) {
		t.Errorf("chart categories are not %s", want)
	}
	approx(t, "profile score", cell(t, f, SheetSummary, "B3"), *res.Profile.Score)
	approx(t, "assumed profile score", cell(t, f, SheetSummary, "B4"), *res.Profile.AssumedScore)

	// POLONIUM's seven techniques (shared/README) and its gap rows.
	var pol *analyzer.GroupResult
	for i := range res.Groups {
		if res.Groups[i].ID == "G1005" {
			pol = &res.Groups[i]
		}
	}
	if pol == nil || pol.Techniques < 7 {
		t.Fatalf("POLONIUM missing or short: %+v", pol)
	}
	gaps, want := 0, pol.Gaps+pol.Partial
	for _, row := range rows(t, f, SheetGaps)[1:] {
		if row[0] == "G1005" {
			gaps++
		}
	}
	if gaps != want {
		t.Errorf("Gaps sheet has %d POLONIUM rows, want %d", gaps, want)
	}
	ok, link, _ := f.GetCellHyperLink(SheetTechniques, "A2")
	if !ok || link != attack.TechniqueURL(res.Techniques[0].Technique) {
		t.Errorf("Techniques!A2 link %v %q", ok, link)
	}
	tq := rows(t, f, SheetTechniques)
	if len(tq)-1 != len(res.Techniques) {
		t.Errorf("Techniques sheet %d rows, want %d", len(tq)-1, len(res.Techniques))
	}
	for i, rec := range res.Recommendations {
		row := rows(t, f, SheetRecommendations)[i+1]
		if row[1] != rec.Mitigation || math.Abs(mustFloat(t, row[5])-rec.ScoreAfter) > 1e-9 {
			t.Errorf("recommendation %d = %q, want %s → %v", i+1, row, rec.Mitigation, rec.ScoreAfter)
		}
	}
	iv := rows(t, f, SheetInventory)
	if at(iv[1], column(t, iv[0], "Notes")) != injections[0] {
		t.Errorf("inventory note %q", iv[1])
	}
}

func mustFloat(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("%q is no number", s)
	}
	return v
}

// BenchmarkWriteWorkbookAllGroups writes the workbook of every group of the
// embedded ATT&CK 18.1 (SPEC target: ≤ 300 ms, peak RSS ≤ 150 MB).
func BenchmarkWriteWorkbookAllGroups(b *testing.B) {
	r := realReport(b)
	items := 0
	for _, g := range r.Result.Groups {
		items += len(g.Items)
	}
	b.ReportMetric(float64(items), "items")
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := WriteWorkbook(io.Discard, r); err != nil {
			b.Fatal(err)
		}
	}
}

func zipPart(t *testing.T, raw []byte, name string) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatal(err)
	}
	return zipFile(t, zr, name)
}
