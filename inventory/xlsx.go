package inventory

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Unzipped workbook XML is typically 5–20 times the size of the file; these
// factors leave room for that and refuse zip bombs.
const (
	unzipFactor    = 25
	unzipXMLFactor = 10
)

// readXLSX reads the chosen worksheet: Options.Sheet, or else the one
// chooseSheet picks. Cells are read as
// formatted, which is how the user sees them, so a percent-formatted 0.75
// arrives as "75%" and a plain 0.75 as "0.75".
func (rd *reader) readXLSX(data []byte) (*table, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit:    rd.opt.MaxSize * unzipFactor,
		UnzipXMLSizeLimit: rd.opt.MaxSize * unzipXMLFactor,
	})
	if err != nil {
		if errors.Is(err, excelize.ErrWorkbookFileFormat) || strings.Contains(err.Error(), "zip") {
			return nil, fmt.Errorf("inventory %s is a zip archive but not a readable Excel workbook: %v", rd.file, err)
		}
		return nil, fmt.Errorf("inventory %s: cannot open the workbook: %v", rd.file, err)
	}
	defer f.Close()

	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, fmt.Errorf("inventory %s: the workbook has no sheets", rd.file)
	}
	if rd.opt.Sheet != "" {
		for _, s := range sheets {
			if strings.EqualFold(strings.TrimSpace(s), strings.TrimSpace(rd.opt.Sheet)) {
				return rd.readSheetRaw(f, s)
			}
		}
		return nil, fmt.Errorf("inventory %s has no sheet %q; its sheets are %s", rd.file, rd.opt.Sheet, quoteList(sheets))
	}
	return rd.chooseSheet(f, sheets)
}

// chooseSheet picks the sheet to read when --sheet names none. Hidden
// sheets are passed over (a note says so when one holds an inventory
// header): they are lookup lists and old copies the team does not see.
// Among the visible sheets, the best header wins as between rows (see
// findHeader): a sheet naming a mitigation column beats a cover sheet
// whose revision table only has a "Ref", and a sheet with rows under its
// header beats an empty template sheet. Among equals, the sheet the
// workbook opens on (its active sheet) is the one the team works in, else
// the first. Other sheets that also hold an equal inventory header are
// named in a warning, since reading one of several is a guess.
func (rd *reader) chooseSheet(f *excelize.File, sheets []string) (*table, error) {
	active := f.GetSheetName(f.GetActiveSheetIndex())
	var firstErr error
	type cand struct {
		name string
		rank int
	}
	var cands []cand
	var hidden []string
	best := 0
	list := "" // the first sheet that is a bare list of mitigations, without a header
	for _, s := range sheets {
		head, err := rd.readSheet(f, s, headerSearchRows)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		rank := headerRank(head)
		if _, ok := rd.headerlessList(head); ok && rank == 0 && list == "" {
			list = s
		}
		if visible, err := f.GetSheetVisible(s); err == nil && !visible {
			if rank > 0 {
				hidden = append(hidden, s)
			}
			continue
		}
		if rank > 0 {
			cands = append(cands, cand{s, rank})
			best = max(best, rank/1000*1000)
		}
	}
	var tier []string
	for _, c := range cands {
		if c.rank >= best {
			tier = append(tier, c.name)
		}
	}
	if len(tier) == 0 {
		if list != "" {
			return rd.readSheetRaw(f, list)
		}
		if firstErr != nil {
			return nil, firstErr
		}
		return nil, fmt.Errorf("inventory %s: no sheet (of %s) has a header row in its first %d rows; expected a column named \"Mitigation\", \"Mitigation ID\", \"ATT&CK Mitigation\" or \"Control\"",
			rd.file, quoteList(sheets), headerSearchRows)
	}
	chosen := tier[0]
	if slices.Contains(tier, active) {
		chosen = active
	}
	if len(hidden) > 0 {
		rd.problem(SeverityWarning, "", 0, "", fmt.Sprintf("hidden sheets not read: %s; name one with --sheet to read it", quoteList(hidden)))
	}
	var others []string
	for _, s := range tier {
		if s != chosen {
			others = append(others, s)
		}
	}
	if len(others) > 0 {
		why := "the first"
		if chosen == active {
			why = "the sheet the workbook opens on"
		}
		verb := "also holds"
		if len(others) > 1 {
			verb = "also hold"
		}
		rd.problem(SeverityWarning, "", 0, "", fmt.Sprintf("sheet %q is read (%s), but %s %s an inventory header; name the one you mean with --sheet",
			chosen, why, quoteList(others), verb))
	}
	return rd.readSheetRaw(f, chosen)
}

// readSheet reads up to limit rows of a sheet with the streaming iterator,
// keeping the row numbers the sheet gives (empty rows are absent from the
// file, so counting would drift).
func (rd *reader) readSheet(f *excelize.File, sheet string, limit int) (*table, error) {
	rows, err := f.Rows(sheet)
	if err != nil {
		return nil, fmt.Errorf("inventory %s: cannot read sheet %q: %v", rd.file, sheet, err)
	}
	defer rows.Close()
	t := &table{sheet: sheet}
	num, wide := 0, 0
	for rows.Next() {
		num++
		cells, err := rows.Columns()
		if err != nil {
			return nil, fmt.Errorf("inventory %s: sheet %q, row %d: %v", rd.file, sheet, num, err)
		}
		if isBlank(cells) {
			continue
		}
		cells, cut := capColumns(cells)
		if cut > 0 {
			// A far cell makes excelize build a row of up to 16,384 cells;
			// keep only what is written, and stop a sheet that does this
			// on every row before it costs gigabytes.
			for len(cells) > 0 && strings.TrimSpace(cells[len(cells)-1]) == "" {
				cells = cells[:len(cells)-1]
			}
			if wide++; wide > maxWideRows {
				return nil, fmt.Errorf("inventory %s: sheet %q has cells beyond column %d on more than %d rows; an inventory has a dozen columns (save the inventory's columns on a sheet of their own)",
					rd.file, sheet, maxColumns, maxWideRows)
			}
		}
		t.rows = append(t.rows, record{num: num, cells: cells, cut: cut})
		if len(t.rows) >= limit {
			break
		}
	}
	if err := rows.Error(); err != nil {
		return nil, fmt.Errorf("inventory %s: sheet %q: %v", rd.file, sheet, err)
	}
	return t, nil
}

// displayedDate matches what a date cell looks like through a display
// format ("09-12-26", "9/12/2026 14:05", "Jul-26", "12-Sep-26"), so that
// the second pass below runs only when there is such a cell: a column of
// ISO dates or free text needs no raw values.
var displayedDate = regexp.MustCompile(`^(?i)(\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}(\s+\d{1,2}:\d{2}(:\d{2})?(\s*[ap]m)?)?|(\d{1,2}[- ])?(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*[- ,]+\d{2,4})$`)

// wholePercent matches a percentage as a display format without decimals
// shows it ("76%"), which may hide a fraction (0.755).
var wholePercent = regexp.MustCompile(`^-?\d+\s?%$`)

// readSheetRaw reads a whole sheet, then fixes the cells whose displayed
// text loses what the cell holds:
//
//   - a date in the "last reviewed" column reads as the workbook's display
//     format ("09-12-26", "Jul-26"), ambiguous in a report; it becomes an
//     ISO date;
//   - a coverage or scope shown as a whole percentage ("76%") may hold
//     0.755; it becomes the exact "75.5%".
//
// A row can be read only one way per pass, so a second streaming pass
// fetches raw values, and only when some cell needs it.
func (rd *reader) readSheetRaw(f *excelize.File, sheet string) (*table, error) {
	t, err := rd.readSheet(f, sheet, rd.opt.MaxRows+headerSearchRows+1)
	if err != nil {
		return nil, err
	}
	hi, h, ok := findHeader(t)
	if !ok {
		return t, nil
	}
	fillMerged(f, sheet, t, hi, h)
	type fix struct {
		index int
		match *regexp.Regexp
		apply func(raw float64) string
	}
	use1904 := false
	if p, err := f.GetWorkbookProps(); err == nil && p.Date1904 != nil {
		use1904 = *p.Date1904
	}
	var fixes []fix
	if c, ok := h.cols[colReviewed]; ok {
		fixes = append(fixes, fix{c.index, displayedDate, func(serial float64) string {
			if serial < 1 || serial > 2958465 { // 9999-12-31
				return ""
			}
			d, err := excelize.ExcelDateToTime(serial, use1904)
			if err != nil {
				return ""
			}
			if d.Hour() == 0 && d.Minute() == 0 && d.Second() == 0 {
				return d.Format("2006-01-02")
			}
			return d.Format("2006-01-02 15:04")
		}})
	}
	for _, k := range []colKind{colCoverage, colScope} {
		if c, ok := h.cols[k]; ok {
			fixes = append(fixes, fix{c.index, wholePercent, func(v float64) string {
				return strconv.FormatFloat(math.Round(v*1e8)/1e6, 'f', -1, 64) + "%"
			}})
		}
	}
	want := map[int]*record{}
	for i := hi + 1; i < len(t.rows); i++ {
		r := &t.rows[i]
		for _, fx := range fixes {
			if fx.index < len(r.cells) && fx.match.MatchString(strings.TrimSpace(r.cells[fx.index])) {
				want[r.num] = r
			}
		}
	}
	if len(want) == 0 {
		return t, nil
	}
	rows, err := f.Rows(sheet)
	if err != nil {
		return t, nil // the first pass worked; keep its text
	}
	defer rows.Close()
	for num := 1; rows.Next() && len(want) > 0; num++ {
		r, ok := want[num]
		if !ok {
			continue
		}
		delete(want, num)
		raw, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			continue
		}
		for _, fx := range fixes {
			if fx.index >= len(raw) || fx.index >= len(r.cells) || !fx.match.MatchString(strings.TrimSpace(r.cells[fx.index])) {
				continue
			}
			// Text typed as "76%" is its own raw value and stays as written.
			v, err := strconv.ParseFloat(strings.TrimSpace(raw[fx.index]), 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				continue
			}
			if s := fx.apply(v); s != "" {
				r.cells[fx.index] = s
			}
		}
	}
	return t, nil
}

// fillMerged copies the value of a vertically merged cell into the rows it
// spans: a status or control written once in a cell merged over three rows
// means all three, but the file holds it only in the first. Merges are
// looked up (which parses the whole sheet) only when some row lacks a
// mitigation or status, the cells a merge would have emptied.
func fillMerged(f *excelize.File, sheet string, t *table, hi int, h headerScan) {
	needed := false
	for i := hi + 1; i < len(t.rows) && !needed; i++ {
		for _, k := range []colKind{colMitigation, colMitigationName, colStatus, colControl} {
			if c, ok := h.cols[k]; ok && (c.index >= len(t.rows[i].cells) || strings.TrimSpace(t.rows[i].cells[c.index]) == "") {
				needed = true
			}
		}
	}
	if !needed {
		return
	}
	merges, err := f.GetMergeCells(sheet, true)
	if err != nil || len(merges) == 0 {
		return
	}
	byNum := make(map[int]*record, len(t.rows))
	for i := range t.rows {
		byNum[t.rows[i].num] = &t.rows[i]
	}
	for _, m := range merges {
		c1, r1, err1 := excelize.CellNameToCoordinates(m.GetStartAxis())
		_, r2, err2 := excelize.CellNameToCoordinates(m.GetEndAxis())
		if err1 != nil || err2 != nil || r2 <= r1 || r2-r1 > len(t.rows) {
			continue
		}
		top, ok := byNum[r1]
		if !ok || c1-1 >= len(top.cells) {
			continue
		}
		v := top.cells[c1-1]
		for r := r1 + 1; r <= r2; r++ {
			rec, ok := byNum[r]
			if !ok {
				continue
			}
			for len(rec.cells) < c1 {
				rec.cells = append(rec.cells, "")
			}
			if strings.TrimSpace(rec.cells[c1-1]) == "" {
				rec.cells[c1-1] = v
			}
		}
	}
}
