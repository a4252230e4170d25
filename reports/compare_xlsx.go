package reports

// The comparison and trend workbooks. They are small (one row per group or
// per change), so they use excelize's normal sheets, which allow
// conditional formats and charts anywhere, rather than the streamed sheets
// of the gap workbook.

import (
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/covgap/covgap/assessment"
	"github.com/covgap/covgap/attack"
)

// Sheet names of the comparison workbook.
const (
	SheetDeltas           = "Deltas"
	SheetCauses           = "Causes"
	SheetInventoryChanges = "Inventory changes"
	SheetCompareMethod    = "Method"
)

// deltaBook writes rows into an excelize file with the few styles the
// comparison and trend workbooks need.
type deltaBook struct {
	f                                      *excelize.File
	header, bold, score, pct, wrap, quoted int
	link                                   int
}

// xlCell is a value with its own style; 0 means the book's default for
// the value's type.
type xlCell struct {
	v     any
	style int
}

// xlID is an ATT&CK ID written as a link to attack.mitre.org.
type xlID string

func newDeltaBook() (*deltaBook, error) {
	f := excelize.NewFile()
	b := &deltaBook{f: f}
	sm := &styleMaker{f: f}
	mk := sm.add
	one := numFmt
	b.header = mk(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9E1F2"}},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	b.bold = mk(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{Vertical: "top"}})
	b.score = mk(&excelize.Style{CustomNumFmt: one("0.0")})
	b.pct = mk(&excelize.Style{CustomNumFmt: one("0%")})
	b.wrap = mk(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	b.link = mk(&excelize.Style{Font: &excelize.Font{Color: "0563C1", Underline: "single"}})
	// Text from an assessment (group names, inventory file names, labels)
	// that looks like a formula stays literal.
	b.quoted = sm.quotePrefix(excelize.Style{Alignment: &excelize.Alignment{Vertical: "top"}})
	if sm.err != nil {
		f.Close()
		return nil, fmt.Errorf("workbook styles: %w", sm.err)
	}
	return b, nil
}

// sheet creates (or, for the first, renames) a sheet with a header row,
// frozen, filtered and with column widths.
func (b *deltaBook) sheet(name string, widths []float64, header ...string) error {
	if b.f.SheetCount == 1 && b.f.GetSheetName(0) == "Sheet1" {
		if err := b.f.SetSheetName("Sheet1", name); err != nil {
			return err
		}
	} else if _, err := b.f.NewSheet(name); err != nil {
		return err
	}
	for i, w := range widths {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := b.f.SetColWidth(name, col, col, w); err != nil {
			return err
		}
	}
	if len(header) == 0 {
		return nil
	}
	if err := b.row(name, 1, b.header, toAny(header)...); err != nil {
		return err
	}
	if err := b.f.SetPanes(name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	return nil
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// row writes values into row r of sheet; style, when not 0, applies to
// cells without a style of their own.
func (b *deltaBook) row(sheet string, r, style int, values ...any) error {
	for i, v := range values {
		cell, err := excelize.CoordinatesToCellName(i+1, r)
		if err != nil {
			return err
		}
		st := style
		switch x := v.(type) {
		case nil:
			continue
		case xlCell:
			v, st = x.v, x.style
		case xlID:
			if x == "" {
				continue
			}
			v = string(x)
			if u := attack.URL(string(x)); u != "" {
				st = b.link
				if err := b.f.SetCellHyperLink(sheet, cell, u, "External"); err != nil {
					return err
				}
			}
		case *float64:
			if x == nil {
				v = "n/a"
			} else {
				v = *x
				if st == 0 {
					st = b.score
				}
			}
		}
		if s, ok := v.(string); ok {
			if FormulaLike(s) {
				st = b.quoted
			}
			if err := b.f.SetCellStr(sheet, cell, s); err != nil {
				return err
			}
		} else if err := b.f.SetCellValue(sheet, cell, v); err != nil {
			return err
		}
		if st != 0 {
			if err := b.f.SetCellStyle(sheet, cell, cell, st); err != nil {
				return err
			}
		}
	}
	return nil
}

// filter puts an auto-filter on the header row over cols columns.
func (b *deltaBook) filter(sheet string, cols, last int) error {
	if last < 2 {
		return nil
	}
	end, _ := excelize.CoordinatesToCellName(cols, last)
	return b.f.AutoFilter(sheet, "A1:"+end, nil)
}

// signColours colours a range red below 0 and green above: a loss and a
// gain are what a reader looks for first.
func (b *deltaBook) signColours(sheet, ref string) error {
	red, err := b.f.NewConditionalStyle(&excelize.Style{Font: &excelize.Font{Color: "9C0006"},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFC7CE"}}})
	if err != nil {
		return err
	}
	green, err := b.f.NewConditionalStyle(&excelize.Style{Font: &excelize.Font{Color: "006100"},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"C6EFCE"}}})
	if err != nil {
		return err
	}
	// 0.05 rather than 0: a change that shows as 0.0 is no change.
	return b.f.SetConditionalFormat(sheet, ref, []excelize.ConditionalFormatOptions{
		{Type: "cell", Criteria: "<", Format: &red, Value: "-0.05"},
		{Type: "cell", Criteria: ">", Format: &green, Value: "0.05"},
	})
}

func (b *deltaBook) writeTo(w io.Writer) error {
	b.f.SetActiveSheet(0)
	_, err := b.f.WriteTo(w)
	if cerr := b.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// WriteComparisonWorkbook writes c as a workbook: Deltas (the profile and
// every group, gains green and losses red), Causes (every change, with
// what it did to its technique's coverage), Inventory changes, and Method
// (both assessments and catalogs, and how Δ is split).
func WriteComparisonWorkbook(w io.Writer, c *assessment.Comparison) error {
	b, err := newDeltaBook()
	if err != nil {
		return err
	}
	for _, step := range []func(*deltaBook, *assessment.Comparison) error{deltasSheet, causesSheet, inventorySheet, compareMethodSheet} {
		if err := step(b, c); err != nil {
			b.f.Close()
			return fmt.Errorf("comparison workbook: %w", err)
		}
	}
	return b.writeTo(w)
}

func deltasSheet(b *deltaBook, c *assessment.Comparison) error {
	const s = SheetDeltas
	if err := b.sheet(s, []float64{10, 30, 15, 10, 10, 10, 12, 12, 28},
		"ID", "Group", "Status", "Before", "After", "Δ", "Δ inventory", "Δ ATT&CK", "Changes"); err != nil {
		return err
	}
	p := c.Profile
	// Only the label is bold: a row style would replace the scores' 0.0
	// number format.
	if err := b.row(s, 2, 0, nil, xlCell{"Whole profile", b.bold}, fmt.Sprintf("%d → %d groups", p.GroupsBefore, p.GroupsAfter),
		p.Before, p.After, p.Delta, p.DeltaInventory, p.DeltaAttack, causeCounts(p.Changes)); err != nil {
		return err
	}
	r := 3
	for _, g := range c.Groups {
		if err := b.row(s, r, 0, xlID(g.ID), g.Name, g.Status, g.Before, g.After, g.Delta, g.DeltaInventory, g.DeltaAttack,
			causeCounts(g.Changes)); err != nil {
			return err
		}
		r++
	}
	if err := b.signColours(s, fmt.Sprintf("F2:H%d", max(r-1, 2))); err != nil {
		return err
	}
	return b.filter(s, 9, r-1)
}

func causesSheet(b *deltaBook, c *assessment.Comparison) error {
	const s = SheetCauses
	if err := b.sheet(s, []float64{10, 24, 10, 20, 12, 28, 10, 28, 11, 11, 12, 80},
		"Group", "Group name", "Cause", "Kind", "Technique", "Technique name", "Mitigation", "Mitigation name",
		"Coverage before", "Coverage after", "Replaced by", "Change"); err != nil {
		return err
	}
	r := 2
	add := func(id, name string, ch assessment.Change) error {
		cov := func(p *float64) any {
			if p == nil {
				return nil
			}
			return xlCell{*p, b.pct}
		}
		var gid any = xlID(id)
		if id == "" {
			gid = "profile"
		}
		err := b.row(s, r, 0, gid, name, causeWord(ch.Cause), string(ch.Kind), xlID(ch.Technique), ch.TechniqueName,
			xlID(ch.Mitigation), ch.MitigationName, cov(ch.CoverageBefore), cov(ch.CoverageAfter), xlID(ch.ReplacedBy),
			xlCell{ch.Message, b.wrap})
		r++
		return err
	}
	for _, ch := range c.Profile.Changes {
		if ch.Cause != assessment.CauseInventory {
			if err := add("", "", ch); err != nil {
				return err
			}
		}
	}
	for _, g := range c.Groups {
		for _, ch := range g.Changes {
			if err := add(g.ID, g.Name, ch); err != nil {
				return err
			}
		}
	}
	return b.filter(s, 12, r-1)
}

func inventorySheet(b *deltaBook, c *assessment.Comparison) error {
	const s = SheetInventoryChanges
	if err := b.sheet(s, []float64{12, 34, 14, 14, 12, 60},
		"Mitigation", "Name", "Level before", "Level after", "Techniques", "Techniques it mitigates"); err != nil {
		return err
	}
	r := 2
	for _, ch := range c.Inventory {
		lv := func(p *float64) any {
			if p == nil {
				return "not assessed"
			}
			return xlCell{*p, b.pct}
		}
		if err := b.row(s, r, 0, xlID(ch.Mitigation), ch.MitigationName, lv(ch.LevelBefore), lv(ch.LevelAfter),
			len(ch.Techniques), xlCell{strings.Join(ch.Techniques, ", "), b.wrap}); err != nil {
			return err
		}
		r++
	}
	return b.filter(s, 6, r-1)
}

func compareMethodSheet(b *deltaBook, c *assessment.Comparison) error {
	const s = SheetCompareMethod
	if err := b.sheet(s, []float64{26, 50, 50}); err != nil {
		return err
	}
	opts := func(sd assessment.Side) string {
		return fmt.Sprintf("campaigns %t, software %t, profile %q", sd.Options.Campaigns, sd.Options.IncludeSoftware, sd.Options.Profile)
	}
	rows := [][]any{
		{"", "Old", "New"},
		{"Assessment", c.Old.Label, c.New.Label},
		{"Created", c.Old.Created.Format("2006-01-02 15:04 MST"), c.New.Created.Format("2006-01-02 15:04 MST")},
		{"ATT&CK domain", c.Old.Catalog.Domain, c.New.Catalog.Domain},
		{"ATT&CK version", c.Old.Catalog.Version, c.New.Catalog.Version},
		{"Catalog source", c.Old.Catalog.Source, c.New.Catalog.Source},
		{"Catalog fingerprint", c.Old.Catalog.Fingerprint, c.New.Catalog.Fingerprint},
		{"Map fingerprint", c.Old.Catalog.MapFingerprint, c.New.Catalog.MapFingerprint},
		{"Model", string(c.Old.Model), string(c.New.Model)},
		{"Options", opts(c.Old), opts(c.New)},
		{"Inventory", c.Old.File, c.New.File},
	}
	for i, row := range rows {
		st := 0
		if i == 0 {
			st = b.header
		}
		if err := b.row(s, i+1, st, row...); err != nil {
			return err
		}
		if err := b.f.SetCellStyle(s, fmt.Sprintf("A%d", i+1), fmt.Sprintf("A%d", i+1), b.bold); err != nil {
			return err
		}
	}
	r := len(rows) + 2
	same := "no: ATT&CK, the profile or the options differ"
	if c.SameMap {
		same = "yes: every Δ is the inventory's"
	}
	notes := [][]any{{"Same map", same}, {"Method", xlCell{c.Method, b.wrap}}}
	for _, warn := range c.Warnings {
		notes = append(notes, []any{"Warning", xlCell{warn, b.wrap}})
	}
	for _, n := range notes {
		if err := b.row(s, r, 0, n...); err != nil {
			return err
		}
		if err := b.f.SetCellStyle(s, fmt.Sprintf("A%d", r), fmt.Sprintf("A%d", r), b.bold); err != nil {
			return err
		}
		if err := b.f.MergeCell(s, fmt.Sprintf("B%d", r), fmt.Sprintf("C%d", r)); err != nil {
			return err
		}
		r++
	}
	return b.f.SetRowHeight(s, len(rows)+3, 120)
}
