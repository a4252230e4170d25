package reports

import (
	"encoding/json"
	"io"
	"time"

	"github.com/covgap/covgap/analyzer"
)

// jsonReport is SPEC §5's object: the Result's own keys (attack, model,
// options, profile, groups, techniques, recommendations, inventory) at the
// top level, so `-o report.json` and `--format json` are the same document,
// plus a "report" object saying when and by what it was made.
type jsonReport struct {
	*analyzer.Result
	Report jsonMeta `json:"report"`
}

type jsonMeta struct {
	Generated string `json:"generated,omitempty"` // RFC 3339, UTC
	Tool      string `json:"tool,omitempty"`
	Command   string `json:"command,omitempty"`
}

func writeJSON(w io.Writer, r *Report) error {
	doc := jsonReport{Result: r.Result, Report: jsonMeta{Tool: r.Tool, Command: r.Command}}
	if !r.Generated.IsZero() {
		doc.Report.Generated = r.Generated.UTC().Format(time.RFC3339)
	}
	return WriteJSON(w, doc)
}

// WriteJSON writes v as every JSON output of covgap is written: indented,
// ending in a newline, and with names such as "ATT&CK" or "<script>" kept
// as data rather than \u0026-escaped for HTML.
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
