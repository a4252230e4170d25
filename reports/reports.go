// Package reports turns an analysis into what people open: the Excel gap
// workbook, ATT&CK Navigator layers, Markdown with mermaid diagrams, CSV,
// JSON and terminal tables. One writer per format behind one small
// interface, picked by a single switch on the output's extension.
//
// It formats and writes; it never scores (that is analyzer's job) and never
// decides exit codes (that is cmd's).
package reports

import (
	"time"

	"github.com/covgap/covgap/analyzer"
	"github.com/covgap/covgap/attack"
	"github.com/covgap/covgap/inventory"
)

// Report is everything a writer may show: the result, the inventory as read
// and the catalog it was scored against, and how it was made.
type Report struct {
	Result    *analyzer.Result
	Inventory *inventory.Inventory // may be nil (e.g. a report rebuilt from a saved assessment)
	Catalog   *attack.Catalog      // may be nil for the same reason
	Generated time.Time
	Command   string // the command line, for the Method sheet
	Tool      string // "covgap v0.1.0"
}

// Writer writes one report to the destination it was created for.
type Writer interface {
	Write(r *Report) error
}
