package inventory

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestWideRowsAreCapped: a row with a cell in the last column (XFD) or a
// line of thousands of delimiters keeps only maxColumns cells, says so
// once, and the inventory still reads.
func TestWideRowsAreCapped(t *testing.T) {
	cat := enterprise(t)
	f := excelize.NewFile()
	f.SetSheetRow("Sheet1", "A1", &[]any{"Mitigation", "Status"})
	for r := 2; r <= 200; r++ {
		f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", r), &[]any{"M1032", "implemented"})
		f.SetCellValue("Sheet1", fmt.Sprintf("XFD%d", r), "x")
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	csvText := "Mitigation,Status\nM1032,implemented" + strings.Repeat(",", 100000) + "\n"
	for _, tc := range []struct {
		name string
		data []byte
	}{{"wide.xlsx", buf.Bytes()}, {"wide.csv", []byte(csvText)}} {
		inv, err := Read(bytes.NewReader(tc.data), tc.name, cat, Options{})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if inv.Levels["M1032"] != 1 || inv.Errors() != 0 {
			t.Errorf("%s: levels %v\n%s", tc.name, inv.Levels, problemsText(inv))
		}
		if findProblem(inv, SeverityWarning, 2, "beyond column 256") == nil {
			t.Errorf("%s: no warning about the cut columns:\n%s", tc.name, problemsText(inv))
		}
	}
}

// TestManyWideRowsRefused: a sheet with a far cell on every row is not an
// inventory, and reading thousands of such rows would cost gigabytes.
func TestManyWideRowsRefused(t *testing.T) {
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	row := make([]any, 16384) // nil cells are not written
	row[0], row[1], row[16383] = "M1032", "implemented", "x"
	sw.SetRow("A1", []any{"Mitigation", "Status"})
	for r := 2; r <= maxWideRows+50; r++ {
		cell, _ := excelize.CoordinatesToCellName(1, r)
		if err := sw.SetRow(cell, row); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	_, err = Read(bytes.NewReader(buf.Bytes()), "wide.xlsx", enterprise(t), Options{})
	if err == nil || !strings.Contains(err.Error(), "wide.xlsx") || !strings.Contains(err.Error(), "beyond column 256") {
		t.Errorf("err = %v", err)
	}
}
