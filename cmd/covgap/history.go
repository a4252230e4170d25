package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/pflag"

	"github.com/covgap/covgap/assessment"
	"github.com/covgap/covgap/reports"
)

func compareCommand() *command {
	return &command{name: "compare", args: "OLD NEW",
		summary: "explain how each group's score moved between two saved assessments: inventory or ATT&CK",
		flags: func(fs *pflag.FlagSet) func(*env, []string) error {
			format := newChoice("table", "json", "markdown").alias("md", "markdown")
			fs.Var(format, "format", "standard output format: table, json or markdown")
			outs := fs.StringArrayP("output", "o", nil, "also write the comparison to `FILE` (.xlsx, .md or .json); repeatable")
			return func(e *env, args []string) error {
				if err := needArgs(args, 2, 2, "the OLD and the NEW assessment file (made with analyze --save)"); err != nil {
					return err
				}
				if err := checkHistoryPaths(*outs); err != nil {
					return err
				}
				old, err := assessment.Load(args[0])
				if err != nil {
					return inputErr(err)
				}
				cur, err := assessment.Load(args[1])
				if err != nil {
					return inputErr(err)
				}
				c := assessment.Compare(old, cur)
				// Files before standard output, which a pipe may close early.
				for _, out := range *outs {
					if err := reports.WriteComparisonFile(out, c); err != nil {
						return inputErr(err)
					}
					fmt.Fprintf(e.stderr, "covgap: wrote %s\n", out)
				}
				if err := reports.WriteComparison(e.stdout, format.String(), c); err != nil {
					return inputErr(err)
				}
				return nil
			}
		}}
}

func trendCommand() *command {
	return &command{name: "trend", args: "ASSESSMENT…",
		summary: "show the profile's and each group's score across saved assessments",
		flags: func(fs *pflag.FlagSet) func(*env, []string) error {
			format := newChoice("table", "json", "markdown").alias("md", "markdown")
			fs.Var(format, "format", "standard output format: table, json or markdown")
			outs := fs.StringArrayP("output", "o", nil, "also write the trend to `FILE` (.xlsx with a line chart, .md or .json); repeatable")
			return func(e *env, args []string) error {
				if err := needArgs(args, 1, -1, "assessment files (made with analyze --save)"); err != nil {
					return err
				}
				if err := checkHistoryPaths(*outs); err != nil {
					return err
				}
				as := make([]*assessment.Assessment, 0, len(args))
				for _, p := range args {
					a, err := assessment.Load(p)
					if err != nil {
						return inputErr(err)
					}
					as = append(as, a)
				}
				warnMixedProfiles(e, args, as)
				t := assessment.NewTrend(as)
				for _, out := range *outs {
					if err := reports.WriteTrendFile(out, t); err != nil {
						return inputErr(err)
					}
					fmt.Fprintf(e.stderr, "covgap: wrote %s\n", out)
				}
				if err := reports.WriteTrend(e.stdout, format.String(), t); err != nil {
					return inputErr(err)
				}
				return nil
			}
		}}
}

// warnMixedProfiles says when the assessments of a trend score different
// sets of groups: their profile scores are then not like for like, and a
// group absent from one shows n/a there.
func warnMixedProfiles(e *env, files []string, as []*assessment.Assessment) {
	key := func(a *assessment.Assessment) string {
		ids := make([]string, 0, len(a.Groups))
		for _, g := range a.Groups {
			ids = append(ids, g.ID)
		}
		sort.Strings(ids)
		return strings.Join(ids, ",")
	}
	first := key(as[0])
	for i, a := range as[1:] {
		if key(a) != first {
			fmt.Fprintf(e.stderr, "covgap: warning: %s and %s assess different groups (%d and %d); the profile scores are not like for like, and a group missing from an assessment shows n/a there\n",
				files[0], files[i+1], len(as[0].Groups), len(a.Groups))
			return
		}
	}
}

// checkHistoryPaths fails fast on an -o that compare and trend cannot
// write, before any assessment is read.
func checkHistoryPaths(paths []string) error {
	for _, p := range paths {
		if err := reports.CheckHistoryFile(p); err != nil {
			return usageErr("%v", err)
		}
	}
	return nil
}

func migrateCommand() *command {
	return &command{name: "migrate", args: "ASSESSMENT",
		summary: "name what changed for a saved assessment in another ATT&CK catalog (revocations, replacements, new mitigations)",
		flags: func(fs *pflag.FlagSet) func(*env, []string) error {
			var cf catalogFlags
			cf.register(fs, false)
			format := newChoice("table", "json")
			fs.Var(format, "format", "output format: table or json")
			return func(e *env, args []string) error {
				if err := needArgs(args, 1, 1, "ASSESSMENT file (made with analyze --save)"); err != nil {
					return err
				}
				a, err := assessment.Load(args[0])
				if err != nil {
					return inputErr(err)
				}
				cat, err := cf.load(e)
				if err != nil {
					return err
				}
				ms := assessment.Migrate(a, cat)
				if format.String() == "json" {
					if ms == nil {
						ms = []assessment.Migration{}
					}
					return writeJSON(e.stdout, ms)
				}
				from := strings.TrimSpace(a.Catalog.Domain + " " + a.Catalog.Version)
				fmt.Fprintf(e.stdout, "%s (ATT&CK %s) read with ATT&CK %s: %d change(s)\n", args[0], from, catalogLabel(cat), len(ms))
				recs := make([][]string, 0, len(ms))
				for _, m := range ms {
					recs = append(recs, []string{string(m.Kind), m.ID, m.Status, m.ReplacedBy, m.Message})
				}
				if len(recs) == 0 {
					return nil
				}
				return reports.Table(e.stdout, []string{"Kind", "ID", "Status", "Replaced by", "What changed"}, recs)
			}
		}}
}
