package reports

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/covgap/covgap/attack"
	"github.com/covgap/covgap/internal/atomicfile"
)

// Workbook writes the Excel gap workbook (SPEC §6) to one .xlsx file.
type Workbook struct {
	path string
}

var _ Writer = (*Workbook)(nil)

// NewWorkbook checks at once that path names an .xlsx file in an existing,
// writable directory, so that a bad -o fails before the analysis runs
// rather than after it.
func NewWorkbook(path string) (*Workbook, error) {
	if !strings.EqualFold(filepath.Ext(path), ".xlsx") {
		return nil, fmt.Errorf("%s: an Excel report must end in .xlsx", path)
	}
	if err := atomicfile.CheckTarget(path); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &Workbook{path: path}, nil
}

// Write writes the workbook to a temporary file in the target's directory
// and renames it into place, so a failed write never leaves half a workbook
// where the previous quarter's report used to be.
func (w *Workbook) Write(r *Report) error {
	return writeFileAtomic(w.path, func(out io.Writer) error { return WriteWorkbook(out, r) })
}

// Sheet names of the workbook, in order.
const (
	SheetSummary         = "Summary"
	SheetGroups          = "Groups"
	SheetTactics         = "Tactics"
	SheetGaps            = "Gaps"
	SheetTechniques      = "Techniques"
	SheetRecommendations = "Recommendations"
	SheetInventory       = "Inventory"
	SheetMethod          = "Method"
)

// chartGroups is how many of the lowest-scoring groups the Summary chart
// shows: beyond about 30 bars the labels become unreadable.
const chartGroups = 30

// WriteWorkbook writes the gap workbook for r to out.
func WriteWorkbook(out io.Writer, r *Report) error {
	if r == nil || r.Result == nil {
		return errors.New("no analysis result to write")
	}
	f := excelize.NewFile()
	defer f.Close()
	b, err := newBook(f, r)
	if err != nil {
		return err
	}
	if err := b.build(); err != nil {
		return err
	}
	var pkg bytes.Buffer
	if _, err := f.WriteTo(&pkg); err != nil {
		return fmt.Errorf("writing workbook: %w", err)
	}
	if err := addLinks(out, pkg.Bytes(), b.links); err != nil {
		return fmt.Errorf("writing workbook: %w", err)
	}
	return nil
}

// styles are the cell styles of the workbook, made once per file.
type styles struct {
	header, title, label, link, score, pct, weight, wrap int
	// quoted is the style of text cells whose text would be read as a
	// formula if edited or re-imported; see book.value.
	quoted int
}

type book struct {
	f   *excelize.File
	r   *Report
	st  styles
	wif bool // a what-if was asked for: show the assumed columns
	// links are the hyperlinks of each sheet, added to the finished
	// package by addLinks.
	links map[string][]cellLink
}

func newBook(f *excelize.File, r *Report) (*book, error) {
	b := &book{f: f, r: r, links: map[string][]cellLink{}}
	res := r.Result
	b.wif = whatIf(res)
	sm := &styleMaker{f: f}
	mk := sm.add
	one := numFmt
	b.st = styles{
		header: mk(&excelize.Style{
			Font:      &excelize.Font{Bold: true},
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9E1F2"}},
			Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"},
			Border:    []excelize.Border{{Type: "bottom", Color: "8EA9DB", Style: 1}},
		}),
		title: mk(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 16}}),
		label: mk(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{Vertical: "top"}}),
		link:  mk(&excelize.Style{Font: &excelize.Font{Color: "0563C1", Underline: "single"}}),
		score: mk(&excelize.Style{CustomNumFmt: one("0.0")}),
		pct:   mk(&excelize.Style{CustomNumFmt: one("0.0%")}),
		// Weights are usually whole numbers: General shows 1 as "1" and
		// 0.5 as "0.5", where "0.##" would show "1." in Excel.
		weight: 0,
		wrap:   mk(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}}),
		// Text that came from an input and looks like a formula.
		quoted: sm.quotePrefix(excelize.Style{}),
	}
	if sm.err != nil {
		return nil, fmt.Errorf("workbook styles: %w", sm.err)
	}
	return b, nil
}

func (b *book) build() error {
	// The default sheet becomes Summary so it opens first.
	if err := b.f.SetSheetName("Sheet1", SheetSummary); err != nil {
		return err
	}
	for _, name := range []string{SheetGroups, SheetTactics, SheetGaps, SheetTechniques, SheetRecommendations, SheetInventory, SheetMethod} {
		if _, err := b.f.NewSheet(name); err != nil {
			return err
		}
	}
	// Summary is the first sheet and so already the active one; calling
	// SetActiveSheet after the streamed sheets are flushed would make
	// excelize parse every one of them back from its temporary file.
	steps := []struct {
		sheet string
		fn    func() error
	}{
		{SheetSummary, b.summary},
		{SheetGroups, b.groups},
		{SheetTactics, b.tactics},
		{SheetGaps, b.gaps},
		{SheetTechniques, b.techniques},
		{SheetRecommendations, b.recommendations},
		{SheetInventory, b.inventory},
		{SheetMethod, b.method},
	}
	for _, s := range steps {
		if err := s.fn(); err != nil {
			return fmt.Errorf("sheet %s: %w", s.sheet, err)
		}
	}
	return b.docProps()
}

func (b *book) docProps() error {
	res := b.r.Result
	subject := "MITRE ATT&CK mitigation coverage"
	if res.Attack.Domain != "" || res.Attack.Version != "" {
		subject = strings.TrimSpace(fmt.Sprintf("MITRE ATT&CK %s v%s mitigation coverage", res.Attack.Domain, res.Attack.Version))
	}
	p := &excelize.DocProperties{
		Title:    "covgap mitigation coverage gap report",
		Subject:  subject,
		Creator:  b.r.Tool,
		Keywords: "ATT&CK; mitigations; coverage; gaps",
	}
	if p.Creator == "" {
		p.Creator = "covgap"
	}
	if res.Profile.Name != "" {
		p.Description = "Threat profile: " + res.Profile.Name
	}
	if !b.r.Generated.IsZero() {
		p.Created = b.r.Generated.UTC().Format("2006-01-02T15:04:05Z")
		p.Modified = p.Created
	}
	return b.f.SetDocProps(p)
}

// idCell is an ATT&CK ID: written as a link to its page on attack.mitre.org
// (as plain, safe text when it is not an ATT&CK ID, e.g. a custom group).
type idCell string

// num is a number cell with one of the book's number styles.
type num struct {
	v     float64
	style int
}

// sheet writes rows top to bottom to one worksheet, either through a
// StreamWriter (large sheets) or cell by cell (sheets that carry a chart,
// which a streamed sheet cannot).
type sheet struct {
	b    *book
	name string
	sw   *excelize.StreamWriter
	row  int // the last row written
}

func (b *book) normalSheet(name string) *sheet { return &sheet{b: b, name: name} }

// streamSheet opens a streamed sheet. Column widths and frozen panes must be
// set before the first row, so they are taken here; freezeCols columns and
// freezeRows rows stay in view.
func (b *book) streamSheet(name string, widths []float64, freezeRows, freezeCols int) (*sheet, error) {
	// Page setup lives outside sheetData, so it must be set before the
	// stream writer takes the sheet over; it is kept through Flush.
	if err := printable(b.f, name, freezeRows); err != nil {
		return nil, err
	}
	sw, err := b.f.NewStreamWriter(name)
	if err != nil {
		return nil, err
	}
	for i, w := range widths {
		if err := sw.SetColWidth(i+1, i+1, w); err != nil {
			return nil, err
		}
	}
	if freezeRows > 0 || freezeCols > 0 {
		if err := sw.SetPanes(freezePanes(freezeRows, freezeCols)); err != nil {
			return nil, err
		}
	}
	return &sheet{b: b, name: name, sw: sw}, nil
}

func freezePanes(rows, cols int) *excelize.Panes {
	top, _ := excelize.CoordinatesToCellName(cols+1, rows+1)
	pane := "bottomLeft"
	switch {
	case rows > 0 && cols > 0:
		pane = "bottomRight"
	case cols > 0:
		pane = "topRight"
	}
	return &excelize.Panes{Freeze: true, XSplit: cols, YSplit: rows, TopLeftCell: top, ActivePane: pane,
		Selection: []excelize.Selection{{SQRef: top, ActiveCell: top, Pane: pane}}}
}

// value turns a row value into what excelize writes. Every string is
// written as a string cell (shared or inline string, never a formula: the
// file stores no <f> element for it), and a string that a spreadsheet would
// read as a formula if retyped also gets the quotePrefix style.
func (b *book) value(v any) (val any, style int, link string) {
	switch v := v.(type) {
	case nil:
		return nil, 0, ""
	case string:
		if FormulaLike(v) {
			return v, b.st.quoted, ""
		}
		return v, 0, ""
	case idCell:
		s := string(v)
		if u := attack.URL(s); u != "" {
			return s, b.st.link, u
		}
		return b.value(s)
	case num:
		return v.v, v.style, ""
	case *float64:
		if v == nil {
			return "n/a", 0, ""
		}
		return *v, b.st.score, ""
	case excelize.Cell:
		return v.Value, v.StyleID, ""
	default:
		return v, 0, ""
	}
}

// add writes the next row (after skip rows) starting in column A.
func (s *sheet) add(values ...any) error { return s.addRow(0, 0, values...) }

// addRow writes the next row; style, when not 0, applies to cells whose
// value has no style of its own (headers), and height, when not 0, is the
// row's height in points.
func (s *sheet) addRow(style int, height float64, values ...any) error {
	s.row++
	cells := make([]any, len(values))
	var links []int
	var urls []string
	for i, v := range values {
		val, st, link := s.b.value(v)
		if val == nil {
			continue
		}
		if st == 0 {
			st = style
		}
		cells[i] = excelize.Cell{Value: val, StyleID: st}
		if link != "" {
			links = append(links, i)
			urls = append(urls, link)
		}
	}
	if s.sw != nil {
		cell, _ := excelize.CoordinatesToCellName(1, s.row)
		if err := s.sw.SetRow(cell, cells, excelize.RowOpts{Height: height}); err != nil {
			return err
		}
	} else {
		if height > 0 {
			if err := s.b.f.SetRowHeight(s.name, s.row, height); err != nil {
				return err
			}
		}
		for i, c := range cells {
			if c == nil {
				continue
			}
			cc := c.(excelize.Cell)
			ref, _ := excelize.CoordinatesToCellName(i+1, s.row)
			if err := s.b.f.SetCellValue(s.name, ref, cc.Value); err != nil {
				return err
			}
			if cc.StyleID != 0 {
				if err := s.b.f.SetCellStyle(s.name, ref, ref, cc.StyleID); err != nil {
					return err
				}
			}
		}
	}
	for k, i := range links {
		ref, _ := excelize.CoordinatesToCellName(i+1, s.row)
		s.b.links[s.name] = append(s.b.links[s.name], cellLink{ref: ref, url: urls[k]})
	}
	return nil
}

// header writes a header row.
func (s *sheet) header(titles ...string) error {
	v := make([]any, len(titles))
	for i, t := range titles {
		v[i] = t
	}
	// Headers carry their units and wrap in narrow columns: two lines tall,
	// since neither excelize nor a streamed sheet fits row heights.
	return s.addRow(s.b.st.header, 30, v...)
}

func (s *sheet) skip(n int) { s.row += n }

// autoFilter puts filter buttons on the table whose header is at row
// headerRow and whose last row is lastRow, columns A to cols.
func (s *sheet) autoFilter(headerRow, lastRow, cols int) error {
	if lastRow < headerRow {
		lastRow = headerRow
	}
	a, _ := excelize.CoordinatesToCellName(1, headerRow)
	z, _ := excelize.CoordinatesToCellName(cols, lastRow)
	return s.b.f.AutoFilter(s.name, a+":"+z, nil)
}

// colorScale colours the cells of columns from..to, rows first..last, red at
// lo, yellow at mid, green at hi. Fixed points rather than min/max so that a
// colour means the same coverage on every sheet and every quarter.
func (s *sheet) colorScale(fromCol, toCol, first, last int, lo, mid, hi string) error {
	if last < first {
		return nil
	}
	a, _ := excelize.CoordinatesToCellName(fromCol, first)
	z, _ := excelize.CoordinatesToCellName(toCol, last)
	return s.b.f.SetConditionalFormat(s.name, a+":"+z, []excelize.ConditionalFormatOptions{{
		Type: "3_color_scale", Criteria: "=",
		MinType: "num", MidType: "num", MaxType: "num",
		MinValue: lo, MidValue: mid, MaxValue: hi,
		MinColor: "#F8696B", MidColor: "#FFEB84", MaxColor: "#63BE7B",
	}})
}

// scoreScale is colorScale for 0–100 scores; pctScale for 0–1 coverage.
func (s *sheet) scoreScale(col, first, last int) error {
	return s.colorScale(col, col, first, last, "0", "50", "100")
}

func (s *sheet) pctScale(col, first, last int) error {
	return s.colorScale(col, col, first, last, "0", "0.5", "1")
}

func (s *sheet) flush() error {
	if s.sw == nil {
		return nil
	}
	return s.sw.Flush()
}

// widths sets column widths on a normal sheet.
func (s *sheet) widths(w ...float64) error {
	for i, x := range w {
		c, _ := excelize.ColumnNumberToName(i + 1)
		if err := s.b.f.SetColWidth(s.name, c, c, x); err != nil {
			return err
		}
	}
	return nil
}

// printable sets a sheet up for the PDF or paper copy management asks for:
// landscape, one page wide (as many pages tall as it takes), with the
// header rows repeated on every page.
func printable(f *excelize.File, sheet string, headerRows int) error {
	landscape, one, tall := "landscape", 1, 0
	if err := f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Orientation: &landscape, FitToWidth: &one, FitToHeight: &tall}); err != nil {
		return err
	}
	fit := true
	if err := f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return err
	}
	if headerRows > 0 {
		return f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", Scope: sheet,
			RefersTo: fmt.Sprintf("'%s'!$1:$%d", strings.ReplaceAll(sheet, "'", "''"), headerRows)})
	}
	return nil
}
