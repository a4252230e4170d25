package reports

import (
	"context"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestWorkbookInLibreOffice opens the workbook with a real spreadsheet
// program: LibreOffice converts every sheet to CSV, which shows what a user
// would see. The injected notes must come out as the literal text (an
// evaluated =HYPERLINK would show "y", @SUM(1+1) would show 2, -2+3 would
// show 1) and the scores must be the Result's.
//
// It needs soffice (Debian: libreoffice-calc-nogui, LibreOffice ≥ 7.2 for
// the all-sheets export) and skips without it.
func TestWorkbookInLibreOffice(t *testing.T) {
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Skip("soffice not on PATH; install libreoffice-calc-nogui to open the workbook in LibreOffice")
	}
	if testing.Short() {
		t.Skip("starting LibreOffice takes seconds")
	}
	dir := t.TempDir()
	r := testReport(t)
	w, err := NewWorkbook(filepath.Join(dir, "report.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(r); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	// A private profile, so that a LibreOffice already running (or another
	// test binary converting at the same time) does not take the job over.
	// Filter options: comma, double quote, UTF-8, from line 1, standard
	// cell format, values rather than formulas, and sheet -1: every sheet
	// to its own file, report-<Sheet>.csv.
	cmd := exec.CommandContext(ctx, soffice,
		"-env:UserInstallation=file://"+filepath.ToSlash(filepath.Join(dir, "profile")),
		"--headless", "--norestore",
		"--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
		"--outdir", filepath.Join(dir, "csv"), filepath.Join(dir, "report.xlsx"))
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	t.Logf("LibreOffice conversion took %v", time.Since(start).Round(time.Millisecond))

	read := func(sheet string) [][]string {
		t.Helper()
		data, err := os.ReadFile(filepath.Join(dir, "csv", "report-"+sheet+".csv"))
		if err != nil {
			t.Fatalf("LibreOffice did not export sheet %s: %v\n%s", sheet, err, out)
		}
		cr := csv.NewReader(strings.NewReader(string(data)))
		cr.FieldsPerRecord = -1
		recs, err := cr.ReadAll()
		if err != nil {
			t.Fatalf("%s.csv: %v", sheet, err)
		}
		return recs
	}
	for _, sheet := range []string{SheetSummary, SheetGroups, SheetTactics, SheetGaps, SheetTechniques, SheetRecommendations, SheetInventory, SheetMethod} {
		if recs := read(sheet); len(recs) < 2 {
			t.Errorf("sheet %s came out of LibreOffice with %d rows", sheet, len(recs))
		}
	}

	inv := read(SheetInventory)
	notes := column(t, inv[0], "Notes")
	for i, want := range injections {
		got := at(inv[i+1], notes)
		// LibreOffice's CSV export keeps a leading CR inside the quoted
		// field and Go's CSV reader folds \r\n; compare the visible text
		// after the control character, which is where a formula would be.
		if strings.TrimLeft(got, "\r\t") != strings.TrimLeft(want, "\r\t") {
			t.Errorf("LibreOffice shows note %d as %q, want %q literally", i+1, got, want)
		}
	}
	groups := read(SheetGroups)
	if got := at(groupRow(t, groups, "G9001"), 2); got != evilGroupName {
		t.Errorf("LibreOffice shows the hostile group name as %q", got)
	}
	for _, g := range r.Result.Groups {
		row := groupRow(t, groups, g.ID)
		if g.Score == nil {
			continue
		}
		v, err := strconv.ParseFloat(at(row, 4), 64)
		if err != nil || abs(v-*g.Score) > 1e-9 {
			t.Errorf("LibreOffice shows %s's score as %q, want %v", g.ID, at(row, 4), *g.Score)
		}
	}
	sum := read(SheetSummary)
	if v, err := strconv.ParseFloat(at(sum[2], 2), 64); err != nil || abs(v-*r.Result.Profile.Score) > 1e-9 {
		t.Errorf("LibreOffice shows the profile score as %q, want %v", at(sum[2], 2), *r.Result.Profile.Score)
	}
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}
