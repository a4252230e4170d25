package inventory

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/covgap/covgap/attack"
	"github.com/xuri/excelize/v2"
)

// Template column headers. Each is one the reader recognises, so a filled
// template reads back with no warning.
var templateHeader = []string{"Mitigation ID", "Mitigation Name", "Description", "Techniques Mitigated",
	"Groups Affected", "Status", "Coverage %", "Scope %", "Owner", "Last Reviewed", "Notes"}

// StatusChoices are the words offered in the template's status drop-down.
var StatusChoices = []string{"Implemented", "Partial", "In progress", "Planned", "Not implemented", "Not applicable"}

// templateHelp explains each column on the template's second sheet.
var templateHelp = [][2]string{
	{"Mitigation ID", "The ATT&CK mitigation (M-ID). Leave as it is. covgap also accepts names instead of IDs, and several mitigations in one cell separated by ; or a new line, when you use your own sheet."},
	{"Mitigation Name", "The mitigation's ATT&CK name, for reading; covgap goes by the ID."},
	{"Description", "ATT&CK's description of the mitigation, for reading."},
	{"Techniques Mitigated", "How many ATT&CK techniques and sub-techniques this mitigation mitigates."},
	{"Groups Affected", "How many known threat groups use at least one of those techniques (campaigns included)."},
	{"Status", "Implemented (level 100%), Partial (50%), In progress (50%, and counted as planned), Planned (0%), Not implemented (0%), Not applicable (0%, and never recommended). Leave empty if not assessed: the mitigation then counts as not implemented."},
	{"Coverage %", "Optional, 0–100: how well the mitigation is in place. When given it replaces the status's level (Partial with Coverage 80 counts 80%)."},
	{"Scope %", "Optional, 0–100: the share of the estate it is deployed on. It multiplies the level (Implemented on 60% of the estate counts 60%)."},
	{"Owner", "Optional: who is responsible. Carried into the reports."},
	{"Last Reviewed", "Optional: when the row was last checked. Carried into the reports."},
	{"Notes", "Optional: evidence, exceptions, ticket numbers. Carried into the reports."},
	{"Rows", "Keep one row per mitigation, or add rows for your own controls (one control may name several mitigations). A mitigation named on several rows takes its highest level."},
}

// WriteTemplate writes an inventory template listing every mitigation of
// cat, as "xlsx" (with drop-downs and validation) or "csv".
func WriteTemplate(w io.Writer, cat *attack.Catalog, format string) error {
	if cat == nil {
		return fmt.Errorf("template: no ATT&CK catalog")
	}
	rows := templateRows(cat)
	switch strings.ToLower(strings.TrimPrefix(format, ".")) {
	case "xlsx", "":
		return writeTemplateXLSX(w, rows)
	case "csv":
		return writeTemplateCSV(w, rows)
	}
	return fmt.Errorf("template: unknown format %q; expected xlsx or csv", format)
}

type templateRow struct {
	id, name, description string
	techniques, groups    int
}

// templateRows counts, for each mitigation, the techniques it mitigates and
// the groups that use at least one of them under the default options.
func templateRows(cat *attack.Catalog) []templateRow {
	groupsOf := map[string]map[string]bool{}
	for _, g := range cat.Groups {
		for _, tid := range cat.TechniquesOf(g, attack.DefaultUseOptions()) {
			t := cat.Technique(tid)
			for _, mid := range t.Mitigations {
				if groupsOf[mid] == nil {
					groupsOf[mid] = map[string]bool{}
				}
				groupsOf[mid][g.ID] = true
			}
		}
	}
	out := make([]templateRow, 0, len(cat.Mitigations))
	for _, m := range cat.Mitigations {
		out = append(out, templateRow{id: m.ID, name: m.Name, description: strings.TrimSpace(m.Description),
			techniques: len(m.Techniques), groups: len(groupsOf[m.ID])})
	}
	return out
}

func writeTemplateXLSX(w io.Writer, rows []templateRow) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "Inventory"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "FFFFFF"},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"1F4E78"}},
		Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}})
	if err != nil {
		return err
	}
	wrap, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	if err != nil {
		return err
	}
	top, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{Vertical: "top"}})
	if err != nil {
		return err
	}
	header := make([]any, len(templateHeader))
	for i, h := range templateHeader {
		header[i] = h
	}
	if err := f.SetSheetRow(sheet, "A1", &header); err != nil {
		return err
	}
	for i, r := range rows {
		vals := []any{r.id, r.name, clip(r.description), r.techniques, r.groups}
		if err := f.SetSheetRow(sheet, "A"+strconv.Itoa(i+2), &vals); err != nil {
			return err
		}
	}
	last := strconv.Itoa(len(rows) + 1)
	for _, st := range []struct {
		from, to string
		style    int
	}{{"A1", "K1", bold}, {"A2", "K" + last, top}, {"C2", "C" + last, wrap}, {"K2", "K" + last, wrap}} {
		if len(rows) == 0 && st.from != "A1" {
			continue
		}
		if err := f.SetCellStyle(sheet, st.from, st.to, st.style); err != nil {
			return err
		}
	}
	for col, width := range map[string]float64{"A": 14, "B": 34, "C": 70, "D": 12, "E": 11, "F": 17,
		"G": 12, "H": 10, "I": 20, "J": 15, "K": 40} {
		if err := f.SetColWidth(sheet, col, col, width); err != nil {
			return err
		}
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, XSplit: 2, TopLeftCell: "C2", ActivePane: "bottomRight"}); err != nil {
		return err
	}
	if err := f.AutoFilter(sheet, "A1:K"+last, nil); err != nil {
		return err
	}

	// Validation reaches well below the last mitigation, so rows a team adds
	// for its own controls get the drop-down too.
	vlast := strconv.Itoa(len(rows) + 500)
	dv := excelize.NewDataValidation(true)
	dv.SetSqref("F2:F" + vlast)
	if err := dv.SetDropList(StatusChoices); err != nil {
		return err
	}
	dv.SetError(excelize.DataValidationErrorStyleWarning, "Status", "Choose one of the listed statuses (see the \"How to fill\" sheet).")
	if err := f.AddDataValidation(sheet, dv); err != nil {
		return err
	}
	for _, col := range []string{"G", "H"} {
		dv := excelize.NewDataValidation(true)
		dv.SetSqref(col + "2:" + col + vlast)
		if err := dv.SetRange(0, 100, excelize.DataValidationTypeWhole, excelize.DataValidationOperatorBetween); err != nil {
			return err
		}
		dv.SetError(excelize.DataValidationErrorStyleStop, "Percent", "Enter a whole number from 0 to 100.")
		dv.SetInput("0–100", "Whole number from 0 to 100, or leave empty.")
		if err := f.AddDataValidation(sheet, dv); err != nil {
			return err
		}
	}

	const help = "How to fill"
	if _, err := f.NewSheet(help); err != nil {
		return err
	}
	if err := f.SetSheetRow(help, "A1", &[]any{"Column", "What to enter"}); err != nil {
		return err
	}
	for i, h := range templateHelp {
		if err := f.SetSheetRow(help, "A"+strconv.Itoa(i+2), &[]any{h[0], h[1]}); err != nil {
			return err
		}
	}
	if err := f.SetCellStyle(help, "A1", "B1", bold); err != nil {
		return err
	}
	if err := f.SetCellStyle(help, "A2", "B"+strconv.Itoa(len(templateHelp)+1), wrap); err != nil {
		return err
	}
	if err := f.SetColWidth(help, "A", "A", 22); err != nil {
		return err
	}
	if err := f.SetColWidth(help, "B", "B", 100); err != nil {
		return err
	}
	f.SetActiveSheet(0)
	_, err = f.WriteTo(w)
	return err
}

// clip keeps a cell within Excel's limit of 32,767 characters.
func clip(s string) string {
	if len(s) <= DefaultMaxCell {
		return s
	}
	r := []rune(s)
	if len(r) <= DefaultMaxCell {
		return s
	}
	return string(r[:DefaultMaxCell-1]) + "…"
}

// writeTemplateCSV writes the same columns as plain CSV with a UTF-8 BOM,
// without which Excel reads UTF-8 as the local code page.
func writeTemplateCSV(w io.Writer, rows []templateRow) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(templateHeader); err != nil {
		return err
	}
	for _, r := range rows {
		rec := []string{r.id, r.name, textCell(r.description), strconv.Itoa(r.techniques), strconv.Itoa(r.groups),
			"", "", "", "", "", ""}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// textCell keeps a spreadsheet from taking catalog text that happens to
// start with = + - @ for a formula when the CSV is opened.
func textCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
