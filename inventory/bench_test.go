package inventory

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/xuri/excelize/v2"
)

const benchRows = 10_000

// benchRecord is row i of a large generated inventory: one control per
// row, IDs and names mixed, a share of multi-mitigation cells, statuses,
// coverage and scope, owners and notes, as a big organisation's export.
func benchRecord(i int, cat []string, names []string) []any {
	statuses := []string{"Implemented", "Partial", "Planned", "Not implemented", "In progress", "N/A", "yes"}
	mit := cat[i%len(cat)]
	switch i % 5 {
	case 1:
		mit = names[i%len(names)]
	case 2:
		mit = cat[i%len(cat)] + "; " + cat[(i+7)%len(cat)]
	case 3:
		mit = cat[i%len(cat)] + " - " + names[i%len(names)]
	}
	var cov, scope any
	if i%3 == 0 {
		cov = float64(i%101) / 100
	}
	if i%4 == 0 {
		scope = fmt.Sprintf("%d%%", 50+i%51)
	}
	return []any{fmt.Sprintf("CTL-%05d", i), mit, statuses[i%len(statuses)], cov, scope,
		fmt.Sprintf("team-%d", i%17), "2026-09-30", "generated row for the benchmark"}
}

var benchHeader = []string{"Control", "ATT&CK Mitigation", "Status", "Coverage", "Scope %", "Owner", "Last Reviewed", "Notes"}

func benchInputs(b *testing.B) (ids, names []string) {
	cat := enterprise(b)
	for _, m := range cat.Mitigations {
		ids = append(ids, m.ID)
		names = append(names, m.Name)
	}
	return ids, names
}

func BenchmarkReadCSV10k(b *testing.B) {
	cat := enterprise(b)
	ids, names := benchInputs(b)
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(benchHeader)
	for i := range benchRows {
		rec := benchRecord(i, ids, names)
		s := make([]string, len(rec))
		for j, v := range rec {
			if v != nil {
				s[j] = fmt.Sprint(v)
			}
		}
		_ = w.Write(s)
	}
	w.Flush()
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		inv, err := Read(bytes.NewReader(data), "bench.csv", cat, Options{})
		if err != nil || len(inv.Rows) != benchRows {
			b.Fatalf("%v, %d rows", err, len(inv.Rows))
		}
	}
}

func BenchmarkReadXLSX10k(b *testing.B) {
	cat := enterprise(b)
	ids, names := benchInputs(b)
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		b.Fatal(err)
	}
	head := make([]any, len(benchHeader))
	for i, h := range benchHeader {
		head[i] = h
	}
	if err := sw.SetRow("A1", head); err != nil {
		b.Fatal(err)
	}
	for i := range benchRows {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, benchRecord(i, ids, names)); err != nil {
			b.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "bench.xlsx")
	if err := f.SaveAs(path); err != nil {
		b.Fatal(err)
	}
	f.Close()
	b.ResetTimer()
	for b.Loop() {
		inv, err := ReadFile(path, cat, Options{})
		if err != nil || len(inv.Rows) != benchRows {
			b.Fatalf("%v, %d rows", err, len(inv.Rows))
		}
	}
}

func BenchmarkWriteTemplate(b *testing.B) {
	cat := enterprise(b)
	for b.Loop() {
		var buf bytes.Buffer
		if err := WriteTemplate(&buf, cat, "xlsx"); err != nil {
			b.Fatal(err)
		}
	}
}
