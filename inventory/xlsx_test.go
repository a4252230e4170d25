package inventory

import (
	"bytes"
	"context"
	"encoding/csv"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// sheetSpec is one worksheet of a test workbook: cells by reference, and
// the references to format as percentages.
type sheetSpec struct {
	name    string
	cells   map[string]any
	percent []string
}

func workbook(t testing.TB, sheets ...sheetSpec) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	pctStyle, err := f.NewStyle(&excelize.Style{NumFmt: 9}) // 0%
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", s.name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(s.name); err != nil {
			t.Fatal(err)
		}
		for ref, v := range s.cells {
			if err := f.SetCellValue(s.name, ref, v); err != nil {
				t.Fatal(err)
			}
		}
		for _, ref := range s.percent {
			if err := f.SetCellStyle(s.name, ref, ref, pctStyle); err != nil {
				t.Fatal(err)
			}
		}
	}
	var b bytes.Buffer
	if _, err := f.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestReadXLSX(t *testing.T) {
	cat := enterprise(t)
	notes := sheetSpec{name: "Read me", cells: map[string]any{"A1": "This workbook lists our controls.", "A2": "See the Controls sheet."}}
	controls := sheetSpec{name: "Controls", cells: map[string]any{
		"A1": "ACME security controls", "A2": "Owner: CISO office",
		"A4": "Control", "B4": "ATT&CK Mitigation(s)", "C4": "Implementation Status", "D4": "Effectiveness", "E4": "Scope",
		"A5": "Okta MFA", "B5": "M1032", "C5": "Implemented", "D5": 0.75, "E5": 0.5,
		"A6": "Phishing training", "B6": "user training", "C6": "Partial",
		// row 7 left empty: it is absent from the file, and row 8 must stay row 8
		"A8": "Proxy", "B8": "M1021; M1037", "C8": "yes", "D8": 1,
		"A9": "Typo", "B9": "M1099", "C9": "yes",
		"A10": "Total", "D10": 0.9,
		"G4": "Notes", "G5": "0.755 shown as 76%", "A11": "Vault", "B11": "M1026", "C11": "partial", "D11": 0.755, "E11": "40%",
		"F4": "Last Reviewed", "F5": time.Date(2026, 9, 12, 0, 0, 0, 0, time.UTC), "F6": "last spring", "F8": 46000,
	}, percent: []string{"D5", "E5", "D8", "D10", "D11"}}
	other := sheetSpec{name: "Old", cells: map[string]any{"A1": "Mitigation", "B1": "Status", "A2": "M1017", "B2": "no"}}
	data := workbook(t, notes, controls, other)

	inv, err := Read(bytes.NewReader(data), "controls.xlsx", cat, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if inv.Format != FormatXLSX || inv.Sheet != "Controls" {
		t.Errorf("format %q sheet %q, want xlsx Controls", inv.Format, inv.Sheet)
	}
	// D11 holds 0.755 under a 0% format: the level is exact, not 0.76.
	want := map[string]float64{"M1032": 0.375, "M1017": 0.5, "M1021": 1, "M1037": 1, "M1026": 0.755 * 0.4}
	for id, w := range want {
		if math.Abs(inv.Levels[id]-w) > 1e-9 {
			t.Errorf("%s level %v, want %v", id, inv.Levels[id], w)
		}
	}
	if len(inv.Levels) != len(want) {
		t.Errorf("levels %v", inv.Levels)
	}
	p := findProblem(inv, SeverityError, 9, "M1099")
	if p == nil || p.Sheet != "Controls" || p.Column != "ATT&CK Mitigation(s)" || p.File != "controls.xlsx" {
		t.Errorf("want an error at Controls!B9:\n%s", problemsText(inv))
	}
	if findProblem(inv, SeverityWarning, 10, "totals") == nil {
		t.Errorf("no totals warning on row 10:\n%s", problemsText(inv))
	}
	// A date cell reads as an ISO date; text and plain numbers stay as written.
	if got := []string{inv.Rows[0].Reviewed, inv.Rows[1].Reviewed, inv.Rows[2].Reviewed}; !reflect.DeepEqual(got, []string{"2026-09-12", "last spring", "46000"}) {
		t.Errorf("reviewed %q", got)
	}
	var rows []int
	for _, r := range inv.Rows {
		rows = append(rows, r.Row)
	}
	if !reflect.DeepEqual(rows, []int{5, 6, 8, 9, 11}) {
		t.Errorf("rows %v, want [5 6 8 9 11]", rows)
	}

	// --sheet picks another sheet, whatever its case.
	inv, err = Read(bytes.NewReader(data), "controls.xlsx", cat, Options{Sheet: "old"})
	if err != nil {
		t.Fatal(err)
	}
	if inv.Sheet != "Old" || inv.Levels["M1017"] != 0 || len(inv.Levels) != 1 {
		t.Errorf("sheet %q levels %v", inv.Sheet, inv.Levels)
	}
	_, err = Read(bytes.NewReader(data), "controls.xlsx", cat, Options{Sheet: "Nope"})
	if err == nil || !strings.Contains(err.Error(), `no sheet "Nope"`) || !strings.Contains(err.Error(), `"Controls"`) {
		t.Errorf("unknown sheet: %v", err)
	}
	_, err = Read(bytes.NewReader(workbook(t, notes)), "notes.xlsx", cat, Options{})
	if err == nil || !strings.Contains(err.Error(), "no sheet") || !strings.Contains(err.Error(), "notes.xlsx") {
		t.Errorf("workbook without header: %v", err)
	}
}

// A status or control written once in a cell merged over several rows
// counts for each of them.
func TestReadXLSXMergedCells(t *testing.T) {
	cat := enterprise(t)
	f := excelize.NewFile()
	defer f.Close()
	for ref, v := range map[string]any{"A1": "Control", "B1": "Mitigation", "C1": "Status",
		"A2": "EDR", "B2": "M1040", "C2": "Implemented", "B3": "M1049", "B4": "M1017", "C4": "partial"} {
		if err := f.SetCellValue("Sheet1", ref, v); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range [][2]string{{"A2", "A3"}, {"C2", "C3"}} {
		if err := f.MergeCell("Sheet1", r[0], r[1]); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if _, err := f.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	inv, err := Read(&b, "merged.xlsx", cat, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"M1040": 1, "M1049": 1, "M1017": 0.5}
	if !reflect.DeepEqual(inv.Levels, want) || len(inv.Problems) != 0 {
		t.Errorf("levels %v, want %v\n%s", inv.Levels, want, problemsText(inv))
	}
	if inv.Rows[1].Control != "EDR" {
		t.Errorf("merged control not carried down: %+v", inv.Rows[1])
	}
}

// An xlsx saved with a .csv name, and the unzip limit.
func TestReadXLSXByContent(t *testing.T) {
	cat := enterprise(t)
	data := workbook(t, sheetSpec{name: "S", cells: map[string]any{"A1": "Mitigation", "B1": "Status", "A2": "M1032", "B2": "yes"}})
	inv, err := Read(bytes.NewReader(data), "inventory.csv", cat, Options{})
	if err != nil || inv.Format != FormatXLSX || inv.Levels["M1032"] != 1 {
		t.Fatalf("xlsx named .csv: %v %+v", err, inv)
	}
	// A limit below the workbook's unzipped size must refuse it clearly.
	_, err = Read(bytes.NewReader(data), "inventory.xlsx", cat, Options{MaxSize: int64(len(data))/unzipFactor + 1})
	if err == nil {
		t.Fatalf("unzip limit not applied")
	}
	if !strings.Contains(err.Error(), "inventory.xlsx") {
		t.Errorf("error does not name the file: %v", err)
	}
}

// The template, filled in as a spreadsheet program would and saved, reads
// back exactly.
func TestTemplateRoundTrip(t *testing.T) {
	cat := enterprise(t)
	var b bytes.Buffer
	if err := WriteTemplate(&b, cat, "xlsx"); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); !reflect.DeepEqual(got, []string{"Inventory", "How to fill"}) {
		t.Errorf("sheets %v", got)
	}
	rows, err := f.GetRows("Inventory")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(cat.Mitigations)+1 || !reflect.DeepEqual(rows[0], templateHeader) {
		t.Fatalf("%d rows, header %v", len(rows), rows[0])
	}
	for i, m := range cat.Mitigations {
		r := rows[i+1]
		if r[0] != m.ID || r[1] != m.Name || r[3] != strconv.Itoa(len(m.Techniques)) {
			t.Errorf("row %d = %v, want %s %s %d techniques", i+2, r[:4], m.ID, m.Name, len(m.Techniques))
		}
	}
	// M1032 mitigates T1078, which many groups use.
	for _, r := range rows[1:] {
		if r[0] == "M1032" {
			if n, _ := strconv.Atoi(r[4]); n < 10 {
				t.Errorf("M1032 affects %s groups; expected dozens", r[4])
			}
		}
	}
	dvs, err := f.GetDataValidations("Inventory")
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, dv := range dvs {
		kinds = append(kinds, dv.Type+" "+dv.Sqref)
	}
	if len(dvs) != 3 || !strings.Contains(strings.Join(kinds, ","), "list F2:") || !strings.Contains(strings.Join(kinds, ","), "whole G2:") {
		t.Errorf("data validations %v", kinds)
	}
	if p, err := f.GetPanes("Inventory"); err != nil || !p.Freeze {
		t.Errorf("header not frozen: %+v %v", p, err)
	}

	// Fill in: a spreadsheet writes numbers as numbers and the drop-down
	// words as text.
	fill := map[string][3]any{ // status, coverage, scope
		"M1032": {"Implemented", nil, 80},
		"M1017": {"Partial", nil, nil},
		"M1018": {"In progress", 40, nil},
		"M1030": {"Not applicable", nil, nil},
		"M1037": {"Planned", nil, nil},
		"M1049": {"Not implemented", nil, nil},
		"M1021": {nil, 65, nil},
	}
	for i, m := range cat.Mitigations {
		v, ok := fill[m.ID]
		if !ok {
			continue
		}
		row := strconv.Itoa(i + 2)
		for j, col := range []string{"F", "G", "H"} {
			if v[j] != nil {
				if err := f.SetCellValue("Inventory", col+row, v[j]); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := f.SetCellValue("Inventory", "I"+row, "SecOps"); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "filled.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	inv, err := ReadFile(path, cat, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"M1032": 0.8, "M1017": 0.5, "M1018": 0.4, "M1030": 0, "M1037": 0, "M1049": 0, "M1021": 0.65}
	if !reflect.DeepEqual(inv.Levels, want) {
		t.Errorf("levels %v\nwant %v", inv.Levels, want)
	}
	if inv.Errors() != 0 || inv.Warnings() != 1 || findProblem(inv, SeverityWarning, 0, "37 rows", "not assessed") == nil {
		t.Errorf("want only the not-assessed warning:\n%s", problemsText(inv))
	}
	if !inv.NotApplicable["M1030"] || !inv.Planned["M1037"] || !inv.Planned["M1018"] || len(inv.NotAssessed) != len(cat.Mitigations)-len(want) {
		t.Errorf("NA %v planned %v not assessed %d", inv.NotApplicable, inv.Planned, len(inv.NotAssessed))
	}
	for _, r := range inv.Rows {
		if _, filled := fill[r.Mitigations[0]]; filled && r.Owner != "SecOps" {
			t.Errorf("row %d owner %q", r.Row, r.Owner)
		}
	}

	// Saved again by a real spreadsheet program, it still reads the same.
	if resaved := resaveWithLibreOffice(t, path); resaved != "" {
		inv2, err := ReadFile(resaved, cat, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(inv2.Levels, want) || !reflect.DeepEqual(inv2.NotApplicable, inv.NotApplicable) ||
			!reflect.DeepEqual(inv2.Planned, inv.Planned) || inv2.Errors() != 0 {
			t.Errorf("after LibreOffice: levels %v NA %v planned %v\n%s", inv2.Levels, inv2.NotApplicable, inv2.Planned, problemsText(inv2))
		}
	}
}

// resaveWithLibreOffice opens path in LibreOffice and saves it as a new
// .xlsx, as a user filling the template in Calc would; it returns "" (and
// logs why) when soffice is not installed.
func resaveWithLibreOffice(t *testing.T, path string) string {
	t.Helper()
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Log("soffice not on PATH; skipping the LibreOffice round trip (install libreoffice-calc-nogui)")
		return ""
	}
	if testing.Short() {
		return ""
	}
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	// A private profile, so a LibreOffice already running does not take
	// the job over.
	cmd := exec.CommandContext(ctx, soffice, "-env:UserInstallation=file://"+filepath.ToSlash(filepath.Join(dir, "profile")),
		"--headless", "--norestore", "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", filepath.Join(dir, "out"), path)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	return filepath.Join(dir, "out", filepath.Base(path))
}

func TestTemplateCSV(t *testing.T) {
	cat := enterprise(t)
	var b bytes.Buffer
	if err := WriteTemplate(&b, cat, "csv"); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.String(), "\uFEFFMitigation ID,") {
		t.Fatalf("no BOM and header: %q", b.String()[:40])
	}
	// Fill two status cells as a text editor or a script would.
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(b.String(), "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != len(cat.Mitigations)+1 {
		t.Fatalf("%d records", len(recs))
	}
	for _, r := range recs[1:] {
		if r[0] == "M1013" || r[0] == "M1015" {
			r[5] = "Implemented"
		}
	}
	var out bytes.Buffer
	w := csv.NewWriter(&out)
	if err := w.WriteAll(recs); err != nil {
		t.Fatal(err)
	}
	lines := []string{out.String()}
	inv := readString(t, "template.csv", strings.Join(lines, "\n"), cat, Options{})
	if !reflect.DeepEqual(inv.Levels, map[string]float64{"M1013": 1, "M1015": 1}) || inv.Errors() > 0 {
		t.Errorf("levels %v\n%s", inv.Levels, problemsText(inv))
	}
	if err := WriteTemplate(&b, cat, "ods"); err == nil {
		t.Errorf("unknown template format accepted")
	}
}

func TestReadFileErrors(t *testing.T) {
	cat := enterprise(t)
	if _, err := ReadFile(filepath.Join(t.TempDir(), "missing.xlsx"), cat, Options{}); err == nil || !strings.Contains(err.Error(), "missing.xlsx") {
		t.Errorf("missing file: %v", err)
	}
	dir := t.TempDir()
	if _, err := ReadFile(dir, cat, Options{}); err == nil || !strings.Contains(err.Error(), "directory") {
		t.Errorf("directory: %v", err)
	}
	if _, err := Read(strings.NewReader("Mitigation\nM1032\n"), "x.csv", nil, Options{}); err == nil {
		t.Errorf("nil catalog accepted")
	}
	_ = os.Remove
}
