package reports

// Markdown reports. `-o report.md` writes one document: a summary, the
// groups table, the recommendations and one section per group. `-o DIR/`
// with --format markdown writes index.md (the same without the sections,
// linking to the pages) and one page per group.
//
// A group's page has the shape of the ATT&CK Markdown vault the project
// started from (../shared/seed): front matter with tags, "# Name",
// "## ID:G1005", "## Techniques Used By Group", and a mermaid flowchart
// group → technique → mitigation in the same edge style, so a page reads
// like the vault's and renders on GitHub and in Obsidian. covgap adds the
// state and coverage of every technique and colours the nodes by state.

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/covgap/covgap/analyzer"
	"github.com/covgap/covgap/attack"
	"github.com/covgap/covgap/inventory"
)

type mdWriter struct {
	b strings.Builder
	r *Report
	// pages maps a group ID to its page's file name in the directory form;
	// nil in the single-document form.
	pages map[string]string
}

func (m *mdWriter) p(format string, args ...any) { fmt.Fprintf(&m.b, format, args...) }
func (m *mdWriter) line(s string)                { m.b.WriteString(s); m.b.WriteByte('\n') }

func writeMarkdown(w io.Writer, r *Report) error {
	m := &mdWriter{r: r}
	m.frontMatter("report")
	m.summary()
	for _, g := range groupsByScore(r.Result) {
		m.line("")
		m.group(g, 2)
	}
	m.footer()
	_, err := io.WriteString(w, m.b.String())
	return err
}

// writeMarkdownPages writes index.md and one page per group into dir.
func writeMarkdownPages(dir string, r *Report) error {
	taken := map[string]bool{"index": true}
	pages := make(map[string]string, len(r.Result.Groups))
	for _, g := range r.Result.Groups {
		pages[g.ID] = uniqueName(taken, safeFileName(g.ID, g.Name)) + ".md"
	}
	index := &mdWriter{r: r, pages: pages}
	index.frontMatter("report")
	index.summary()
	index.footer()
	if err := writeFileAtomic(filepath.Join(dir, "index.md"), func(w io.Writer) error {
		_, err := io.WriteString(w, index.b.String())
		return err
	}); err != nil {
		return err
	}
	for i := range r.Result.Groups {
		g := &r.Result.Groups[i]
		m := &mdWriter{r: r, pages: pages}
		m.frontMatter("groups")
		m.group(g, 1)
		m.groupRecommendations(g)
		m.footer()
		if err := writeFileAtomic(filepath.Join(dir, pages[g.ID]), func(w io.Writer) error {
			_, err := io.WriteString(w, m.b.String())
			return err
		}); err != nil {
			return err
		}
	}
	return nil
}

// frontMatter is written in the seed's block-list style, which every
// front-matter reader (and the vault loader) understands.
func (m *mdWriter) frontMatter(kind string) {
	m.line("---")
	m.line("tags:")
	m.line("   - covgap")
	m.line("   - " + kind)
	m.line("---")
}

func (m *mdWriter) summary() {
	res := m.r.Result
	name := res.Profile.Name
	if name == "" {
		name = "threat profile"
	}
	m.line("# Mitigation coverage: " + mdText(name))
	m.line("")
	rows := [][]string{
		{"Profile score", "**" + fmtScore(res.Profile.Score) + "**"},
	}
	if whatIf(res) {
		rows = append(rows, []string{"Assumed score (what-if)", fmtScore(res.Profile.AssumedScore) + " — " + mdText(whatIfLine(res))})
	}
	c := res.Profile.Counts
	rows = append(rows,
		[]string{"Groups", fmt.Sprint(res.Profile.Groups)},
		[]string{"Techniques", fmt.Sprintf("%d: %d covered, %d partial, %d gaps, %d unmitigable", c.Techniques, c.Covered, c.Partial, c.Gaps, c.Unmitigable)},
		[]string{"Catalog", mdText(catalogLine(res))},
		[]string{"Model", string(res.Model)},
		[]string{"Options", mdText(optionsLine(res))},
	)
	if inv := inventoryLine(m.r); inv != "" {
		rows = append(rows, []string{"Inventory", mdText(inv)})
	}
	mdTable(&m.b, []string{"", ""}, "l", rows)

	m.line("")
	m.line("## Groups")
	m.line("")
	m.line("Lowest score first: the groups whose activity the deployed mitigations cover least.")
	m.line("")
	header := []string{"Group", "Name", "Score"}
	align := "llr"
	if whatIf(res) {
		header = append(header, "Assumed")
		align += "r"
	}
	header = append(header, "Techniques", "Mitigable", "Covered", "Partial", "Gaps", "Unmitigable")
	align += "rrrrrr"
	rows = rows[:0]
	for _, g := range groupsByScore(res) {
		row := []string{mdLink(g.ID, attack.URL(g.ID)), m.groupRef(g), fmtScore(g.Score)}
		if whatIf(res) {
			row = append(row, fmtScore(g.AssumedScore))
		}
		row = append(row, fmt.Sprint(g.Techniques), fmt.Sprint(g.Mitigable), fmt.Sprint(g.Covered),
			fmt.Sprint(g.Partial), fmt.Sprint(g.Gaps), fmt.Sprint(g.Unmitigable))
		rows = append(rows, row)
	}
	mdTable(&m.b, header, align, rows)

	m.line("")
	m.line("## Recommendations")
	m.line("")
	m.recommendations(res.Recommendations, noRecommendations(res))
}

// groupRef names a group, linking to its page in the directory form.
func (m *mdWriter) groupRef(g *analyzer.GroupResult) string {
	if f, ok := m.pages[g.ID]; ok {
		return mdLink(g.Name, f)
	}
	return mdText(g.Name)
}

// recommendations writes the table, or why there is none.
func (m *mdWriter) recommendations(recs []analyzer.Recommendation, none string) {
	if len(recs) == 0 {
		m.line(none)
		return
	}
	m.line("Raising each mitigation to fully implemented, in this order, gains the most; the score after is cumulative.")
	m.line("")
	rows := make([][]string, 0, len(recs))
	for _, rec := range recs {
		rows = append(rows, []string{
			fmt.Sprint(rec.Rank), mdLink(rec.Mitigation, attack.URL(rec.Mitigation)), mdText(rec.Name),
			fmtPercent(rec.Level), "+" + fmtScore(&rec.Gain), fmtScore(&rec.ScoreAfter),
			mdText(strings.Join(rec.Techniques, ", ")), mdText(strings.Join(rec.Groups, ", ")),
		})
	}
	mdTable(&m.b, []string{"Rank", "Mitigation", "Name", "Level now", "Gain", "Score after", "Techniques newly covered", "Groups"}, "rllrrrll", rows)
}

// groupRecommendations lists, on a group's page, the steps of the profile's
// plan that close some of this group's techniques.
func (m *mdWriter) groupRecommendations(g *analyzer.GroupResult) {
	var recs []analyzer.Recommendation
	for _, rec := range m.r.Result.Recommendations {
		for _, id := range rec.Groups {
			if id == g.ID {
				recs = append(recs, rec)
				break
			}
		}
	}
	m.line("")
	m.line("## Recommendations")
	m.line("")
	m.recommendations(recs, "No step of the profile's plan closes a technique of this group.")
}

// group writes one group in the seed's page shape; level is the heading
// level of its title (1 on its own page, 2 inside the report).
func (m *mdWriter) group(g *analyzer.GroupResult, level int) {
	h := strings.Repeat("#", level)
	m.line(h + " " + mdText(g.Name))
	m.line(h + "# ID:" + g.ID)
	link := mdText(g.Name)
	if u := attack.URL(g.ID); u != "" {
		link = mdLink(g.Name, u)
	}
	m.p("%s: coverage score **%s** — %d covered, %d partial, %d gaps, %d unmitigable of %s (%d mitigable).",
		link, fmtScore(g.Score), g.Covered, g.Partial, g.Gaps, g.Unmitigable, plural(g.Techniques, "technique"), g.Mitigable)
	if g.AssumedScore != nil {
		m.p(" Assumed score (what-if): **%s**.", fmtScore(g.AssumedScore))
	}
	m.line("")
	m.line(h + "# Techniques Used By Group")
	for i := range g.Items {
		it := &g.Items[i]
		s := "* " + mdLink(it.Name, attack.URL(it.Technique)) + " " + it.Technique + " — **" + string(it.State) + "**"
		if it.State != analyzer.Unmitigable {
			s += " " + fmtPercent(it.Coverage)
			if it.AssumedState != "" && it.AssumedCoverage != nil {
				s += " (what-if: " + string(it.AssumedState) + " " + fmtPercent(*it.AssumedCoverage) + ")"
			}
			inWord, missWord := levelWords(it)
			if p := inPlace(it, true); len(p) > 0 {
				s += "; " + inWord + ": " + mdText(strings.Join(p, ", "))
			}
			if x := missing(it, true); len(x) > 0 {
				s += "; " + missWord + ": " + mdText(strings.Join(x, ", "))
			}
		} else {
			s += " (no deployable mitigation)"
		}
		m.line(s)
	}
	m.line("")
	// The seed puts this heading at the top level of its page; inside the
	// report it belongs under the group's own heading.
	summary := level
	if level > 1 {
		summary++
	}
	m.line(strings.Repeat("#", summary) + " Summary of Techniques and Mitigations")
	m.mermaid(g)
}

// Mermaid node styles: techniques by state, mitigations by level.
var mermaidClasses = []string{
	"classDef covered fill:#8ec843,stroke:#4f7a1c,color:#000",
	"classDef partial fill:#ffe766,stroke:#b39b00,color:#000",
	"classDef gap fill:#ff6666,stroke:#b30000,color:#000",
	"classDef unmitigable fill:#bfbfbf,stroke:#7f7f7f,color:#000",
	"classDef inplace fill:#dff2cc,stroke:#4f7a1c,color:#000",
	"classDef somewhat fill:#fff5c2,stroke:#b39b00,color:#000",
	"classDef missing fill:#ffffff,stroke:#b30000,stroke-dasharray:4 3,color:#000",
}

// maxMermaidEdges keeps a diagram inside mermaid's default limit of 500
// edges (beyond it GitHub and Obsidian show an error box instead of the
// diagram); the largest groups of ATT&CK 18.1 come to about 425.
const maxMermaidEdges = 480

func (m *mdWriter) mermaid(g *analyzer.GroupResult) {
	if len(g.Items) == 0 {
		m.line("No technique to draw: the catalog links no technique to this group.")
		m.line("")
		return
	}
	// Which techniques get their mitigation edges: all of them when they
	// fit; otherwise those that are gaps or partial, which are what the
	// diagram is for, and as many as fit.
	drawn := make([][]analyzer.MitigationLevel, len(g.Items))
	edges := len(g.Items)
	for i := range g.Items {
		drawn[i] = m.drawnMitigations(&g.Items[i])
		edges += len(drawn[i])
	}
	trimmed := false
	if edges > maxMermaidEdges {
		trimmed = true
		edges = len(g.Items)
		for i := range g.Items {
			st := g.Items[i].State
			if g.Items[i].AssumedState != "" {
				st = g.Items[i].AssumedState
			}
			if (st != analyzer.Gap && st != analyzer.Partial) || edges+len(drawn[i]) > maxMermaidEdges {
				drawn[i] = nil
				continue
			}
			edges += len(drawn[i])
		}
	}
	m.line("```mermaid")
	m.line("flowchart LR")
	groupNode := `group["` + mermaidLabel(g.Name) + `"]`
	node := func(id, name string) string { return mermaidID(id) + `["` + mermaidLabel(name) + `"]` }
	byClass := map[string][]string{}
	classOf := map[string]string{}
	assign := func(id, class string) {
		id = mermaidID(id)
		if _, ok := classOf[id]; !ok {
			classOf[id] = class
			byClass[class] = append(byClass[class], id)
		}
	}
	for i := range g.Items {
		it := &g.Items[i]
		m.line(groupNode + " --> " + node(it.Technique, it.Name))
		// Under a what-if the mitigation levels are the assumed ones, so
		// the techniques take their assumed state to match.
		state := it.State
		if it.AssumedState != "" {
			state = it.AssumedState
		}
		assign(it.Technique, string(state))
	}
	for i := range g.Items {
		it := &g.Items[i]
		for _, ml := range drawn[i] {
			m.line(node(it.Technique, it.Name) + " --> " + node(ml.ID, ml.Name))
			switch {
			case !attack.Deployable(ml.ID):
				assign(ml.ID, "unmitigable")
			case ml.Effective() >= 1:
				assign(ml.ID, "inplace")
			case ml.Effective() > 0:
				assign(ml.ID, "somewhat")
			default:
				assign(ml.ID, "missing")
			}
		}
	}
	for _, c := range mermaidClasses {
		m.line(c)
	}
	for _, class := range []string{"covered", "partial", "gap", "unmitigable", "inplace", "somewhat", "missing"} {
		if ids := byClass[class]; len(ids) > 0 {
			m.line("class " + strings.Join(ids, ",") + " " + class)
		}
	}
	m.line("```")
	m.line("")
	legend := "Techniques: green covered, amber partial, red gap, grey unmitigable. Mitigations: green in place, amber partly in place, dashed red missing."
	if whatIf(m.r.Result) {
		legend += " Drawn under the what-if (" + mdText(whatIfLine(m.r.Result)) + ")."
	}
	if trimmed {
		legend += fmt.Sprintf(" To stay within mermaid's limit of 500 edges, only the mitigations of gap and partial techniques are drawn (as many as fit in %d edges); the list above names them all.", maxMermaidEdges)
	}
	m.line(legend)
}

// drawnMitigations are the item's mitigations plus Pre-compromise (M1056)
// when the catalog lists it: the analyzer leaves M1056 out of scoring, but
// the seed's diagrams draw it, and it shows why a technique is unmitigable.
func (m *mdWriter) drawnMitigations(it *analyzer.Item) []analyzer.MitigationLevel {
	if m.r.Catalog == nil {
		return it.Mitigations
	}
	t := m.r.Catalog.Technique(it.Technique)
	if t == nil {
		return it.Mitigations
	}
	for _, ml := range it.Mitigations {
		if !attack.Deployable(ml.ID) {
			return it.Mitigations
		}
	}
	for _, id := range t.Mitigations {
		if !attack.Deployable(id) {
			name := "Pre-compromise"
			if mt := m.r.Catalog.Mitigation(id); mt != nil {
				name = mt.Name
			}
			out := append([]analyzer.MitigationLevel(nil), it.Mitigations...)
			return append(out, analyzer.MitigationLevel{ID: id, Name: name})
		}
	}
	return it.Mitigations
}

func (m *mdWriter) footer() {
	res := m.r.Result
	m.line("")
	m.line("---")
	m.line("")
	var parts []string
	if !m.r.Generated.IsZero() {
		parts = append(parts, "Generated "+m.r.Generated.UTC().Format("2006-01-02 15:04 UTC"))
	}
	if m.r.Tool != "" {
		parts = append(parts, "by "+mdText(m.r.Tool))
	}
	parts = append(parts, "ATT&CK "+mdText(catalogLine(res)), "model "+string(res.Model), mdText(optionsLine(res)))
	m.line(strings.Join(parts, " · "))
	m.line("")
	m.line(mitreNotice) // the workbook's Method sheet carries the same notice
}

// optionsLine says which options shaped the result, in the words of the
// command line.
func optionsLine(res *analyzer.Result) string {
	o := res.Options
	parts := []string{}
	if o.Campaigns {
		parts = append(parts, "campaigns counted")
	} else {
		parts = append(parts, "campaigns not counted")
	}
	if o.IncludeSoftware {
		parts = append(parts, "software counted")
	} else {
		parts = append(parts, "software not counted")
	}
	parts = append(parts, fmt.Sprintf("top %d", o.Top))
	if w := whatIfLine(res); w != "" {
		parts = append(parts, "what-if: "+w)
	}
	if o.Profile != "" {
		parts = append(parts, "profile: "+o.Profile)
	}
	return strings.Join(parts, "; ")
}

// inventoryLine summarises the inventory: file, rows, problems.
func inventoryLine(r *Report) string {
	inv := r.Result.Inventory
	if inv.File == "" && inv.Rows == 0 && len(inv.Problems) == 0 {
		return ""
	}
	errs := inventory.CountSeverity(inv.Problems, inventory.SeverityError)
	warns := inventory.CountSeverity(inv.Problems, inventory.SeverityWarning)
	s := fmt.Sprintf("%s, %s, %s, %s not assessed", plural(inv.Rows, "row"), plural(errs, "error"), plural(warns, "warning"),
		plural(len(inv.NotAssessed), "mitigation"))
	if inv.File != "" {
		s = inv.File + ": " + s
	}
	return s
}

// mdTable writes a pipe table; align has one letter per column, l or r.
func mdTable(b *strings.Builder, header []string, align string, rows [][]string) {
	b.WriteString("|")
	for _, h := range header {
		b.WriteString(" " + h + " |")
	}
	b.WriteString("\n|")
	for i := range header {
		if i < len(align) && align[i] == 'r' {
			b.WriteString("---:|")
		} else {
			b.WriteString("---|")
		}
	}
	b.WriteString("\n")
	for _, row := range rows {
		b.WriteString("|")
		for _, c := range row {
			b.WriteString(" " + c + " |")
		}
		b.WriteString("\n")
	}
}

// mdText escapes text for Markdown prose and table cells: characters that
// would start emphasis, links, HTML or a new cell are backslash-escaped and
// line breaks become spaces, so a name can never reshape the page.
var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`, `[`, `\[`, `]`, `\]`,
	`<`, `\<`, `>`, `\>`, `|`, `\|`, "\r\n", " ", "\n", " ", "\r", " ",
)

func mdText(s string) string { return mdEscaper.Replace(s) }

// mdLink is [text](url), or the plain text when there is no URL.
func mdLink(text, url string) string {
	if url == "" {
		return mdText(text)
	}
	return "[" + mdText(text) + "](" + strings.ReplaceAll(url, " ", "%20") + ")"
}

// mermaidLabel makes text safe inside a quoted mermaid label: quotes and
// the characters mermaid or the HTML it produces treat specially become
// entity codes, and line breaks spaces. Brackets, parentheses, slashes and
// keywords such as "end" are harmless inside the quotes.
var mermaidEscaper = strings.NewReplacer(
	`#`, "#35;", `"`, "#quot;", `<`, "#lt;", `>`, "#gt;", `&`, "#amp;", "`", "#96;",
	"\r\n", " ", "\n", " ", "\r", " ", "\t", " ",
)

func mermaidLabel(s string) string { return mermaidEscaper.Replace(s) }

// mermaidID keeps ATT&CK IDs as the seed writes them (T1567.002) and
// replaces anything else a custom ID might hold, which mermaid would read
// as syntax.
func mermaidID(id string) string {
	var b strings.Builder
	for _, r := range id {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "_"
	}
	// A custom or vault ID that spells a mermaid keyword would end the
	// diagram ("end") or start a statement; "group" is the group's node.
	if mermaidReserved[strings.ToLower(b.String())] {
		return "id_" + b.String()
	}
	return b.String()
}

var mermaidReserved = map[string]bool{
	"end": true, "graph": true, "flowchart": true, "subgraph": true, "style": true, "class": true,
	"classdef": true, "click": true, "linkstyle": true, "direction": true, "default": true,
	"call": true, "href": true, "callback": true, "interpolate": true, "group": true,
}
