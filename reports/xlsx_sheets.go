package reports

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/covgap/covgap/analyzer"
	"github.com/covgap/covgap/attack"
	"github.com/covgap/covgap/inventory"
)

// Units live in the headers: scores are points out of 100, coverage and
// levels are fractions shown as percentages.
const (
	hScore        = "Score (0–100)"
	hAssumedScore = "Assumed score, what-if (0–100)"
	hCoverage     = "Coverage (%)"
	hAssumedCov   = "Assumed coverage, what-if (%)"
	hAssumedState = "Assumed state, what-if"
)

func (b *book) summary() error {
	s := b.normalSheet(SheetSummary)
	if err := printable(b.f, SheetSummary, 0); err != nil {
		return err
	}
	res := b.r.Result
	p := res.Profile
	title := "ATT&CK mitigation coverage gaps"
	if p.Name != "" {
		title += " — " + p.Name
	}
	if err := s.add(excelize.Cell{Value: title, StyleID: b.st.title}); err != nil {
		return err
	}
	s.skip(1)
	scoreRow := s.row + 1
	kv := [][2]any{{"Profile score (0–100)", p.Score}}
	if b.wif {
		kv = append(kv, [2]any{hAssumedScore, p.AssumedScore})
	}
	kv = append(kv,
		[2]any{"Threat profile", p.Name},
		[2]any{"Groups", p.Groups},
		[2]any{"Techniques", p.Techniques},
		[2]any{"Mitigable techniques", p.Mitigable},
		[2]any{"Covered", p.Covered},
		[2]any{"Partial", p.Partial},
		[2]any{"Gaps", p.Gaps},
		[2]any{"Unmitigable", p.Unmitigable},
		[2]any{"ATT&CK domain", res.Attack.Domain},
		[2]any{"ATT&CK version", res.Attack.Version},
		[2]any{"ATT&CK source", res.Attack.Source},
		[2]any{"Coverage model", string(res.Model)},
		[2]any{"Options", optionsText(res.Options)},
		[2]any{"Inventory", res.Inventory.File},
		[2]any{"Inventory rows", res.Inventory.Rows},
		[2]any{"Inventory errors", inventory.CountSeverity(res.Inventory.Problems, inventory.SeverityError)},
		[2]any{"Inventory warnings", inventory.CountSeverity(res.Inventory.Problems, inventory.SeverityWarning)},
		[2]any{"Mitigations not assessed", len(res.Inventory.NotAssessed)},
		[2]any{"Generated", b.generated()},
	)
	for _, r := range kv {
		if err := s.add(excelize.Cell{Value: r[0], StyleID: b.st.label}, r[1]); err != nil {
			return err
		}
	}
	scoreRows := 1
	if b.wif {
		scoreRows = 2
	}
	if err := s.colorScale(2, 2, scoreRow, scoreRow+scoreRows-1, "0", "50", "100"); err != nil {
		return err
	}

	// Group scores, lowest first: the groups the team is least ready for.
	s.skip(1)
	if err := s.add(excelize.Cell{Value: "Group scores, lowest first", StyleID: b.st.label}); err != nil {
		return err
	}
	head := []string{"Group ID", "Group", "Weight", hScore}
	if b.wif {
		head = append(head, hAssumedScore)
	}
	head = append(head, "Mitigable techniques", "Gaps")
	if err := s.header(head...); err != nil {
		return err
	}
	hdr := s.row
	groups := groupsByScore(res)
	scored := 0
	for _, g := range groups {
		row := []any{idCell(g.ID), g.Name, num{g.Weight, b.st.weight}, g.Score}
		if b.wif {
			row = append(row, g.AssumedScore)
		}
		row = append(row, g.Mitigable, g.Gaps)
		if err := s.add(row...); err != nil {
			return err
		}
		if g.Score != nil {
			scored++
		}
	}
	for c := 4; c < 4+scoreRows; c++ {
		if err := s.scoreScale(c, hdr+1, s.row); err != nil {
			return err
		}
	}
	if err := s.widths(30, 40, 9, 14, 14, 14, 9); err != nil {
		return err
	}
	return b.summaryChart(hdr, scored)
}

// summaryChart draws the scored groups (the lowest chartGroups of them) as
// horizontal bars, lowest at the top, beside the table it reads from.
func (b *book) summaryChart(hdr, scored int) error {
	if scored == 0 {
		return nil
	}
	n := min(scored, chartGroups)
	first, last := hdr+1, hdr+n
	ref := func(col string) string {
		return fmt.Sprintf("'%s'!$%s$%d:$%s$%d", SheetSummary, col, first, col, last)
	}
	series := []excelize.ChartSeries{{
		Name:       fmt.Sprintf("'%s'!$D$%d", SheetSummary, hdr),
		Categories: ref("B"),
		Values:     ref("D"),
		Fill:       excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"4472C4"}},
	}}
	if b.wif {
		series = append(series, excelize.ChartSeries{
			Name:       fmt.Sprintf("'%s'!$E$%d", SheetSummary, hdr),
			Categories: ref("B"),
			Values:     ref("E"),
			Fill:       excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"A9D18E"}},
		})
	}
	title := "Group scores, lowest first"
	if scored > chartGroups {
		title = fmt.Sprintf("The %d lowest group scores (of %d)", chartGroups, scored)
	}
	lo, hi := 0.0, 100.0
	// One series needs no legend; with the what-if it tells real from
	// assumed. One colour per series, not per group: the bar's length is
	// the message.
	legend, vary := "none", false
	if len(series) > 1 {
		legend = "bottom"
	}
	return b.f.AddChart(SheetSummary, "J3", &excelize.Chart{
		Type:       excelize.Bar,
		Series:     series,
		Title:      excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: title}}},
		Format:     excelize.GraphicOptions{AltText: title, Name: "Group scores"},
		Legend:     excelize.ChartLegend{Position: legend},
		VaryColors: &vary,
		// Bars are drawn bottom-up; reversing the category axis puts the
		// lowest score at the top, as in the table.
		XAxis:     excelize.ChartAxis{ReverseOrder: true},
		YAxis:     excelize.ChartAxis{Minimum: &lo, Maximum: &hi, MajorGridLines: true},
		Dimension: excelize.ChartDimension{Width: 720, Height: uint(140 + 22*n*len(series))},
		PlotArea:  excelize.ChartPlotArea{ShowVal: n <= chartGroups},
	})
}

func (b *book) groups() error {
	res := b.r.Result
	head := []string{"Group ID", "Group", "Weight", hScore}
	w := []float64{11, 30, 9, 12}
	if b.wif {
		head = append(head, hAssumedScore)
		w = append(w, 14)
	}
	head = append(head, "Techniques", "Mitigable", "Covered", "Partial", "Gaps", "Unmitigable")
	w = append(w, 11, 11, 10, 10, 9, 12)
	s, err := b.streamSheet(SheetGroups, w, 1, 2)
	if err != nil {
		return err
	}
	if err := s.header(head...); err != nil {
		return err
	}
	for _, g := range res.Groups {
		row := []any{idCell(g.ID), g.Name, num{g.Weight, b.st.weight}, g.Score}
		if b.wif {
			row = append(row, g.AssumedScore)
		}
		row = append(row, g.Techniques, g.Mitigable, g.Covered, g.Partial, g.Gaps, g.Unmitigable)
		if err := s.add(row...); err != nil {
			return err
		}
	}
	for c := 4; c <= 4+boolInt(b.wif); c++ {
		if err := s.scoreScale(c, 2, s.row); err != nil {
			return err
		}
	}
	if err := s.autoFilter(1, s.row, len(head)); err != nil {
		return err
	}
	return s.flush()
}

// tacticColumns returns the tactics any group has a technique in, in matrix
// order when the catalog is known (tactics it does not know follow in the
// order first met).
func (b *book) tacticColumns() []analyzer.TacticResult {
	seen := map[string]analyzer.TacticResult{}
	var order []string
	for _, g := range b.r.Result.Groups {
		for _, t := range g.Tactics {
			if _, ok := seen[t.Tactic]; !ok {
				seen[t.Tactic] = analyzer.TacticResult{Tactic: t.Tactic, Name: t.Name}
				order = append(order, t.Tactic)
			}
		}
	}
	var out []analyzer.TacticResult
	if c := b.r.Catalog; c != nil {
		for _, t := range c.Tactics {
			if tr, ok := seen[t.ShortName]; ok {
				if tr.Name == "" {
					tr.Name = t.Name
				}
				out = append(out, tr)
				delete(seen, t.ShortName)
			}
		}
	}
	for _, id := range order {
		if tr, ok := seen[id]; ok {
			out = append(out, tr)
		}
	}
	return out
}

func (b *book) tactics() error {
	cols := b.tacticColumns()
	head := []string{"Group ID", "Group", hScore}
	w := []float64{11, 30, 12}
	for _, t := range cols {
		name := t.Name
		if name == "" {
			name = t.Tactic
		}
		head = append(head, name+" (0–100)")
		w = append(w, 13)
	}
	s, err := b.streamSheet(SheetTactics, w, 1, 2)
	if err != nil {
		return err
	}
	if err := s.header(head...); err != nil {
		return err
	}
	for _, g := range b.r.Result.Groups {
		row := []any{idCell(g.ID), g.Name, g.Score}
		byTactic := make(map[string]*analyzer.TacticResult, len(g.Tactics))
		for i := range g.Tactics {
			byTactic[g.Tactics[i].Tactic] = &g.Tactics[i]
		}
		for _, t := range cols {
			// Blank where the group has no technique in the tactic, so the
			// heat map shows where the group operates at all; "n/a" where it
			// has techniques there but none can be mitigated.
			if tr := byTactic[t.Tactic]; tr != nil && tr.Techniques > 0 {
				row = append(row, tr.Score)
			} else {
				row = append(row, nil)
			}
		}
		if err := s.add(row...); err != nil {
			return err
		}
	}
	if err := s.colorScale(3, 3+len(cols), 2, s.row, "0", "50", "100"); err != nil {
		return err
	}
	if err := s.autoFilter(1, s.row, len(head)); err != nil {
		return err
	}
	return s.flush()
}

func (b *book) gaps() error {
	head := []string{"Group ID", "Group", "Technique ID", "Technique", "Tactics", "State", hCoverage}
	w := []float64{11, 26, 13, 36, 28, 10, 12}
	if b.wif {
		head = append(head, hAssumedState, hAssumedCov)
		w = append(w, 13, 14)
	}
	head = append(head, "Mitigations in place (level)", "Missing mitigations")
	w = append(w, 50, 70)
	s, err := b.streamSheet(SheetGaps, w, 1, 4)
	if err != nil {
		return err
	}
	if err := s.header(head...); err != nil {
		return err
	}
	for _, g := range b.r.Result.Groups {
		for i := range g.Items {
			it := &g.Items[i]
			if it.State != analyzer.Gap && it.State != analyzer.Partial {
				continue
			}
			row := []any{idCell(g.ID), g.Name, idCell(it.Technique), it.Name, b.tacticNames(it.Tactics),
				string(it.State), num{it.Coverage, b.st.pct}}
			if b.wif {
				row = append(row, assumedState(it), assumedCoverage(it, b.st.pct))
			}
			inPlace, missing := b.splitMitigations(it.Mitigations)
			row = append(row, inPlace, missing)
			if err := s.add(row...); err != nil {
				return err
			}
		}
	}
	if err := s.pctScale(7, 2, s.row); err != nil {
		return err
	}
	if b.wif {
		if err := s.pctScale(9, 2, s.row); err != nil {
			return err
		}
	}
	if err := s.autoFilter(1, s.row, len(head)); err != nil {
		return err
	}
	return s.flush()
}

func (b *book) techniques() error {
	head := []string{"Technique ID", "Technique", "Tactics", "Weight n(t)", "Groups (n)", "Group IDs", "State", hCoverage}
	w := []float64{13, 36, 28, 11, 10, 30, 12, 12}
	if b.wif {
		head = append(head, hAssumedState, hAssumedCov)
		w = append(w, 13, 14)
	}
	head = append(head, "Mitigations (level)")
	w = append(w, 80)
	s, err := b.streamSheet(SheetTechniques, w, 1, 2)
	if err != nil {
		return err
	}
	if err := s.header(head...); err != nil {
		return err
	}
	for i := range b.r.Result.Techniques {
		it := &b.r.Result.Techniques[i]
		var cov any = num{it.Coverage, b.st.pct}
		if it.State == analyzer.Unmitigable {
			cov = nil // left out of every percentage (SPEC §4), so no number
		}
		row := []any{idCell(it.Technique), it.Name, b.tacticNames(it.Tactics), num{it.Weight, b.st.weight},
			len(it.Groups), strings.Join(it.Groups, ", "), string(it.State), cov}
		if b.wif {
			row = append(row, assumedState(it), assumedCoverage(it, b.st.pct))
		}
		row = append(row, b.mitigationLevels(it.Mitigations))
		if err := s.add(row...); err != nil {
			return err
		}
	}
	if err := s.pctScale(8, 2, s.row); err != nil {
		return err
	}
	if b.wif {
		if err := s.pctScale(10, 2, s.row); err != nil {
			return err
		}
	}
	if err := s.autoFilter(1, s.row, len(head)); err != nil {
		return err
	}
	return s.flush()
}

func (b *book) recommendations() error {
	head := []string{"Rank", "Mitigation ID", "Mitigation", "Level before (%)", "Gain (points)",
		"Profile score after (0–100)", "Techniques newly covered (n)", "Techniques newly covered", "Groups"}
	s, err := b.streamSheet(SheetRecommendations, []float64{6, 14, 36, 12, 10, 14, 14, 60, 40}, 1, 0)
	if err != nil {
		return err
	}
	if err := s.header(head...); err != nil {
		return err
	}
	recs := b.r.Result.Recommendations
	for _, rec := range recs {
		if err := s.add(rec.Rank, idCell(rec.Mitigation), rec.Name, num{rec.Level, b.st.pct},
			num{rec.Gain, b.st.score}, num{rec.ScoreAfter, b.st.score}, len(rec.Techniques),
			strings.Join(rec.Techniques, ", "), strings.Join(rec.Groups, ", ")); err != nil {
			return err
		}
	}
	if len(recs) > 0 {
		if err := s.scoreScale(6, 2, s.row); err != nil {
			return err
		}
	} else {
		if err := s.add(nil, nil, noRecommendations(b.r.Result)); err != nil {
			return err
		}
	}
	if err := s.autoFilter(1, max(s.row, 1), len(head)); err != nil {
		return err
	}
	return s.flush()
}

func (b *book) inventory() error {
	head := []string{"Sheet", "Row", "Control", "Mitigation (as written)", "Resolved mitigation IDs",
		"Status (as written)", "Status", "Coverage (%)", "Scope (%)", "Level (%)", "Owner", "Reviewed", "Notes", "Row has an error"}
	s, err := b.streamSheet(SheetInventory, []float64{14, 7, 28, 30, 20, 16, 15, 12, 10, 10, 18, 12, 40, 10}, 1, 0)
	if err != nil {
		return err
	}
	if err := s.header(head...); err != nil {
		return err
	}
	inv := b.r.Inventory
	if inv != nil {
		for _, row := range inv.Rows {
			var cov, scope any
			if row.Coverage != nil {
				cov = num{*row.Coverage, b.st.pct}
			}
			if row.Scope != nil {
				scope = num{*row.Scope, b.st.pct}
			}
			errText := ""
			if row.Error {
				errText = "yes"
			}
			if err := s.add(row.Sheet, row.Row, row.Control, row.MitigationText, strings.Join(row.Mitigations, ", "),
				row.StatusText, string(row.Status), cov, scope, num{row.Level, b.st.pct},
				row.Owner, row.Reviewed, row.Notes, errText); err != nil {
				return err
			}
		}
	} else {
		if err := s.add("The inventory's rows are not part of this report (it was rebuilt from a saved assessment)."); err != nil {
			return err
		}
	}
	rowsEnd := s.row
	if inv != nil {
		if err := s.pctScale(10, 2, rowsEnd); err != nil {
			return err
		}
	}

	res := b.r.Result
	s.skip(1)
	if err := s.add(excelize.Cell{Value: fmt.Sprintf("Problems (%d)", len(res.Inventory.Problems)), StyleID: b.st.label}); err != nil {
		return err
	}
	if err := s.header("Severity", "File", "Sheet", "Row", "Column", "Message", "Suggestions"); err != nil {
		return err
	}
	for _, p := range res.Inventory.Problems {
		var row any
		if p.Row > 0 {
			row = p.Row
		}
		if err := s.add(string(p.Severity), p.File, p.Sheet, row, p.Column, p.Message, strings.Join(p.Suggestions, "; ")); err != nil {
			return err
		}
	}

	s.skip(1)
	if err := s.add(excelize.Cell{Value: fmt.Sprintf("Mitigations not assessed (%d): level 0", len(res.Inventory.NotAssessed)), StyleID: b.st.label}); err != nil {
		return err
	}
	if err := s.header("Mitigation ID", "Mitigation"); err != nil {
		return err
	}
	for _, id := range res.Inventory.NotAssessed {
		if err := s.add(idCell(id), b.mitigationName(id)); err != nil {
			return err
		}
	}
	if err := s.autoFilter(1, rowsEnd, len(head)); err != nil {
		return err
	}
	return s.flush()
}

func (b *book) method() error {
	res := b.r.Result
	s, err := b.streamSheet(SheetMethod, []float64{28, 110}, 0, 0)
	if err != nil {
		return err
	}
	if err := s.add(excelize.Cell{Value: "How this report was made", StyleID: b.st.title}); err != nil {
		return err
	}
	s.skip(1)
	wrap := func(v string) excelize.Cell {
		st := b.st.wrap
		if FormulaLike(v) {
			st = b.st.quoted
		}
		return excelize.Cell{Value: v, StyleID: st}
	}
	rows := [][2]string{
		{"ATT&CK domain", res.Attack.Domain},
		{"ATT&CK version", res.Attack.Version},
		{"ATT&CK source", res.Attack.Source},
		{"ATT&CK notice", mitreNotice},
		{"Coverage model", string(res.Model)},
		{"Technique coverage c(t)", modelFormula(res.Model)},
		{"Mitigations counted M(t)", "The active ATT&CK mitigations (M-IDs) that mitigate the technique, without M1056 Pre-compromise, which names no deployable control. A sub-technique has its own mitigations and does not inherit its parent's. A technique with none is unmitigable: listed, but left out of every percentage."},
		{"Mitigation level", "From the inventory: implemented 100%, partial 50%, planned and not implemented 0%, unless a coverage is given; multiplied by the scope when given. A mitigation in several rows takes its highest level; one the inventory does not mention counts as 0% (not assessed)."},
		{"Technique state", "covered when c(t) = 100%; partial when it is between 0% and 100%; gap when it is 0%; unmitigable when M(t) is empty."},
		{"Group score S(g)", "100 × the mean of c(t) over the group's mitigable techniques, a number from 0 to 100; n/a when the group has no mitigable technique. The Tactics sheet restricts the same mean to the techniques of one tactic (a technique in several tactics counts in each)."},
		{"Profile score P", "n(t) = the summed weight of the profile's groups that use t; P = 100 × Σ n(t)·c(t) / Σ n(t) over the mitigable techniques. Techniques used by many of the selected groups weigh more."},
		{"Recommendations", "Greedy: among mitigations below 100% that are not marked not applicable, the one whose raising to 100% increases P the most, then the next given the first, and so on. Ties: more techniques newly covered first, then the lower M-ID."},
		{"What-if", "Assumed columns treat the mitigations given with --assume (and, with --planned, those with a planned row) as implemented; the real columns ignore them."},
		{"Campaigns counted", yesNo(res.Options.Campaigns)},
		{"Software counted", yesNo(res.Options.IncludeSoftware)},
		{"Recommendations asked (--top)", strconv.Itoa(res.Options.Top)},
		{"Assumed implemented (--assume)", strings.Join(res.Options.Assume, ", ")},
		{"Planned treated as implemented (--planned)", yesNo(res.Options.Planned)},
		{"Threat profile", res.Options.Profile},
		{"Inventory", res.Inventory.File},
		{"Generated", b.generated()},
		{"Tool", b.r.Tool},
		{"Command line", b.r.Command},
	}
	for _, r := range rows {
		if err := s.add(excelize.Cell{Value: r[0], StyleID: b.st.label}, wrap(r[1])); err != nil {
			return err
		}
	}
	return s.flush()
}

func modelFormula(m analyzer.Model) string {
	switch m {
	case analyzer.ModelMax:
		return "max: the highest level among the technique's mitigations M(t) (the best single control)."
	case analyzer.ModelMean:
		return "mean: the average level over M(t) (depth of defence: every mitigation counts)."
	case analyzer.ModelNoisyOr:
		return "noisy-or: 1 − Π(1 − level) over M(t) (independent layers, each stopping its share)."
	}
	return string(m)
}

func (b *book) generated() string {
	if b.r.Generated.IsZero() {
		return ""
	}
	return b.r.Generated.UTC().Format("2006-01-02 15:04:05 UTC")
}

func (b *book) tacticNames(short []string) string {
	names := make([]string, len(short))
	for i, t := range short {
		names[i] = t
		if b.r.Catalog != nil {
			if tc := b.r.Catalog.Tactic(t); tc != nil && tc.Name != "" {
				names[i] = tc.Name
			}
		}
	}
	return strings.Join(names, ", ")
}

func (b *book) mitigationName(id string) string {
	if b.r.Catalog != nil {
		if m := b.r.Catalog.Mitigation(id); m != nil {
			return m.Name
		}
	}
	return ""
}

func optionsText(o analyzer.OptionsInfo) string {
	parts := []string{
		"campaigns " + yesNo(o.Campaigns),
		"software " + yesNo(o.IncludeSoftware),
		"top " + strconv.Itoa(o.Top),
	}
	if len(o.Assume) > 0 {
		parts = append(parts, "assume "+strings.Join(o.Assume, ", "))
	}
	if o.Planned {
		parts = append(parts, "planned as implemented")
	}
	if o.Profile != "" {
		parts = append(parts, "profile "+o.Profile)
	}
	return strings.Join(parts, "; ")
}

func yesNo(v bool) string {
	if v {
		return "yes"
	}
	return "no"
}

func boolInt(v bool) int {
	if v {
		return 1
	}
	return 0
}

// percent formats a 0–1 level for text cells: "50%", "33.3%".
func percent(v float64) string {
	s := strconv.FormatFloat(v*100, 'f', 1, 64)
	return strings.TrimSuffix(s, ".0") + "%"
}

func mitigationText(m analyzer.MitigationLevel) string {
	if m.Name == "" {
		return m.ID
	}
	return m.ID + " " + m.Name
}

// levelText is a mitigation's level for text cells, with the assumed level
// beside it when a what-if changes it.
func (b *book) levelText(m analyzer.MitigationLevel) string {
	if m.AssumedLevel != nil {
		return percent(m.Level) + ", assumed " + percent(*m.AssumedLevel)
	}
	return percent(m.Level)
}

// splitMitigations separates a technique's mitigations into those with a
// real level above 0 (with the level) and those missing.
func (b *book) splitMitigations(ms []analyzer.MitigationLevel) (inPlace, missing string) {
	var a, z []string
	for _, m := range ms {
		if !attack.Deployable(m.ID) {
			continue
		}
		switch {
		case m.Level > 0:
			a = append(a, mitigationText(m)+" ("+b.levelText(m)+")")
		case m.Effective() > 0: // missing, but assumed in the what-if
			z = append(z, mitigationText(m)+" ("+b.levelText(m)+")")
		default:
			z = append(z, mitigationText(m))
		}
	}
	return strings.Join(a, "; "), strings.Join(z, "; ")
}

func (b *book) mitigationLevels(ms []analyzer.MitigationLevel) string {
	parts := make([]string, 0, len(ms))
	for _, m := range ms {
		if !attack.Deployable(m.ID) {
			continue
		}
		parts = append(parts, mitigationText(m)+": "+b.levelText(m))
	}
	return strings.Join(parts, "; ")
}

func assumedState(it *analyzer.Item) any {
	if it.AssumedState == "" {
		return string(it.State)
	}
	return string(it.AssumedState)
}

func assumedCoverage(it *analyzer.Item, style int) any {
	if it.State == analyzer.Unmitigable {
		return nil
	}
	if it.AssumedCoverage == nil {
		return num{it.Coverage, style}
	}
	return num{*it.AssumedCoverage, style}
}

// mitreNotice is the copyright designation and licence that MITRE requires
// with any copy of ATT&CK data, in one paragraph for reports that reproduce
// ATT&CK names and IDs (attack.Notice is the full file shipped with the
// embedded data).
const mitreNotice = "ATT&CK data: © The MITRE Corporation. This work is reproduced and distributed with the permission of The MITRE Corporation. " +
	"MITRE grants a non-exclusive, royalty-free licence to use ATT&CK for research, development and commercial purposes, " +
	"provided that MITRE's copyright designation and licence are reproduced in any copy."
