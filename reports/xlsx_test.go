package reports

import (
	"archive/zip"
	"bytes"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/covgap/covgap/analyzer"
	"github.com/covgap/covgap/attack"
)

// writeAndOpen writes r's workbook to memory and opens it again, as a user's
// spreadsheet program would; it also returns the raw bytes for checks on
// the file's XML.
func writeAndOpen(t *testing.T, r *Report) (*excelize.File, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteWorkbook(&buf, r); err != nil {
		t.Fatalf("WriteWorkbook: %v", err)
	}
	raw := buf.Bytes()
	f, err := excelize.OpenReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("reading the workbook back: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f, raw
}

// rows returns a sheet's rows (cells as stored, not formatted).
func rows(t *testing.T, f *excelize.File, sheet string) [][]string {
	t.Helper()
	it, err := f.Rows(sheet)
	if err != nil {
		t.Fatalf("%s: %v", sheet, err)
	}
	defer it.Close()
	var out [][]string
	for it.Next() {
		cols, err := it.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatalf("%s row %d: %v", sheet, len(out)+1, err)
		}
		out = append(out, cols)
	}
	if err := it.Error(); err != nil {
		t.Fatalf("%s: %v", sheet, err)
	}
	return out
}

func cell(t *testing.T, f *excelize.File, sheet, ref string) string {
	t.Helper()
	v, err := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatalf("%s!%s: %v", sheet, ref, err)
	}
	return v
}

func approx(t *testing.T, where, got string, want float64) {
	t.Helper()
	v, err := strconv.ParseFloat(got, 64)
	if err != nil || math.Abs(v-want) > 1e-9 {
		t.Errorf("%s = %q, want %v", where, got, want)
	}
}

// column finds a header's column (1-based) in a header row.
func column(t *testing.T, header []string, name string) int {
	t.Helper()
	i := slices.Index(header, name)
	if i < 0 {
		t.Fatalf("no column %q in %q", name, header)
	}
	return i + 1
}

// at returns a row's cell in column col (1-based); "" past the row's end,
// where the Rows iterator trims empty cells.
func at(row []string, col int) string {
	if col-1 < len(row) {
		return row[col-1]
	}
	return ""
}

func groupRow(t *testing.T, rs [][]string, id string) []string {
	t.Helper()
	for _, r := range rs {
		if len(r) > 0 && r[0] == id {
			return r
		}
	}
	t.Fatalf("no row for %s", id)
	return nil
}

func ref(col, row int) string {
	s, _ := excelize.CoordinatesToCellName(col, row)
	return s
}

func TestWorkbookSheets(t *testing.T) {
	f, _ := writeAndOpen(t, testReport(t))
	want := []string{SheetSummary, SheetGroups, SheetTactics, SheetGaps, SheetTechniques, SheetRecommendations, SheetInventory, SheetMethod}
	if got := f.GetSheetList(); !slices.Equal(got, want) {
		t.Fatalf("sheets %q, want %q", got, want)
	}
	if f.GetActiveSheetIndex() != 0 {
		t.Errorf("active sheet %d, want Summary", f.GetActiveSheetIndex())
	}
	headers := map[string][]string{
		SheetGroups:          {"Group ID", "Group", "Weight", hScore, "Techniques", "Mitigable", "Covered", "Partial", "Gaps", "Unmitigable"},
		SheetTactics:         {"Group ID", "Group", hScore, "Resource Development (0–100)", "Initial Access (0–100)", "Execution (0–100)", "Persistence (0–100)", "Privilege Escalation (0–100)", "Defense Evasion (0–100)", "Credential Access (0–100)", "Command and Control (0–100)", "Exfiltration (0–100)"},
		SheetGaps:            {"Group ID", "Group", "Technique ID", "Technique", "Tactics", "State", hCoverage, "Mitigations in place (level)", "Missing mitigations"},
		SheetTechniques:      {"Technique ID", "Technique", "Tactics", "Weight n(t)", "Groups (n)", "Group IDs", "State", hCoverage, "Mitigations (level)"},
		SheetRecommendations: {"Rank", "Mitigation ID", "Mitigation", "Level before (%)", "Gain (points)", "Profile score after (0–100)", "Techniques newly covered (n)", "Techniques newly covered", "Groups"},
		SheetInventory:       {"Sheet", "Row", "Control", "Mitigation (as written)", "Resolved mitigation IDs", "Status (as written)", "Status", "Coverage (%)", "Scope (%)", "Level (%)", "Owner", "Reviewed", "Notes", "Row has an error"},
	}
	for sheet, want := range headers {
		rs := rows(t, f, sheet)
		if len(rs) == 0 || !slices.Equal(rs[0], want) {
			t.Errorf("%s header = %q, want %q", sheet, rs[0], want)
		}
		// Header row frozen on every table sheet.
		p, err := f.GetPanes(sheet)
		if err != nil || !p.Freeze || p.YSplit != 1 {
			t.Errorf("%s panes = %+v, %v; want the header row frozen", sheet, p, err)
		}
		if w, _ := f.GetColWidth(sheet, "B"); w <= 9.14 && sheet != SheetInventory {
			t.Errorf("%s column B width %v: widths not set", sheet, w)
		}
	}
}

func TestWorkbookNumbersMatchResult(t *testing.T) {
	r := testReport(t)
	res := r.Result
	f, _ := writeAndOpen(t, r)

	// Groups: one row per group, in the result's order, every count.
	gr := rows(t, f, SheetGroups)
	if len(gr) != 1+len(res.Groups) {
		t.Fatalf("Groups has %d rows, want %d", len(gr), 1+len(res.Groups))
	}
	for i, g := range res.Groups {
		row := gr[i+1]
		if row[0] != g.ID || row[1] != g.Name {
			t.Errorf("Groups row %d = %q, want %s %s", i+2, row[:2], g.ID, g.Name)
		}
		if g.Score == nil {
			if row[3] != "n/a" {
				t.Errorf("%s score %q, want n/a", g.ID, row[3])
			}
		} else {
			approx(t, g.ID+" score", row[3], *g.Score)
		}
		for j, n := range []int{g.Techniques, g.Mitigable, g.Covered, g.Partial, g.Gaps, g.Unmitigable} {
			if row[4+j] != strconv.Itoa(n) {
				t.Errorf("%s %s = %q, want %d", g.ID, gr[0][4+j], row[4+j], n)
			}
		}
	}
	// The fixture's known answers, so a wrong fixture cannot hide a bug.
	approx(t, "POLONIUM score", groupRow(t, gr, "G1005")[3], 74)
	approx(t, "APT29 score", groupRow(t, gr, "G0016")[3], 70)

	// Summary: the profile score and the table lowest first, unscored last.
	approx(t, "profile score", cell(t, f, SheetSummary, "B3"), *res.Profile.Score)
	sr := rows(t, f, SheetSummary)
	var hdr int
	for i, row := range sr {
		if len(row) > 3 && row[0] == "Group ID" {
			hdr = i
		}
	}
	if hdr == 0 {
		t.Fatal("no group table on Summary")
	}
	var order []string
	for _, row := range sr[hdr+1:] {
		order = append(order, row[0])
	}
	if want := []string{"G0016", "G1005", customGroupID}; !slices.Equal(order, want) {
		t.Errorf("Summary order %q, want %q (lowest first, no score last)", order, want)
	}

	// Tactics: POLONIUM's command-and-control score; blank where the group
	// has no technique (Execution); n/a where none is mitigable.
	tr := rows(t, f, SheetTactics)
	pol := groupRow(t, tr, "G1005")
	approx(t, "POLONIUM C2", at(pol, column(t, tr[0], "Command and Control (0–100)")), (0.6+0.6)/2*100)
	if v := at(pol, column(t, tr[0], "Execution (0–100)")); v != "" {
		t.Errorf("POLONIUM Execution = %q, want blank", v)
	}
	if v := at(pol, column(t, tr[0], "Resource Development (0–100)")); v != "n/a" {
		t.Errorf("POLONIUM Resource Development = %q, want n/a", v)
	}

	// Gaps: exactly the gap and partial items, coverage as a fraction.
	var want [][2]string
	for _, g := range res.Groups {
		for _, it := range g.Items {
			if it.State == analyzer.Gap || it.State == analyzer.Partial {
				want = append(want, [2]string{g.ID, it.Technique})
			}
		}
	}
	gp := rows(t, f, SheetGaps)
	if len(gp)-1 != len(want) {
		t.Fatalf("Gaps has %d rows, want %d", len(gp)-1, len(want))
	}
	for i, w := range want {
		if gp[i+1][0] != w[0] || gp[i+1][2] != w[1] {
			t.Errorf("Gaps row %d = %q, want %q", i+2, gp[i+1][:3], w)
		}
	}
	// T1090 for POLONIUM: IPS at 60%, the other two missing.
	for _, row := range gp[1:] {
		if row[0] == "G1005" && row[2] == "T1090" {
			approx(t, "T1090 coverage", row[6], 0.6)
			if row[7] != "M1031 Network Intrusion Prevention (60%)" || row[8] != "M1020 SSL/TLS Inspection; M1037 Filter Network Traffic" {
				t.Errorf("T1090 mitigations %q / %q", row[7], row[8])
			}
		}
	}

	// Techniques: every profile technique with n(t).
	tq := rows(t, f, SheetTechniques)
	if len(tq)-1 != len(res.Techniques) {
		t.Fatalf("Techniques has %d rows, want %d", len(tq)-1, len(res.Techniques))
	}
	for i, it := range res.Techniques {
		row := tq[i+1]
		if at(row, 1) != it.Technique || at(row, 7) != string(it.State) {
			t.Errorf("Techniques row %d = %q, want %s %s", i+2, row, it.Technique, it.State)
		}
		approx(t, it.Technique+" weight", at(row, 4), it.Weight)
		if it.State != analyzer.Unmitigable {
			approx(t, it.Technique+" coverage", at(row, 8), it.Coverage)
		} else if at(row, 8) != "" {
			t.Errorf("%s unmitigable but coverage %q", it.Technique, at(row, 8))
		}
	}

	// Recommendations: rank order, gain and cumulative score.
	rc := rows(t, f, SheetRecommendations)
	for i, rec := range res.Recommendations {
		row := rc[i+1]
		if row[0] != strconv.Itoa(rec.Rank) || row[1] != rec.Mitigation {
			t.Errorf("recommendation %d = %q", i+1, row)
		}
		approx(t, rec.Mitigation+" gain", row[4], rec.Gain)
		approx(t, rec.Mitigation+" score after", row[5], rec.ScoreAfter)
		if row[7] != strings.Join(rec.Techniques, ", ") {
			t.Errorf("%s techniques %q", rec.Mitigation, row[7])
		}
	}

	// Inventory: the rows as read, then the problems, then not assessed.
	iv := rows(t, f, SheetInventory)
	for i, rw := range r.Inventory.Rows {
		row := iv[i+1]
		if row[1] != strconv.Itoa(rw.Row) || row[2] != rw.Control {
			t.Errorf("inventory row %d = %q", i+2, row)
		}
		approx(t, "inventory level", row[9], rw.Level)
	}
	text := flatten(iv)
	for _, p := range res.Inventory.Problems {
		if !strings.Contains(text, p.Message) {
			t.Errorf("problem %q not on the Inventory sheet", p.Message)
		}
	}
	for _, id := range res.Inventory.NotAssessed {
		if !strings.Contains(text, "\x00"+id+"\x00") {
			t.Errorf("not assessed %s missing", id)
		}
	}

	// Method names the catalog, the model and MITRE's notice.
	m := flatten(rows(t, f, SheetMethod))
	for _, s := range []string{"18.1", "enterprise-attack", "max: the highest level", "© The MITRE Corporation", r.Tool, r.Command} {
		if !strings.Contains(m, s) {
			t.Errorf("Method sheet lacks %q", s)
		}
	}

	p, err := f.GetDocProps()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p.Subject, "18.1") || p.Title == "" || !strings.HasPrefix(p.Created, "2026-12-04") {
		t.Errorf("doc props %+v", p)
	}
}

// flatten joins every cell with NULs, for "is this text anywhere" checks.
func flatten(rs [][]string) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteString("\x00")
		b.WriteString(strings.Join(r, "\x00"))
		b.WriteString("\x00")
	}
	return b.String()
}

func TestWorkbookLinksFormatsChart(t *testing.T) {
	r := testReport(t)
	f, raw := writeAndOpen(t, r)

	links := []struct{ sheet, cell, want string }{
		{SheetGroups, "A2", "https://attack.mitre.org/groups/G0016/"},
		{SheetSummary, "A" + strconv.Itoa(summaryHeaderRow(t, f)+1), "https://attack.mitre.org/groups/G0016/"},
		{SheetGaps, "C2", "https://attack.mitre.org/techniques/T1090/"},
		{SheetGaps, "C" + strconv.Itoa(len(rows(t, f, SheetGaps))), "https://attack.mitre.org/techniques/T1567/002/"},
		{SheetTechniques, "A2", attack.TechniqueURL(r.Result.Techniques[0].Technique)},
		{SheetRecommendations, "B2", "https://attack.mitre.org/mitigations/M1042/"},
	}
	for _, l := range links {
		ok, target, err := f.GetCellHyperLink(l.sheet, l.cell)
		if err != nil || !ok || target != l.want {
			t.Errorf("%s!%s link = %v %q %v, want %q", l.sheet, l.cell, ok, target, err, l.want)
		}
	}

	scales := map[string]string{
		SheetGroups:          "D2:D4",
		SheetTactics:         "C2:L4",
		SheetGaps:            "G2:G",
		SheetTechniques:      "H2:H",
		SheetRecommendations: "F2:F4",
	}
	for sheet, want := range scales {
		cf, err := f.GetConditionalFormats(sheet)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for rng, opts := range cf {
			if strings.HasPrefix(rng, want) && len(opts) == 1 && opts[0].Type == "3_color_scale" {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no 3-colour scale on %s…, have %v", sheet, want, cf)
		}
	}
	cf, _ := f.GetConditionalFormats(SheetSummary)
	if len(cf) < 2 {
		t.Errorf("Summary colour scales %v, want the profile score and the group scores", cf)
	}

	for _, sheet := range []string{SheetGroups, SheetGaps, SheetTechniques} {
		if !sheetXMLHas(t, raw, f, sheet, "<autoFilter ") {
			t.Errorf("%s has no autofilter", sheet)
		}
	}

	// The chart: a bar chart on Summary reading the Summary table.
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatal(err)
	}
	chart := zipFile(t, zr, "xl/charts/chart1.xml")
	if !strings.Contains(chart, `<barDir val="bar"`) || !strings.Contains(chart, "Summary") {
		t.Errorf("chart1.xml is not a bar chart of the Summary table: %.300s", chart)
	}
	if !sheetXMLHas(t, raw, f, SheetSummary, "<drawing ") {
		t.Error("Summary has no drawing: the chart is not on it")
	}
}

func summaryHeaderRow(t *testing.T, f *excelize.File) int {
	for i, row := range rows(t, f, SheetSummary) {
		if len(row) > 0 && row[0] == "Group ID" {
			return i + 1
		}
	}
	t.Fatal("no group table on Summary")
	return 0
}

func zipFile(t *testing.T, zr *zip.Reader, name string) string {
	t.Helper()
	fh, err := zr.Open(name)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	defer fh.Close()
	b, _ := io.ReadAll(fh)
	return string(b)
}

// sheetXMLHas reports whether a sheet's XML part contains s.
func sheetXMLHas(t *testing.T, raw []byte, f *excelize.File, sheet, s string) bool {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatal(err)
	}
	idx, _ := f.GetSheetIndex(sheet)
	return strings.Contains(zipFile(t, zr, "xl/worksheets/sheet"+strconv.Itoa(idx+1)+".xml"), s)
}

func TestWorkbookWhatIf(t *testing.T) {
	r := testReportWhatIf(t)
	f, _ := writeAndOpen(t, r)
	gr := rows(t, f, SheetGroups)
	c := column(t, gr[0], hAssumedScore)
	if c != column(t, gr[0], hScore)+1 {
		t.Errorf("assumed score not beside the score: %q", gr[0])
	}
	for i, g := range r.Result.Groups {
		if g.AssumedScore != nil {
			approx(t, g.ID+" assumed", gr[i+1][c-1], *g.AssumedScore)
		}
	}
	// M1042 closes APT29's two gaps and M1037 its partial T1090.
	approx(t, "APT29 assumed", groupRow(t, gr, "G0016")[c-1], 100)
	if !strings.Contains(flatten(rows(t, f, SheetSummary)), hAssumedScore) {
		t.Error("Summary lacks the assumed profile score")
	}
	gp := rows(t, f, SheetGaps)
	column(t, gp[0], hAssumedState)
	column(t, gp[0], hAssumedCov)
	// The real levels stay in "in place"; the assumed ones are named as such.
	missing := column(t, gp[0], "Missing mitigations")
	for _, row := range gp[1:] {
		if row[0] == "G1005" && row[2] == "T1090" {
			if want := "M1020 SSL/TLS Inspection; M1037 Filter Network Traffic (0%, assumed 100%)"; at(row, missing) != want {
				t.Errorf("T1090 missing = %q, want %q", at(row, missing), want)
			}
			if want := "M1031 Network Intrusion Prevention (60%)"; at(row, missing-1) != want {
				t.Errorf("T1090 in place = %q, want %q", at(row, missing-1), want)
			}
		}
	}
	column(t, rows(t, f, SheetTechniques)[0], hAssumedCov)

	// Without a what-if there are no assumed columns.
	f2, _ := writeAndOpen(t, testReport(t))
	if slices.Contains(rows(t, f2, SheetGroups)[0], hAssumedScore) {
		t.Error("assumed column without a what-if")
	}
}

// TestWorkbookInjectedTextStaysText checks that text from the inventory and
// from a bundle that looks like a formula is stored as a string, carries
// the quote prefix, and that the file holds no formula at all.
func TestWorkbookInjectedTextStaysText(t *testing.T) {
	r := testReport(t)
	f, raw := writeAndOpen(t, r)

	iv := rows(t, f, SheetInventory)
	notes := column(t, iv[0], "Notes")
	for i, want := range injections {
		ref := ref(notes, i+2)
		if got := cell(t, f, SheetInventory, ref); got != want {
			t.Errorf("Inventory!%s = %q, want %q literally", ref, got, want)
		}
		assertText(t, f, SheetInventory, ref)
	}
	owner := ref(column(t, iv[0], "Owner"), 3)
	if got := cell(t, f, SheetInventory, owner); got != "+netops" {
		t.Errorf("owner %q", got)
	}
	assertText(t, f, SheetInventory, owner)

	// The hostile group name on the streamed Groups sheet and on the
	// cell-by-cell Summary sheet.
	assertText(t, f, SheetGroups, "B4")
	if got := cell(t, f, SheetGroups, "B4"); got != evilGroupName {
		t.Errorf("Groups!B4 = %q", got)
	}
	sum := summaryHeaderRow(t, f) + 3 // unscored, so last
	assertText(t, f, SheetSummary, "B"+strconv.Itoa(sum))

	// No cell of any sheet has a formula: checked through excelize and in
	// the XML itself, where a formula would be an <f> element.
	for _, sheet := range f.GetSheetList() {
		for i, row := range rows(t, f, sheet) {
			for j := range row {
				ref := ref(j+1, i+1)
				if fm, _ := f.GetCellFormula(sheet, ref); fm != "" {
					t.Errorf("%s!%s has formula %q", sheet, ref, fm)
				}
			}
		}
	}
	zr, _ := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	formula := regexp.MustCompile(`<f[ >]`)
	for _, zf := range zr.File {
		if strings.HasPrefix(zf.Name, "xl/worksheets/") && formula.MatchString(zipFile(t, zr, zf.Name)) {
			t.Errorf("%s contains a formula element", zf.Name)
		}
	}
}

// TestWorkbookControlCharacters: control characters are not allowed in
// XML; a note pasted from a terminal must not make the file unreadable.
func TestWorkbookControlCharacters(t *testing.T) {
	r := testReport(t)
	r.Inventory.Rows[0].Notes = "bell\x07 vt\x0b nul\x00 end"
	r.Result.Groups[0].Name = "APT\x0129"
	f, _ := writeAndOpen(t, r)
	iv := rows(t, f, SheetInventory)
	if got := at(iv[1], column(t, iv[0], "Notes")); !strings.HasPrefix(got, "bell") || !strings.HasSuffix(got, " end") {
		t.Errorf("note with control characters came back as %q", got)
	}
	if got := cell(t, f, SheetSummary, "B"+strconv.Itoa(summaryHeaderRow(t, f)+1)); !strings.HasPrefix(got, "APT") {
		t.Errorf("group name with a control character came back as %q", got)
	}
}

// assertText checks that a cell is a string cell with the quote prefix:
// shown as text, and kept text when someone edits it.
func assertText(t *testing.T, f *excelize.File, sheet, ref string) {
	t.Helper()
	typ, err := f.GetCellType(sheet, ref)
	if err != nil || (typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString) {
		t.Errorf("%s!%s type %v %v, want a string", sheet, ref, typ, err)
	}
	id, err := f.GetCellStyle(sheet, ref)
	if err != nil {
		t.Fatal(err)
	}
	xf := f.Styles.CellXfs.Xf[id]
	if xf.QuotePrefix == nil || !*xf.QuotePrefix {
		t.Errorf("%s!%s style %d has no quotePrefix", sheet, ref, id)
	}
}

// TestExcelizeStringsAreNeverFormulas pins the excelize behaviour the
// workbook relies on: a string that starts with "=" given to SetCellValue,
// SetCellStr or the StreamWriter is stored as a string, not a formula. If an
// excelize upgrade changes this, this test says so first.
func TestExcelizeStringsAreNeverFormulas(t *testing.T) {
	const evil = `=HYPERLINK("http://x","y")`
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetCellValue("Sheet1", "A1", evil); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellStr("Sheet1", "A2", evil); err != nil {
		t.Fatal(err)
	}
	if _, err := f.NewSheet("S"); err != nil {
		t.Fatal(err)
	}
	sw, err := f.NewStreamWriter("S")
	if err != nil {
		t.Fatal(err)
	}
	if err := sw.SetRow("A1", []any{evil, excelize.Cell{Value: evil}}); err != nil {
		t.Fatal(err)
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	g, err := excelize.OpenReader(buf)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	for _, c := range [][2]string{{"Sheet1", "A1"}, {"Sheet1", "A2"}, {"S", "A1"}, {"S", "B1"}} {
		if fm, _ := g.GetCellFormula(c[0], c[1]); fm != "" {
			t.Errorf("%s!%s became formula %q", c[0], c[1], fm)
		}
		if v, _ := g.GetCellValue(c[0], c[1]); v != evil {
			t.Errorf("%s!%s = %q", c[0], c[1], v)
		}
	}
}

func TestNewWorkbookChecksPath(t *testing.T) {
	dir := t.TempDir()
	bad := []string{
		filepath.Join(dir, "report.csv"),
		filepath.Join(dir, "report"),
		filepath.Join(dir, "missing", "report.xlsx"),
	}
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	bad = append(bad, filepath.Join(file, "report.xlsx"))
	sub := filepath.Join(dir, "d.xlsx")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	bad = append(bad, sub)
	for _, p := range bad {
		if _, err := NewWorkbook(p); err == nil {
			t.Errorf("NewWorkbook(%q) accepted", p)
		} else if !strings.Contains(err.Error(), p) {
			t.Errorf("NewWorkbook(%q): error %q does not name the path", p, err)
		}
	}
	if os.Geteuid() != 0 { // root writes anywhere
		ro := filepath.Join(dir, "ro")
		if err := os.Mkdir(ro, 0o555); err != nil {
			t.Fatal(err)
		}
		if _, err := NewWorkbook(filepath.Join(ro, "r.xlsx")); err == nil {
			t.Error("NewWorkbook accepted a read-only directory")
		}
	}
	if _, err := NewWorkbook(filepath.Join(dir, "Report.XLSX")); err != nil {
		t.Errorf("NewWorkbook refused an upper-case extension: %v", err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".covgap-*")); len(left) > 0 {
		t.Errorf("probe files left behind: %q", left)
	}
}

func TestWorkbookWriteReplacesAtomically(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.xlsx")
	w, err := NewWorkbook(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(testReport(t)); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatalf("written workbook does not open: %v", err)
	}
	f.Close()
	// A failing write leaves the previous report as it was.
	if err := w.Write(&Report{}); err == nil {
		t.Fatal("Write of an empty report succeeded")
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Error("a failed write changed the existing report")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("directory holds %q, want only report.xlsx", names)
	}
}

func TestSafeText(t *testing.T) {
	for _, c := range []struct {
		in, want string
	}{
		{"", ""},
		{"APT29", "APT29"},
		{"M1032 Multi-factor Authentication", "M1032 Multi-factor Authentication"},
		{"=1+1", "'=1+1"},
		{"+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"},
		{"-2+3", "'-2+3"},
		{"@SUM(1+1)", "'@SUM(1+1)"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"＝1+1", "'＝1+1"},
		{"a=1", "a=1"},
		{"'quoted", "'quoted"},
	} {
		if got := SafeText(c.in); got != c.want {
			t.Errorf("SafeText(%q) = %q, want %q", c.in, got, c.want)
		}
		if FormulaLike(c.in) != (c.want != c.in) {
			t.Errorf("FormulaLike(%q) = %v", c.in, FormulaLike(c.in))
		}
	}
}

// TestWorkbookFromSavedAssessment: a report rebuilt from a saved assessment
// has neither the inventory rows nor the catalog; the workbook still says
// everything the Result holds.
func TestWorkbookFromSavedAssessment(t *testing.T) {
	r := testReport(t)
	r.Inventory, r.Catalog = nil, nil
	r.Result.Recommendations = nil
	r.Result.Profile.Score = nil
	f, _ := writeAndOpen(t, r)
	iv := flatten(rows(t, f, SheetInventory))
	if !strings.Contains(iv, "not part of this report") {
		t.Error("Inventory sheet does not say the rows are missing")
	}
	for _, p := range r.Result.Inventory.Problems {
		if !strings.Contains(iv, p.Message) {
			t.Errorf("problem %q missing without the inventory", p.Message)
		}
	}
	// Without the catalog the tactics keep the order the result gives.
	tr := rows(t, f, SheetTactics)
	if len(tr[0]) < 4 || tr[0][3] == "" {
		t.Errorf("Tactics header %q", tr[0])
	}
	if got := cell(t, f, SheetSummary, "B3"); got != "n/a" {
		t.Errorf("profile score without mitigable techniques = %q, want n/a", got)
	}
	if !strings.Contains(flatten(rows(t, f, SheetRecommendations)), noRecommendations(r.Result)) {
		t.Error("empty Recommendations sheet does not say why")
	}
}
