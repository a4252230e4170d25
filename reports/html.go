package reports

// A single self-contained HTML page: what `covgap serve` answers an upload
// with, and `-o report.html` for people who want a report they can open in
// a browser without a spreadsheet program. html/template escapes every
// value, so names and notes from an inventory or bundle can never become
// markup or script.

import (
	"embed"
	"html/template"
	"io"
	"strings"

	"github.com/covgap/covgap/analyzer"
	"github.com/covgap/covgap/attack"
)

//go:embed html/report.html
var htmlFS embed.FS

var htmlReport = template.Must(template.New("report.html").Funcs(template.FuncMap{
	"score":   fmtScore,
	"pct":     func(v float64) string { return fmtScore(ptr(v*100)) + "%" },
	"scoreBg": scoreColour,
	"stateBg": stateColour,
	"url":     func(id string) template.URL { return template.URL(attack.URL(id)) },
	"join":    strings.Join,
	"cut":     listCut,
	// The same split into in place and missing as every other format.
	"inPlace": func(it analyzer.Item) string { return strings.Join(inPlace(&it, true), "; ") },
	"missing": func(it analyzer.Item) string { return strings.Join(missing(&it, true), "; ") },
}).ParseFS(htmlFS, "html/report.html"))

type htmlData struct {
	*Report
	Catalog   string
	Options   string
	Inventory string
	Groups    []*analyzer.GroupResult // lowest score first
	// InPlace and Missing head the mitigation columns, saying when they
	// follow the what-if.
	InPlace, Missing string
	Notice           string
	Generated        string
	// NoRecommendations says why the list is empty, when it is.
	NoRecommendations string
}

// WriteHTML writes r as one HTML page.
func WriteHTML(w io.Writer, r *Report) error {
	if err := checkReport(r); err != nil {
		return err
	}
	res := r.Result
	d := htmlData{Report: r, Catalog: catalogLine(res), Options: optionsLine(res), Inventory: inventoryLine(r),
		Groups: groupsByScore(res), Notice: mitreNotice, NoRecommendations: noRecommendations(res),
		InPlace: "In place", Missing: "Missing"}
	if whatIf(res) {
		d.InPlace, d.Missing = "In place under the what-if", "Missing under the what-if"
	}
	if !r.Generated.IsZero() {
		d.Generated = r.Generated.UTC().Format("2006-01-02 15:04 UTC")
	}
	return htmlReport.Execute(w, d)
}

func writeHTML(w io.Writer, r *Report) error { return WriteHTML(w, r) }

func ptr(v float64) *float64 { return &v }

// scoreColour is the red–yellow–green scale of the workbook, so a colour
// means the same in every report.
func scoreColour(s *float64) template.CSS {
	if s == nil {
		return "#e6e6e6"
	}
	switch {
	case *s >= 90:
		return "#8ec843"
	case *s >= 75:
		return "#c6e07a"
	case *s >= 50:
		return "#ffe766"
	case *s >= 25:
		return "#ffb366"
	}
	return "#ff6666"
}

func stateColour(s analyzer.State) template.CSS {
	switch s {
	case analyzer.Covered:
		return "#8ec843"
	case analyzer.Partial:
		return "#ffe766"
	case analyzer.Gap:
		return "#ff6666"
	}
	return "#bfbfbf"
}
