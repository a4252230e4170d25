package reports

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/covgap/covgap/analyzer"
)

func TestJSONGolden(t *testing.T) {
	golden(t, "report.json.golden", render(t, "json", testReport(t)))
	golden(t, "report-whatif.json.golden", render(t, "json", testReportWhatIf(t)))
}

// The file and --format json are one document, and it decodes back into
// the very Result it came from, with SPEC §5's top-level keys.
func TestJSONRoundTripAndKeys(t *testing.T) {
	r := stable(testReport(t))
	path := filepath.Join(t.TempDir(), "report.json")
	w, err := ForFile(path, FileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(r); err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(file) != string(render(t, "json", r)) {
		t.Error("-o report.json differs from --format json")
	}
	if file[len(file)-1] != '\n' {
		t.Error("no trailing newline")
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(file, &top); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"attack", "model", "profile", "groups", "recommendations", "inventory", "report"} {
		if _, ok := top[k]; !ok {
			t.Errorf("top-level key %q missing", k)
		}
	}
	var back analyzer.Result
	if err := json.Unmarshal(file, &back); err != nil {
		t.Fatal(err)
	}
	again, _ := json.Marshal(&back)
	orig, _ := json.Marshal(r.Result)
	if string(again) != string(orig) {
		t.Error("the JSON report does not decode back to the same Result")
	}
	var meta struct {
		Report jsonMeta `json:"report"`
	}
	json.Unmarshal(file, &meta)
	if meta.Report.Generated != "2026-12-04T09:30:00Z" || meta.Report.Tool != r.Tool {
		t.Errorf("report metadata %+v", meta.Report)
	}
}
