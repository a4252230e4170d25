package inventory

import (
	"bytes"
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

var update = flag.Bool("update", false, "rewrite testdata/inventory fixtures and golden files")

const fixtures = "../testdata/inventory"

// exampleRows is example.xlsx: the inventory a mid-sized organisation keeps
// in its own workbook, below a title block. Coverage and scope are numbers
// formatted as percentages, as Excel stores them.
var exampleRows = [][]any{
	{"Okta MFA for workforce and VPN", "M1032", "Implemented", nil, 0.95, "IAM team", "2026-09-12", "Service accounts excluded; tracked in RISK-114"},
	{"Quarterly phishing simulation", "User Training", "Implemented", 0.8, nil, "Security Awareness", "2026-08-30", ""},
	{"Privileged access vault (CyberArk)", "M1026 - Privileged Account Management", "Partial", 0.6, nil, "IAM team", "2026-07-01", "Domain admins onboarded; local admins next"},
	{"Joiner/mover/leaver process", "User Account Management", "Implemented", nil, nil, "HR IT", "2026-06-15", ""},
	{"Password policy (AD and Entra ID)", "M1027", "Implemented", nil, nil, "IAM team", "2026-06-15", "14 characters, banned-password list"},
	{"Secure web gateway", "Restrict Web-Based Content; SSL/TLS Inspection", "Implemented", 0.7, nil, "Network", "2026-09-01", "TLS inspection bypassed for banking and health sites"},
	{"Perimeter firewall and IPS", "M1037, M1031", "Implemented", nil, 0.9, "Network", "2026-09-01", ""},
	{"Network segmentation programme", "Network Segmentation", "In progress", nil, 0.4, "Infrastructure", "2026-09-20", "Phase 2 of 4"},
	{"EDR rollout", "Behavior Prevention on Endpoint\nAntivirus/Antimalware", "Implemented", nil, 0.98, "SecOps", "2026-09-25", "Legacy OT hosts excluded"},
	{"Patch management", "Update Software", "Partial", nil, nil, "IT Operations", "2026-09-10", "Servers monthly, workstations weekly"},
	{"Vulnerability scanning", "M1016", "Implemented", nil, nil, "SecOps", "2026-09-10", ""},
	{"Application allowlisting", "Execution Prevention", "Planned", nil, nil, "SecOps", "", "Budgeted for FY27"},
	{"Offline backups", "Data Backup", "Implemented", nil, nil, "IT Operations", "2026-05-02", "Restore tested in May"},
	{"Data loss prevention", "M1057", "Not implemented", nil, nil, "", "", ""},
	{"Threat intelligence subscription", "Threat Intelligence Program", "Implemented", nil, nil, "SecOps", "2026-04-01", ""},
	{"Removable media control", "Limit Hardware Installation", "N/A", nil, nil, "", "", "USB ports disabled in hardware on all endpoints"},
	{"Central logging to SIEM", "Audit", "Implemented", 0.85, nil, "SecOps", "2026-09-25", ""},
	{"Active Directory tiering", "Active Directory Configuration", "Partial", nil, nil, "IAM team", "2026-08-12", ""},
}

// exampleLevels is what example.xlsx must read as.
var exampleLevels = map[string]float64{
	"M1032": 0.95, "M1017": 0.8, "M1026": 0.6, "M1018": 1, "M1027": 1, "M1021": 0.7, "M1020": 0.7,
	"M1037": 0.9, "M1031": 0.9, "M1030": 0.2, "M1040": 0.98, "M1049": 0.98, "M1051": 0.5, "M1016": 1,
	"M1038": 0, "M1053": 1, "M1057": 0, "M1019": 1, "M1034": 0, "M1047": 0.85, "M1015": 0.5,
}

func writeExampleXLSX(path string) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "Controls"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	title, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
	head, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9E1F2"}}})
	percent, _ := f.NewStyle(&excelize.Style{NumFmt: 9})
	wrap, _ := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	set := func(cell string, v any) {
		if err := f.SetCellValue(sheet, cell, v); err != nil {
			panic(err)
		}
	}
	set("A1", "Northwind Health - ATT&CK mitigation inventory")
	set("A2", "Q3 2026, maintained by Security Architecture")
	_ = f.SetCellStyle(sheet, "A1", "A1", title)
	header := []any{"Control", "ATT&CK Mitigation", "Status", "Coverage %", "Scope %", "Owner", "Last Reviewed", "Notes"}
	if err := f.SetSheetRow(sheet, "A4", &header); err != nil {
		return err
	}
	_ = f.SetCellStyle(sheet, "A4", "H4", head)
	for i, r := range exampleRows {
		row := strconv.Itoa(5 + i)
		for j, v := range r {
			if v == nil || v == "" {
				continue
			}
			col, _ := excelize.ColumnNumberToName(j + 1)
			if j == 6 {
				d, err := time.Parse("2006-01-02", v.(string))
				if err != nil {
					return err
				}
				v = d
			}
			set(col+row, v)
		}
		_ = f.SetCellStyle(sheet, "D"+row, "E"+row, percent)
		_ = f.SetCellStyle(sheet, "B"+row, "B"+row, wrap)
	}
	// A blank row, then the totals line teams like to keep at the bottom.
	total := strconv.Itoa(5 + len(exampleRows) + 1)
	set("A"+total, "Total")
	set("D"+total, 0.79)
	_ = f.SetCellStyle(sheet, "D"+total, "D"+total, percent)
	for col, w := range map[string]float64{"A": 36, "B": 44, "C": 16, "D": 12, "E": 10, "F": 20, "G": 14, "H": 50} {
		_ = f.SetColWidth(sheet, col, col, w)
	}
	if _, err := f.NewSheet("Change log"); err != nil {
		return err
	}
	_ = f.SetCellValue("Change log", "A1", "2026-09-30")
	_ = f.SetCellValue("Change log", "B1", "Quarterly review; segmentation phase 2 started")
	return f.SaveAs(path)
}

// TestGenerateFixtures rebuilds the workbook fixtures with -update; without
// it, it checks that the committed workbook still holds what the generator
// writes.
func TestGenerateFixtures(t *testing.T) {
	path := filepath.Join(fixtures, "example.xlsx")
	if *update {
		if err := writeExampleXLSX(path); err != nil {
			t.Fatal(err)
		}
	}
	fresh := filepath.Join(t.TempDir(), "example.xlsx")
	if err := writeExampleXLSX(fresh); err != nil {
		t.Fatal(err)
	}
	cat := enterprise(t)
	a, err := ReadFile(path, cat, Options{})
	if err != nil {
		t.Fatalf("%v (run go test ./inventory -run TestGenerateFixtures -update)", err)
	}
	b, err := ReadFile(fresh, cat, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, inv := range []*Inventory{a, b} {
		inv.File = ""
		for i := range inv.Problems {
			inv.Problems[i].File = ""
		}
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if !bytes.Equal(ja, jb) {
		t.Errorf("%s is stale; run go test ./inventory -run TestGenerateFixtures -update", path)
	}
}

func TestFixtures(t *testing.T) {
	cat := enterprise(t)
	tests := []struct {
		file     string
		format   string
		levels   map[string]float64
		warnings int
		na       []string
		planned  []string
	}{
		{"example.xlsx", FormatXLSX, exampleLevels, 1, []string{"M1034"}, []string{"M1030", "M1038"}},
		{"example-eu.csv", FormatCSV, map[string]float64{"M1032": 0.875, "M1017": 0.5, "M1037": 0.9, "M1021": 0.9,
			"M1051": 0.5, "M1053": 1, "M1057": 0, "M1030": 0}, 0, []string{"M1030"}, []string{"M1051", "M1057"}},
		{"example.yaml", FormatYAML, map[string]float64{"M1032": 0.92, "M1036": 0.92, "M1026": 0.7, "M1040": 0.97,
			"M1049": 0.97, "M1037": 0.5, "M1020": 0.5, "M1031": 0.5, "M1053": 1, "M1046": 0, "M1013": 0.5, "M1034": 0},
			0, []string{"M1034"}, []string{"M1020", "M1031", "M1037", "M1046"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			inv, err := ReadFile(filepath.Join(fixtures, tt.file), cat, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if inv.Format != tt.format || inv.Errors() != 0 || inv.Warnings() != tt.warnings {
				t.Errorf("format %s, %d errors, %d warnings; want %s, 0, %d:\n%s", inv.Format, inv.Errors(), inv.Warnings(), tt.format, tt.warnings, problemsText(inv))
			}
			for id, w := range tt.levels {
				if got, ok := inv.Levels[id]; !ok || math.Abs(got-w) > 1e-9 {
					t.Errorf("%s = %v (%v), want %v", id, got, ok, w)
				}
			}
			if len(inv.Levels) != len(tt.levels) {
				t.Errorf("levels %v", inv.Levels)
			}
			if got := sortedKeys(inv.NotApplicable); !equalStrings(got, tt.na) {
				t.Errorf("not applicable %v, want %v", got, tt.na)
			}
			if got := sortedKeys(inv.Planned); !equalStrings(got, tt.planned) {
				t.Errorf("planned %v, want %v", got, tt.planned)
			}
		})
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// The messy fixture's problems are a golden file: every message a user
// would see, with its place.
func TestMessyGolden(t *testing.T) {
	cat := enterprise(t)
	inv, err := ReadFile(filepath.Join(fixtures, "messy.csv"), cat, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.MarshalIndent(struct {
		Levels   map[string]float64 `json:"levels"`
		Problems []Problem          `json:"problems"`
	}{inv.Levels, inv.Problems}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	golden := filepath.Join(fixtures, "messy.golden.json")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("problems differ from %s (run with -update if the change is intended):\n%s", golden, got)
	}
}
