package inventory

import (
	"bytes"
	"errors"
	"fmt"
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
				t, err := rd.readSheet(f, s, rd.opt.MaxRows+headerSearchRows+1)
				if err != nil {
					return nil, err
				}
				return t, nil
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
		return rd.readSheet(f, s, rd.opt.MaxRows+headerSearchRows+1)
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
