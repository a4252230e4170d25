package reports

// The quarter-over-quarter report of `covgap compare`: how each group's
// score moved between two saved assessments, how much of it the inventory
// and how much ATT&CK caused, and the changes behind it. The numbers come
// from assessment.Compare; these writers only lay them out.

import (
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/covgap/covgap/assessment"
	"github.com/covgap/covgap/attack"
)

// ComparisonFormats are the formats WriteComparison accepts.
const ComparisonFormats = "table, json, markdown"

// HistoryFiles are the file extensions WriteComparisonFile and
// WriteTrendFile accept.
const HistoryFiles = ".xlsx, .json, .md"

// CheckHistoryFile says, before any work, whether path can take a
// comparison or a trend: a known extension in a writable place.
func CheckHistoryFile(path string) error {
	if historyKind(path) == "" {
		return fmt.Errorf("output %s: unknown extension; expected %s", path, HistoryFiles)
	}
	return checkParent(path)
}

// historyKind is the format a history file's extension names, or "".
func historyKind(path string) string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".xlsx":
		return "xlsx"
	case ".json":
		return "json"
	case ".md", ".markdown":
		return "markdown"
	}
	return ""
}

// writeHistoryFile writes to path the renderer its extension names.
func writeHistoryFile(path string, renderers map[string]func(io.Writer) error) error {
	render := renderers[historyKind(path)]
	if render == nil {
		return fmt.Errorf("output %s: unknown extension; expected %s", path, HistoryFiles)
	}
	return writeFileAtomic(path, render)
}

// WriteComparison writes c to w as a terminal table, JSON or Markdown.
func WriteComparison(w io.Writer, format string, c *assessment.Comparison) error {
	switch strings.ToLower(format) {
	case "table", "":
		return writeComparisonTable(w, c)
	case "json":
		return WriteJSON(w, c)
	case "markdown", "md":
		return writeComparisonMarkdown(w, c)
	}
	return fmt.Errorf("unknown comparison format %q; expected %s", format, ComparisonFormats)
}

// WriteComparisonFile writes c to path in the format its extension names,
// through a temporary file and a rename.
func WriteComparisonFile(path string, c *assessment.Comparison) error {
	return writeHistoryFile(path, map[string]func(io.Writer) error{
		"xlsx":     func(w io.Writer) error { return WriteComparisonWorkbook(w, c) },
		"json":     func(w io.Writer) error { return WriteJSON(w, c) },
		"markdown": func(w io.Writer) error { return writeComparisonMarkdown(w, c) },
	})
}

// shownChange reports whether a change is worth a line in the readable
// reports: every inventory, group and option change, and an ATT&CK change
// to a technique only when it moved that technique's part of a score. A
// full-profile comparison across ATT&CK versions has thousands of changes,
// most of them mitigations added at level 0 to techniques still gaps; the
// JSON and the workbook's Causes sheet keep them all.
func shownChange(ch assessment.Change) bool {
	if ch.Cause != assessment.CauseAttack || ch.Technique == "" {
		return true
	}
	b, a := ch.CoverageBefore, ch.CoverageAfter
	switch {
	case b == nil && a == nil:
		return false // unmitigable on both sides: left out of every score
	case b == nil || a == nil:
		return true
	}
	return *b != *a
}

// fmtDelta shows a score change with its sign and one decimal.
func fmtDelta(d *float64) string {
	if d == nil {
		return "n/a"
	}
	v := *d
	if v > -0.05 && v < 0.05 {
		v = 0 // no "-0.0"
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

// fmtSigned is fmtDelta with a leading "+" on gains, for prose.
func fmtSigned(d *float64) string {
	s := fmtDelta(d)
	if d != nil && s != "0.0" && !strings.HasPrefix(s, "-") {
		s = "+" + s
	}
	return s
}

func fmtLevel(p *float64) string {
	if p == nil {
		return "not assessed"
	}
	return fmtPercent(*p)
}

// sideLine names one side of a comparison: label, date, ATT&CK version.
func sideLine(s assessment.Side) string {
	v := s.Catalog.Version
	if v == "" {
		v = "unknown version"
	}
	when := createdWhen(s.Label, s.Created) + ", "
	if when == ", " {
		when = ""
	}
	return fmt.Sprintf("%s (%sATT&CK %s %s, model %s)", s.Label, when, s.Catalog.Domain, v, s.Model)
}

// createdWhen is an assessment's creation time to the minute, for showing
// next to its name; empty when the name already is that time (an
// unlabelled assessment), which would only repeat it. A date alone could
// not tell apart two assessments of one day.
func createdWhen(name string, created time.Time) string {
	when := created.UTC().Format("2006-01-02 15:04 UTC")
	if strings.HasPrefix(name, strings.TrimSuffix(when, " UTC")) {
		return ""
	}
	return when
}

// movementLine is "52.4 → 51.9 (Δ -0.4: inventory 0.0, ATT&CK/profile -0.4)":
// the second part is Δ_attack, which also holds changes of the profile and
// options (methodology §8), so its label says both.
func movementLine(m assessment.Movement) string {
	s := fmtScore(m.Before) + " → " + fmtScore(m.After)
	if m.Delta != nil {
		s += fmt.Sprintf(" (Δ %s: inventory %s, ATT&CK/profile %s)", fmtSigned(m.Delta), fmtSigned(m.DeltaInventory), fmtSigned(m.DeltaAttack))
	}
	return s
}

// causeCounts summarises a group's changes as "2 inventory, 5 ATT&CK".
func causeCounts(chs []assessment.Change) string {
	n := map[assessment.Cause]int{}
	for _, ch := range chs {
		n[ch.Cause]++
	}
	var parts []string
	for _, c := range []struct {
		cause assessment.Cause
		word  string
	}{{assessment.CauseInventory, "inventory"}, {assessment.CauseAttack, "ATT&CK"}, {assessment.CauseProfile, "profile"}} {
		if n[c.cause] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[c.cause], c.word))
		}
	}
	return strings.Join(parts, ", ")
}

func causeWord(c assessment.Cause) string {
	switch c {
	case assessment.CauseInventory:
		return "inventory"
	case assessment.CauseAttack:
		return "ATT&CK"
	}
	return string(c)
}

func writeComparisonTable(w io.Writer, c *assessment.Comparison) error {
	ew := &errWriter{w: w}
	ew.printf("Old: %s\nNew: %s\n", sideLine(c.Old), sideLine(c.New))
	ew.printf("Profile: %s\n\n", movementLine(c.Profile.Movement))
	if ew.err != nil {
		return ew.err
	}
	rows := make([][]string, 0, len(c.Groups))
	for _, g := range c.Groups {
		rows = append(rows, []string{g.ID, g.Name, g.Status, fmtScore(g.Before), fmtScore(g.After),
			fmtDelta(g.Delta), fmtDelta(g.DeltaInventory), fmtDelta(g.DeltaAttack), causeCounts(g.Changes)})
	}
	if err := Table(w, []string{"ID", "Group", "Status", "Before", "After", "Δ", "Δ inventory", "Δ ATT&CK", "Changes"}, rows); err != nil {
		return err
	}

	if len(c.Inventory) > 0 {
		ew.printf("\nInventory changes\n")
		rows = rows[:0:0]
		for _, ch := range c.Inventory {
			rows = append(rows, []string{ch.Mitigation, ch.MitigationName, fmtLevel(ch.LevelBefore), fmtLevel(ch.LevelAfter),
				strconv.Itoa(len(ch.Techniques))})
		}
		if ew.err != nil {
			return ew.err
		}
		if err := Table(w, []string{"Mitigation", "Name", "Before", "After", "Techniques"}, rows); err != nil {
			return err
		}
	}

	rows = rows[:0:0]
	hidden := 0
	for _, ch := range c.Profile.Changes {
		if ch.Cause != assessment.CauseInventory { // inventory ones are listed above
			rows = append(rows, []string{"profile", causeWord(ch.Cause), ch.Message})
		}
	}
	for _, g := range c.Groups {
		for _, ch := range g.Changes {
			switch {
			case ch.Cause == assessment.CauseInventory:
				// Listed once above; per group they would repeat.
			case shownChange(ch):
				rows = append(rows, []string{g.ID, causeWord(ch.Cause), ch.Message})
			default:
				hidden++
			}
		}
	}
	if len(rows) > 0 {
		ew.printf("\nCauses\n")
		if ew.err != nil {
			return ew.err
		}
		if err := Table(w, []string{"Group", "Cause", "Change"}, rows); err != nil {
			return err
		}
	}
	if hidden > 0 {
		ew.printf("%d more ATT&CK changes moved no coverage; --format json or -o delta.xlsx lists them.\n", hidden)
	}
	for _, warn := range c.Warnings {
		ew.printf("warning: %s\n", warn)
	}
	return ew.err
}

// errWriter keeps the first write error so a run of prints is checked once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}

func writeComparisonMarkdown(w io.Writer, c *assessment.Comparison) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Coverage change: %s → %s\n\n", mdText(c.Old.Label), mdText(c.New.Label))
	side := func(s assessment.Side) []string {
		return []string{mdText(s.Label), s.Created.UTC().Format("2006-01-02 15:04 UTC"), mdText(s.Catalog.Domain + " " + s.Catalog.Version),
			string(s.Model), mdText(s.File)}
	}
	mdTable(&b, []string{"", "Assessment", "Date", "ATT&CK", "Model", "Inventory"}, "llllll",
		[][]string{append([]string{"Old"}, side(c.Old)...), append([]string{"New"}, side(c.New)...)})
	fmt.Fprintf(&b, "\n**Profile score:** %s\n\n", mdText(movementLine(c.Profile.Movement)))
	if c.Profile.Added+c.Profile.Removed > 0 {
		fmt.Fprintf(&b, "Groups: %d → %d (%d added, %d removed).\n\n", c.Profile.GroupsBefore, c.Profile.GroupsAfter, c.Profile.Added, c.Profile.Removed)
	}

	b.WriteString("## Groups\n\n")
	rows := make([][]string, 0, len(c.Groups))
	for _, g := range c.Groups {
		rows = append(rows, []string{mdLink(g.ID, attack.URL(g.ID)), mdText(g.Name), g.Status, fmtScore(g.Before), fmtScore(g.After),
			fmtDelta(g.Delta), fmtDelta(g.DeltaInventory), fmtDelta(g.DeltaAttack)})
	}
	mdTable(&b, []string{"ID", "Group", "Status", "Before", "After", "Δ", "Δ inventory", "Δ ATT&CK"}, "lllrrrrr", rows)

	if len(c.Inventory) > 0 {
		b.WriteString("\n## Inventory changes\n\n")
		rows = rows[:0:0]
		for _, ch := range c.Inventory {
			rows = append(rows, []string{mdLink(ch.Mitigation, attack.URL(ch.Mitigation)), mdText(ch.MitigationName),
				fmtLevel(ch.LevelBefore), fmtLevel(ch.LevelAfter), mdText(strings.Join(ch.Techniques, ", "))})
		}
		mdTable(&b, []string{"Mitigation", "Name", "Before", "After", "Techniques it mitigates"}, "llrrl", rows)
	}

	var opts []assessment.Change
	for _, ch := range c.Profile.Changes {
		if ch.Cause != assessment.CauseInventory {
			opts = append(opts, ch)
		}
	}
	if len(opts) > 0 {
		b.WriteString("\n## Profile and options\n\n")
		for _, ch := range opts {
			fmt.Fprintf(&b, "- %s\n", mdText(ch.Message))
		}
	}

	b.WriteString("\n## Why scores moved\n")
	for _, g := range c.Groups {
		var shown []assessment.Change
		hidden := 0
		for _, ch := range g.Changes {
			if shownChange(ch) {
				shown = append(shown, ch)
			} else {
				hidden++
			}
		}
		if len(shown) == 0 && hidden == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n### %s %s: %s\n\n", mdText(g.ID), mdText(g.Name), mdText(movementLine(g.Movement)))
		for _, ch := range shown {
			fmt.Fprintf(&b, "- %s: %s\n", causeWord(ch.Cause), mdText(ch.Message))
		}
		if hidden > 0 {
			fmt.Fprintf(&b, "- %d more ATT&CK changes moved no coverage.\n", hidden)
		}
	}

	b.WriteString("\n## Method\n\n")
	b.WriteString(mdText(c.Method) + "\n")
	if c.SameMap {
		b.WriteString("\nBoth assessments were scored on the same map, so every Δ is the inventory's.\n")
	}
	for _, warn := range c.Warnings {
		fmt.Fprintf(&b, "\n> Warning: %s\n", mdText(warn))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
