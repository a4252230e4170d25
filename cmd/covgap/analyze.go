package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/covgap/covgap/analyzer"
	"github.com/covgap/covgap/assessment"
	"github.com/covgap/covgap/attack"
	"github.com/covgap/covgap/internal/atomicfile"
	"github.com/covgap/covgap/inventory"
	"github.com/covgap/covgap/reports"
)

// percentFlag is a number from 0 to 100 that remembers whether it was set.
type percentFlag struct {
	v   float64
	set bool
}

func (p *percentFlag) String() string {
	if !p.set {
		return ""
	}
	return fmt.Sprint(p.v)
}
func (p *percentFlag) Type() string { return "N" }
func (p *percentFlag) Set(s string) error {
	// Strict: "90x" or "NaN" must not quietly become a gate that never
	// fires. A decimal comma is accepted, as inventories accept it.
	t := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	v, err := strconv.ParseFloat(strings.Replace(t, ",", ".", 1), 64)
	if err != nil || math.IsNaN(v) || v < 0 || v > 100 {
		return fmt.Errorf("want a score from 0 to 100, got %q", s)
	}
	p.v, p.set = v, true
	return nil
}

type analyzeOptions struct {
	cat       catalogFlags
	inv       inventoryFlags
	groups    []string
	match     string
	profile   string
	model     *choiceFlag
	assume    []string
	planned   bool
	top       int
	outputs   []string
	format    *choiceFlag
	save      string
	label     string
	failUnder percentFlag
	strict    bool
	groupsSet bool // --groups given, even if empty
}

func analyzeCommand() *command {
	return &command{name: "analyze", args: "INVENTORY",
		summary: "score an inventory against the threat groups' techniques; the main job",
		flags: func(fs *pflag.FlagSet) func(*env, []string) error {
			o := &analyzeOptions{
				model:  newChoice(string(analyzer.ModelMax), string(analyzer.ModelMean), string(analyzer.ModelNoisyOr)),
				format: newChoice("table", "json", "csv", "markdown").alias("md", "markdown"),
			}
			o.cat.register(fs, true)
			o.inv.register(fs)
			fs.StringSliceVar(&o.groups, "groups", nil, "groups to assess: IDs, names or aliases, comma-separated or repeated (default: all groups)")
			fs.StringVar(&o.match, "match", "", "assess groups whose name, aliases or description contain `TEXT` (e.g. Israel)")
			fs.StringVar(&o.profile, "profile", "", "threat profile `FILE`: YAML or CSV of groups and weights, or an ATT&CK Navigator layer")
			fs.Var(o.model, "model", "technique coverage model: max, mean or noisy-or")
			fs.StringSliceVar(&o.assume, "assume", nil, "what-if: treat these mitigations as implemented (e.g. M1032,M1037)")
			fs.BoolVar(&o.planned, "planned", false, "what-if: treat planned mitigations as implemented")
			fs.IntVar(&o.top, "top", 10, "number of recommendations")
			fs.StringArrayVarP(&o.outputs, "output", "o", nil, "write a report `FILE` (.xlsx .json .csv (with FILE-gaps.csv) .md .html .layer.json, or DIR/ for Navigator layers); repeatable")
			fs.Var(o.format, "format", "standard output format: table, json, csv or markdown")
			fs.StringVar(&o.save, "save", "", "save the assessment to `FILE` (JSON) for compare and trend")
			fs.StringVar(&o.label, "label", "", "label of the saved assessment, e.g. 2026-Q3")
			fs.Var(&o.failUnder, "fail-under", "exit 3 when the profile score is below `N` (0-100)")
			fs.BoolVar(&o.strict, "strict", false, "treat any inventory error as fatal")
			return func(e *env, args []string) error {
				o.groupsSet = fs.Changed("groups")
				return runAnalyze(e, o, args)
			}
		}}
}

func runAnalyze(e *env, o *analyzeOptions, args []string) error {
	if err := needArgs(args, 1, 1, "INVENTORY (an .xlsx, .csv, .tsv, .json or .yaml file)"); err != nil {
		return err
	}
	if o.top < 0 {
		return usageErr("--top must be 0 or more, got %d", o.top)
	}
	if o.groupsSet && len(o.groups) == 0 {
		return usageErr("--groups is empty; name groups by ID, name or alias, or leave the flag out for all groups")
	}
	if o.label != "" && o.save == "" {
		return usageErr("--label names a saved assessment; add --save FILE")
	}
	if err := checkNotInputs(args[0], o); err != nil {
		return err
	}
	if o.save != "" {
		if err := atomicfile.CheckTarget(o.save); err != nil {
			return usageErr("--save %s: %v", o.save, err)
		}
	}
	// Writers first: a bad -o must fail before the expensive work.
	var writers []reports.Writer
	for _, path := range o.outputs {
		w, err := reports.ForFile(path, reports.FileOptions{Format: o.format.String()})
		if err != nil {
			return usageErr("%v", err) // the error names the path
		}
		writers = append(writers, w)
	}
	stdoutWriter, err := reports.ForStdout(o.format.String(), e.stdout)
	if err != nil {
		return usageErr("--format: %v", err)
	}

	cat, err := o.cat.load(e)
	if err != nil {
		return err
	}
	inv, err := o.inv.read(args[0], cat)
	if err != nil {
		return inputErr(err)
	}
	summarizeProblems(e.stderr, inv, 5)
	if o.strict && inv.Errors() > 0 {
		return inputErr(fmt.Errorf("%s has %d error(s) and --strict is set", args[0], inv.Errors()))
	}
	if len(inv.Levels) == 0 {
		// Scoring nothing would print a confident 0.0 for every group.
		return inputErr(fmt.Errorf("%s assesses no mitigation (every row has an error or no status); run 'covgap validate %s'", args[0], args[0]))
	}

	profile, err := selectProfile(e, cat, o)
	if err != nil {
		return err
	}
	res, err := analyzer.Analyze(cat, inv, profile, analyzer.Options{
		Model: analyzer.Model(o.model.String()), Uses: o.cat.uses(), Top: o.top,
		Assume: o.assume, Planned: o.planned,
	})
	if err != nil {
		return inputErr(err)
	}

	rep := &reports.Report{Result: res, Inventory: inv, Catalog: cat, Generated: time.Now(),
		Command: commandLine(), Tool: "covgap " + version}
	// Files first, standard output last: "covgap analyze … -o r.xlsx | head"
	// closes the pipe early, and that must not cost the reports.
	// One failed report does not cost the others or the saved assessment;
	// the run still fails, naming it.
	writeErr := reports.Multi(writers...).Write(rep)
	if len(o.outputs) > 0 && writeErr == nil {
		fmt.Fprintf(e.stderr, "covgap: wrote %s\n", strings.Join(writtenFiles(o.outputs), ", "))
	}
	if o.save != "" {
		a := assessment.New(res, o.label, rep.Generated)
		// The catalog's fingerprint, groups and revocations let a later
		// compare tell "new in ATT&CK" from "not assessed before".
		a.Attach(cat, inv)
		if err := a.Save(o.save); err != nil {
			return inputErr(err)
		}
		fmt.Fprintf(e.stderr, "covgap: saved assessment %s\n", o.save)
	}
	if writeErr != nil {
		return inputErr(writeErr)
	}
	if err := stdoutWriter.Write(rep); err != nil {
		return inputErr(err)
	}
	if o.failUnder.set && res.Profile.Score != nil && *res.Profile.Score < o.failUnder.v {
		return &exitError{exitFailUnder, fmt.Errorf("profile score %.1f is below --fail-under %g", *res.Profile.Score, o.failUnder.v)}
	}
	return nil
}

// selectProfile reads --profile, if any, and builds the profile the flags
// ask for, telling on stderr what selecting it involved.
func selectProfile(e *env, cat *attack.Catalog, o *analyzeOptions) (analyzer.Profile, error) {
	var tp *inventory.ThreatProfile
	if o.profile != "" {
		f, err := os.Open(o.profile)
		if err != nil {
			return analyzer.Profile{}, inputErr(err)
		}
		defer f.Close()
		if tp, err = inventory.ReadProfile(f, o.profile, cat); err != nil {
			return analyzer.Profile{}, inputErr(err)
		}
		for _, p := range tp.Problems {
			fmt.Fprintf(e.stderr, "covgap: %s\n", problemLine(p))
		}
		errs := inventory.CountSeverity(tp.Problems, inventory.SeverityError)
		// A group the profile names but covgap cannot find would silently
		// change the weighted score; the profile must be fixed first.
		if errs > 0 {
			return analyzer.Profile{}, inputErr(fmt.Errorf("%s: %d error(s) in the threat profile (listed above)", o.profile, errs))
		}
	}
	p, err := buildProfile(cat, o.groups, o.match, tp)
	if err != nil {
		return analyzer.Profile{}, inputErr(err)
	}
	for _, n := range p.Notes {
		fmt.Fprintf(e.stderr, "covgap: %s\n", n)
	}
	return p, nil
}

// buildProfile turns a group list, a match text and a threat profile into
// one profile; several of them together mean their union, none means every
// group. The command line and the web form share it.
func buildProfile(cat *attack.Catalog, groups []string, match string, tp *inventory.ThreatProfile) (analyzer.Profile, error) {
	var parts []analyzer.Profile
	if len(groups) > 0 {
		p, err := analyzer.SelectGroups(cat, groups)
		if err != nil {
			return analyzer.Profile{}, err
		}
		parts = append(parts, p)
	}
	if match != "" {
		p := analyzer.MatchGroups(cat, match)
		if len(p.Members) == 0 {
			return analyzer.Profile{}, fmt.Errorf("match %q: no group's name, aliases or description contains it", match)
		}
		parts = append(parts, p)
	}
	if tp != nil {
		parts = append(parts, analyzer.ProfileFrom(tp))
	}
	if len(parts) == 0 {
		return analyzer.AllGroups(cat), nil
	}
	return analyzer.MergeProfiles(parts...), nil
}

func problemLine(p inventory.Problem) string {
	var loc []string
	loc = append(loc, p.File)
	if p.Sheet != "" {
		loc = append(loc, "sheet "+p.Sheet)
	}
	if p.Row > 0 {
		loc = append(loc, fmt.Sprintf("row %d", p.Row))
	}
	if p.Column != "" {
		loc = append(loc, "column "+p.Column)
	}
	s := fmt.Sprintf("%s: %s: %s", p.Severity, strings.Join(loc, ", "), p.Message)
	if len(p.Suggestions) > 0 && !strings.Contains(p.Message, "did you mean") {
		s += " (did you mean " + strings.Join(p.Suggestions, ", ") + "?)"
	}
	return s
}

// summarizeProblems tells the count of inventory problems and the first
// few on stderr, without stopping the analysis.
func summarizeProblems(w io.Writer, inv *inventory.Inventory, first int) {
	if len(inv.Problems) == 0 {
		return
	}
	note := ""
	if inv.Errors() > 0 {
		note = "; rows with errors count for nothing"
	}
	fmt.Fprintf(w, "covgap: %s: %d error(s), %d warning(s)%s (run 'covgap validate' for all)\n",
		inv.File, inv.Errors(), inv.Warnings(), note)
	for i, p := range inv.Problems {
		if i == first {
			fmt.Fprintf(w, "  … and %d more\n", len(inv.Problems)-first)
			break
		}
		fmt.Fprintf(w, "  %s\n", problemLine(p))
	}
}

func commandLine() string {
	return strings.Join(append([]string{"covgap"}, os.Args[1:]...), " ")
}

// checkNotInputs refuses an -o or --save that names the inventory or the
// profile being read: the team's inventory must never be replaced by a
// report.
func checkNotInputs(inv string, o *analyzeOptions) error {
	inputs := []string{inv}
	if o.profile != "" {
		inputs = append(inputs, o.profile)
	}
	outs := writtenFiles(o.outputs)
	if o.save != "" {
		outs = append(outs, o.save)
	}
	for _, out := range outs {
		for _, in := range inputs {
			if samePath(out, in) {
				return usageErr("%s is an input of this run; writing a report there would overwrite it", out)
			}
		}
	}
	return nil
}

// samePath reports whether a and b name the same file, by identity when
// both exist and by cleaned absolute path otherwise.
func samePath(a, b string) bool {
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	if errA == nil && errB == nil {
		return os.SameFile(sa, sb)
	}
	aa, err1 := filepath.Abs(a)
	bb, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && aa == bb
}

// writtenFiles lists the files the -o outputs produce, the gaps CSV that
// goes beside a groups CSV included, so the user knows of every file.
func writtenFiles(outputs []string) []string {
	var out []string
	for _, o := range outputs {
		out = append(out, o)
		if strings.EqualFold(filepath.Ext(o), ".csv") {
			out = append(out, reports.GapsPath(o))
		}
	}
	return out
}
