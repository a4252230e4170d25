package reports

// Terminal tables, the default output of `covgap analyze`: the groups,
// lowest score first, with their counts; the profile score; the
// recommendations with what each closes; and, when the profile is a single
// group, that group's techniques.

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/covgap/covgap/analyzer"
)

// Table writes rows under header as a terminal table. Columns whose cells
// are all numbers (or "n/a") are right-aligned so that scores line up.
// Other commands (groups, mitigations, compare, trend) use it too.
func Table(w io.Writer, header []string, rows [][]string) error {
	align := make([]tw.Align, len(header))
	for c := range header {
		align[c] = tw.AlignLeft
		if numericColumn(rows, c) {
			align[c] = tw.AlignRight
		}
	}
	t := tablewriter.NewTable(w,
		tablewriter.WithHeaderAutoFormat(tw.Off), // keep "Score after", not "SCORE AFTER"
		tablewriter.WithRowAlignmentConfig(tw.CellAlignment{Global: tw.AlignLeft, PerColumn: align}),
	)
	t.Header(header)
	for _, row := range rows {
		// Append keeps the slice it is given: pass a copy so callers may
		// reuse their rows.
		cp := make([]string, len(row))
		for i, c := range row {
			cp[i] = TerminalSafe(c)
		}
		if err := t.Append(cp); err != nil {
			return err
		}
	}
	return t.Render()
}

func numericColumn(rows [][]string, c int) bool {
	seen := false
	for _, row := range rows {
		if c >= len(row) || row[c] == "" || row[c] == "n/a" {
			continue
		}
		s := strings.TrimSuffix(strings.TrimPrefix(row[c], "+"), "%")
		if _, err := strconv.ParseFloat(s, 64); err != nil {
			return false
		}
		seen = true
	}
	return seen
}

// listCut joins items, showing at most max of them and how many more there
// are, so that a recommendation covering forty techniques keeps the table
// readable; the full lists are in the JSON, CSV and workbook.
func listCut(items []string, max int) string {
	if len(items) <= max {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:max], ", ") + fmt.Sprintf(" +%d more", len(items)-max)
}

func writeTables(w io.Writer, r *Report) error {
	res := r.Result
	name := res.Profile.Name
	if name == "" {
		name = "Threat profile"
	}
	fmt.Fprintf(w, "%s: %s; ATT&CK %s; model %s\n", TerminalSafe(name), plural(res.Profile.Groups, "group"), TerminalSafe(catalogLine(res)), res.Model)
	c := res.Profile.Counts
	fmt.Fprintf(w, "Profile score: %s (%d techniques: %d covered, %d partial, %d gaps, %d unmitigable)\n",
		fmtScore(res.Profile.Score), c.Techniques, c.Covered, c.Partial, c.Gaps, c.Unmitigable)
	assumed := whatIf(res)
	if assumed {
		fmt.Fprintf(w, "Assumed score: %s (what-if: %s)\n", fmtScore(res.Profile.AssumedScore), whatIfLine(res))
	}

	fmt.Fprintf(w, "\nGroups, lowest score first\n")
	header := []string{"ID", "Name", "Score"}
	if assumed {
		header = append(header, "Assumed")
	}
	header = append(header, "Techniques", "Mitigable", "Covered", "Partial", "Gaps", "Unmitigable")
	rows := make([][]string, 0, len(res.Groups))
	for _, g := range groupsByScore(res) {
		row := []string{g.ID, g.Name, fmtScore(g.Score)}
		if assumed {
			row = append(row, fmtScore(g.AssumedScore))
		}
		row = append(row, strconv.Itoa(g.Techniques), strconv.Itoa(g.Mitigable), strconv.Itoa(g.Covered),
			strconv.Itoa(g.Partial), strconv.Itoa(g.Gaps), strconv.Itoa(g.Unmitigable))
		rows = append(rows, row)
	}
	if err := Table(w, header, rows); err != nil {
		return err
	}

	fmt.Fprintf(w, "\nRecommendations\n")
	if len(res.Recommendations) == 0 {
		fmt.Fprintln(w, noRecommendations(res))
	} else {
		rows = rows[:0]
		for _, rec := range res.Recommendations {
			rows = append(rows, []string{
				strconv.Itoa(rec.Rank), rec.Mitigation, rec.Name, "+" + fmtScore(&rec.Gain), fmtScore(&rec.ScoreAfter),
				listCut(rec.Techniques, 6), listCut(rec.Groups, 4),
			})
		}
		if err := Table(w, []string{"#", "Mitigation", "Name", "Gain", "Score after", "Techniques newly covered", "Groups"}, rows); err != nil {
			return err
		}
	}

	if len(res.Groups) == 1 {
		g := &res.Groups[0]
		fmt.Fprintf(w, "\nTechniques of %s %s\n", TerminalSafe(g.ID), TerminalSafe(g.Name))
		if err := Table(w, techniqueHeader(assumed), techniqueRows(r, g, assumed)); err != nil {
			return err
		}
	}
	return nil
}

func techniqueHeader(assumed bool) []string {
	h := []string{"ID", "Name", "Tactics", "State", "Coverage"}
	if assumed {
		h = append(h, "Assumed")
	}
	if assumed {
		// The analyzer gives the assumed levels under a what-if.
		return append(h, "In place (what-if)", "Missing (what-if)")
	}
	return append(h, "In place", "Missing")
}

func techniqueRows(r *Report, g *analyzer.GroupResult, assumed bool) [][]string {
	rows := make([][]string, 0, len(g.Items))
	for i := range g.Items {
		it := &g.Items[i]
		cov := fmtPercent(it.Coverage)
		if it.State == analyzer.Unmitigable {
			cov = "n/a"
		}
		row := []string{it.Technique, it.Name, strings.Join(tacticsOf(r, it), ", "), string(it.State), cov}
		if assumed {
			a := ""
			if it.AssumedState != "" {
				a = string(it.AssumedState)
				if it.AssumedCoverage != nil && it.AssumedState != analyzer.Unmitigable {
					a += " " + fmtPercent(*it.AssumedCoverage)
				}
			}
			row = append(row, a)
		}
		row = append(row, strings.Join(inPlace(it, false), ", "), listCut(missing(it, false), 6))
		rows = append(rows, row)
	}
	return rows
}

// TerminalSafe replaces the characters of s that a terminal would act on
// rather than show (escape sequences, other control characters, and the
// bidirectional overrides that make text read backwards) with a visible
// \u escape. Names come from bundles and inventories nobody vetted; a
// group called "\x1b[2J" must not clear the analyst's screen. New lines
// stay: multi-line cells are made on purpose.
func TerminalSafe(s string) string {
	clean := true
	for _, r := range s {
		if unsafeRune(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unsafeRune(r) {
			fmt.Fprintf(&b, "\\u%04x", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func unsafeRune(r rune) bool {
	switch {
	case r == '\n':
		return false
	case r < 0x20, r >= 0x7f && r < 0xa0:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f:
		return true
	}
	return false
}
