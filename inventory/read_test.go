package inventory

import (
	"bytes"
	"encoding/binary"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"
)

// utf16LE encodes s as Excel's "Unicode Text" export does.
func utf16LE(s string) string {
	var b bytes.Buffer
	b.Write([]byte{0xFF, 0xFE})
	for _, u := range utf16.Encode([]rune(s)) {
		_ = binary.Write(&b, binary.LittleEndian, u)
	}
	return b.String()
}

// One inventory written in every text format a team might hand over.
func TestReadFormats(t *testing.T) {
	cat := enterprise(t)
	want := map[string]float64{"M1032": 1, "M1017": 0.5, "M1020": 0.75, "M1049": 0.75}
	tests := []struct {
		name, file, content, format string
	}{
		{"comma", "inv.csv", "Mitigation,Status,Coverage %\nM1032,Implemented,\nUser Training,partial,\n\"SSL/TLS Inspection, Antivirus/Antimalware\",partial,75%\n", "csv"},
		{"semicolon with decimal comma", "inv.csv", "Mitigation;Status;Coverage\nM1032;Implemented;\nUser Training;partial;\nSSL/TLS Inspection, Antivirus/Antimalware;partial;0,75\n", "csv"},
		{"tab", "inv.tsv", "Mitigation\tStatus\tCoverage %\nM1032\tyes\t\nuser training\tpartial\t\nM1020; M1049\tpartial\t75\n", "tsv"},
		{"UTF-16 Unicode Text", "inv.txt", utf16LE("Mitigation\tStatus\tCoverage %\r\nM1032\tyes\t\r\nuser training\tpartial\t\r\n\"M1020\r\nM1049\"\tpartial\t75 %\r\n"), "tsv"},
		{"BOM and CRLF", "inv.csv", "\uFEFFMitigation,Status,Coverage %\r\nM1032,Implemented,\r\nM1017,partial,\r\n\"M1020\r\nM1049\",partial,75\r\n", "csv"},
		{"CSV saved as txt", "export.txt", "ATT&CK Mitigation,Implementation Status,Effectiveness\nm1032 ,deployed,\n M1017,partially implemented,\nM1020 / M1049,partial,0.75\n", "csv"},
		{"Excel sep line", "inv.csv", "sep=;\nMitigation;Status;Coverage %\nM1032;Implemented;\nM1017;partial;\nM1020, M1049;partial;75\n", "csv"},
		{"JSON array", "inv.json", `[{"mitigation":"M1032","status":"implemented"},{"Mitigation ID":"M1017","Status":"partial"},{"mitigations":["M1020","M1049"],"status":"partial","coverage":75}]`, "json"},
		{"JSON wrapped", "inv.json", `{"version":1,"mitigations":[{"id":"M1032","status":true},{"id":"User Training","status":"partial"},{"id":"M1020;M1049","coverage":"75%"}]}`, "json"},
		{"JSON keyed by mitigation", "inv.json", `{"M1032":"implemented","M1017":"partial","M1020":{"coverage":0.75},"M1049":{"status":"partial","coverage_pct":75}}`, "json"},
		{"YAML list", "inv.yaml", "# our controls\nmitigations:\n  - mitigation: M1032\n    status: implemented\n  - mitigation: User Training\n    status: partial\n  - mitigation: [M1020, M1049]\n    status: partial\n    coverage: 75%\n", "yaml"},
		{"YAML saved as txt", "inv.txt", "- id: M1032\n  status: yes\n- id: M1017\n  status: partial\n- id: M1020, M1049\n  coverage: 0.75\n", "yaml"},
		{"JSON Lines", "inv.jsonl", "{\"mitigation\":\"M1032\",\"status\":\"yes\"}\n{\"mitigation\":\"M1017\",\"status\":\"partial\"}\n{\"mitigation\":[\"M1020\",\"M1049\"],\"coverage\":\"75%\"}\n", "json"},
		{"CSV saved as json", "inv.json", "Mitigation,Status,Coverage\nM1032,yes,\nM1017,partial,\n\"M1020,M1049\",partial,75\n", "csv"},
		{"CSV starting with a bracket", "inv.csv", "[Draft] controls\nMitigation,Status,Coverage\nM1032,yes,\nM1017,partial,\n\"M1020,M1049\",partial,75\n", "csv"},
		{"JSON saved as csv", "inv.csv", `[{"mitigation":"M1032","status":"implemented"},{"mitigation":"M1017","status":"partial"},{"mitigation":"M1020,M1049","coverage":75}]`, "json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := readString(t, tt.file, tt.content, cat, Options{})
			if inv.Format != tt.format {
				t.Errorf("format %q, want %q", inv.Format, tt.format)
			}
			if !reflect.DeepEqual(inv.Levels, want) {
				t.Errorf("levels %v, want %v\n%s", inv.Levels, want, problemsText(inv))
			}
			if inv.Errors() > 0 {
				t.Errorf("unexpected errors:\n%s", problemsText(inv))
			}
		})
	}
}

// A list of bare names or IDs is a list of deployed mitigations.
func TestReadList(t *testing.T) {
	cat := enterprise(t)
	for name, content := range map[string]string{
		"l.json": `{"mitigations": ["M1032", "SSL/TLS Inspection"]}`,
		"l.yaml": "- M1032\n- SSL/TLS Inspection\n",
		"l.csv":  "Mitigation\nM1032\nSSL/TLS Inspection\n",
	} {
		inv := readString(t, name, content, cat, Options{})
		if !reflect.DeepEqual(inv.Levels, map[string]float64{"M1032": 1, "M1020": 1}) || inv.Errors() > 0 {
			t.Errorf("%s: levels %v\n%s", name, inv.Levels, problemsText(inv))
		}
		if findProblem(inv, SeverityWarning, inv.Rows[0].Row-1, "taken as implemented") == nil && findProblem(inv, SeverityWarning, 0, "taken as implemented") == nil {
			t.Errorf("%s: no warning that the list is taken as implemented:\n%s", name, problemsText(inv))
		}
	}
}

func TestReadFatal(t *testing.T) {
	cat := enterprise(t)
	tests := []struct {
		name, file, content string
		o                   Options
		want                []string
	}{
		{"empty", "a.csv", "", Options{}, []string{"a.csv", "empty"}},
		{"too big", "big.csv", "Mitigation,Status\n" + strings.Repeat("M1032,yes\n", 20), Options{MaxSize: 100}, []string{"big.csv", "larger than the limit of 100 bytes"}},
		{"no header", "list.csv", "foo,bar\n1,2\n", Options{}, []string{"list.csv", "no header row in the first 20 rows", "Mitigation ID"}},
		{"header too low", "low.csv", strings.Repeat("title\n", 25) + "Mitigation,Status\nM1032,yes\n", Options{}, []string{"no header row"}},
		{"binary", "x.csv", "\x00\x01\x02garbage", Options{}, []string{"x.csv", "binary"}},
		{"old xls", "x.xls", "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest", Options{}, []string{"x.xls", ".xls"}},
		{"bad json", "x.json", `[{"mitigation": "M1032",}]`, Options{}, []string{"x.json", "not valid JSON", "line 1"}},
		{"json scalar", "x.json", `"M1032"`, Options{}, []string{"x.json", "expected a list"}},
		{"bad yaml", "x.yaml", "mitigations:\n  - id: [M1032\n", Options{}, []string{"x.yaml", "not valid YAML"}},
		{"zip not xlsx", "x.xlsx", "PK\x03\x04notreallyazip", Options{}, []string{"x.xlsx", "workbook"}},
		{"json no mitigation key", "x.json", `[{"name2":"x","status":"yes"}]`, Options{}, []string{"x.json", "no item has a mitigation field"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, err := Read(strings.NewReader(tt.content), tt.file, cat, tt.o)
			if err == nil {
				t.Fatalf("no error; got %d rows\n%s", len(inv.Rows), problemsText(inv))
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// Encodings other than UTF-8: Windows-1252 from an old Excel export, and
// big-endian UTF-16.
func TestReadEncodings(t *testing.T) {
	cat := enterprise(t)
	latin1 := "Mitigation;Status;Notes\nM1032;yes;G\xfcltig f\xfcr alle\n"
	inv := readString(t, "alt.csv", latin1, cat, Options{})
	if inv.Levels["M1032"] != 1 || inv.Rows[0].Notes != "Gültig für alle" {
		t.Errorf("latin-1: %v %q", inv.Levels, inv.Rows[0].Notes)
	}
	var be []byte
	be = append(be, 0xFE, 0xFF)
	for _, u := range utf16.Encode([]rune("Mitigation\tStatus\nM1017\tpartial\n")) {
		be = append(be, byte(u>>8), byte(u))
	}
	inv = readString(t, "be.txt", string(be), cat, Options{})
	if inv.Levels["M1017"] != 0.5 || inv.Format != FormatTSV {
		t.Errorf("UTF-16 BE: %v %s", inv.Levels, inv.Format)
	}
	_, err := Read(strings.NewReader("PK\x03\x04\x14\x00\x00\x00mimetypeapplication/vnd.oasis.opendocument.spreadsheet"), "x.ods", cat, Options{})
	if err == nil || !strings.Contains(err.Error(), "OpenDocument") {
		t.Errorf("ods: %v", err)
	}
}

func TestHeaderSynonyms(t *testing.T) {
	tests := []struct {
		header string
		want   colKind
	}{
		{"Mitigation", colMitigation}, {"Mitigation ID", colMitigation}, {"mitigation_id", colMitigation},
		{"ATT&CK Mitigation(s)", colMitigation}, {"ATT&CK Mitigations", colMitigation}, {"MITRE ATT&CK Mitigation", colMitigation},
		{"  attack-mitigation ", colMitigation}, {"M-ID", colMitigation},
		{"Control", colControl}, {"Control Name", colControl}, {"Security Control", colControl},
		{"Status", colStatus}, {"Implementation Status", colStatus}, {"IMPLEMENTATION-STATUS", colStatus}, {"Implemented?", colStatus},
		{"Coverage", colCoverage}, {"Coverage %", colCoverage}, {"Coverage (%)", colCoverage}, {"Coverage (0-100)", colCoverage},
		{"Effectiveness", colCoverage}, {"% Implemented", colCoverage}, {"Percent Complete", colCoverage},
		{"Scope", colScope}, {"Deployment Scope", colScope}, {"Scope %", colScope}, {"% of estate", colScope},
		{"Owner", colOwner}, {"Control Owner", colOwner}, {"Last Reviewed", colReviewed}, {"Review Date", colReviewed},
		{"Notes", colNotes}, {"Comments", colNotes}, {"Description", colInfo}, {"Techniques Mitigated", colInfo},
		{"Mitigation Name", colMitigationName}, {"Risk Rating", colNone}, {"Q3 2026 Mitigation Inventory", colNone}, {"", colNone},
	}
	for _, tt := range tests {
		if got := classify(tt.header); got != tt.want {
			t.Errorf("classify(%q) = %s, want %s", tt.header, kindNames[got], kindNames[tt.want])
		}
	}
}

func TestHeaderChoice(t *testing.T) {
	cat := enterprise(t)
	tests := []struct {
		name, content string
		headerRow     int
		mitText       string // MitigationText of the first row
		control       string
		warn          []string // a warning on the header row must contain these
	}{
		{"title rows above", "Security controls register\nExported 2026-10-01\n\nID,ATT&CK Mitigation,Status\nCTL-1,M1032,yes\n", 4, "M1032", "CTL-1", nil},
		{"ID alone is the mitigation", "ID,Status\nM1032,yes\n", 1, "M1032", "", nil},
		{"name beside ID", "Mitigation ID,Mitigation,Status\n,Multi-factor Authentication,yes\n", 1, "Multi-factor Authentication", "", nil},
		{"control only", "Control,Status\nMulti-factor Authentication,yes\n", 1, "Multi-factor Authentication", "", []string{"no mitigation column", "Control"}},
		{"unknown columns", "Mitigation,Status,Risk,Cost\nM1032,yes,high,3\n", 1, "M1032", "", []string{"not recognised", `"Risk", "Cost"`}},
		{"mitigation only", "Deployed mitigations\nMitigation\nM1032\n", 2, "M1032", "", []string{"taken as implemented"}},
		{"lone title word above the header", "Mitigation\n\nMitigation,Status\nM1032,yes\n", 3, "M1032", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := readString(t, "h.csv", tt.content, cat, Options{})
			if len(inv.Rows) == 0 {
				t.Fatalf("no rows\n%s", problemsText(inv))
			}
			if r := inv.Rows[0]; r.MitigationText != tt.mitText || r.Control != tt.control || r.Row != tt.headerRow+1 {
				t.Errorf("first row %+v; want mitigation %q control %q at row %d", r, tt.mitText, tt.control, tt.headerRow+1)
			}
			if inv.Levels["M1032"] != 1 {
				t.Errorf("M1032 level %v, want 1\n%s", inv.Levels["M1032"], problemsText(inv))
			}
			if tt.warn != nil && findProblem(inv, SeverityWarning, tt.headerRow, tt.warn...) == nil {
				t.Errorf("no warning with %q on row %d:\n%s", tt.warn, tt.headerRow, problemsText(inv))
			}
			if tt.warn == nil && len(inv.Problems) > 0 {
				t.Errorf("unexpected problems:\n%s", problemsText(inv))
			}
		})
	}
}

func TestMitigationRefs(t *testing.T) {
	cat := enterprise(t)
	tests := []struct {
		cell   string
		ids    []string
		errors int
		sugg   string // a suggestion expected, when errors > 0
		msg    string // in the error message
	}{
		{"M1032", []string{"M1032"}, 0, "", ""},
		{" m1032 ", []string{"M1032"}, 0, "", ""},
		{"M1018 - User Account Management", []string{"M1018"}, 0, "", ""},
		{"M1018 User Account Management", []string{"M1018"}, 0, "", ""},
		{"M1018: User Account Management", []string{"M1018"}, 0, "", ""},
		{"User Account Management (M1018)", []string{"M1018"}, 0, "", ""},
		{"user training", []string{"M1017"}, 0, "", ""},
		{"MULTI-FACTOR AUTHENTICATION", []string{"M1032"}, 0, "", ""},
		{"Multi factor authentication", []string{"M1032"}, 0, "", ""},
		{"SSL/TLS Inspection", []string{"M1020"}, 0, "", ""},
		{"SSL/TLS Inspection, Antivirus/Antimalware", []string{"M1020", "M1049"}, 0, "", ""},
		{"M1032; M1017", []string{"M1032", "M1017"}, 0, "", ""},
		{"M1032, M1017 / M1018", []string{"M1032", "M1017", "M1018"}, 0, "", ""},
		{"M1032\nUser Training\r\nM1018", []string{"M1032", "M1017", "M1018"}, 0, "", ""},
		{"M1032 M1017", []string{"M1032", "M1017"}, 0, "", ""},
		{"Restrict File and Directory Permissions", []string{"M1022"}, 0, "", ""},
		{"Disable or Remove Feature or Program, Audit", []string{"M1042", "M1047"}, 0, "", ""},
		{"• M1032", []string{"M1032"}, 0, "", ""},
		{"M1032 (VPN only)", []string{"M1032"}, 0, "", ""},
		{"M1032, M1032", []string{"M1032"}, 0, "", ""},
		{"Network Segmentation (VLANs)", []string{"M1030"}, 0, "", ""},
		{"Network Segmentation – VLANs", []string{"M1030"}, 0, "", ""},
		{"User Account Management (M1018) – AD", []string{"M1018"}, 0, "", ""},
		{"Multi-factor Authentication (MFA), Audit", []string{"M1032", "M1047"}, 0, "", ""},
		{"MFA, EDR", nil, 2, "M1032 Multi-factor Authentication", "MFA"},
		{"SSL/TLS Inspektion", nil, 1, "M1020 SSL/TLS Inspection", "SSL/TLS Inspektion"},
		{"Mutli-factor Authentication", nil, 1, "M1032 Multi-factor Authentication", "names no active mitigation"},
		{"MFA", nil, 1, "M1032 Multi-factor Authentication", "names no active mitigation"},
		{"M1099", nil, 1, "", "names no active mitigation"},
		{"M1032, Mutli-factor auth", []string{"M1032"}, 1, "M1032 Multi-factor Authentication", "Mutli-factor auth"},
		{"System Owner/User Discovery Mitigation", nil, 1, "", "deprecated"},
		{"T1033", nil, 1, "", "deprecated"},
		{"T1078", nil, 1, "M1032 Multi-factor Authentication", "deprecated"},
		{"T1567.002", nil, 1, "M1021 Restrict Web-Based Content", "technique, not a mitigation"},
		{"Registry Run Keys / Startup Folder Mitigation", nil, 1, "", "deprecated"},
	}
	for _, tt := range tests {
		t.Run(tt.cell, func(t *testing.T) {
			rd := &reader{file: "x", cat: cat}
			var ids []string
			var errs []ref
			for _, r := range rd.resolve(tt.cell) {
				if r.err != nil {
					errs = append(errs, r)
				} else if !slices.Contains(ids, r.id) {
					ids = append(ids, r.id)
				}
			}
			if !reflect.DeepEqual(ids, tt.ids) {
				t.Errorf("ids %v, want %v", ids, tt.ids)
			}
			if len(errs) != tt.errors {
				t.Fatalf("%d errors, want %d: %v", len(errs), tt.errors, errs)
			}
			if tt.errors > 0 {
				if !strings.Contains(errs[0].err.Error(), tt.msg) {
					t.Errorf("error %q lacks %q", errs[0].err, tt.msg)
				}
				if tt.sugg != "" && !slices.Contains(errs[0].suggestions, tt.sugg) {
					t.Errorf("suggestions %q lack %q", errs[0].suggestions, tt.sugg)
				}
			}
		})
	}
}

func TestRevokedAndLabels(t *testing.T) {
	cat := smallCatalog()
	inv := readString(t, "r.csv", "Mitigation,Status\nM1014,yes\nInterconnection Filtering,partial\nM1023,yes\nM1018 - Multi-factor Authentication,yes\n", cat, Options{})
	if p := findProblem(inv, SeverityWarning, 2, "M1014", "revoked", "M1018", "User Account Management"); p == nil {
		t.Errorf("no revoked warning naming the replacement:\n%s", problemsText(inv))
	}
	if p := findProblem(inv, SeverityWarning, 3, "revoked", "M1018"); p == nil {
		t.Errorf("revoked by name not followed:\n%s", problemsText(inv))
	}
	if p := findProblem(inv, SeverityError, 4, "M1023", "revoked", "no active replacement"); p == nil {
		t.Errorf("revoked without successor is not an error:\n%s", problemsText(inv))
	}
	if p := findProblem(inv, SeverityWarning, 5, "says M1018", "M1032"); p == nil {
		t.Errorf("ID and name disagreeing not told:\n%s", problemsText(inv))
	}
	if inv.Levels["M1018"] != 1 || len(inv.Levels) != 1 {
		t.Errorf("levels %v, want M1018: 1 only", inv.Levels)
	}
}

func ptr(v float64) *float64 { return &v }

func TestRowLevels(t *testing.T) {
	cat := enterprise(t)
	tests := []struct {
		status, coverage, scope string
		wantStatus              Status
		level                   float64
		cov                     *float64
		err                     string // column of the expected error
	}{
		{"Implemented", "", "", StatusImplemented, 1, nil, ""},
		{"YES", "", "", StatusImplemented, 1, nil, ""},
		{"y", "", "", StatusImplemented, 1, nil, ""},
		{"true", "", "", StatusImplemented, 1, nil, ""},
		{"In place", "", "", StatusImplemented, 1, nil, ""},
		{"enabled", "", "", StatusImplemented, 1, nil, ""},
		{"Complete", "", "", StatusImplemented, 1, nil, ""},
		{"full", "", "", StatusImplemented, 1, nil, ""},
		{"✓", "", "", StatusImplemented, 1, nil, ""},
		{"Implemented (2024)", "", "", StatusImplemented, 1, nil, ""},
		{"Partial", "", "", StatusPartial, 0.5, nil, ""},
		{"Partially Implemented", "", "", StatusPartial, 0.5, nil, ""},
		{"limited", "", "", StatusPartial, 0.5, nil, ""},
		{"Partial - servers only", "", "", StatusPartial, 0.5, nil, ""},
		{"In progress", "", "", StatusPartial, 0.5, nil, ""},
		{"ongoing", "", "", StatusPartial, 0.5, nil, ""},
		{"Pilot", "", "", StatusPartial, 0.5, nil, ""},
		{"Planned", "", "", StatusPlanned, 0, nil, ""},
		{"roadmap", "", "", StatusPlanned, 0, nil, ""},
		{"Scheduled", "", "", StatusPlanned, 0, nil, ""},
		{"Not implemented", "", "", StatusNotImplemented, 0, nil, ""},
		{"no", "", "", StatusNotImplemented, 0, nil, ""},
		{"N", "", "", StatusNotImplemented, 0, nil, ""},
		{"false", "", "", StatusNotImplemented, 0, nil, ""},
		{"None", "", "", StatusNotImplemented, 0, nil, ""},
		{"missing", "", "", StatusNotImplemented, 0, nil, ""},
		{"absent", "", "", StatusNotImplemented, 0, nil, ""},
		{"N/A", "", "", StatusNotApplicable, 0, nil, ""},
		{"na", "", "", StatusNotApplicable, 0, nil, ""},
		{"Not Applicable", "", "", StatusNotApplicable, 0, nil, ""},
		{"N/A", "80", "", StatusNotApplicable, 0, ptr(0.8), ""},
		{"partial", "80", "", StatusPartial, 0.8, ptr(0.8), ""},
		{"implemented", "75%", "", StatusImplemented, 0.75, ptr(0.75), ""},
		{"implemented", "75 %", "", StatusImplemented, 0.75, ptr(0.75), ""},
		{"implemented", "0.75", "", StatusImplemented, 0.75, ptr(0.75), ""},
		{"implemented", "0,75", "", StatusImplemented, 0.75, ptr(0.75), ""},
		{"implemented", "", "50", StatusImplemented, 0.5, nil, ""},
		{"implemented", "", "50%", StatusImplemented, 0.5, nil, ""},
		{"partial", "", "0.5", StatusPartial, 0.25, nil, ""},
		{"", "60", "", StatusUnknown, 0.6, ptr(0.6), ""},
		{"80%", "", "", StatusPartial, 0.8, ptr(0.8), ""},
		{"not implemented", "30", "", StatusNotImplemented, 0.3, ptr(0.3), ""},
		{"implemented", "140", "", StatusImplemented, 0, nil, "Coverage"},
		{"implemented", "-5", "", StatusImplemented, 0, nil, "Coverage"},
		{"implemented", "lots", "", StatusImplemented, 0, nil, "Coverage"},
		{"implemented", "NaN", "", StatusImplemented, 0, nil, "Coverage"},
		{"implemented", "", "101%", StatusImplemented, 0, nil, "Scope"},
		{"deployed-ish", "", "", StatusUnknown, 0, nil, "Status"},
	}
	for _, tt := range tests {
		name := tt.status + "|" + tt.coverage + "|" + tt.scope
		t.Run(name, func(t *testing.T) {
			csv := "Mitigation\tStatus\tCoverage\tScope\nM1032\t" + tt.status + "\t" + tt.coverage + "\t" + tt.scope + "\n"
			inv := readString(t, "l.tsv", csv, cat, Options{})
			if len(inv.Rows) != 1 {
				t.Fatalf("%d rows\n%s", len(inv.Rows), problemsText(inv))
			}
			r := inv.Rows[0]
			if tt.err != "" {
				if !r.Error {
					t.Fatalf("row not in error: %+v", r)
				}
				found := false
				for _, p := range inv.Problems {
					found = found || p.Severity == SeverityError && p.Column == tt.err && p.Row == 2 && p.File == "l.tsv"
				}
				if !found {
					t.Errorf("no error in column %s:\n%s", tt.err, problemsText(inv))
				}
				if _, ok := inv.Levels["M1032"]; ok {
					t.Errorf("a row in error gave M1032 a level")
				}
				return
			}
			if r.Error || r.Status != tt.wantStatus || math.Abs(r.Level-tt.level) > 1e-9 {
				t.Errorf("row %+v; want status %q level %v\n%s", r, tt.wantStatus, tt.level, problemsText(inv))
			}
			if (r.Coverage == nil) != (tt.cov == nil) || r.Coverage != nil && math.Abs(*r.Coverage-*tt.cov) > 1e-9 {
				t.Errorf("coverage %v, want %v", r.Coverage, tt.cov)
			}
		})
	}
}

func TestDisagreeingCells(t *testing.T) {
	cat := enterprise(t)
	inv := readString(t, "d.csv", "Mitigation,Status,Coverage\nM1032,not implemented,30\nM1017,n/a,50\n", cat, Options{Sheet: "Main"})
	for _, c := range []struct {
		row   int
		words []string
	}{{2, []string{"not implemented", "coverage counts"}}, {3, []string{"not applicable wins"}}, {0, []string{"sheet", "Main", "no sheets"}}} {
		if findProblem(inv, SeverityWarning, c.row, c.words...) == nil {
			t.Errorf("no warning on row %d with %q:\n%s", c.row, c.words, problemsText(inv))
		}
	}
	if inv.Levels["M1032"] != 0.3 || inv.Levels["M1017"] != 0 || !inv.NotApplicable["M1017"] {
		t.Errorf("levels %v NA %v", inv.Levels, inv.NotApplicable)
	}
}

func TestStatusSuggestion(t *testing.T) {
	inv := readString(t, "s.csv", "Mitigation,Status\nM1032,implmented\n", enterprise(t), Options{})
	p := findProblem(inv, SeverityError, 2, "implmented", "not a status word")
	if p == nil || p.Column != "Status" || !slices.Contains(p.Suggestions, "implemented") {
		t.Fatalf("want an error suggesting implemented:\n%s", problemsText(inv))
	}
}

// A column written in percent reads 1 as 1 %; one written in fractions
// reads 1 as 100 %.
func TestPercentScale(t *testing.T) {
	cat := enterprise(t)
	inv := readString(t, "p.csv", "Mitigation,Coverage\nM1032,1\nM1017,80\nM1018,0.5\n", cat, Options{})
	want := map[string]float64{"M1032": 0.01, "M1017": 0.8, "M1018": 0.005}
	for id, w := range want {
		if math.Abs(inv.Levels[id]-w) > 1e-9 {
			t.Errorf("percent column: %s = %v, want %v", id, inv.Levels[id], w)
		}
	}
	if findProblem(inv, SeverityWarning, 4, "0.5%", "write 50") == nil {
		t.Errorf("0.5 in a percent column not questioned:\n%s", problemsText(inv))
	}
	inv = readString(t, "f.csv", "Mitigation,Coverage\nM1032,1\nM1017,0.8\n", cat, Options{})
	if inv.Levels["M1032"] != 1 || inv.Levels["M1017"] != 0.8 {
		t.Errorf("fraction column: %v", inv.Levels)
	}
}

func TestAggregate(t *testing.T) {
	cat := enterprise(t)
	content := strings.Join([]string{
		"Control,Mitigation,Status,Coverage",
		"VPN MFA,M1032,partial,",       // 2
		"Email MFA,M1032,implemented,", // 3: highest level wins
		"Phishing sim,M1017,planned,",  // 4
		"Awareness,M1017,partial,30",   // 5
		"OT network,M1030,N/A,",        // 6: only N/A -> not applicable
		"Backups,M1053,N/A,",           // 7
		"Backups offsite,M1053,no,",    // 8: N/A and no -> not N/A
		"Proxy,M1021,implemented,",     // 9
		"Proxy,M1021,partial,",         // 10: same control disagrees -> warning
		",M1031,yes,",                  // 11
		",M1031,no,",                   // 12: same mitigation, no control, disagrees
		",M1037,yes,",                  // 13
		",M1037,yes,",                  // 14: agreeing duplicate, no warning
		"Broken,M1032,implemented,200", // 15: error row contributes nothing
		"Bad ref,M1099,implemented,",   // 16
		"Pilot EDR,M1040,in progress,", // 17: partial and planned
		",,,",                          // 18 blank
		"Total,,,",                     // 19 totals
		"Misc,,yes,",                   // 20 no mitigation
		"Only listed,M1047,,",          // 21 no status: not assessed
	}, "\n")
	inv := readString(t, "agg.csv", content, cat, Options{})
	wantLevels := map[string]float64{"M1032": 1, "M1017": 0.3, "M1030": 0, "M1053": 0, "M1021": 1, "M1031": 1, "M1037": 1, "M1040": 0.5}
	if !reflect.DeepEqual(inv.Levels, wantLevels) {
		t.Errorf("levels %v\nwant %v\n%s", inv.Levels, wantLevels, problemsText(inv))
	}
	if got := sortedKeys(inv.NotApplicable); !reflect.DeepEqual(got, []string{"M1030"}) {
		t.Errorf("not applicable %v, want [M1030]", got)
	}
	if got := sortedKeys(inv.Planned); !reflect.DeepEqual(got, []string{"M1017", "M1040"}) {
		t.Errorf("planned %v, want [M1017 M1040]", got)
	}
	if len(inv.NotAssessed) != len(cat.Mitigations)-len(wantLevels) || slices.Contains(inv.NotAssessed, "M1032") || !slices.Contains(inv.NotAssessed, "M1047") {
		t.Errorf("not assessed %v", inv.NotAssessed)
	}
	for _, c := range []struct {
		sev   Severity
		row   int
		words []string
	}{
		{SeverityWarning, 10, []string{"control \"Proxy\"", "row 9"}},
		{SeverityWarning, 12, []string{"M1031", "row 11"}},
		{SeverityError, 15, []string{"outside 0–100"}},
		{SeverityError, 16, []string{"M1099"}},
		{SeverityWarning, 19, []string{"totals"}},
		{SeverityWarning, 20, []string{"no mitigation"}},
		{SeverityWarning, 0, []string{"1 rows name a mitigation but give no status"}},
	} {
		if findProblem(inv, c.sev, c.row, c.words...) == nil {
			t.Errorf("no %s on row %d with %q:\n%s", c.sev, c.row, c.words, problemsText(inv))
		}
	}
	if findProblem(inv, SeverityWarning, 14) != nil || findProblem(inv, SeverityWarning, 3) != nil {
		t.Errorf("agreeing duplicates or different controls warned:\n%s", problemsText(inv))
	}
	if inv.Errors() != 2 {
		t.Errorf("%d errors, want 2:\n%s", inv.Errors(), problemsText(inv))
	}
	for _, r := range inv.Rows {
		if r.Row == 18 || r.Row == 19 || r.Row == 20 {
			t.Errorf("row %d should not be an inventory row", r.Row)
		}
	}
}

func TestEmptyInventory(t *testing.T) {
	cat := enterprise(t)
	for name, content := range map[string]string{
		"header only": "Mitigation,Status\n",
		"all errors":  "Mitigation,Status\nM1099,yes\n",
		"no statuses": "Mitigation,Status\nM1032,\nM1017,\n",
		"json empty":  `{"mitigations": []}`,
		"totals only": "Mitigation,Status\nTotal,\n",
	} {
		t.Run(name, func(t *testing.T) {
			file := "e.csv"
			if strings.HasPrefix(content, "{") {
				file = "e.json"
			}
			inv := readString(t, file, content, cat, Options{})
			if findProblem(inv, SeverityError, 0, "nothing is assessed") == nil {
				t.Errorf("empty inventory not an error:\n%s", problemsText(inv))
			}
			if len(inv.Levels) != 0 || len(inv.NotAssessed) != len(cat.Mitigations) {
				t.Errorf("levels %v, %d not assessed", inv.Levels, len(inv.NotAssessed))
			}
		})
	}
}

// Rows are numbered as a spreadsheet shows them, with quoted line breaks
// and blank lines taken into account.
func TestRowNumbers(t *testing.T) {
	content := "Mitigation,Notes,Status\n\"M1032\",\"two\nlines\",yes\n\nM1099,x,yes\n"
	inv := readString(t, "n.csv", content, enterprise(t), Options{})
	if p := findProblem(inv, SeverityError, 4, "M1099"); p == nil || p.Column != "Mitigation" || p.File != "n.csv" {
		t.Errorf("want an error on row 4, column Mitigation:\n%s", problemsText(inv))
	}
	if inv.Rows[0].Notes != "two\nlines" {
		t.Errorf("notes %q", inv.Rows[0].Notes)
	}
}

func TestLimits(t *testing.T) {
	cat := enterprise(t)
	var b strings.Builder
	b.WriteString("Mitigation,Status\n")
	for range 30 {
		b.WriteString("M1032,yes\n")
	}
	inv := readString(t, "rows.csv", b.String(), cat, Options{MaxRows: 10})
	if len(inv.Rows) != 10 || findProblem(inv, SeverityError, 12, "more than 10 rows") == nil {
		t.Errorf("%d rows; want 10 and a row-limit error:\n%s", len(inv.Rows), problemsText(inv))
	}
	inv = readString(t, "cell.csv", "Mitigation,Status,Notes\nM1032,yes,"+strings.Repeat("x", 50)+"\nM1017,yes,short\n", cat, Options{MaxCell: 20})
	if p := findProblem(inv, SeverityError, 2, "longer than the limit of 20"); p == nil || p.Column != "Notes" {
		t.Errorf("no cell-limit error on Notes:\n%s", problemsText(inv))
	}
	if _, ok := inv.Levels["M1017"]; !ok || len(inv.Levels) != 1 {
		t.Errorf("levels %v, want only M1017", inv.Levels)
	}
}

func TestSniffDelimiter(t *testing.T) {
	tests := []struct {
		text string
		ext  string
		want byte
	}{
		{"a,b,c\n1,2,3\n", ".csv", ','},
		{"a;b;c\n1;2,5;3\n4;5,5;6\n", ".csv", ';'},
		{"a\tb\n1\t2\n", ".txt", '\t'},
		{"Title, with comma\na;b;c\n1;2;3\n4;5;6\n", ".csv", ';'},
		{"\"a;b\",c\n\"1;2\",3\n", ".csv", ','},
		{"single\ncolumn\n", ".tsv", '\t'},
		{"single\ncolumn\n", ".csv", ','},
		{"a|b\n1|2\n", ".txt", '|'},
	}
	for _, tt := range tests {
		if got := sniffDelimiter(tt.text, tt.ext); got != tt.want {
			t.Errorf("sniffDelimiter(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestSplitDelimited(t *testing.T) {
	tests := []struct {
		text string
		want [][]string
	}{
		{"a,b\r\n1,2", [][]string{{"a", "b"}, {"1", "2"}}},
		{"\"a,b\",\"c\"\"d\"\n", [][]string{{"a,b", "c\"d"}}},
		{"x\n\ny\n", [][]string{{"x"}, {""}, {"y"}}},
		{"\"open,end", [][]string{{"open,end"}}},
		{"a\"b,c\n", [][]string{{"a\"b", "c"}}},
		{"\"q\"tail,d\n", [][]string{{"qtail", "d"}}},
		{"a,\n", [][]string{{"a", ""}}},
		{"a\rb\r", [][]string{{"a"}, {"b"}}},
	}
	for _, tt := range tests {
		var got [][]string
		for _, r := range splitDelimited(tt.text, ',', 100) {
			got = append(got, r.cells)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("splitDelimited(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}
