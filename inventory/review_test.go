package inventory

import (
	"bytes"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/covgap/covgap/attack"
	"github.com/xuri/excelize/v2"
)

// levelsCase is one small inventory, the levels it must give and the
// problems (severity, row, words of the message) it must report.
type levelsCase struct {
	name, file, content string
	levels              map[string]float64
	problems            []wantProb
	noErrors            bool
}

type wantProb struct {
	sev   Severity
	row   int
	words []string
}

func runLevelsCases(t *testing.T, tests []levelsCase) {
	t.Helper()
	cat := enterprise(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := tt.file
			if file == "" {
				file = "inv.csv"
			}
			inv := readString(t, file, tt.content, cat, Options{})
			for id, want := range tt.levels {
				got, ok := inv.Levels[id]
				if !ok || math.Abs(got-want) > 1e-9 {
					t.Errorf("level of %s = %v (assessed %v), want %v\n%s", id, got, ok, want, problemsText(inv))
				}
			}
			for _, p := range tt.problems {
				if findProblem(inv, p.sev, p.row, p.words...) == nil {
					t.Errorf("no %s on row %d saying %q\n%s", p.sev, p.row, strings.Join(p.words, " … "), problemsText(inv))
				}
			}
			if tt.noErrors && inv.Errors() > 0 {
				t.Errorf("unexpected errors:\n%s", problemsText(inv))
			}
		})
	}
}

// Finding 1 and 2: numbers in a status column are coverages on the
// column's scale; totals lines do not decide a scale; a 1 in a percent
// column is ambiguous.
func TestStatusNumbersAndScale(t *testing.T) {
	runLevelsCases(t, []levelsCase{
		{name: "fractions in status", content: "Mitigation,Status\nM1032,1\nM1017,0.5\nM1018,0\nM1027,0.75\n",
			levels:   map[string]float64{"M1032": 1, "M1017": 0.5, "M1018": 0, "M1027": 0.75},
			problems: []wantProb{{SeverityWarning, 1, []string{"holds numbers", "fractions"}}}, noErrors: true},
		{name: "percent in status", content: "Mitigation,Status\nM1032,100\nM1017,50\nM1018,0\n",
			levels: map[string]float64{"M1032": 1, "M1017": 0.5, "M1018": 0}, noErrors: true},
		// 1 and 0 in a status column are yes and no (a tick box), whatever
		// the scale of the column's other numbers; those are warned about.
		{name: "mixed status column is percent, with warnings", content: "Mitigation,Status\nM1032,1\nM1017,0.5\nM1026,50\nM1018,0\n",
			levels:   map[string]float64{"M1032": 1, "M1017": 0.005, "M1026": 0.5, "M1018": 0},
			problems: []wantProb{{SeverityWarning, 3, []string{"0.5%", "write 50"}}}},
		{name: "status percent beside empty coverage", content: "Mitigation,Status,Coverage\nM1032,80%,\n",
			levels: map[string]float64{"M1032": 0.8}, noErrors: true},
		{name: "JSON bare value is a fraction", file: "inv.json", content: `{"M1017": 0.5, "M1026": "0.8", "M1032": 1, "M1018": 50}`,
			levels: map[string]float64{"M1017": 0.5, "M1026": 0.8, "M1032": 1, "M1018": 0.5}, noErrors: true},
		{name: "YAML bare value is a fraction", file: "inv.yaml", content: "M1032: 1\nM1017: 0.5\nM1018: 50\nM1037: \"75%\"\n",
			levels: map[string]float64{"M1032": 1, "M1017": 0.5, "M1018": 0.5, "M1037": 0.75}, noErrors: true},
		{name: "totals row does not switch the scale", content: "Mitigation,Status,Coverage\nM1032,Implemented,1\nM1017,Implemented,0.9\nM1018,Partial,0.5\nTotal,,2.4\n",
			levels:   map[string]float64{"M1032": 1, "M1017": 0.9, "M1018": 0.5},
			problems: []wantProb{{SeverityWarning, 5, []string{"totals"}}}, noErrors: true},
		{name: "row in error does not switch the scale", content: "Mitigation,Status,Coverage\nM1032,Implemented,1\n,,7\nM1017,Implemented,0.9\n",
			levels: map[string]float64{"M1032": 1, "M1017": 0.9}, noErrors: true},
		{name: "1 in a percent column is ambiguous", content: "Mitigation,Coverage\nM1032,80\nM1017,1\n",
			levels:   map[string]float64{"M1032": 0.8, "M1017": 0.01},
			problems: []wantProb{{SeverityWarning, 3, []string{"read as 1%", "write 100 if you mean fully"}}}},
	})
}

// Finding 11: totals lines labelled in another column than the mitigation.
func TestTotalsLabelElsewhere(t *testing.T) {
	runLevelsCases(t, []levelsCase{
		{name: "labels in the control column", content: "Control,Mitigation,Status,Coverage %\nC1,M1032,Implemented,80\nC2,M1017,Partial,50\n,,,\nTotal,2,,65\nImplemented count,1,,\nAverage coverage,,,65\n",
			levels: map[string]float64{"M1032": 0.8, "M1017": 0.5}, noErrors: true,
			problems: []wantProb{{SeverityWarning, 5, []string{"totals"}}, {SeverityWarning, 6, []string{"totals"}}, {SeverityWarning, 7, []string{"totals"}}}},
		{name: "a control named like a total still reads its mitigation", content: "Control,Mitigation,Status\nTotal lockdown,M1032,Implemented\n",
			levels: map[string]float64{"M1032": 1}, noErrors: true},
	})
}

// Finding 7: placeholders in coverage and scope; columns of words.
func TestPlaceholdersAndWordColumns(t *testing.T) {
	runLevelsCases(t, []levelsCase{
		{name: "placeholders are blank", content: "Mitigation,Status,Coverage,Scope\nM1032,Implemented,n/a,TBD\nM1017,Partial,-,?\nM1018,Implemented,–,na\nM1026,Implemented,80,\n",
			levels: map[string]float64{"M1032": 1, "M1017": 0.5, "M1018": 1, "M1026": 0.8}, noErrors: true},
		{name: "effectiveness in words", content: "Control ID,ATT&CK Mitigation,Status,Effectiveness\nAC-1,M1032,Implemented,High\nAC-3,M1017,Implemented,Low\nAC-4,M1026,Partial,\n",
			levels: map[string]float64{"M1032": 1, "M1017": 1, "M1026": 0.5}, noErrors: true,
			problems: []wantProb{{SeverityWarning, 1, []string{"Effectiveness", "High", "ignored"}}}},
		{name: "compliance and deployment in words", content: "Control,Mitigation,Compliance,Deployment\nC1,M1032,ISO 27001 A.9.4.2,Cloud\nC2,M1017,NIST AC-2,On-prem\n",
			levels: map[string]float64{"M1032": 1, "M1017": 1}, noErrors: true,
			problems: []wantProb{{SeverityWarning, 1, []string{"Compliance", "ignored"}}, {SeverityWarning, 1, []string{"Deployment", "Cloud", "ignored"}},
				{SeverityWarning, 1, []string{"taken as implemented"}}}},
		{name: "a misspelt status stays an error", content: "Mitigation,Status\nM1032,implmented\nM1017,partal\n",
			problems: []wantProb{{SeverityError, 2, []string{"not a status word"}}, {SeverityError, 3, []string{"not a status word"}}}},
		{name: "one word in a coverage column stays an error", content: "Mitigation,Coverage\nM1032,high\nM1017,50\n",
			problems: []wantProb{{SeverityError, 2, []string{"not a number"}}}},
	})
}

// Finding 8: a status qualified by its remark.
func TestStatusRemarks(t *testing.T) {
	runLevelsCases(t, []levelsCase{
		{name: "qualified statuses", content: "Control,Mitigation,Status\n" +
			"C1,M1032,In place (partial)\nC2,M1017,Deployed (pilot)\nC3,M1018,Implemented - pilot\nC4,M1026,Implemented (not on servers)\n" +
			"C5,M1027,Green/Amber\nC6,M1030,Partial - servers only\nC7,M1031,Implemented (2024)\nC8,M1037,No – planned Q3\n",
			levels: map[string]float64{"M1032": 0.5, "M1017": 0.5, "M1018": 0.5, "M1026": 0.5, "M1027": 0.5, "M1030": 0.5, "M1031": 1, "M1037": 0},
			problems: []wantProb{{SeverityWarning, 2, []string{"read as partial"}}, {SeverityWarning, 5, []string{"read as partial"}},
				{SeverityWarning, 6, []string{"read as partial"}}, {SeverityWarning, 9, []string{"read as planned"}}},
			noErrors: true},
		{name: "a share in the remark is the coverage", content: "Mitigation,Status,Coverage\nM1032,Yes – 60%,\nM1017,Y - 50% of servers,\nM1018,Yes – 60%,90\n",
			levels:   map[string]float64{"M1032": 0.6, "M1017": 0.5, "M1018": 0.9},
			problems: []wantProb{{SeverityWarning, 2, []string{"60%", "coverage"}}, {SeverityWarning, 3, []string{"50%", "coverage"}}}, noErrors: true},
		{name: "template choices are no answer", content: "Mitigation,Status\nM1032,Yes/No\nM1017,Y/N\nM1018,Yes\n",
			levels:   map[string]float64{"M1018": 1},
			problems: []wantProb{{SeverityError, 2, []string{"both choices"}}, {SeverityError, 3, []string{"both choices"}}}},
	})
	inv := readString(t, "inv.csv", "Mitigation,Status\nM1032,Not Planned\n", enterprise(t), Options{})
	p := findProblem(inv, SeverityError, 2, "not a status word")
	if p == nil || len(p.Suggestions) == 0 || slices.Contains(p.Suggestions, "planned") {
		t.Errorf("Not Planned: want negative suggestions only\n%s", problemsText(inv))
	}
}

// Finding 9: Windows-1252 text keeps its dashes and quotes.
func TestDecodeCP1252(t *testing.T) {
	tests := []struct{ in, want string }{
		{"M1032 \x96 MFA", "M1032 – MFA"},
		{"\x93quoted\x94 \x80 caf\xe9 \x97 it\x92s\x85", "“quoted” € café — it’s…"},
	}
	for _, tt := range tests {
		got, err := decodeText([]byte(tt.in))
		if err != nil || got != tt.want {
			t.Errorf("decodeText(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	inv := readString(t, "inv.csv", "Mitigation,Status,Notes\nM1032 \x96 Multi-factor Authentication,Implemented,caf\xe9 \x93ok\x94\n", enterprise(t), Options{})
	if inv.Errors() > 0 || len(inv.Rows) != 1 || inv.Rows[0].Notes != "café “ok”" {
		t.Errorf("rows %+v\n%s", inv.Rows, problemsText(inv))
	}
}

// Finding 10: an ID and a name column that disagree.
func TestIDNameDisagree(t *testing.T) {
	runLevelsCases(t, []levelsCase{
		{name: "disagree", content: "Mitigation ID,Mitigation Name,Status\nM1032,User Training,Implemented\nM1017,User Training,Implemented\nM1018,Our own words,Implemented\n",
			levels: map[string]float64{"M1032": 1, "M1017": 1, "M1018": 1}, noErrors: true,
			problems: []wantProb{{SeverityWarning, 2, []string{"M1032", "User Training", "M1017", "M1032 is read"}}}},
	})
	inv := readString(t, "inv.csv", "Mitigation ID,Mitigation Name,Status\nM1017,User Training,Implemented\nM1018,Our own words,Implemented\n", enterprise(t), Options{})
	if inv.Warnings() > 0 {
		t.Errorf("agreeing or unknown names warned:\n%s", problemsText(inv))
	}
}

// workbookShown is workbook with some sheets hidden and another active.
func workbookShown(t *testing.T, active string, hidden []string, sheets ...sheetSpec) string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(workbook(t, sheets...)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if active != "" {
		i, err := f.GetSheetIndex(active)
		if err != nil {
			t.Fatal(err)
		}
		f.SetActiveSheet(i)
	}
	for _, h := range hidden {
		if err := f.SetSheetVisible(h, false); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if _, err := f.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func inventorySheet(name, id string) sheetSpec {
	return sheetSpec{name: name, cells: map[string]any{"A1": "Mitigation", "B1": "Status", "A2": id, "B2": "Implemented"}}
}

// Findings 3, 4 and 5: which sheet and which header row are read.
func TestSheetAndHeaderChoice(t *testing.T) {
	revision := sheetSpec{name: "Cover", cells: map[string]any{"A1": "Security controls register", "A3": "Revision history",
		"A4": "Ref", "B4": "Date", "C4": "Description", "D4": "Author", "A5": "1.0", "B5": "2025-01-02", "C5": "First issue", "D5": "J. Smith",
		"A8": "Control", "B8": "Mitigation ID", "C8": "Status", "A9": "C1", "B9": "M1032", "C9": "Implemented"}}
	grouped := sheetSpec{name: "Register", cells: map[string]any{"A1": "Control", "C1": "ATT&CK", "E1": "Implementation",
		"A2": "Ref", "B2": "Title", "C2": "Mitigation ID", "D2": "Name", "E2": "Status", "F2": "Coverage %",
		"A3": "C1", "B3": "MFA", "C3": "M1032", "D3": "Multi-factor Authentication", "E3": "Implemented", "F3": 80}}
	coverOnly := sheetSpec{name: "Cover", cells: map[string]any{"A1": "Ref", "B1": "Date", "C1": "Description", "D1": "Author", "A2": "1.0", "B2": "2025", "C2": "First", "D2": "JS"}}
	tests := []struct {
		name, active string
		hidden       []string
		sheets       []sheetSpec
		opt          Options
		wantSheet    string
		levels       map[string]float64
		warn         []string // words of a whole-file warning
	}{
		{name: "revision table above the inventory", sheets: []sheetSpec{revision}, wantSheet: "Cover", levels: map[string]float64{"M1032": 1}},
		{name: "two-row grouped header", sheets: []sheetSpec{grouped}, wantSheet: "Register", levels: map[string]float64{"M1032": 0.8}},
		{name: "cover sheet with only a revision table", sheets: []sheetSpec{coverOnly, inventorySheet("Inventory", "M1017")}, wantSheet: "Inventory", levels: map[string]float64{"M1017": 1}},
		{name: "hidden sheet skipped", active: "Current", hidden: []string{"Old"}, sheets: []sheetSpec{inventorySheet("Old", "M1018"), inventorySheet("Current", "M1017")},
			wantSheet: "Current", levels: map[string]float64{"M1017": 1}, warn: []string{"hidden", `"Old"`, "--sheet"}},
		{name: "hidden sheet named", active: "Current", hidden: []string{"Old"}, opt: Options{Sheet: "old"}, sheets: []sheetSpec{inventorySheet("Old", "M1018"), inventorySheet("Current", "M1017")},
			wantSheet: "Old", levels: map[string]float64{"M1018": 1}},
		{name: "active sheet preferred", active: "2025-Q1", sheets: []sheetSpec{inventorySheet("2024-Q4", "M1018"), inventorySheet("2025-Q1", "M1017")},
			wantSheet: "2025-Q1", levels: map[string]float64{"M1017": 1}, warn: []string{`"2024-Q4"`, "--sheet"}},
		{name: "an empty template sheet loses", active: "Template", sheets: []sheetSpec{{name: "Template", cells: map[string]any{"A1": "Mitigation", "B1": "Status"}}, inventorySheet("Q3", "M1017")},
			wantSheet: "Q3", levels: map[string]float64{"M1017": 1}},
		{name: "first of equals when the active sheet has none", active: "Notes", sheets: []sheetSpec{inventorySheet("HQ", "M1018"), inventorySheet("Plant", "M1017"), {name: "Notes", cells: map[string]any{"A1": "notes"}}},
			wantSheet: "HQ", levels: map[string]float64{"M1018": 1}, warn: []string{`"Plant"`, "--sheet"}},
	}
	cat := enterprise(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := readString(t, "inv.xlsx", workbookShown(t, tt.active, tt.hidden, tt.sheets...), cat, tt.opt)
			if inv.Sheet != tt.wantSheet || !reflect.DeepEqual(inv.Levels, tt.levels) {
				t.Errorf("sheet %q levels %v, want %q %v\n%s", inv.Sheet, inv.Levels, tt.wantSheet, tt.levels, problemsText(inv))
			}
			if tt.warn != nil && findProblem(inv, SeverityWarning, 0, tt.warn...) == nil {
				t.Errorf("no warning saying %q\n%s", tt.warn, problemsText(inv))
			}
			if tt.warn == nil && findProblem(inv, SeverityWarning, 0, "sheet") != nil {
				t.Errorf("unexpected sheet warning\n%s", problemsText(inv))
			}
			if inv.Errors() > 0 {
				t.Errorf("errors:\n%s", problemsText(inv))
			}
		})
	}
}

// Finding 12: an ID of another ATT&CK domain says which --domain reads it.
func TestDomainHint(t *testing.T) {
	ics, err := attack.Embedded("ics")
	if err != nil {
		t.Skip(err)
	}
	tests := []struct {
		name string
		cat  *attack.Catalog
		id   string
		want []string
	}{
		{"ICS ID with Enterprise", enterprise(t), "M0801", []string{"ICS", "--domain ics"}},
		{"unknown ICS-range ID with Enterprise", enterprise(t), "M0999", nil},
		{"ICS-range ID not in ICS", enterprise(t), "M0899", []string{"ICS", "--domain ics"}},
		{"Enterprise ID with ICS", ics, "M1032", []string{"Enterprise", "--domain enterprise"}},
		{"Mobile-only ID with Enterprise", enterprise(t), "M1001", []string{"Mobile", "--domain mobile"}},
		{"unknown Enterprise-range ID", enterprise(t), "M1099", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := readString(t, "inv.csv", "Mitigation,Status\n"+tt.id+",yes\n", tt.cat, Options{})
			p := findProblem(inv, SeverityError, 2)
			if p == nil {
				t.Fatalf("no error\n%s", problemsText(inv))
			}
			for _, w := range tt.want {
				if !strings.Contains(p.Message, w) {
					t.Errorf("message %q lacks %q", p.Message, w)
				}
			}
			if tt.want == nil && strings.Contains(p.Message, "--domain") {
				t.Errorf("unexpected hint: %q", p.Message)
			}
		})
	}
}

// Finding 13: a header-less list of mitigations.
func TestHeaderlessList(t *testing.T) {
	cat := enterprise(t)
	tests := []struct {
		name, file, content string
		levels              map[string]float64
		refused             bool
	}{
		{"IDs", "ids.txt", "M1032\nM1017\n", map[string]float64{"M1032": 1, "M1017": 1}, false},
		{"IDs and names with blanks", "ids.csv", "M1032\n\n m1018 \nUser Training\n", map[string]float64{"M1032": 1, "M1018": 1, "M1017": 1}, false},
		{"one unknown line refuses the list", "ids.csv", "M1032\nMFA\n", nil, true},
		{"two columns are a table without a header", "ids.csv", "M1032,yes\nM1017,no\n", nil, true},
		{"workbook", "ids.xlsx", workbookShown(t, "", nil, sheetSpec{name: "S", cells: map[string]any{"A1": "M1032", "A2": "M1017"}}), map[string]float64{"M1032": 1, "M1017": 1}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, err := Read(strings.NewReader(tt.content), tt.file, cat, Options{})
			if tt.refused {
				if err == nil {
					t.Errorf("read as %v, want refused\n%s", inv.Levels, problemsText(inv))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(inv.Levels, tt.levels) || inv.Errors() > 0 || findProblem(inv, SeverityWarning, 0, "no header", "list") == nil {
				t.Errorf("levels %v, want %v\n%s", inv.Levels, tt.levels, problemsText(inv))
			}
		})
	}
}

// Finding 14: unambiguous ways of writing an ID.
func TestReferenceForms(t *testing.T) {
	cat := enterprise(t)
	for _, cellText := range []string{"ATT&CK M1032", "Mitigation M1032", "MITRE ID: M1032", "ｍ１０３２", "Ｍ1032",
		"https://attack.mitre.org/mitigations/M1032/", "http://attack.mitre.org/mitigations/M1032", "ATT&CK M1032 - Multi-factor Authentication"} {
		inv := readString(t, "inv.csv", "Mitigation,Status\n\""+cellText+"\",yes\n", cat, Options{})
		if !reflect.DeepEqual(inv.Levels, map[string]float64{"M1032": 1}) || inv.Errors() > 0 {
			t.Errorf("%q: levels %v\n%s", cellText, inv.Levels, problemsText(inv))
		}
	}
}

// Finding 14: items keyed by mitigation are numbered in file order.
func TestKeyedItemsInFileOrder(t *testing.T) {
	cat := enterprise(t)
	for name, content := range map[string]string{
		"k.json": `{"M1032": "yes", "M1017": "bogus", "M1018": "yes"}`,
		"k.yaml": "M1032: yes\nM1017: bogus\nM1018: yes\n",
	} {
		inv := readString(t, name, content, cat, Options{})
		if findProblem(inv, SeverityError, 2, "bogus") == nil {
			t.Errorf("%s: the second key is not item 2\n%s", name, problemsText(inv))
		}
		var order []string
		for _, r := range inv.Rows {
			order = append(order, r.MitigationText)
		}
		if !reflect.DeepEqual(order, []string{"M1032", "M1017", "M1018"}) {
			t.Errorf("%s: rows in order %v", name, order)
		}
	}
}

// Finding 8: a remark lowers implemented to partial at most, and never raises.
func TestStatusRemarkBounds(t *testing.T) {
	tests := []struct {
		in   string
		want Status
		warn bool
	}{
		{"Implemented - no exceptions", StatusImplemented, false},
		{"Implemented (red team tested)", StatusImplemented, false},
		{"Implemented (on laptops only)", StatusImplemented, false},
		{"Yes – disabled on OT", StatusPartial, true},
		{"Implemented (not on servers)", StatusPartial, true},
		{"Partial – rest planned Q3", StatusPartial, false},
		{"No (implemented on one laptop)", StatusNotImplemented, false},
		{"No, but planned", StatusPlanned, true},
		{"Partially Implemented", StatusPartial, false},
		{"N/A (implemented elsewhere)", StatusNotApplicable, false},
	}
	for _, tt := range tests {
		r, ok := readStatus(tt.in)
		if !ok || r.err != "" || r.status != tt.want || (r.warn != "") != tt.warn {
			t.Errorf("readStatus(%q) = %+v, %v; want %s, warning %v", tt.in, r, ok, tt.want, tt.warn)
		}
	}
}
