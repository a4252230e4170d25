package attack

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// workbenchExport is what ATT&CK Workbench exports for a team's own
// content: its own collection (versioned 1.0, not by MITRE), a custom
// group, a use of a real technique, and a relationship missing its source.
const workbenchExport = `{"type":"bundle","id":"bundle--1","objects":[
{"type":"x-mitre-collection","id":"x-mitre-collection--9","name":"Our threats","x_mitre_version":"1.0",
 "created_by_ref":"identity--our-team","modified":"2026-10-01T00:00:00.000Z","x_mitre_domains":["enterprise-attack"]},
{"type":"intrusion-set","id":"intrusion-set--9","name":"Local Crew","modified":"2026-10-01T00:00:00.000Z",
 "x_mitre_domains":["enterprise-attack"],"external_references":[{"source_name":"mitre-attack","external_id":"G9001"}]},
{"type":"relationship","id":"relationship--9","relationship_type":"uses","source_ref":"intrusion-set--9",
 "target_ref":"attack-pattern--b17a1a56-e99c-403c-8948-561df0cffe81","modified":"2026-10-01T00:00:00.000Z"},
{"type":"relationship","id":"relationship--10","relationship_type":"uses",
 "target_ref":"attack-pattern--b17a1a56-e99c-403c-8948-561df0cffe81","modified":"2026-10-01T00:00:00.000Z"}
]}`

func TestWorkbenchMergeKeepsATTACKVersion(t *testing.T) {
	wb := filepath.Join(t.TempDir(), "workbench.json")
	if err := os.WriteFile(wb, []byte(workbenchExport), 0o644); err != nil {
		t.Fatal(err)
	}
	// In either order, the catalog is ATT&CK 18.1 with the team's group.
	for _, paths := range [][]string{{fixturePath(t), wb}, {wb, fixturePath(t)}} {
		c, err := LoadSTIXFiles(paths...)
		if err != nil {
			t.Fatal(err)
		}
		if c.Version != "18.1" {
			t.Errorf("%v: version %q, want ATT&CK's 18.1", paths, c.Version)
		}
		g := c.Group("G9001")
		if g == nil || len(c.TechniquesOf(g, DefaultUseOptions())) != 1 {
			t.Fatalf("%v: custom group %+v", paths, g)
		}
		var sawCollection, sawNoSource bool
		for _, w := range c.Warnings {
			sawCollection = sawCollection || strings.Contains(w.Message, `collection "Our threats" (version 1.0)`)
			sawNoSource = sawNoSource || (w.Object == "relationship--10" && strings.Contains(w.Message, "without source_ref"))
		}
		if !sawCollection || !sawNoSource {
			t.Errorf("%v: warnings lack the merged collection or the sourceless relationship: %v", paths, c.Warnings)
		}
	}
}

func TestBundleWithBOM(t *testing.T) {
	data, err := os.ReadFile(fixturePath(t))
	if err != nil {
		t.Fatal(err)
	}
	c, err := LoadSTIX(bytes.NewReader(append([]byte("\xef\xbb\xbf"), data...)), "bom.json")
	if err != nil {
		t.Fatalf("a bundle saved with a byte-order mark: %v", err)
	}
	if c.Group("G1005") == nil {
		t.Error("G1005 missing")
	}
}

func TestTruncatedGzipSaysSo(t *testing.T) {
	data, err := os.ReadFile(fixturePath(t))
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(data)
	zw.Close()
	_, err = LoadSTIX(bytes.NewReader(gz.Bytes()[:gz.Len()/2]), "half.json.gz")
	if err == nil || !strings.Contains(err.Error(), "truncated") || !strings.Contains(err.Error(), "half.json.gz") {
		t.Errorf("truncated gzip: %v", err)
	}
}

func TestWrongFieldTypeNamesObject(t *testing.T) {
	bundle := `{"type":"bundle","id":"bundle--1","objects":[
{"type":"intrusion-set","id":"intrusion-set--bad","name":123,"modified":"2026-10-01T00:00:00.000Z"}]}`
	_, err := LoadSTIX(strings.NewReader(bundle), "bad.json")
	if err == nil || !strings.Contains(err.Error(), "object intrusion-set--bad") ||
		!strings.Contains(err.Error(), "unexpected value") || strings.Contains(err.Error(), "invalid JSON") {
		t.Errorf("err = %v", err)
	}
}

func TestLookupErrorNamesDomain(t *testing.T) {
	ics, err := Embedded("ics")
	if err != nil {
		t.Fatal(err)
	}
	_, err = ics.FindMitigation("M1032")
	if err == nil || !strings.Contains(err.Error(), "ATT&CK for ICS 18.1") {
		t.Errorf("ICS lookup error: %v", err)
	}
	ent, _ := Embedded("enterprise")
	if _, err := ent.FindMitigation("M9999"); err == nil || strings.Contains(err.Error(), "for ") {
		t.Errorf("Enterprise lookup error: %v", err)
	}
}
