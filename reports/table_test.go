package reports

import (
	"bytes"
	"strings"
	"testing"
)

func TestTableGolden(t *testing.T) {
	golden(t, "table.golden", render(t, "table", testReport(t)))
	golden(t, "table-whatif.golden", render(t, "table", testReportWhatIf(t)))
	golden(t, "table-one-group.golden", render(t, "", oneGroup(t)))
}

func TestTableContent(t *testing.T) {
	out := string(render(t, "table", testReport(t)))
	// Lowest score first, the group without a score last.
	a, p, e := strings.Index(out, "G0016"), strings.Index(out, "G1005"), strings.Index(out, "G9001")
	if a < 0 || p < 0 || e < 0 || !(a < p && p < e) {
		t.Errorf("groups not lowest score first:\n%s", out)
	}
	if !strings.Contains(out, "n/a") {
		t.Error("the unscored group does not say n/a")
	}
	if strings.Contains(out, "T1078 ") {
		t.Error("a several-group profile lists techniques")
	}
	one := string(render(t, "table", oneGroup(t)))
	for _, want := range []string{"Techniques of G1005 POLONIUM", "T1090", "Proxy", "gap", "initial-access, persistence"} {
		if !strings.Contains(one, want) {
			t.Errorf("one-group table lacks %q", want)
		}
	}
}

func TestTableHelper(t *testing.T) {
	var buf bytes.Buffer
	rows := [][]string{{"G1005", "POLONIUM", "80.0"}, {"G0016", "APT29", "n/a"}}
	if err := Table(&buf, []string{"ID", "Name", "Score"}, rows); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	// Header case is kept and the numeric column is right-aligned.
	if !strings.Contains(out, "Score") || !strings.Contains(out, "  n/a") {
		t.Errorf("table:\n%s", out)
	}
	if rows[0][0] != "G1005" {
		t.Error("Table changed the caller's rows")
	}
	if got := listCut([]string{"a", "b", "c"}, 2); got != "a, b +1 more" {
		t.Errorf("listCut = %q", got)
	}
}

// TestNoRecommendationsSaysWhy: an empty list must not claim that nothing
// would help when the user asked for no recommendations.
func TestNoRecommendationsSaysWhy(t *testing.T) {
	r := testReport(t)
	r.Result.Recommendations = nil
	for _, tc := range []struct {
		top  int
		want string
	}{{0, "--top 0"}, {10, "No mitigation would raise"}} {
		r.Result.Options.Top = tc.top
		var b strings.Builder
		if err := writeTables(&b, r); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), tc.want) {
			t.Errorf("top %d: table lacks %q", tc.top, tc.want)
		}
		var m strings.Builder
		if err := writeMarkdown(&m, r); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(m.String(), tc.want) {
			t.Errorf("top %d: markdown lacks %q", tc.top, tc.want)
		}
	}
}

func TestTerminalSafe(t *testing.T) {
	tests := []struct{ in, want string }{
		{"APT29", "APT29"},
		{"Evil\u202eGroup", `Evil\u202eGroup`},
		{"\x1b[31mRED\x00", `\u001b[31mRED\u0000`},
		{"two\nlines", "two\nlines"},
		{"tab\there", `tab\u0009here`},
		{"Iran’s café", "Iran’s café"},
	}
	for _, tc := range tests {
		if got := TerminalSafe(tc.in); got != tc.want {
			t.Errorf("TerminalSafe(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	var b strings.Builder
	if err := Table(&b, []string{"Name"}, [][]string{{"\x1b[2Jgone"}}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "\x1b") {
		t.Error("an escape sequence reached the table")
	}
}
