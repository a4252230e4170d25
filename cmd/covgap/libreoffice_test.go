package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"
)

// TestWorkbookMatchesJSONInLibreOffice is issue 5's "done" test end to end:
// the report made from the example inventory (title rows, names instead
// of IDs, a totals line) opens in a real spreadsheet program, and every
// group's score and counts in it equal --format json's. It skips without
// soffice (Debian: libreoffice-calc-nogui, which .ci/run installs).
func TestWorkbookMatchesJSONInLibreOffice(t *testing.T) {
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Skip("soffice not on PATH; install libreoffice-calc-nogui to open the report in LibreOffice")
	}
	if testing.Short() {
		t.Skip("starting LibreOffice takes seconds")
	}
	dir := t.TempDir()
	report := filepath.Join(dir, "report.xlsx")
	code, out, errs := covgap(t, "analyze", "--format", "json", "-o", report, repoPath("testdata", "inventory", "example.xlsx"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var res struct {
		Profile struct{ Score *float64 }
		Groups  []struct {
			ID                                                         string
			Score                                                      *float64
			Techniques, Mitigable, Covered, Partial, Gaps, Unmitigable int
		}
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	// Every sheet to its own CSV (sheet -1), raw values, with a private
	// profile so a running LibreOffice does not take the job over.
	cmd := exec.CommandContext(ctx, soffice, "-env:UserInstallation=file://"+filepath.ToSlash(filepath.Join(dir, "profile")),
		"--headless", "--norestore",
		"--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
		"--outdir", filepath.Join(dir, "csv"), report)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, msg)
	}
	f, err := os.Open(filepath.Join(dir, "csv", "report-Groups.csv"))
	if err != nil {
		t.Fatalf("LibreOffice did not export the Groups sheet: %v", err)
	}
	defer f.Close()
	cr := csv.NewReader(f)
	cr.FieldsPerRecord = -1
	rows, err := cr.ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("Groups sheet: %v, %d rows", err, len(rows))
	}
	head := rows[0]
	col := func(name string) int {
		i := slices.Index(head, name)
		if i < 0 {
			t.Fatalf("Groups sheet has no column %q: %q", name, head)
		}
		return i
	}
	byID := map[string][]string{}
	for _, r := range rows[1:] {
		if len(r) > 0 {
			byID[r[0]] = r
		}
	}
	scoreCol := -1
	for i, h := range head {
		if len(h) >= 5 && h[:5] == "Score" {
			scoreCol = i
			break
		}
	}
	if scoreCol < 0 {
		t.Fatalf("no score column in %q", head)
	}
	if len(byID) != len(res.Groups) {
		t.Errorf("LibreOffice shows %d groups, JSON has %d", len(byID), len(res.Groups))
	}
	for _, g := range res.Groups {
		r := byID[g.ID]
		if r == nil {
			t.Errorf("%s missing from the Groups sheet", g.ID)
			continue
		}
		if g.Score != nil {
			v, err := strconv.ParseFloat(r[scoreCol], 64)
			if err != nil || math.Abs(v-*g.Score) > 1e-9 {
				t.Errorf("%s: LibreOffice shows score %q, JSON %v", g.ID, r[scoreCol], *g.Score)
			}
		} else if r[scoreCol] != "" && r[scoreCol] != "n/a" {
			t.Errorf("%s: no score in JSON, %q in the workbook", g.ID, r[scoreCol])
		}
		for name, want := range map[string]int{"Techniques": g.Techniques, "Mitigable": g.Mitigable, "Covered": g.Covered,
			"Partial": g.Partial, "Gaps": g.Gaps, "Unmitigable": g.Unmitigable} {
			if got := r[col(name)]; got != strconv.Itoa(want) {
				t.Errorf("%s %s: workbook %q, JSON %d", g.ID, name, got, want)
			}
		}
	}
}
