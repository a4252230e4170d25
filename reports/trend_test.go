package reports

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/covgap/covgap/assessment"
)

func exampleTrend(t testing.TB) *assessment.Trend {
	// Given out of order: the trend sorts by date.
	return assessment.NewTrend(loadAssessments(t, "2026-Q2.json", "2025-Q4.json", "2026-Q1.json"))
}

func TestTrendGolden(t *testing.T) {
	tr := exampleTrend(t)
	for _, f := range []struct{ format, ext string }{{"table", "txt"}, {"markdown", "md"}, {"json", "json"}} {
		t.Run(f.format, func(t *testing.T) {
			var b bytes.Buffer
			if err := WriteTrend(&b, f.format, tr); err != nil {
				t.Fatal(err)
			}
			golden(t, "trend."+f.ext, b.Bytes())
			s := b.String()
			if i, j := strings.Index(s, "2025-Q4"), strings.Index(s, "2026-Q2"); i < 0 || j < i {
				t.Errorf("assessments not in date order:\n%s", s)
			}
		})
	}
}

func TestTrendWorkbook(t *testing.T) {
	tr := exampleTrend(t)
	path := filepath.Join(t.TempDir(), "trend.xlsx")
	if err := WriteTrendFile(path, tr); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := strings.Join(f.GetSheetList(), ","); got != SheetTrend+","+SheetTrendGroups {
		t.Errorf("sheets %q", got)
	}
	rows, err := f.GetRows(SheetTrend)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 || rows[1][0] != "2025-Q4" || rows[3][0] != "2026-Q2" || rows[1][6] != "" {
		t.Errorf("Trend rows %q", rows)
	}
	// Agrius (new in 18.1) is among the lowest groups: its 15.1 cell is
	// empty, so the line has a gap there rather than a fall to 0.
	agrius := -1
	for i, h := range rows[0] {
		if strings.HasPrefix(h, "G1030 ") {
			agrius = i
		}
	}
	if agrius < 0 {
		t.Fatalf("Agrius not charted: %q", rows[0])
	}
	if len(rows[1]) > agrius && rows[1][agrius] != "" {
		t.Errorf("Agrius in 15.1: %q", rows[1][agrius])
	}

	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatal(err)
	}
	chart := ""
	for _, zf := range zr.File {
		if strings.HasPrefix(zf.Name, "xl/charts/chart") {
			rc, _ := zf.Open()
			data, _ := io.ReadAll(rc)
			rc.Close()
			chart = string(data)
		}
	}
	if !strings.Contains(chart, "<lineChart>") {
		t.Fatalf("no line chart in the workbook: %.300s", chart)
	}
	// The profile and the lowest groups (all four here) are the series.
	if n := strings.Count(chart, "<ser>"); n != 5 {
		t.Errorf("%d series, want the profile and 4 groups", n)
	}
}

func TestTrendFormatErrors(t *testing.T) {
	tr := exampleTrend(t)
	if err := WriteTrend(&bytes.Buffer{}, "xml", tr); err == nil {
		t.Error("xml format accepted")
	}
	if err := WriteTrendFile(filepath.Join(t.TempDir(), "trend.csv"), tr); err == nil {
		t.Error(".csv file accepted")
	}
}

// TestSameDayUnlabelled: assessments of one day saved without a label are
// told apart by their time in the trend's columns and compare's Old/New
// lines, and the time is not repeated after a name that already is it.
func TestSameDayUnlabelled(t *testing.T) {
	as := loadAssessments(t, "2026-Q1.json", "2026-Q2.json")
	for i, a := range as {
		a.Label = ""
		a.Created = time.Date(2026, 12, 4, 9, 30+i, 0, 0, time.UTC)
	}
	var b bytes.Buffer
	if err := WriteTrend(&b, "table", assessment.NewTrend(as)); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"2026-12-04 09:30 UTC: ATT&CK 18.1", "2026-12-04 09:31 UTC: ATT&CK 18.1", "│ 2026-12-04 09:31 UTC │"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("trend lacks %q:\n%s", want, b.String())
		}
	}
	b.Reset()
	if err := WriteComparison(&b, "table", assessment.Compare(as[0], as[1])); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Old: 2026-12-04 09:30 UTC (ATT&CK", "New: 2026-12-04 09:31 UTC (ATT&CK"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("compare lacks %q:\n%s", want, b.String())
		}
	}
}
