package attack

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// fuzzPageSep splits one fuzz input into several pages, so that merging
// pages (duplicates, diagrams against technique pages) is fuzzed too.
const fuzzPageSep = "\x00\x00PAGE\x00\x00"

// fuzzMaxPages bounds the pages per input, like VaultOptions.MaxPages.
const fuzzMaxPages = 8

// FuzzVaultPage feeds arbitrary pages to ParseVaultPage and the vault
// builder: they must never panic, and whatever they accept must be a
// consistent catalog.
func FuzzVaultPage(f *testing.F) {
	err := filepath.WalkDir(vaultTestdata, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err == nil && len(data) < 64<<10 {
			f.Add(data)
		}
		return err
	})
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{
		"",
		"---\n---\n",
		"# X\n## ID:G0001\n## Techniques Used By Group\n* [A](techniques/T1/2)\n```mermaid\ngroup[[[x]]] --> T1000[[y]] & M1000 -->|l| M1001\n```",
		"# X\n## ID:T1000\n## Mitigations\n* [[mitigations/M1000|M]]\n" + fuzzPageSep + "# Y\n## ID:G0001\n```mermaid\ngroup --> T1000\nT1000 --> M1001\n```\n",
		"# X\n## ID:G0001\n" + fuzzPageSep + "# X2\n## ID:G0001\n## Techniques\n* [a](T1000.001)",
		"---\ntags: &a [groups, *a]\n---\n# X\n## ID:G0001\n",
		"Ã\u0080â€™ðŸ˜€\xff\xfe\x92",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > DefaultMaxPageSize {
			t.Skip("over the page size limit")
		}
		pages := bytes.SplitN(data, []byte(fuzzPageSep), fuzzMaxPages)
		b := newVaultBuilder()
		for i, page := range pages {
			name := "fuzz" + string(rune('0'+i)) + ".md"
			p, err := ParseVaultPage(name, page)
			if err == nil {
				checkFuzzPage(t, p)
			}
			b.addPage(name, page)
		}
		if b.pages == 0 {
			return
		}
		c := b.build()
		c.Index()
		checkFuzzCatalog(t, c)
	})
}

func checkFuzzPage(t *testing.T, p VaultPage) {
	t.Helper()
	if kindOfID(p.ID) != p.Kind {
		t.Fatalf("page ID %q is not of its kind %q", p.ID, p.Kind)
	}
	for _, s := range append([]string{p.Name, p.Description}, p.Aliases...) {
		if !utf8.ValidString(s) {
			t.Fatalf("invalid UTF-8 in %q", s)
		}
		if strings.ContainsRune(s, '\r') {
			t.Fatalf("CR left in %q", s)
		}
	}
	lists := []struct {
		refs []VaultRef
		kind PageKind
	}{{p.Techniques, PageTechnique}, {p.Mitigations, PageMitigation}, {p.Software, PageSoftware}, {p.Campaigns, PageCampaign}, {p.Groups, PageGroup}}
	for _, l := range lists {
		for _, r := range l.refs {
			if kindOfID(r.ID) != l.kind {
				t.Fatalf("%q in the %s list", r.ID, l.kind)
			}
		}
	}
	for _, e := range p.Edges {
		if kindOfID(e.From.ID) == "" || kindOfID(e.To.ID) == "" {
			t.Fatalf("edge with a non-ATT&CK end: %+v", e)
		}
	}
	if len(p.Notes) > maxNotes+1 || len(p.Edges) > maxEdges {
		t.Fatalf("%d notes, %d edges: bounds not kept", len(p.Notes), len(p.Edges))
	}
}

func checkFuzzCatalog(t *testing.T, c *Catalog) {
	t.Helper()
	for _, tq := range c.Techniques {
		if kindOfID(tq.ID) != PageTechnique {
			t.Fatalf("technique with ID %q", tq.ID)
		}
		for _, m := range tq.Mitigations {
			mt := c.Mitigation(m)
			if mt == nil || kindOfID(m) != PageMitigation {
				t.Fatalf("%s mitigated by %q, which is not a mitigation of the catalog", tq.ID, m)
			}
			found := false
			for _, x := range mt.Techniques {
				found = found || x == tq.ID
			}
			if !found {
				t.Fatalf("%s → %s has no reverse link", tq.ID, m)
			}
		}
	}
	for _, g := range c.Groups {
		if kindOfID(g.ID) != PageGroup || g.Name == "" {
			t.Fatalf("group %+v", g)
		}
		for _, u := range g.Uses {
			if c.Technique(u.Technique) == nil {
				t.Fatalf("%s uses %s, which the catalog lacks", g.ID, u.Technique)
			}
		}
	}
}
