package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/covgap/covgap/analyzer"
	"github.com/covgap/covgap/attack"
	"github.com/covgap/covgap/reports"
)

type groupRow struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	Aliases    []string `json:"aliases"`
	Techniques int      `json:"techniques"`
	Mitigable  int      `json:"mitigable"`
	Campaigns  []string `json:"campaigns"`
	URL        string   `json:"url"`
}

func groupsCommand() *command {
	return &command{name: "groups", summary: "list threat groups with their aliases and how many techniques each uses",
		flags: func(fs *pflag.FlagSet) func(*env, []string) error {
			var cf catalogFlags
			cf.register(fs, true)
			match := fs.String("match", "", "only groups whose name, aliases or description contain `TEXT`")
			format := newChoice("table", "json", "csv")
			fs.Var(format, "format", "output format: table, json or csv")
			return func(e *env, args []string) error {
				if err := needArgs(args, 0, 0, ""); err != nil {
					return err
				}
				cat, err := cf.load(e)
				if err != nil {
					return err
				}
				rows := groupRows(cat, cf.uses(), *match)
				switch format.String() {
				case "json":
					return writeJSON(e.stdout, rows)
				case "csv":
					recs := [][]string{{"id", "name", "aliases", "techniques", "mitigable", "campaigns"}}
					for _, r := range rows {
						recs = append(recs, []string{r.ID, r.Name, strings.Join(r.Aliases, "; "),
							strconv.Itoa(r.Techniques), strconv.Itoa(r.Mitigable), strings.Join(r.Campaigns, "; ")})
					}
					return writeCSV(e.stdout, recs)
				}
				recs := make([][]string, 0, len(rows))
				for _, r := range rows {
					recs = append(recs, []string{r.ID, r.Name, truncate(strings.Join(r.Aliases, ", "), 60),
						strconv.Itoa(r.Techniques), strconv.Itoa(r.Mitigable)})
				}
				if err := reports.Table(e.stdout, []string{"ID", "Name", "Aliases", "Techniques", "Mitigable"}, recs); err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "%d groups · %s\n", len(rows), catalogLabel(cat))
				return nil
			}
		}}
}

type mitigationRow struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Techniques  int      `json:"techniques"`
	Groups      int      `json:"groups"`
	TechniqueID []string `json:"technique_ids"`
	GroupIDs    []string `json:"group_ids"`
	URL         string   `json:"url"`
}

// groupRows lists the groups (those matching match, when given) with
// their technique counts under uses.
func groupRows(cat *attack.Catalog, uses attack.UseOptions, match string) []groupRow {
	p := analyzer.AllGroups(cat)
	if match != "" {
		p = analyzer.MatchGroups(cat, match)
	}
	rows := make([]groupRow, 0, len(p.Members))
	for _, m := range p.Members {
		g := m.Group
		ts := cat.TechniquesOf(g, uses)
		mitigable := 0
		for _, id := range ts {
			if len(analyzer.Deployable(cat.Technique(id))) > 0 {
				mitigable++
			}
		}
		rows = append(rows, groupRow{ID: g.ID, Name: g.Name, Aliases: nonNil(g.Aliases),
			Techniques: len(ts), Mitigable: mitigable, Campaigns: nonNil(g.Campaigns), URL: g.URL()})
	}
	return rows
}

// mitigationRows lists the mitigations with the techniques they mitigate
// and the groups (under uses) those techniques serve.
func mitigationRows(cat *attack.Catalog, uses attack.UseOptions) []mitigationRow {
	groupsOf := map[string][]string{}
	for _, g := range cat.Groups {
		for _, t := range cat.TechniquesOf(g, uses) {
			groupsOf[t] = append(groupsOf[t], g.ID)
		}
	}
	rows := make([]mitigationRow, 0, len(cat.Mitigations))
	for _, m := range cat.Mitigations {
		seen := map[string]bool{}
		for _, t := range m.Techniques {
			for _, g := range groupsOf[t] {
				seen[g] = true
			}
		}
		gs := make([]string, 0, len(seen))
		for g := range seen {
			gs = append(gs, g)
		}
		sort.Strings(gs)
		rows = append(rows, mitigationRow{ID: m.ID, Name: m.Name, Techniques: len(m.Techniques),
			Groups: len(gs), TechniqueID: nonNil(m.Techniques), GroupIDs: gs, URL: m.URL()})
	}
	return rows
}

func mitigationsCommand() *command {
	return &command{name: "mitigations", summary: "list mitigations with the techniques they mitigate and the groups those techniques serve",
		flags: func(fs *pflag.FlagSet) func(*env, []string) error {
			var cf catalogFlags
			cf.register(fs, true)
			format := newChoice("table", "json", "csv")
			fs.Var(format, "format", "output format: table, json or csv")
			return func(e *env, args []string) error {
				if err := needArgs(args, 0, 0, ""); err != nil {
					return err
				}
				cat, err := cf.load(e)
				if err != nil {
					return err
				}
				rows := mitigationRows(cat, cf.uses())
				switch format.String() {
				case "json":
					return writeJSON(e.stdout, rows)
				case "csv":
					recs := [][]string{{"id", "name", "techniques", "groups", "technique_ids"}}
					for _, r := range rows {
						recs = append(recs, []string{r.ID, r.Name, strconv.Itoa(r.Techniques), strconv.Itoa(r.Groups),
							strings.Join(r.TechniqueID, " ")})
					}
					return writeCSV(e.stdout, recs)
				}
				recs := make([][]string, 0, len(rows))
				for _, r := range rows {
					note := ""
					if !attack.Deployable(r.ID) {
						note = "not a deployable control; ignored in scores"
					}
					recs = append(recs, []string{r.ID, r.Name, strconv.Itoa(r.Techniques), strconv.Itoa(r.Groups), note})
				}
				if err := reports.Table(e.stdout, []string{"ID", "Name", "Techniques", "Groups", "Note"}, recs); err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "%d mitigations · %s\n", len(rows), catalogLabel(cat))
				return nil
			}
		}}
}

func showCommand() *command {
	return &command{name: "show", args: "GROUP", summary: "show one group's techniques with their tactics and mitigations",
		flags: func(fs *pflag.FlagSet) func(*env, []string) error {
			var cf catalogFlags
			cf.register(fs, true)
			format := newChoice("table", "json", "csv")
			fs.Var(format, "format", "output format: table, json or csv")
			return func(e *env, args []string) error {
				if err := needArgs(args, 1, 1, "GROUP (an ID, name or alias, e.g. G1005 or POLONIUM)"); err != nil {
					return err
				}
				cat, err := cf.load(e)
				if err != nil {
					return err
				}
				res, err := cat.FindGroup(args[0])
				if err != nil {
					return inputErr(err)
				}
				if res.Via != nil {
					fmt.Fprintf(e.stderr, "covgap: %s %s is revoked; showing its replacement %s\n", res.Via.ID, res.Via.Name, res.Value.ID)
				}
				return showGroup(e, cat, res.Value, cf.uses(), format.String())
			}
		}}
}

type showRow struct {
	Technique   string   `json:"technique"`
	Name        string   `json:"name"`
	Tactics     []string `json:"tactics"`
	Mitigations []string `json:"mitigations"`
	Sources     []string `json:"sources"`
	Unmitigable bool     `json:"unmitigable"`
}

func showGroup(e *env, cat *attack.Catalog, g *attack.Group, uses attack.UseOptions, format string) error {
	var rows []showRow
	for _, u := range g.Uses {
		t := cat.Technique(u.Technique)
		if t == nil || !u.Counts(uses) {
			continue
		}
		rows = append(rows, showRow{Technique: t.ID, Name: t.Name, Tactics: nonNil(t.Tactics),
			Mitigations: nonNil(t.Mitigations), Sources: u.Sources(uses), Unmitigable: len(analyzer.Deployable(t)) == 0})
	}
	if rows == nil {
		rows = []showRow{}
	}
	switch format {
	case "json":
		return writeJSON(e.stdout, struct {
			ID         string    `json:"id"`
			Name       string    `json:"name"`
			Aliases    []string  `json:"aliases"`
			Techniques []showRow `json:"techniques"`
		}{g.ID, g.Name, nonNil(g.Aliases), rows})
	case "csv":
		recs := [][]string{{"technique", "name", "tactics", "mitigations", "sources"}}
		for _, r := range rows {
			recs = append(recs, []string{r.Technique, r.Name, strings.Join(r.Tactics, " "),
				strings.Join(r.Mitigations, " "), strings.Join(r.Sources, " ")})
		}
		return writeCSV(e.stdout, recs)
	}
	fmt.Fprintf(e.stdout, "%s %s", reports.TerminalSafe(g.ID), reports.TerminalSafe(g.Name))
	if len(g.Aliases) > 0 {
		fmt.Fprintf(e.stdout, " (aliases: %s)", reports.TerminalSafe(strings.Join(g.Aliases, ", ")))
	}
	fmt.Fprintf(e.stdout, "\n%s\n\n", g.URL())
	recs := make([][]string, 0, len(rows))
	for _, r := range rows {
		ms := make([]string, 0, len(r.Mitigations))
		for _, id := range r.Mitigations {
			if m := cat.Mitigation(id); m != nil {
				ms = append(ms, id+" "+m.Name)
			}
		}
		if len(ms) == 0 {
			ms = append(ms, "(none)")
		}
		recs = append(recs, []string{r.Technique, r.Name, strings.Join(r.Tactics, ", "), strings.Join(ms, "\n"),
			strings.Join(r.Sources, ", ")})
	}
	if err := reports.Table(e.stdout, []string{"Technique", "Name", "Tactics", "Mitigations", "Source"}, recs); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d techniques · %s\n", len(rows), catalogLabel(cat))
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func writeJSON(w io.Writer, v any) error { return reports.WriteJSON(w, v) }

// writeCSV writes records; text from ATT&CK or inventories that a
// spreadsheet would run as a formula is neutralised first.
func writeCSV(w io.Writer, recs [][]string) error {
	cw := csv.NewWriter(w)
	for _, r := range recs {
		for i := range r {
			r[i] = reports.SafeText(r[i])
		}
		if err := cw.Write(r); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
