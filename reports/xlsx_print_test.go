package reports

import "testing"

// TestWorkbookPrints: every sheet prints landscape, one page wide, with
// the header rows repeated, for the PDF that goes to management.
func TestWorkbookPrints(t *testing.T) {
	f, _ := writeAndOpen(t, testReport(t))
	for _, sheet := range f.GetSheetList() {
		pl, err := f.GetPageLayout(sheet)
		if err != nil {
			t.Fatal(err)
		}
		if pl.Orientation == nil || *pl.Orientation != "landscape" || pl.FitToWidth == nil || *pl.FitToWidth != 1 {
			t.Errorf("%s: page layout %+v", sheet, pl)
		}
		props, err := f.GetSheetProps(sheet)
		if err != nil || props.FitToPage == nil || !*props.FitToPage {
			t.Errorf("%s: not fit to page (%v)", sheet, err)
		}
	}
	names, found := f.GetDefinedName(), false
	for _, n := range names {
		if n.Name == "_xlnm.Print_Titles" && n.Scope == SheetGaps {
			found = true
		}
	}
	if !found {
		t.Errorf("no print titles on %s: %+v", SheetGaps, names)
	}
}
