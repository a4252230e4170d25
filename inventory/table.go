package inventory

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/covgap/covgap/attack"
)

// headerSearchRows is how far down a sheet the header may sit: title
// blocks, logos and "last updated" lines rarely take more than a few rows.
const headerSearchRows = 20

// record is one row of cells with the number a spreadsheet shows for it
// (for JSON and YAML, the item's 1-based position in the list).
type record struct {
	num   int
	cells []string
}

// table is the common shape every reader produces.
type table struct {
	sheet string
	rows  []record
	// header, when set, is the header given by the format (the keys of JSON
	// and YAML objects) rather than a row to be found.
	header []string
	// rowWord names a row in messages: "row" for sheets, "item" for lists.
	rowWord string
}

// reader carries one Read call's state.
type reader struct {
	file     string
	cat      *attack.Catalog
	opt      Options
	problems []Problem
	names    *names
}

func (rd *reader) problem(sev Severity, sheet string, row int, col, msg string, sugg ...string) {
	rd.problems = append(rd.problems, Problem{Severity: sev, File: rd.file, Sheet: sheet, Row: row,
		Column: col, Message: msg, Suggestions: sugg})
}

// findHeader returns the index in t.rows of the header row and its scan.
func findHeader(t *table) (int, headerScan, bool) {
	if t.header != nil {
		h := scanHeader(t.header)
		if len(t.rows) == 0 {
			// An empty list: nothing to read, which build reports as an
			// empty inventory rather than as a missing header.
			h.cols[colMitigation] = column{kind: colMitigation, title: "mitigation"}
			return -1, h, true
		}
		return -1, h, h.usable()
	}
	// A row with two recognised columns wins over an earlier lone
	// "Mitigation", which may be a title; the lone word is the header only
	// when nothing better follows (a plain list of mitigations).
	lone := -1
	var loneScan headerScan
	for i, r := range t.rows {
		if i >= headerSearchRows || r.num > headerSearchRows {
			break
		}
		h := scanHeader(r.cells)
		if !h.usable() {
			continue
		}
		if h.recognised >= 2 {
			return i, h, true
		}
		if lone < 0 {
			lone, loneScan = i, h
		}
	}
	if lone >= 0 {
		return lone, loneScan, true
	}
	return 0, headerScan{}, false
}

func (rd *reader) noHeader(t *table) error {
	where := rd.file
	if t.sheet != "" {
		where += fmt.Sprintf(" (sheet %q)", t.sheet)
	}
	if t.header != nil {
		return fmt.Errorf("inventory %s: no item has a mitigation field; expected a key such as \"mitigation\", \"mitigation_id\" or \"control\"", where)
	}
	return fmt.Errorf("inventory %s: no header row in the first %d rows; expected a column named \"Mitigation\", \"Mitigation ID\", \"ATT&CK Mitigation\" or \"Control\"", where, headerSearchRows)
}

// build turns the table into an Inventory: header, rows, levels.
func (rd *reader) build(t *table, format string) (*Inventory, error) {
	hi, h, ok := findHeader(t)
	if !ok {
		return nil, rd.noHeader(t)
	}
	inv := &Inventory{File: rd.file, Format: format, Sheet: t.sheet}
	if rd.opt.Sheet != "" && format != FormatXLSX {
		rd.problem(SeverityWarning, "", 0, "", fmt.Sprintf("a sheet (%q) was asked for, but a %s file has no sheets; the whole file is read", rd.opt.Sheet, format))
	}
	word := t.rowWord
	if word == "" {
		word = "row"
	}
	headerRow := 0
	if hi >= 0 {
		headerRow = t.rows[hi].num
	}
	colWord := "column"
	if t.header != nil {
		colWord = "key"
	}
	if len(h.unrecognised) > 0 {
		rd.problem(SeverityWarning, t.sheet, headerRow, "",
			fmt.Sprintf("%ss not recognised and ignored: %s", colWord, quoteList(h.unrecognised)))
	}
	for _, d := range h.duplicates {
		first := h.cols[d.kind]
		rd.problem(SeverityWarning, t.sheet, headerRow, d.title,
			fmt.Sprintf("a second %s %s; only %q is read", kindNames[d.kind], colWord, first.title))
	}

	mit, hasMit := h.cols[colMitigation]
	if !hasMit {
		if n, ok := h.cols[colMitigationName]; ok {
			mit, hasMit = n, true
			delete(h.cols, colMitigationName)
		} else {
			mit = h.cols[colControl]
			delete(h.cols, colControl)
			rd.problem(SeverityWarning, t.sheet, headerRow, mit.title,
				fmt.Sprintf("no mitigation %s; the %q %s is read as ATT&CK mitigation names or IDs", colWord, mit.title, colWord))
		}
	}
	h.cols[colMitigation] = mit
	_, hasStatus := h.cols[colStatus]
	_, hasCov := h.cols[colCoverage]
	listOnly := !hasStatus && !hasCov
	if listOnly && len(t.rows) > hi+1 {
		rd.problem(SeverityWarning, t.sheet, headerRow, "",
			fmt.Sprintf("no status or coverage %s; every mitigation listed is taken as implemented", colWord))
	}

	body := t.rows[hi+1:]
	if len(body) > rd.opt.MaxRows {
		rd.problem(SeverityError, t.sheet, body[rd.opt.MaxRows].num, "",
			fmt.Sprintf("the inventory has more than %d %ss; only the first %d were read", rd.opt.MaxRows, word, rd.opt.MaxRows))
		body = body[:rd.opt.MaxRows]
	}
	scales := map[colKind]percentScale{}
	for _, k := range []colKind{colCoverage, colScope} {
		if c, ok := h.cols[k]; ok {
			scales[k] = columnScale(body, c.index)
			if t.header != nil {
				// The items of a JSON or YAML list are written one by one,
				// often by different hands; a column has no single scale.
				scales[k] = scaleEach
			}
		}
	}

	for _, rec := range body {
		row, ok := rd.readRow(t, rec, h.cols, scales, word, listOnly)
		if ok {
			inv.Rows = append(inv.Rows, row)
		}
	}
	rd.aggregate(inv, t, word)
	// In sheet order, whole-file problems first, as a user works through them.
	sort.SliceStable(rd.problems, func(i, j int) bool { return rd.problems[i].Row < rd.problems[j].Row })
	inv.Problems = rd.problems
	if inv.Problems == nil {
		inv.Problems = []Problem{}
	}
	if inv.Rows == nil {
		inv.Rows = []Row{}
	}
	return inv, nil
}

func cell(rec record, c column, ok bool) string {
	if !ok || c.index >= len(rec.cells) {
		return ""
	}
	return strings.TrimSpace(rec.cells[c.index])
}

// readRow understands one row. ok is false for a row that is not an
// inventory row at all (blank, totals, no mitigation).
func (rd *reader) readRow(t *table, rec record, cols map[colKind]column, scales map[colKind]percentScale, word string, listOnly bool) (Row, bool) {
	if isBlank(rec.cells) {
		return Row{}, false
	}
	get := func(k colKind) (string, column) {
		c, ok := cols[k]
		return cell(rec, c, ok), c
	}
	row := Row{Sheet: t.sheet, Row: rec.num}
	bad := func(col column, msg string, sugg ...string) {
		row.Error = true
		rd.problem(SeverityError, t.sheet, rec.num, col.title, msg, sugg...)
	}
	for i, c := range rec.cells {
		if utf8.RuneCountInString(c) > rd.opt.MaxCell {
			title := columnLetter(i)
			for _, col := range cols {
				if col.index == i {
					title = col.title
				}
			}
			bad(column{title: title}, fmt.Sprintf("cell is longer than the limit of %d characters", rd.opt.MaxCell))
			rec.cells[i] = ""
		}
	}

	mtext, mcol := get(colMitigation)
	if mtext == "" {
		if n, c := get(colMitigationName); n != "" {
			mtext, mcol = n, c
		}
	}
	row.MitigationText = mtext
	row.Control, _ = get(colControl)
	row.Owner, _ = get(colOwner)
	row.Reviewed, _ = get(colReviewed)
	row.Notes, _ = get(colNotes)
	row.Mitigations = []string{}

	if mtext == "" || isTotalsLabel(mtext) {
		what := "has no mitigation"
		if isTotalsRow(rec.cells) {
			what = "looks like a totals line"
		}
		rd.problem(SeverityWarning, t.sheet, rec.num, mcol.title, fmt.Sprintf("the %s %s; ignored", word, what))
		return Row{}, false
	}

	refs := rd.resolve(mtext)
	for _, r := range refs {
		switch {
		case r.err != nil:
			bad(mcol, r.err.Error(), r.suggestions...)
		default:
			if r.note != "" {
				rd.problem(SeverityWarning, t.sheet, rec.num, mcol.title, r.note)
			}
			if !contains(row.Mitigations, r.id) {
				row.Mitigations = append(row.Mitigations, r.id)
			}
		}
	}

	stext, scol := get(colStatus)
	row.StatusText = stext
	if listOnly {
		row.Status = StatusImplemented
	} else if st, ok := parseStatus(stext); ok {
		row.Status = st
	} else if v, _, err := parsePercent(stext, scalePercent); err == nil && cell(rec, cols[colCoverage], hasCol(cols, colCoverage)) == "" {
		// "80%" in a status column is a coverage written in the wrong
		// place; read it as such rather than refuse the row.
		row.Status = statusOfLevel(v)
		row.Coverage = &v
	} else {
		bad(scol, fmt.Sprintf("status %q is not a status word; expected implemented, partial, planned, not implemented or not applicable (or yes, no, in progress, n/a …)", stext),
			suggestStatus(stext)...)
	}
	for _, k := range []colKind{colCoverage, colScope} {
		text, col := get(k)
		if text == "" {
			continue
		}
		v, warn, err := parsePercent(text, scales[k])
		if err != nil {
			bad(col, fmt.Sprintf("%s %s; expected a number from 0 to 100 (75, 75%%, 0.75)", kindNames[k], err))
			continue
		}
		if warn != "" {
			rd.problem(SeverityWarning, t.sheet, rec.num, col.title, warn)
		}
		if k == colCoverage {
			row.Coverage = &v
		} else {
			row.Scope = &v
		}
	}
	if (row.Status == StatusNotImplemented || row.Status == StatusPlanned) && row.Coverage != nil && *row.Coverage > 0 {
		rd.problem(SeverityWarning, t.sheet, rec.num, cols[colCoverage].title,
			fmt.Sprintf("status says %s but coverage is %s; the coverage counts", row.Status, pct(*row.Coverage)))
	}
	if row.Status == StatusNotApplicable && row.Coverage != nil && *row.Coverage > 0 {
		rd.problem(SeverityWarning, t.sheet, rec.num, cols[colCoverage].title,
			fmt.Sprintf("status says not applicable but coverage is %s; not applicable wins and the level is 0", pct(*row.Coverage)))
	}
	if !row.Error {
		row.Level = level(row.Status, row.Coverage, row.Scope)
	}
	return row, true
}

func hasCol(cols map[colKind]column, k colKind) bool {
	_, ok := cols[k]
	return ok
}

// statusOfLevel names the status a bare coverage figure amounts to.
func statusOfLevel(v float64) Status {
	switch {
	case v >= 1:
		return StatusImplemented
	case v > 0:
		return StatusPartial
	}
	return StatusNotImplemented
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func isBlank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

var totalsWords = map[string]bool{"total": true, "totals": true, "grandtotal": true, "subtotal": true,
	"sum": true, "average": true, "avg": true, "overall": true, "mean": true, "summary": true, "count": true}

func isTotalsLabel(s string) bool {
	k := headerKey(s)
	k = strings.TrimSuffix(k, "pct")
	return totalsWords[k]
}

// isTotalsRow reports whether any cell of a row without a mitigation reads
// like the label of a summary line ("Total", "Average", "Total:").
func isTotalsRow(cells []string) bool {
	for _, c := range cells {
		if isTotalsLabel(c) || strings.HasPrefix(headerKey(c), "total") {
			return true
		}
	}
	return false
}

func quoteList(s []string) string {
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(q, ", ")
}

// aggregate fills Levels, NotApplicable, Planned and NotAssessed, and warns
// about duplicate rows that disagree.
func (rd *reader) aggregate(inv *Inventory, t *table, word string) {
	inv.Levels = map[string]float64{}
	inv.NotApplicable = map[string]bool{}
	inv.Planned = map[string]bool{}
	naRows := map[string]bool{}
	otherRows := map[string]bool{} // a row that gives a level or a status other than not applicable

	type seen struct {
		row    int
		level  float64
		status Status
	}
	firstOf := map[string]seen{}
	blank := 0
	for _, r := range inv.Rows {
		if r.Error {
			continue
		}
		// A row that names a mitigation but says nothing about it (an
		// unfilled template line) leaves the mitigation not assessed.
		if r.Status == StatusUnknown && r.Coverage == nil {
			blank++
			continue
		}
		// Different controls implementing the same mitigation to different
		// degrees are normal; the same control (or, without a control
		// column, the same mitigation) listed twice with different levels
		// is a copy-paste slip worth a look.
		key := "c:" + strings.ToLower(strings.Join(strings.Fields(r.Control), " "))
		what := fmt.Sprintf("control %q", r.Control)
		if r.Control == "" {
			key = "m:" + strings.Join(r.Mitigations, ",")
			what = strings.Join(r.Mitigations, ", ")
		}
		if f, ok := firstOf[key]; !ok {
			firstOf[key] = seen{r.Row, r.Level, r.Status}
		} else if f.level != r.Level || f.status != r.Status {
			rd.problem(SeverityWarning, r.Sheet, r.Row, "",
				fmt.Sprintf("repeats %s from %s %d with a different status or level (%s, level %s, against %s, level %s); the highest level counts",
					what, word, f.row, statusLabel(r.Status), pct(r.Level), statusLabel(f.status), pct(f.level)))
		}
		for _, id := range r.Mitigations {
			if old, ok := inv.Levels[id]; !ok || r.Level > old {
				inv.Levels[id] = r.Level
			}
			switch {
			case r.Status == StatusNotApplicable:
				naRows[id] = true
			case r.Level > 0 || r.Status != StatusUnknown:
				otherRows[id] = true
			}
			if r.Status == StatusPlanned || isInProgress(r.StatusText) {
				inv.Planned[id] = true
			}
		}
	}
	for id := range naRows {
		if !otherRows[id] {
			inv.NotApplicable[id] = true
		}
	}
	inv.NotAssessed = []string{}
	for _, m := range rd.cat.Mitigations {
		if _, ok := inv.Levels[m.ID]; !ok {
			inv.NotAssessed = append(inv.NotAssessed, m.ID)
		}
	}
	sort.Strings(inv.NotAssessed)
	switch {
	case len(inv.Levels) == 0 && blank > 0:
		rd.problem(SeverityError, t.sheet, 0, "", fmt.Sprintf("none of the %d %ss naming a mitigation gives a status or a coverage; nothing is assessed", blank, word))
	case len(inv.Levels) == 0:
		rd.problem(SeverityError, t.sheet, 0, "", "the inventory names no mitigation that could be read; nothing is assessed")
	case blank > 0:
		rd.problem(SeverityWarning, t.sheet, 0, "", fmt.Sprintf("%d %ss name a mitigation but give no status or coverage; those mitigations count as not assessed", blank, word))
	}
}

func statusLabel(s Status) string {
	if s == StatusUnknown {
		return "no status"
	}
	return string(s)
}
