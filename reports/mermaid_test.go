package reports

import (
	"fmt"
	"strings"
	"testing"

	"github.com/covgap/covgap/analyzer"
)

func TestMermaidIDReserved(t *testing.T) {
	for in, want := range map[string]string{"T1567.002": "T1567.002", "end": "id_end", "Group": "id_Group",
		"classDef": "id_classDef", "G-9001": "G_9001", "": "_"} {
		if got := mermaidID(in); got != want {
			t.Errorf("mermaidID(%q) = %q, want %q", in, got, want)
		}
	}
}

// diagramEdges counts the edges of each mermaid block in md.
func diagramEdges(md string) []int {
	var out []int
	for _, block := range strings.Split(md, "```mermaid")[1:] {
		block, _, _ = strings.Cut(block, "```")
		out = append(out, strings.Count(block, " --> "))
	}
	return out
}

func TestMermaidLimits(t *testing.T) {
	r := testReport(t)
	r.Catalog = nil // draw exactly the items' mitigations
	g := &r.Result.Groups[0]
	// A group with no technique gets a sentence, not an empty diagram.
	empty := analyzer.GroupResult{ID: "G9999", Name: "Quiet"}
	// A group too large for mermaid: 60 techniques with 10 mitigations
	// each is 660 edges.
	big := analyzer.GroupResult{ID: "G9998", Name: "Busy"}
	for i := 0; i < 60; i++ {
		it := analyzer.Item{Technique: fmt.Sprintf("T9%03d", i), Name: "x", State: analyzer.Gap}
		if i%2 == 0 {
			it.State, it.Coverage = analyzer.Covered, 1
		}
		for j := 0; j < 10; j++ {
			it.Mitigations = append(it.Mitigations, analyzer.MitigationLevel{ID: fmt.Sprintf("M9%03d", j), Name: "m"})
		}
		big.Items = append(big.Items, it)
	}
	r.Result.Groups = []analyzer.GroupResult{*g, empty, big}
	var b strings.Builder
	if err := writeMarkdown(&b, r); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	if n := len(diagramEdges(md)); n != 2 {
		t.Errorf("%d diagrams, want 2 (none for the group without techniques)", n)
	}
	if !strings.Contains(md, "No technique to draw") {
		t.Error("the empty group does not say why it has no diagram")
	}
	for _, e := range diagramEdges(md) {
		if e > maxMermaidEdges {
			t.Errorf("a diagram has %d edges, over %d", e, maxMermaidEdges)
		}
	}
	if !strings.Contains(md, "only the mitigations of gap and partial techniques are drawn") {
		t.Error("the trimmed diagram does not say so")
	}
}
