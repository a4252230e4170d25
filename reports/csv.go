package reports

// CSV outputs. `-o NAME.csv` writes two files:
//
//   - NAME.csv, the groups table: one row per group, lowest score first,
//     with id, name, weight, score, assumed_score (empty without a
//     what-if), techniques, mitigable, covered, partial, gaps, unmitigable;
//   - NAME-gaps.csv, the gaps table: one row per gap or partial technique
//     of each group, with its tactics, state, coverage, assumed state and
//     coverage (empty without a what-if), the mitigations in place and the
//     ones missing (under a what-if, at the assumed levels).
//
// `--format csv` prints the groups table only. The first line is the
// header; there are no comment lines, so every spreadsheet and csv reader
// takes the files as they are. Numbers carry 12 significant digits (see
// fmtNumber), to match --format json; an empty score means the group has nothing to mitigate. Text that
// came from an input and looks like a formula is prefixed with an
// apostrophe (SafeText), so opening the file never runs it.

import (
	"encoding/csv"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/covgap/covgap/analyzer"
	"github.com/covgap/covgap/attack"
)

// GapsPath is where the gaps table goes for a groups CSV at path:
// report.csv → report-gaps.csv.
func GapsPath(path string) string {
	ext := filepath.Ext(path) // keeps the user's case: .CSV stays .CSV
	return strings.TrimSuffix(path, ext) + "-gaps" + ext
}

// csvFiles writes the groups table and the gaps table beside it.
type csvFiles struct{ groups, gaps string }

func (c csvFiles) Write(r *Report) error {
	if err := checkReport(r); err != nil {
		return err
	}
	if err := writeFileAtomic(c.groups, func(w io.Writer) error { return writeGroupsCSV(w, r) }); err != nil {
		return err
	}
	return writeFileAtomic(c.gaps, func(w io.Writer) error { return writeGapsCSV(w, r) })
}

var groupsCSVHeader = []string{"id", "name", "weight", "score", "assumed_score",
	"techniques", "mitigable", "covered", "partial", "gaps", "unmitigable"}

func writeGroupsCSV(w io.Writer, r *Report) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(groupsCSVHeader); err != nil {
		return err
	}
	for _, g := range groupsByScore(r.Result) {
		row := []string{
			SafeText(g.ID), SafeText(g.Name), fmtNumber(g.Weight),
			optNumber(g.Score), optNumber(g.AssumedScore),
			strconv.Itoa(g.Techniques), strconv.Itoa(g.Mitigable), strconv.Itoa(g.Covered),
			strconv.Itoa(g.Partial), strconv.Itoa(g.Gaps), strconv.Itoa(g.Unmitigable),
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

var gapsCSVHeader = []string{"group_id", "group_name", "technique", "technique_name",
	"tactics", "state", "coverage", "assumed_state", "assumed_coverage",
	"mitigations_in_place", "missing_mitigations", "url"}

func writeGapsCSV(w io.Writer, r *Report) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(gapsCSVHeader); err != nil {
		return err
	}
	for _, g := range groupsByScore(r.Result) {
		for i := range g.Items {
			it := &g.Items[i]
			if it.State != analyzer.Gap && it.State != analyzer.Partial {
				continue
			}
			row := []string{
				SafeText(g.ID), SafeText(g.Name), SafeText(it.Technique), SafeText(it.Name),
				strings.Join(tacticsOf(r, it), ";"), string(it.State), fmtNumber(it.Coverage),
				string(it.AssumedState), optNumber(it.AssumedCoverage),
				SafeText(strings.Join(inPlace(it, true), "; ")),
				SafeText(strings.Join(missing(it, true), "; ")),
				attack.URL(it.Technique),
			}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

func optNumber(v *float64) string {
	if v == nil {
		return ""
	}
	return fmtNumber(*v)
}
