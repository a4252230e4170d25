// Package inventory reads an organisation's list of deployed mitigations
// (spreadsheets, CSV, JSON or YAML, as teams actually keep them), resolves
// every row against an ATT&CK catalog and turns it into one implementation
// level per mitigation.
//
// It is lenient about shape (headers anywhere near the top, synonyms, names
// instead of IDs, several mitigations per control) and strict about meaning:
// every problem is reported with file, sheet, row and column, and a bad row
// never costs the good ones. It does no scoring.
package inventory

import "encoding/json"

// Status is the implementation status of an inventory row, normalised from
// the many words teams use for it.
type Status string

// The statuses of SPEC §3. StatusUnknown is a row whose status cell is
// empty; it counts as not implemented unless coverage is given.
const (
	StatusImplemented    Status = "implemented"
	StatusPartial        Status = "partial"
	StatusPlanned        Status = "planned"
	StatusNotImplemented Status = "not implemented"
	StatusNotApplicable  Status = "not applicable"
	StatusUnknown        Status = ""
)

// Severity of a Problem.
type Severity string

// Errors make a row contribute nothing; warnings are told and the row counts.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

// Problem is one thing the reader could not accept or wants the user to
// look at, located as a spreadsheet program would show it.
type Problem struct {
	Severity    Severity `json:"severity"`
	File        string   `json:"file"`
	Sheet       string   `json:"sheet"`
	Row         int      `json:"row"`    // 1-based, as shown by a spreadsheet (CSV header = row 1); 0 for the whole file
	Column      string   `json:"column"` // the column's header as written, or its letter when it has none
	Message     string   `json:"message"`
	Suggestions []string `json:"suggestions"`
}

// Row is one inventory row as understood.
type Row struct {
	Sheet string `json:"sheet"`
	Row   int    `json:"row"`

	Control        string   `json:"control,omitempty"`
	MitigationText string   `json:"mitigation_text,omitempty"` // the cell as written
	Mitigations    []string `json:"mitigations"`               // resolved active M-IDs
	StatusText     string   `json:"status_text,omitempty"`
	Status         Status   `json:"status"`
	Coverage       *float64 `json:"coverage,omitempty"` // 0–1 when given
	Scope          *float64 `json:"scope,omitempty"`    // 0–1 when given
	Level          float64  `json:"level"`              // 0–1
	Owner          string   `json:"owner,omitempty"`
	Reviewed       string   `json:"reviewed,omitempty"`
	Notes          string   `json:"notes,omitempty"`
	Error          bool     `json:"error,omitempty"` // the row has an error and contributes nothing
}

// Inventory is a whole inventory as read and resolved against one catalog.
type Inventory struct {
	File   string `json:"file"`
	Format string `json:"format"`          // xlsx, csv, tsv, json, yaml
	Sheet  string `json:"sheet,omitempty"` // the sheet read, for workbooks

	Rows     []Row     `json:"rows"`
	Problems []Problem `json:"problems"`

	// Levels is the effective level (0–1) of every assessed mitigation:
	// the highest level any error-free row gives it.
	Levels map[string]float64 `json:"levels"`
	// NotApplicable holds mitigations every row of which says not
	// applicable: level 0, and never recommended.
	NotApplicable map[string]bool `json:"not_applicable,omitempty"`
	// Planned holds mitigations that some row marks planned, for the
	// --planned what-if.
	Planned map[string]bool `json:"planned,omitempty"`
	// NotAssessed lists the catalog's mitigations no row mentions, sorted;
	// they count as level 0.
	NotAssessed []string `json:"not_assessed"`
}

// Errors counts the problems of severity error.
func (inv *Inventory) Errors() int { return inv.count(SeverityError) }

// Warnings counts the problems of severity warning.
func (inv *Inventory) Warnings() int { return inv.count(SeverityWarning) }

func (inv *Inventory) count(s Severity) int { return CountSeverity(inv.Problems, s) }

// CountSeverity counts the problems of severity s, for reports and
// threat profiles that hold problems without an Inventory.
func CountSeverity(ps []Problem, s Severity) int {
	n := 0
	for _, p := range ps {
		if p.Severity == s {
			n++
		}
	}
	return n
}

// Level returns the effective level of mitigation id (0 when not assessed).
func (inv *Inventory) Level(id string) float64 {
	if inv == nil {
		return 0
	}
	return inv.Levels[id]
}

// The JSON of SPEC §3 and §5 names every key of a problem and a row, so
// scripts can rely on them: empty lists are [] rather than null, and a
// whole-file problem has row 0 and an empty column rather than no key.

// MarshalJSON writes p with every key present.
func (p Problem) MarshalJSON() ([]byte, error) {
	type plain Problem
	q := plain(p)
	if q.Suggestions == nil {
		q.Suggestions = []string{}
	}
	return json.Marshal(q)
}

// MarshalJSON writes r with every key present.
func (r Row) MarshalJSON() ([]byte, error) {
	type plain Row
	q := plain(r)
	if q.Mitigations == nil {
		q.Mitigations = []string{}
	}
	return json.Marshal(q)
}

// MarshalJSON writes inv with every list and map present.
func (inv Inventory) MarshalJSON() ([]byte, error) {
	type plain Inventory
	q := plain(inv)
	if q.Rows == nil {
		q.Rows = []Row{}
	}
	if q.Problems == nil {
		q.Problems = []Problem{}
	}
	if q.Levels == nil {
		q.Levels = map[string]float64{}
	}
	if q.NotAssessed == nil {
		q.NotAssessed = []string{}
	}
	return json.Marshal(q)
}
