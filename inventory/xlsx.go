package inventory

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
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

// readXLSX reads the chosen worksheet: Options.Sheet, or else the first
// sheet whose first rows hold a recognisable header. Cells are read as
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
				return rd.readSheetDates(f, s)
			}
		}
		return nil, fmt.Errorf("inventory %s has no sheet %q; its sheets are %s", rd.file, rd.opt.Sheet, quoteList(sheets))
	}
	var firstErr error
	for _, s := range sheets {
		head, err := rd.readSheet(f, s, headerSearchRows)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		if _, _, ok := findHeader(head); !ok {
			continue
		}
		return rd.readSheetDates(f, s)
	}
	if firstErr != nil {
		return nil, firstErr
	}
	return nil, fmt.Errorf("inventory %s: no sheet (of %s) has a header row in its first %d rows; expected a column named \"Mitigation\", \"Mitigation ID\", \"ATT&CK Mitigation\" or \"Control\"",
		rd.file, quoteList(sheets), headerSearchRows)
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
	num := 0
	for rows.Next() {
		num++
		cells, err := rows.Columns()
		if err != nil {
			return nil, fmt.Errorf("inventory %s: sheet %q, row %d: %v", rd.file, sheet, num, err)
		}
		if isBlank(cells) {
			continue
		}
		t.rows = append(t.rows, record{num: num, cells: cells})
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

// readSheetDates reads a whole sheet and rewrites the date cells of its
// "last reviewed" column as ISO dates. Formatted, a date reads as the
// workbook's display format ("09-12-26", "Jul-26"), which is ambiguous in
// a report; the serial number behind it is not. A second streaming pass
// fetches the raw values, since a row can be read only one way per pass.
func (rd *reader) readSheetDates(f *excelize.File, sheet string) (*table, error) {
	t, err := rd.readSheet(f, sheet, rd.opt.MaxRows+headerSearchRows+1)
	if err != nil {
		return nil, err
	}
	hi, h, ok := findHeader(t)
	col, has := h.cols[colReviewed]
	if !ok || !has {
		return t, nil
	}
	want := map[int]*record{}
	for i := hi + 1; i < len(t.rows); i++ {
		if r := &t.rows[i]; col.index < len(r.cells) && displayedDate.MatchString(strings.TrimSpace(r.cells[col.index])) {
			want[r.num] = r
		}
	}
	if len(want) == 0 {
		return t, nil
	}
	use1904 := false
	if p, err := f.GetWorkbookProps(); err == nil && p.Date1904 != nil {
		use1904 = *p.Date1904
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
		if err != nil || col.index >= len(raw) || raw[col.index] == r.cells[col.index] {
			continue
		}
		serial, err := strconv.ParseFloat(raw[col.index], 64)
		if err != nil || serial < 1 || serial > 2958465 { // 9999-12-31
			continue
		}
		d, err := excelize.ExcelDateToTime(serial, use1904)
		if err != nil {
			continue
		}
		if d.Hour() == 0 && d.Minute() == 0 && d.Second() == 0 {
			r.cells[col.index] = d.Format("2006-01-02")
		} else {
			r.cells[col.index] = d.Format("2006-01-02 15:04")
		}
	}
	return t, nil
}
