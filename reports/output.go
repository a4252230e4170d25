package reports

// Outputs and where they go.
//
// ForFile picks the writer for one -o argument with a single switch on the
// path's extension; ForStdout does the same for --format. Both validate
// everything they can before the analysis runs, so a mistyped -o costs
// milliseconds, not a whole scoring run.
//
//	-o report.xlsx       the Excel gap workbook
//	-o report.json       the Result as `--format json` prints it
//	-o profile.layer.json  the profile's ATT&CK Navigator layer
//	-o groups.csv        the groups table (one row per group, all counts and
//	                     scores), and beside it groups-gaps.csv: one row per
//	                     gap or partial technique of each group with the
//	                     mitigations in place and the ones missing
//	-o report.md         one Markdown report: summary, groups, recommendations
//	                     and one section per group with a mermaid flowchart
//	-o report.html       one self-contained HTML page (what serve shows)
//	-o DIR/              (or an existing directory) one Navigator layer per
//	                     group, G1005-POLONIUM.json, and profile.json; with
//	                     Format "markdown" one Markdown page per group in the
//	                     vault shape, G1005-POLONIUM.md, and index.md
//
// Files are written to a temporary file in the same directory and renamed
// into place, so a failed or interrupted run never leaves half a report
// where last quarter's complete one was.

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"github.com/covgap/covgap/analyzer"
	"github.com/covgap/covgap/attack"
	"github.com/covgap/covgap/internal/atomicfile"
)

// FileOptions tune ForFile.
type FileOptions struct {
	// Format chooses what a directory output holds: "markdown" writes one
	// Markdown page per group plus index.md; anything else (the usual
	// "table" default of --format) writes Navigator layers. It does not
	// affect single-file outputs, whose format is their extension.
	Format string
}

// SupportedFiles lists the -o forms ForFile accepts, for help and errors.
const SupportedFiles = ".xlsx, .json, .layer.json, .csv, .md, .html, or a directory (DIR/)"

// SupportedFormats lists the --format values ForStdout accepts.
const SupportedFormats = "table, json, csv, markdown"

// ForFile returns the writer for output path, chosen by its extension (see
// the list above). It fails at once on an unknown extension, a missing
// parent directory or a directory that cannot be created, naming the path.
func ForFile(path string, o FileOptions) (Writer, error) {
	if path == "" {
		return nil, errors.New("output path is empty; give a file (" + SupportedFiles + ")")
	}
	if isDirTarget(path) {
		if err := checkDirCreatable(path); err != nil {
			return nil, err
		}
		return &dirWriter{dir: path, markdown: strings.EqualFold(o.Format, "markdown") || strings.EqualFold(o.Format, "md")}, nil
	}
	name := strings.ToLower(filepath.Base(path))
	if strings.HasSuffix(name, ".xlsx") {
		return NewWorkbook(path) // checks its own target
	}
	if err := checkParent(path); err != nil {
		return nil, err
	}
	switch {
	case strings.HasSuffix(name, ".layer.json"):
		return fileWriter{path, writeProfileLayer}, nil
	case strings.HasSuffix(name, ".json"):
		return fileWriter{path, writeJSON}, nil
	case strings.HasSuffix(name, ".csv"):
		return csvFiles{groups: path, gaps: GapsPath(path)}, nil
	case strings.HasSuffix(name, ".md"), strings.HasSuffix(name, ".markdown"):
		return fileWriter{path, writeMarkdown}, nil
	case strings.HasSuffix(name, ".html"), strings.HasSuffix(name, ".htm"):
		return fileWriter{path, writeHTML}, nil
	}
	ext := filepath.Ext(path)
	if ext == "" {
		return nil, fmt.Errorf("output %s: no extension; use %s", path, SupportedFiles)
	}
	return nil, fmt.Errorf("output %s: unknown format %q; use %s", path, ext, SupportedFiles)
}

// ForStdout returns the writer for --format on standard output: "table"
// (the default when format is empty), "json", "csv" (the groups table) or
// "markdown".
func ForStdout(format string, w io.Writer) (Writer, error) {
	var render func(io.Writer, *Report) error
	switch strings.ToLower(format) {
	case "", "table":
		render = writeTables
	case "json":
		render = writeJSON
	case "csv":
		render = writeGroupsCSV
	case "markdown", "md":
		render = writeMarkdown
	default:
		return nil, fmt.Errorf("unknown --format %q; use %s", format, SupportedFormats)
	}
	return streamWriter{w, render}, nil
}

// Multi returns a writer that writes to every one of ws. A failing writer
// does not stop the others: the team still gets the reports that could be
// written, and the error names every one that could not.
func Multi(ws ...Writer) Writer {
	var m multiWriter
	for _, w := range ws {
		switch w := w.(type) {
		case nil:
		case multiWriter:
			m = append(m, w...)
		default:
			m = append(m, w)
		}
	}
	return m
}

type multiWriter []Writer

func (m multiWriter) Write(r *Report) error {
	var errs []error
	for _, w := range m {
		if err := w.Write(r); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// streamWriter renders to a writer it does not own (standard output).
type streamWriter struct {
	w      io.Writer
	render func(io.Writer, *Report) error
}

func (s streamWriter) Write(r *Report) error {
	if err := checkReport(r); err != nil {
		return err
	}
	bw := bufio.NewWriter(s.w)
	if err := s.render(bw, r); err != nil {
		return err
	}
	return bw.Flush()
}

// fileWriter renders one file.
type fileWriter struct {
	path   string
	render func(io.Writer, *Report) error
}

func (f fileWriter) Write(r *Report) error {
	if err := checkReport(r); err != nil {
		return err
	}
	return writeFileAtomic(f.path, func(w io.Writer) error { return f.render(w, r) })
}

// dirWriter writes one file per group and one for the whole profile.
type dirWriter struct {
	dir      string
	markdown bool
}

func (d *dirWriter) Write(r *Report) error {
	if err := checkReport(r); err != nil {
		return err
	}
	if err := os.MkdirAll(d.dir, 0o755); err != nil {
		return fmt.Errorf("output %s: %w", d.dir, err)
	}
	if d.markdown {
		return writeMarkdownPages(d.dir, r)
	}
	return writeLayers(d.dir, r)
}

func checkReport(r *Report) error {
	if r == nil || r.Result == nil {
		return errors.New("reports: no analysis result to write")
	}
	return nil
}

// isDirTarget says whether path names a directory output: it ends in a
// separator or is an existing directory.
func isDirTarget(path string) bool {
	if strings.HasSuffix(path, "/") || strings.HasSuffix(path, string(os.PathSeparator)) {
		return true
	}
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

// checkDirCreatable accepts an existing directory, or a path whose nearest
// existing ancestor is a directory (MkdirAll will make the rest at write
// time).
func checkDirCreatable(path string) error {
	p := filepath.Clean(path)
	for {
		fi, err := os.Stat(p)
		if err == nil {
			if !fi.IsDir() {
				return fmt.Errorf("output %s: %s is a file, not a directory", path, p)
			}
			if err := atomicfile.CheckDir(p); err != nil {
				return fmt.Errorf("output %s: %w", path, err)
			}
			return nil
		}
		// ENOTDIR: some ancestor is a file; walk up to it to say so.
		if !errors.Is(err, os.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
			return fmt.Errorf("output %s: %w", path, err)
		}
		parent := filepath.Dir(p)
		if parent == p {
			return fmt.Errorf("output %s: cannot create the directory", path)
		}
		p = parent
	}
}

// checkParent requires the directory a file output goes into to exist:
// creating a tree of directories for a mistyped file name would hide the
// mistake.
func checkParent(path string) error {
	if err := atomicfile.CheckTarget(path); err != nil {
		return fmt.Errorf("output %s: %w", path, err)
	}
	return nil
}

// writeFileAtomic writes path whole or not at all (see atomicfile).
func writeFileAtomic(path string, render func(io.Writer) error) error {
	if err := atomicfile.Write(path, render); err != nil {
		return fmt.Errorf("output %s: %w", path, err)
	}
	return nil
}

// Helpers shared by the text formats.

// fmtScore shows a score with one decimal, as SPEC §5 asks of tables, or
// "n/a" for a group with no mitigable technique.
func fmtScore(s *float64) string {
	if s == nil {
		return "n/a"
	}
	return strconv.FormatFloat(*s, 'f', 1, 64)
}

// fmtNumber writes a number for machine-read formats (CSV, layer
// metadata) to 12 significant digits: float noise such as
// 71.99999999999999 would otherwise greet whoever opens the file, and 12
// digits still match --format json far below any difference that matters.
func fmtNumber(v float64) string { return strconv.FormatFloat(v, 'g', 12, 64) }

// fmtPercent shows a 0–1 coverage or level as a whole percentage.
func fmtPercent(v float64) string { return strconv.FormatFloat(v*100, 'f', 0, 64) + "%" }

// groupsByScore returns the result's groups lowest score first, the order
// in which a team works through them; groups without a score (nothing to
// mitigate) come last, ties by ID.
func groupsByScore(res *analyzer.Result) []*analyzer.GroupResult {
	gs := make([]*analyzer.GroupResult, len(res.Groups))
	for i := range res.Groups {
		gs[i] = &res.Groups[i]
	}
	sort.SliceStable(gs, func(i, j int) bool {
		a, b := gs[i].Score, gs[j].Score
		switch {
		case a == nil && b == nil:
			return gs[i].ID < gs[j].ID
		case a == nil:
			return false
		case b == nil:
			return true
		case *a != *b:
			return *a < *b
		}
		return gs[i].ID < gs[j].ID
	})
	return gs
}

// whatIf reports whether the result carries assumed (what-if) scores.
func whatIf(res *analyzer.Result) bool {
	if res.Profile.AssumedScore != nil || len(res.Options.Assume) > 0 || res.Options.Planned {
		return true
	}
	for _, g := range res.Groups {
		if g.AssumedScore != nil {
			return true
		}
	}
	return false
}

// plural writes "1 group", "3 groups".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// levelWords labels an item's mitigation lists: under a what-if the levels
// the analyzer gives are the assumed ones, and the report must say so
// beside a state that is the real one.
func levelWords(it *analyzer.Item) (inPlace, missing string) {
	if it.AssumedState != "" {
		return "in place under the what-if", "missing under the what-if"
	}
	return "in place", "missing"
}

// inPlace and missing split an item's mitigations: in place are those with
// any level (a partial one shows its level), missing those at level 0. In
// a what-if they follow the assumed levels, and levelWords says so.
// Pre-compromise (M1056) is neither: it names nothing to deploy.
func inPlace(it *analyzer.Item, names bool) []string {
	var out []string
	for _, m := range it.Mitigations {
		if lv := m.Effective(); lv > 0 && attack.Deployable(m.ID) {
			s := mitigationLabel(m, names)
			if lv < 1 {
				s += " (" + fmtPercent(lv) + ")"
			}
			out = append(out, s)
		}
	}
	return out
}

func missing(it *analyzer.Item, names bool) []string {
	var out []string
	for _, m := range it.Mitigations {
		if m.Effective() <= 0 && attack.Deployable(m.ID) {
			out = append(out, mitigationLabel(m, names))
		}
	}
	return out
}

func mitigationLabel(m analyzer.MitigationLevel, names bool) string {
	if names && m.Name != "" {
		return m.ID + " " + m.Name
	}
	return m.ID
}

// tacticsOf returns the tactic short names of a technique: the item's own,
// or the catalog's when the analyzer left them out.
func tacticsOf(r *Report, it *analyzer.Item) []string {
	if len(it.Tactics) > 0 {
		return it.Tactics
	}
	if r.Catalog != nil {
		if t := r.Catalog.Technique(it.Technique); t != nil {
			return t.Tactics
		}
	}
	return nil
}

// safeFileName turns a group's ID and name into a file name that every
// file system and shell accepts: G1005-POLONIUM, G0016-APT29.
func safeFileName(parts ...string) string {
	var b strings.Builder
	dash := false
	for _, p := range parts {
		for _, r := range p {
			ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_'
			if ok {
				if dash && b.Len() > 0 {
					b.WriteByte('-')
				}
				dash = false
				b.WriteRune(r)
			} else {
				dash = true
			}
		}
		dash = true
	}
	s := strings.Trim(b.String(), ".")
	if len(s) > 80 {
		s = s[:80]
	}
	if s == "" {
		s = "group"
	}
	return s
}

// uniqueName returns base, or base-2, base-3… when taken, so two custom
// groups with look-alike names never overwrite each other's file.
func uniqueName(taken map[string]bool, base string) string {
	name := base
	for i := 2; taken[strings.ToLower(name)]; i++ {
		name = base + "-" + strconv.Itoa(i)
	}
	taken[strings.ToLower(name)] = true
	return name
}

// noRecommendations says why a report lists no recommendation: none was
// asked for (--top 0), or none would raise the score.
func noRecommendations(res *analyzer.Result) string {
	if res.Options.Top == 0 {
		return "No recommendations were asked for (--top 0)."
	}
	return "No mitigation would raise the profile score."
}
