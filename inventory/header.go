package inventory

import (
	"regexp"
	"strings"
	"unicode"
)

// colKind is what a column of an inventory holds.
type colKind int

const (
	colNone           colKind = iota // not recognised
	colMitigation                    // M-IDs or names, possibly several
	colMitigationName                // a name column beside an ID column; used when the ID cell is empty
	colControl
	colStatus
	colCoverage
	colScope
	colOwner
	colReviewed
	colNotes
	colInfo // recognised and deliberately ignored (the template's description and counts)
)

var kindNames = map[colKind]string{
	colMitigation: "mitigation", colMitigationName: "mitigation name", colControl: "control",
	colStatus: "status", colCoverage: "coverage", colScope: "scope", colOwner: "owner",
	colReviewed: "reviewed", colNotes: "notes", colInfo: "information",
}

// synonyms maps header keys (see headerKey) to column kinds. Keys keep "pct"
// for a percent sign so that "% Implemented" (a coverage) and "Implemented"
// (a yes/no status) stay apart; a trailing "pct" is dropped before a second
// look-up, so "Coverage %" and "Scope (%)" need no entries of their own.
var synonyms = func() map[string]colKind {
	m := map[string]colKind{}
	add := func(k colKind, names ...string) {
		for _, n := range names {
			m[headerKey(n)] = k
		}
	}
	add(colMitigation,
		"mitigation", "mitigations", "mitigation id", "mitigation ids", "mitigation ref", "mitigation reference",
		"att&ck mitigation", "att&ck mitigations", "attack mitigation", "attack mitigations",
		"att&ck mitigation id", "attack mitigation id", "att&ck id", "attack id", "mitre id", "mitre mitigation",
		"mitre att&ck mitigation", "mitre attack mitigation", "mitre mitigations", "mapped mitigation", "mapped mitigations",
		"att&ck mapping", "attack mapping", "mitigation mapping", "id", "m id", "m-id", "course of action",
		"courses of action", "coa")
	add(colMitigationName, "mitigation name", "mitigation names", "name", "att&ck mitigation name",
		"attack mitigation name", "mitigation title")
	add(colControl, "control", "controls", "control name", "control id", "control title", "security control",
		"internal control", "control ref", "control reference", "control no", "control number", "ref", "reference", "safeguard", "measure", "security measure")
	add(colStatus, "status", "implementation status", "implementation", "implemented", "state", "deployment status",
		"deployed", "in place", "current status", "status of implementation", "implementation state", "rag status",
		"compliance", "compliance status")
	add(colCoverage, "coverage", "effectiveness", "implementation pct", "implementation level", "pct implemented",
		"pct complete", "percent implemented", "percent complete", "completeness", "maturity pct",
		"effectiveness pct", "coverage pct", "pct coverage", "pct effective")
	add(colScope, "scope", "deployment scope", "deployment", "deployment pct", "deployment coverage", "estate coverage",
		"pct of estate", "asset coverage", "assets covered", "pct assets", "rollout", "roll out", "rollout scope",
		"coverage of estate", "scope of deployment")
	add(colOwner, "owner", "owners", "control owner", "responsible", "responsible team", "team", "owner team",
		"accountable", "contact", "owned by")
	add(colReviewed, "last reviewed", "reviewed", "review date", "last review", "date reviewed", "last reviewed on",
		"last assessed", "assessed", "assessment date", "date assessed", "last updated", "updated", "review")
	add(colNotes, "notes", "note", "comments", "comment", "remarks", "remark", "details", "evidence",
		"justification", "rationale")
	add(colInfo, "description", "mitigation description", "techniques", "techniques mitigated", "technique count",
		"groups", "groups affected", "group count", "number", "no", "#", "item", "url", "link", "tactics")
	return m
}()

var bracketed = regexp.MustCompile(`\([^)]*\)|\[[^\]]*\]`)

// headerKey folds a header cell for matching: case, spaces and punctuation
// go, a percent sign becomes "pct" (as do "percent" and "percentage" as
// whole words).
func headerKey(s string) string {
	var b strings.Builder
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '%' || r == '#')
	}) {
		switch w {
		case "percent", "percentage":
			w = "pct"
		}
		for _, r := range w {
			switch r {
			case '%':
				b.WriteString("pct")
			default:
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

// classify returns the kind of a header cell, or colNone.
func classify(cell string) colKind {
	tries := []string{cell}
	// "Coverage (0-100)" and "ATT&CK Mitigation(s)": the bracketed part is
	// a hint for people, not part of the name.
	if s := strings.TrimSpace(bracketed.ReplaceAllString(cell, " ")); s != cell && s != "" {
		tries = append(tries, s)
	}
	for _, t := range tries {
		k := headerKey(t)
		if k == "" {
			continue
		}
		if kind, ok := synonyms[k]; ok {
			return kind
		}
		if s, ok := strings.CutSuffix(k, "pct"); ok && s != "" {
			if kind, ok := synonyms[s]; ok {
				return kind
			}
		}
	}
	return colNone
}

// column is one recognised column of a table.
type column struct {
	kind  colKind
	index int
	title string // as written, or the column letter when the header cell is empty
}

// headerScan is the outcome of looking at one candidate header row.
type headerScan struct {
	cols         map[colKind]column
	duplicates   []column // a second column of a kind already seen
	unrecognised []string
	recognised   int
}

func scanHeader(cells []string) headerScan {
	h := headerScan{cols: map[colKind]column{}}
	var weakID *column
	for i, c := range cells {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		k := classify(c)
		if k == colNone {
			h.unrecognised = append(h.unrecognised, c)
			continue
		}
		h.recognised++
		col := column{kind: k, index: i, title: c}
		if k == colInfo {
			continue
		}
		// A bare "ID" is the mitigation column only when nothing says
		// "mitigation" more plainly; beside "ATT&CK Mitigation" it is the
		// team's own control number.
		if k == colMitigation && headerKey(c) == "id" {
			weakID = &col
			continue
		}
		h.add(col)
	}
	if weakID != nil {
		if _, ok := h.cols[colMitigation]; !ok {
			h.cols[colMitigation] = *weakID
		} else if _, ok := h.cols[colControl]; !ok {
			weakID.kind = colControl
			h.cols[colControl] = *weakID
		}
	}
	return h
}

func (h *headerScan) add(col column) {
	if _, seen := h.cols[col.kind]; !seen {
		h.cols[col.kind] = col
		return
	}
	// "Mitigation ID" then "Mitigation": the second holds the names.
	if col.kind == colMitigation {
		if _, seen := h.cols[colMitigationName]; !seen {
			col.kind = colMitigationName
			h.cols[colMitigationName] = col
			return
		}
	}
	h.duplicates = append(h.duplicates, col)
}

// usable reports whether a scanned row can serve as the header: it must say
// where the mitigations are (a mitigation, name or control column), and a
// lone such word is accepted only when nothing else on the row is text, so
// that a title line like "Mitigation" above the real header does not win.
func (h headerScan) usable() bool {
	_, m := h.cols[colMitigation]
	_, n := h.cols[colMitigationName]
	_, c := h.cols[colControl]
	if !m && !n && !c {
		return false
	}
	return h.recognised >= 2 || len(h.unrecognised) == 0
}

// rank orders candidate header rows: a row naming the mitigation column
// (by ID or name) beats one with only a control column, which is read as
// mitigations only as a fallback; among those, more recognised columns win.
func (h headerScan) rank() int {
	r := h.recognised
	if h.explicit() {
		r += 1000
	}
	return r
}

// explicit reports whether the row names a mitigation or mitigation-name
// column, rather than only a control column.
func (h headerScan) explicit() bool {
	_, m := h.cols[colMitigation]
	_, n := h.cols[colMitigationName]
	return m || n
}

// columnLetter is the spreadsheet letter of a zero-based column index.
func columnLetter(i int) string {
	s := ""
	for i++; i > 0; i = (i - 1) / 26 {
		s = string(rune('A'+(i-1)%26)) + s
	}
	return s
}
