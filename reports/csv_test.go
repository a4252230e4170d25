package reports

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestCSVGolden(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "groups.csv")
	w, err := ForFile(path, FileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(stable(testReportWhatIf(t))); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"groups.csv", "groups-gaps.csv"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		golden(t, name+".golden", b)
	}
	golden(t, "stdout.csv.golden", render(t, "csv", testReport(t)))
}

func TestGapsPath(t *testing.T) {
	for in, want := range map[string]string{
		"groups.csv":        "groups-gaps.csv",
		"out/Q3 report.CSV": "out/Q3 report-gaps.CSV",
		"groups":            "groups-gaps",
	} {
		if got := GapsPath(in); got != want {
			t.Errorf("GapsPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func readCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// Every number in the groups table is the Result's, unrounded; every cell
// that a spreadsheet would run as a formula is neutralised.
func TestCSVMatchesResultAndIsInert(t *testing.T) {
	r := testReport(t)
	rows := readCSV(t, render(t, "csv", r))
	if strings.Join(rows[0], ",") != strings.Join(groupsCSVHeader, ",") {
		t.Fatalf("header %v", rows[0])
	}
	if len(rows) != 1+len(r.Result.Groups) {
		t.Fatalf("%d rows for %d groups", len(rows), len(r.Result.Groups))
	}
	byID := map[string][]string{}
	for _, row := range rows[1:] {
		byID[strings.TrimPrefix(row[0], "'")] = row
	}
	for _, g := range r.Result.Groups {
		row := byID[g.ID]
		if row == nil {
			t.Fatalf("no row for %s", g.ID)
		}
		if g.Score == nil {
			if row[3] != "" {
				t.Errorf("%s: score %q, want empty", g.ID, row[3])
			}
		} else if v, err := strconv.ParseFloat(row[3], 64); err != nil || v != *g.Score {
			t.Errorf("%s: score %q, want %v", g.ID, row[3], *g.Score)
		}
		if row[9] != strconv.Itoa(g.Gaps) || row[5] != strconv.Itoa(g.Techniques) {
			t.Errorf("%s: counts %v", g.ID, row)
		}
	}
	if got := byID["G9001"][1]; got != "'"+evilGroupName {
		t.Errorf("hostile group name written as %q, want it prefixed with '", got)
	}
	gaps := &bytes.Buffer{}
	if err := writeGapsCSV(gaps, r); err != nil {
		t.Fatal(err)
	}
	for _, rows := range [][][]string{rows, readCSV(t, gaps.Bytes())} {
		for _, row := range rows {
			for _, cell := range row {
				if FormulaLike(cell) {
					t.Errorf("formula-like cell %q in %v", cell, row)
				}
			}
		}
	}
	// The gaps table holds exactly the gap and partial techniques.
	want := 0
	for _, g := range r.Result.Groups {
		want += g.Gaps + g.Partial
	}
	if n := len(readCSV(t, gaps.Bytes())) - 1; n != want {
		t.Errorf("gaps table has %d rows, want %d", n, want)
	}
}
