package inventory

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// checkInvariants holds for every inventory Read returns, whatever it read.
func checkInvariants(t *testing.T, inv *Inventory, name string) {
	t.Helper()
	cat := enterprise(t)
	for id, l := range inv.Levels {
		if l < 0 || l > 1 || l != l {
			t.Fatalf("level of %s is %v", id, l)
		}
		if cat.Mitigation(id) == nil {
			t.Fatalf("level for %s, which is no active mitigation", id)
		}
	}
	if len(inv.Levels)+len(inv.NotAssessed) != len(cat.Mitigations) {
		t.Fatalf("%d levels + %d not assessed != %d mitigations", len(inv.Levels), len(inv.NotAssessed), len(cat.Mitigations))
	}
	for _, id := range inv.NotAssessed {
		if _, ok := inv.Levels[id]; ok {
			t.Fatalf("%s both assessed and not", id)
		}
	}
	for _, p := range inv.Problems {
		if p.File != name || (p.Severity != SeverityError && p.Severity != SeverityWarning) || p.Message == "" {
			t.Fatalf("malformed problem %+v", p)
		}
	}
	for _, r := range inv.Rows {
		if r.Error && r.Level != 0 || r.Level < 0 || r.Level > 1 {
			t.Fatalf("row %+v", r)
		}
	}
}

func fuzzSeeds(f *testing.F, exts ...string) {
	paths, _ := filepath.Glob(filepath.Join(fixtures, "*"))
	for _, p := range paths {
		for _, e := range exts {
			if strings.HasSuffix(p, e) {
				if b, err := os.ReadFile(p); err == nil {
					f.Add(b, filepath.Base(p))
				}
			}
		}
	}
}

// FuzzRead feeds anything to the content-detecting reader under any name:
// it must return an error or an inventory that keeps the invariants, and
// never panic.
func FuzzRead(f *testing.F) {
	fuzzSeeds(f, ".csv", ".yaml", ".json")
	for _, s := range []string{
		"Mitigation,Status,Coverage\nM1032,yes,75%\n",
		"sep=;\nMitigation;Status\n\"M1032\nM1017\";partial\n",
		utf16LE("Mitigation\tStatus\r\nM1032\tyes\r\n"),
		`[{"mitigation":"M1032","status":"yes"},"M1017",{"id":["M1020","x"],"coverage":140}]`,
		`{"M1032":{"status":"partial","scope":"50 %"},"M1017":true}`,
		"mitigations:\n  - id: M1032\n    status: yes\n  - &a {id: M1017}\n  - *a\n",
		"Title\n\nControl,ATT&CK Mitigation(s),Implemented?,% Implemented\nx,\"SSL/TLS Inspection, Antivirus/Antimalware\",in progress,0,5\n",
		"\"unterminated,M1032\n",
	} {
		f.Add([]byte(s), "fuzz.csv")
	}
	cat := enterprise(f)
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		inv, err := Read(bytes.NewReader(data), name, cat, Options{MaxSize: 1 << 20, MaxRows: 500, MaxCell: 2000})
		if err != nil {
			if !strings.Contains(err.Error(), name) {
				t.Fatalf("error %q does not name the file %q", err, name)
			}
			return
		}
		checkInvariants(t, inv, name)
	})
}

// FuzzReadXLSX mutates real workbooks, which random bytes would rarely
// reach: the zip and XML layers must fail cleanly. Run it with
// -fuzzminimizetime 1s: minimising each new 8 KB workbook otherwise takes
// the default full minute, and the run looks stalled.
func FuzzReadXLSX(f *testing.F) {
	fuzzSeeds(f, ".xlsx")
	f.Add(workbook(f, sheetSpec{name: "S", cells: map[string]any{"A1": "Mitigation", "B1": "Coverage", "A2": "M1032", "B2": 0.5}, percent: []string{"B2"}}), "w.xlsx")
	cat := enterprise(f)
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		inv, err := Read(bytes.NewReader(data), name, cat, Options{MaxSize: 1 << 20, MaxRows: 500})
		if err == nil {
			checkInvariants(t, inv, name)
		}
	})
}

// FuzzResolve throws arbitrary cells at the mitigation reference parser.
func FuzzResolve(f *testing.F) {
	for _, s := range []string{"M1032", "M1018 - User Account Management", "SSL/TLS Inspection, Antivirus/Antimalware",
		"User Account Management (M1018)", "T1078", "M1032 M1017", ",,,/ / and and", strings.Repeat("a,", 500)} {
		f.Add(s)
	}
	cat := enterprise(f)
	f.Fuzz(func(t *testing.T, cell string) {
		rd := &reader{file: "f", cat: cat}
		refs := rd.resolve(cell)
		if len(refs) > maxRefsPerCell+1 {
			t.Fatalf("%d references", len(refs))
		}
		for _, r := range refs {
			if (r.err == nil) == (r.id == "") || r.err == nil && cat.Mitigation(r.id) == nil {
				t.Fatalf("bad ref %+v for %q", r, cell)
			}
		}
	})
}
