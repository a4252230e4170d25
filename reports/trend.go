package reports

// The report of `covgap trend`: the profile's and each group's score across
// saved assessments in date order, with the change against the previous
// one.

import (
	"fmt"
	"io"
	"strings"

	"github.com/covgap/covgap/assessment"
	"github.com/covgap/covgap/attack"
)

// TrendFormats are the formats WriteTrend accepts.
const TrendFormats = "table, json, markdown"

// trendChartGroups is how many of the lowest groups the trend chart draws
// next to the profile: more lines than that cannot be told apart.
const trendChartGroups = 5

// WriteTrend writes t to w as a terminal table, JSON or Markdown.
func WriteTrend(w io.Writer, format string, t *assessment.Trend) error {
	switch strings.ToLower(format) {
	case "table", "":
		return writeTrendTable(w, t)
	case "json":
		return WriteJSON(w, t)
	case "markdown", "md":
		return writeTrendMarkdown(w, t)
	}
	return fmt.Errorf("unknown trend format %q; expected %s", format, TrendFormats)
}

// WriteTrendFile writes t to path in the format its extension names,
// through a temporary file and a rename.
func WriteTrendFile(path string, t *assessment.Trend) error {
	return writeHistoryFile(path, map[string]func(io.Writer) error{
		"xlsx":     func(w io.Writer) error { return WriteTrendWorkbook(w, t) },
		"json":     func(w io.Writer) error { return WriteJSON(w, t) },
		"markdown": func(w io.Writer) error { return writeTrendMarkdown(w, t) },
	})
}

// trendCell is "61.2 (+3.1)": the score and its change since the previous
// assessment.
func trendCell(score, delta *float64) string {
	s := fmtScore(score)
	if delta != nil {
		s += " (" + fmtSigned(delta) + ")"
	}
	return s
}

// trendRows are the profile's row and one per group, in ID order.
func trendRows(t *assessment.Trend, id func(string) string, text func(string) string) (header []string, rows [][]string) {
	header = []string{"ID", "Group"}
	profile := []string{"", "Whole profile"}
	for _, p := range t.Points {
		header = append(header, text(p.Label))
		profile = append(profile, trendCell(p.Score, p.Delta))
	}
	rows = append(rows, profile)
	for _, g := range t.Groups {
		row := []string{id(g.ID), text(g.Name)}
		for i := range t.Points {
			row = append(row, trendCell(g.Scores[i], g.Deltas[i]))
		}
		rows = append(rows, row)
	}
	return header, rows
}

func writeTrendTable(w io.Writer, t *assessment.Trend) error {
	ew := &errWriter{w: w}
	for _, p := range t.Points {
		when := createdWhen(p.Label, p.Created)
		if when != "" {
			when += ", "
		}
		ew.printf("%s: %sATT&CK %s, model %s, %d groups\n", p.Label, when, p.Version, p.Model, p.Groups)
	}
	ew.printf("\n")
	if ew.err != nil {
		return ew.err
	}
	id := func(s string) string { return s }
	header, rows := trendRows(t, id, id)
	return Table(w, header, rows)
}

func writeTrendMarkdown(w io.Writer, t *assessment.Trend) error {
	var b strings.Builder
	b.WriteString("# Coverage trend\n\n")
	rows := make([][]string, 0, len(t.Points))
	for _, p := range t.Points {
		rows = append(rows, []string{mdText(p.Label), p.Created.UTC().Format("2006-01-02 15:04 UTC"), mdText(p.Version), string(p.Model),
			fmt.Sprint(p.Groups), fmtScore(p.Score), fmtDelta(p.Delta)})
	}
	mdTable(&b, []string{"Assessment", "Date", "ATT&CK", "Model", "Groups", "Profile score", "Δ"}, "lllrrrr", rows)
	b.WriteString("\n## Scores by group\n\nEach cell is the score and, in brackets, its change since the previous assessment.\n\n")
	header, rows := trendRows(t, func(id string) string { return mdLink(id, attack.URL(id)) }, mdText)
	mdTable(&b, header, "ll"+strings.Repeat("r", len(t.Points)), rows)
	_, err := io.WriteString(w, b.String())
	return err
}
