package inventory

import (
	"fmt"
	"slices"
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
	cut   int // cells past maxColumns that were dropped
}

// maxColumns bounds the cells kept per row. A sheet with one cell far to
// the right (column XFD) would otherwise cost a 16,384-cell row each, so a
// small crafted file could take gigabytes; inventories use a dozen columns.
const maxColumns = 256

// maxWideRows is how many rows with cells past maxColumns a sheet may have
// before it is refused: each such row costs excelize a 16,384-cell slice.
const maxWideRows = 1000

// capColumns keeps the first maxColumns cells in a slice of their own.
func capColumns(cells []string) ([]string, int) {
	if len(cells) <= maxColumns {
		return cells, 0
	}
	return append([]string(nil), cells[:maxColumns]...), len(cells) - maxColumns
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
	text     string // the decoded text of a JSON or YAML file, for key order
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
	// Every usable row among the first ones is a candidate; the best ranked
	// wins, the earlier on a tie. A revision-history table above the
	// inventory ("Ref | Date | Description | Author") or the group row of a
	// two-row header ("Control | ATT&CK | Implementation") names at most a
	// control; the real header names the mitigation and more columns. A
	// lone "Mitigation" title loses to a real header below it for having
	// fewer recognised columns, and is the header only of a plain list.
	best, bestRank := -1, 0
	var bestScan headerScan
	for i, r := range t.rows {
		if i >= headerSearchRows || r.num > headerSearchRows {
			break
		}
		h := scanHeader(r.cells)
		if !h.usable() {
			continue
		}
		if rank := h.rank(); rank > bestRank {
			best, bestRank, bestScan = i, rank, h
		}
	}
	if best >= 0 {
		return best, bestScan, true
	}
	return 0, headerScan{}, false
}

// headerlessList reports whether a sheet without a header is a bare list
// of mitigations ("M1032\nM1017\n"): every written row has one cell, in
// the same column, and every such cell resolves to mitigations without an
// error. Anything less is a table whose header is missing, which is
// refused as before; a list is what a JSON list of names already is.
func (rd *reader) headerlessList(t *table) (int, bool) {
	if t.header != nil {
		return 0, false
	}
	idx, n := -1, 0
	for _, r := range t.rows {
		if isBlank(r.cells) {
			continue
		}
		for i, c := range r.cells {
			if strings.TrimSpace(c) == "" {
				continue
			}
			if idx >= 0 && i != idx {
				return 0, false
			}
			idx = i
		}
		if n >= rd.opt.MaxRows {
			break
		}
		n++
		refs := rd.resolve(strings.TrimSpace(r.cells[idx]))
		if len(refs) == 0 {
			return 0, false
		}
		for _, ref := range refs {
			if ref.err != nil {
				return 0, false
			}
		}
	}
	return idx, n > 0
}

// headerRank is the rank of a sheet's best header (0 when it has none), to
// choose between sheets as between rows. A sheet with rows under its
// header beats every sheet without: an empty template sheet in front of
// the filled-in quarter is not the inventory.
func headerRank(t *table) int {
	hi, h, ok := findHeader(t)
	if !ok || hi < 0 && t.header == nil {
		return 0
	}
	r := h.rank()
	for _, rec := range t.rows[hi+1:] {
		if !isBlank(rec.cells) {
			return r + 5000
		}
	}
	return r
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
	headerless := false
	if !ok {
		idx, list := rd.headerlessList(t)
		if !list {
			return nil, rd.noHeader(t)
		}
		hi, headerless = -1, true
		h = headerScan{cols: map[colKind]column{colMitigation: {kind: colMitigation, index: idx, title: columnLetter(idx)}}}
	}
	inv := &Inventory{File: rd.file, Format: format, Sheet: t.sheet}
	rd.warnWide(t)
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

	body := t.rows[hi+1:]
	if len(body) > rd.opt.MaxRows {
		rd.problem(SeverityError, t.sheet, body[rd.opt.MaxRows].num, "",
			fmt.Sprintf("the inventory has more than %d %ss; only the first %d were read", rd.opt.MaxRows, word, rd.opt.MaxRows))
		body = body[:rd.opt.MaxRows]
	}
	proper := properRows(body, h.cols)
	// A column of words that are neither numbers nor statuses ("High",
	// "Cloud", "ISO 27001 A.9.4.2") is some other fact under a familiar
	// header: say so once and ignore it, rather than an error on every row.
	for _, k := range []colKind{colStatus, colCoverage, colScope} {
		if c, ok := h.cols[k]; ok {
			if words, ok := wordColumn(proper, c.index, k); ok {
				what := "numbers from 0 to 100"
				if k == colStatus {
					what = "statuses (implemented, partial, planned …) or numbers"
				}
				rd.problem(SeverityWarning, t.sheet, headerRow, c.title,
					fmt.Sprintf("the %s %q holds words (%s), not %s; it is ignored", colWord, c.title, quoteList(words), what))
				delete(h.cols, k)
			}
		}
	}
	_, hasStatus := h.cols[colStatus]
	_, hasCov := h.cols[colCoverage]
	listOnly := !hasStatus && !hasCov
	if headerless {
		rd.problem(SeverityWarning, t.sheet, 0, h.cols[colMitigation].title,
			"no header row, but every line names a mitigation; read as a list of deployed mitigations, each taken as implemented")
	} else if listOnly && len(t.rows) > hi+1 {
		rd.problem(SeverityWarning, t.sheet, headerRow, "",
			fmt.Sprintf("no status or coverage %s; every mitigation listed is taken as implemented", colWord))
	}

	scales := map[colKind]percentScale{}
	for _, k := range []colKind{colCoverage, colScope, colStatus} {
		if c, ok := h.cols[k]; ok {
			scales[k] = columnScale(proper, c.index)
			if t.header != nil {
				// The items of a JSON or YAML list are written one by one,
				// often by different hands; a column has no single scale.
				scales[k] = scaleEach
			}
		}
	}
	if c, ok := h.cols[colStatus]; ok && t.header == nil && numericStatuses(proper, c.index) {
		how := "fractions of 1 (0.5 is 50%)"
		if scales[colStatus] == scalePercent {
			how = "percentages (50 is 50%), since some are above 1"
		}
		rd.problem(SeverityWarning, t.sheet, headerRow, c.title,
			fmt.Sprintf("the %s %q holds numbers; they are read as the coverage, in %s", colWord, c.title, how))
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

	if mtext == "" || isTotalsLabel(mtext) || isTotalsLine(rec, mtext) {
		what := "has no mitigation"
		if isTotalsRow(rec.cells) || isTotalsLine(rec, mtext) {
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
			if !slices.Contains(row.Mitigations, r.id) {
				row.Mitigations = append(row.Mitigations, r.id)
			}
		}
	}

	// "M1032" in the ID column and "User Training" in the name column: the
	// ID is read, but one of the two is a slip worth a look.
	if idText, _ := get(colMitigation); idText != "" && !row.Error {
		if ntext, ncol := get(colMitigationName); ntext != "" {
			if nid, ok := rd.names.byKey[squashKey(ntext)]; ok && strings.HasPrefix(nid, "M") && !slices.Contains(row.Mitigations, nid) {
				rd.problem(SeverityWarning, t.sheet, rec.num, ncol.title,
					fmt.Sprintf("the %s says %s but the %s %q is %s; %s is read", mcol.title, strings.Join(row.Mitigations, ", "), ncol.title, ntext, nid, strings.Join(row.Mitigations, ", ")))
			}
		}
	}

	stext, scol := get(colStatus)
	row.StatusText = stext
	covGiven := cell(rec, cols[colCoverage], hasCol(cols, colCoverage)) != "" && !isPlaceholder(cell(rec, cols[colCoverage], hasCol(cols, colCoverage)))
	if listOnly {
		row.Status = StatusImplemented
	} else if b := strings.TrimSpace(stext); b == "1" || b == "0" {
		// In a status column 1 and 0 are yes and no, whatever scale the
		// column's other numbers are on: a tick box exported as a number.
		row.Status = StatusNotImplemented
		if b == "1" {
			row.Status = StatusImplemented
		}
	} else if _, _, err := parseNumber(stext); err == nil {
		// A number in the status column is a coverage written in the wrong
		// place, read on the column's scale as a coverage column is.
		v, warn, err := parsePercent(stext, scales[colStatus])
		switch {
		case err != nil:
			bad(scol, fmt.Sprintf("status %s; expected a status word or a number from 0 to 100", err))
		default:
			if warn != "" {
				rd.problem(SeverityWarning, t.sheet, rec.num, scol.title, warn)
			}
			row.Status = statusOfLevel(v)
			if !covGiven && v > 0 && v < 1 {
				row.Coverage = &v
			}
		}
	} else if sr, ok := readStatus(stext); ok && sr.err == "" {
		row.Status = sr.status
		if sr.warn != "" {
			rd.problem(SeverityWarning, t.sheet, rec.num, scol.title, sr.warn)
		}
		if sr.coverage != nil && !covGiven && row.Status != StatusNotApplicable {
			row.Coverage = sr.coverage
			rd.problem(SeverityWarning, t.sheet, rec.num, scol.title,
				fmt.Sprintf("status %q gives a share; %s is read as the coverage", stext, pct(*sr.coverage)))
		}
	} else if ok {
		bad(scol, sr.err, "implemented", "not implemented")
	} else {
		bad(scol, fmt.Sprintf("status %q is not a status word; expected implemented, partial, planned, not implemented or not applicable (or yes, no, in progress, n/a …)", stext),
			suggestStatus(stext)...)
	}
	for _, k := range []colKind{colCoverage, colScope} {
		text, col := get(k)
		if text == "" || isPlaceholder(text) {
			continue // "n/a", "TBD", "-": no figure given
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

// properRows are the body rows that are inventory rows: they name a
// mitigation and are not a totals line. Only they decide a column's scale
// or whether it holds words.
func properRows(body []record, cols map[colKind]column) []record {
	var out []record
	for _, r := range body {
		m := cell(r, cols[colMitigation], hasCol(cols, colMitigation))
		if m == "" {
			m = cell(r, cols[colMitigationName], hasCol(cols, colMitigationName))
		}
		if m == "" || isTotalsLabel(m) || isTotalsLine(r, m) {
			continue
		}
		out = append(out, r)
	}
	return out
}

// wordColumn reports whether a status, coverage or scope column holds only
// words that are neither numbers nor (for status) statuses or near
// misspellings of one, in at least two cells, and returns up to three of
// them. A single odd cell is an error on its row, not a column to ignore.
func wordColumn(rows []record, idx int, k colKind) ([]string, bool) {
	var words []string
	n := 0
	for _, r := range rows {
		if idx >= len(r.cells) {
			continue
		}
		v := strings.TrimSpace(r.cells[idx])
		if v == "" || k != colStatus && isPlaceholder(v) {
			continue
		}
		if _, _, err := parseNumber(v); err == nil {
			return nil, false
		}
		if k == colStatus {
			if _, ok := parseStatus(v); ok || len(suggestStatus(v)) > 0 {
				return nil, false
			}
		}
		n++
		if len(words) < 3 && !slices.Contains(words, v) {
			words = append(words, v)
		}
	}
	return words, n >= 2
}

// numericStatuses reports whether a status column holds a number other
// than the 0 and 1 of a yes/no column.
func numericStatuses(rows []record, idx int) bool {
	for _, r := range rows {
		if idx < len(r.cells) {
			if n, _, err := parseNumber(r.cells[idx]); err == nil && n != 0 && n != 1 {
				return true
			}
		}
	}
	return false
}

// isTotalsLine reports whether a row is a summary line whose label sits in
// another column than the mitigation ("Total,2,,65", "Implemented
// count,1,,", "Average coverage,,,65"): its first written cell reads like
// a totals label, and its mitigation cell is empty or a bare number.
func isTotalsLine(rec record, mtext string) bool {
	if _, _, err := parseNumber(mtext); mtext != "" && err != nil {
		return false
	}
	for _, c := range rec.cells {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		toks := statusTokens(c)
		if len(toks) == 0 || len(toks) > 4 {
			return false
		}
		for _, w := range toks {
			if totalsWords[w] {
				return true
			}
		}
		return false
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
		planned := r.Status == StatusPlanned || isInProgress(r.StatusText) // once per row
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
			if planned {
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

// warnWide tells, once per table, that cells beyond maxColumns were not
// read.
func (rd *reader) warnWide(t *table) {
	rows, first := 0, 0
	for _, r := range t.rows {
		if r.cut > 0 {
			if rows == 0 {
				first = r.num
			}
			rows++
		}
	}
	if rows > 0 {
		rd.problem(SeverityWarning, t.sheet, first, "", fmt.Sprintf(
			"%d row(s), the first this one, have cells beyond column %d; only the first %d columns are read",
			rows, maxColumns, maxColumns))
	}
}
