package reports

import (
	"errors"

	"github.com/xuri/excelize/v2"
)

// styleMaker declares a workbook's styles one after another and keeps the
// first error, so that a writer's style list reads as a list.
type styleMaker struct {
	f   *excelize.File
	err error
}

func (m *styleMaker) add(s *excelize.Style) int {
	if m.err != nil {
		return 0
	}
	id, err := m.f.NewStyle(s)
	m.err = err
	return id
}

// quotePrefix adds base as a style whose cell format carries quotePrefix.
// excelize writes strings as strings, which never run, but with
// quotePrefix Excel and LibreOffice also keep a formula-like text literal
// when someone edits the cell and presses Enter. excelize's Style has no
// such field, so the style sheet's xf is marked directly; the explicit
// (default) protection only makes the style differ from every other one,
// so that NewStyle cannot hand back a shared xf that would then be marked.
func (m *styleMaker) quotePrefix(base excelize.Style) int {
	base.Protection = &excelize.Protection{Locked: true}
	id := m.add(&base)
	if m.err != nil {
		return 0
	}
	if m.f.Styles == nil || m.f.Styles.CellXfs == nil || id >= len(m.f.Styles.CellXfs.Xf) {
		m.err = errors.New("quote-prefix style not found")
		return 0
	}
	yes := true
	m.f.Styles.CellXfs.Xf[id].QuotePrefix = &yes
	return id
}

// numFmt is a custom number format for excelize.Style.
func numFmt(s string) *string { return &s }
