package reports

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestMarkdownGolden(t *testing.T) {
	golden(t, "report.md.golden", render(t, "markdown", testReport(t)))
	golden(t, "report-whatif.md.golden", render(t, "markdown", testReportWhatIf(t)))
	dir, names := writeDir(t, testReport(t), "markdown")
	want := "G0016-APT29.md G1005-POLONIUM.md G9001-cmd-C-notepad-A1.md index.md"
	if got := strings.Join(names, " "); got != want {
		t.Fatalf("pages %s, want %s", got, want)
	}
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		golden(t, filepath.Join("pages", n+".golden"), b)
	}
}

var (
	mermaidBlock = regexp.MustCompile("(?s)```mermaid\n(.*?)```")
	// A node is ID["label"]; a label holds no quote (they are #quot;).
	mermaidNode = regexp.MustCompile(`^([A-Za-z0-9._]+)\["([^"]*)"\]$`)
)

// A group's page has the seed's shape, and every line of its flowchart is
// an edge between well-formed nodes, a classDef or a class line naming
// nodes of the diagram.
func TestMarkdownPageShape(t *testing.T) {
	dir, _ := writeDir(t, testReport(t), "markdown")
	b, err := os.ReadFile(filepath.Join(dir, "G1005-POLONIUM.md"))
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	for _, want := range []string{
		"---\ntags:\n   - covgap\n   - groups\n---\n# POLONIUM\n## ID:G1005\n",
		"\n## Techniques Used By Group\n* [",
		"* [Exfiltration to Cloud Storage](https://attack.mitre.org/techniques/T1567/002/) T1567.002 — **",
		"\n# Summary of Techniques and Mitigations\n```mermaid\nflowchart LR\n",
		`group["POLONIUM"] --> T1567.002["Exfiltration to Cloud Storage"]`,
		`T1090["Proxy"] --> M1020["SSL/TLS Inspection"]`,
		"The MITRE Corporation",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	checkMermaid(t, page)
	// Every technique node is styled by its state.
	r := testReport(t)
	for _, g := range r.Result.Groups {
		if g.ID != "G1005" {
			continue
		}
		for _, it := range g.Items {
			re := regexp.MustCompile(`(?m)^class (\S+,)?` + regexp.QuoteMeta(it.Technique) + `(,\S+)? ` + string(it.State) + `$`)
			if !re.MatchString(page) {
				t.Errorf("%s is not styled %s", it.Technique, it.State)
			}
		}
	}
}

func checkMermaid(t *testing.T, doc string) {
	t.Helper()
	blocks := mermaidBlock.FindAllStringSubmatch(doc, -1)
	if len(blocks) == 0 {
		t.Fatal("no mermaid block")
	}
	for _, blk := range blocks {
		lines := strings.Split(strings.TrimSuffix(blk[1], "\n"), "\n")
		if lines[0] != "flowchart LR" {
			t.Errorf("diagram starts %q", lines[0])
		}
		nodes := map[string]bool{}
		for _, ln := range lines[1:] {
			switch {
			case strings.HasPrefix(ln, "classDef "):
			case strings.HasPrefix(ln, "class "):
				f := strings.Fields(ln)
				if len(f) != 3 {
					t.Errorf("class line %q", ln)
					continue
				}
				for _, id := range strings.Split(f[1], ",") {
					if !nodes[id] {
						t.Errorf("class names %s, not a node of the diagram", id)
					}
				}
			default:
				from, to, ok := strings.Cut(ln, " --> ")
				if !ok {
					t.Errorf("not an edge: %q", ln)
					continue
				}
				for _, n := range []string{from, to} {
					m := mermaidNode.FindStringSubmatch(n)
					if m == nil {
						t.Errorf("malformed node %q in %q", n, ln)
						continue
					}
					nodes[m[1]] = true
				}
			}
		}
	}
}

// The hostile group's name reaches the report as text: escaped in prose and
// tables, entity-coded in the diagram.
func TestMarkdownEscapesHostileText(t *testing.T) {
	doc := string(render(t, "markdown", testReport(t)))
	checkMermaid(t, doc)
	if !strings.Contains(doc, `group["=cmd\|' /C notepad'!A1"]`) && !strings.Contains(doc, `group["=cmd|' /C notepad'!A1"]`) {
		t.Error("hostile group node missing")
	}
	if !strings.Contains(doc, `| =cmd\|' /C notepad'!A1 |`) {
		t.Error("hostile group name not escaped in the groups table")
	}
	for in, want := range map[string]string{
		`Say "hi" & <b>#1</b>`: `Say #quot;hi#quot; #amp; #lt;b#gt;#35;1#lt;/b#gt;`,
		"two\nlines":           "two lines",
		"end (x) [y] a/b":      "end (x) [y] a/b",
	} {
		if got := mermaidLabel(in); got != want {
			t.Errorf("mermaidLabel(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"a|b":        `a\|b`,
		"[x](y)":     `\[x\](y)`,
		"*_`<x>":     "\\*\\_\\`\\<x\\>",
		"line\nnext": "line next",
	} {
		if got := mdText(in); got != want {
			t.Errorf("mdText(%q) = %q, want %q", in, got, want)
		}
	}
	if got := mermaidID(`T1"; click`); got != "T1___click" {
		t.Errorf("mermaidID = %q", got)
	}
}
