package attack

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// VaultOptions controls LoadVault.
type VaultOptions struct {
	Domain      string // enterprise-attack when ""
	Version     string // --attack-version; "" = unknown (pages never say)
	MaxPageSize int64  // bytes per page; DefaultMaxPageSize when 0
	MaxPages    int    // pages in all; DefaultMaxPages when 0
}

// Limits that keep a mistaken path (a home directory, a disk of notes) from
// being read whole. The largest real ATT&CK page is well under 100 KiB and
// a complete Enterprise vault is about 2,000 pages.
const (
	DefaultMaxPageSize = 4 << 20
	DefaultMaxPages    = 50000
)

// LoadVault builds a catalog from Markdown ATT&CK pages (SPEC §2.3). Each
// path is a directory, walked recursively for .md and .txt pages (hidden
// folders such as .obsidian are skipped), or a single page of any name.
// Several paths merge into one catalog.
//
// Pages that cannot be read as ATT&CK pages (empty, too large, no
// "## ID:" heading) are skipped with a warning in Catalog.Warnings, and so
// is anything odd on a page that is read. LoadVault fails only when a path
// cannot be read, the page limit is exceeded, or no page at all describes
// an ATT&CK object.
//
// A group page's list and diagram are read as direct uses. Checked against
// ATT&CK 15.1 (TestVaultMatchesSTIX15), a vault's group list is in fact the
// group's direct uses plus the techniques of the campaigns attributed to it,
// and the page does not tell them apart; so a vault catalog counts those
// campaign techniques whatever UseOptions.Campaigns says. Only a vault with
// campaign pages that name their groups gives campaign uses of their own.
func LoadVault(paths []string, o VaultOptions) (*Catalog, error) {
	if len(paths) == 0 {
		return nil, errors.New("no vault path given")
	}
	if o.MaxPageSize <= 0 {
		o.MaxPageSize = DefaultMaxPageSize
	}
	if o.MaxPages <= 0 {
		o.MaxPages = DefaultMaxPages
	}
	b := newVaultBuilder()
	files, err := vaultFiles(paths, o.MaxPages)
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		data, err := readPage(f, o.MaxPageSize)
		if err != nil {
			b.warn(f, "", err.Error()+"; page skipped")
			continue
		}
		b.addPage(f, data)
	}
	if b.pages == 0 {
		msg := fmt.Sprintf("%s: no ATT&CK vault page found (expected Markdown pages with a \"## ID:\" heading such as \"## ID:G1005\")", strings.Join(paths, ", "))
		if len(b.c.Warnings) > 0 {
			msg += "; " + b.c.Warnings[0].String()
			if n := len(b.c.Warnings) - 1; n > 0 {
				msg += fmt.Sprintf(" (and %d more)", n)
			}
		}
		return nil, errors.New(msg)
	}
	c := b.build()
	c.Domain = o.Domain
	if c.Domain == "" {
		c.Domain = Enterprise
	}
	c.Version = o.Version
	c.Source = strings.Join(paths, ", ")
	c.finishWarnings()
	c.Index()
	return c, nil
}

// vaultFiles lists the pages under paths in a stable order (lexical within a
// directory, paths in the order given), each file once.
func vaultFiles(paths []string, maxPages int) ([]string, error) {
	var files []string
	seen := map[string]bool{}
	add := func(f string) error {
		key := f
		if abs, err := filepath.Abs(f); err == nil {
			key = abs
		}
		if seen[key] {
			return nil
		}
		seen[key] = true
		if len(files) >= maxPages {
			return fmt.Errorf("more than %d pages under %s; is this the right directory? (the limit can be raised)", maxPages, strings.Join(paths, ", "))
		}
		files = append(files, f)
		return nil
	}
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("vault %s: %w", p, err)
		}
		if !st.IsDir() {
			// A page named explicitly is read whatever its extension.
			if err := add(p); err != nil {
				return nil, err
			}
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return fmt.Errorf("vault %s: %w", path, err)
			}
			name := d.Name()
			if d.IsDir() {
				if path != p && strings.HasPrefix(name, ".") {
					return filepath.SkipDir // .obsidian, .git, .trash
				}
				return nil
			}
			if !d.Type().IsRegular() && d.Type()&fs.ModeSymlink == 0 {
				return nil
			}
			switch strings.ToLower(filepath.Ext(name)) {
			case ".md", ".txt", ".markdown":
				return add(path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return files, nil
}

// readPage reads a page, refusing one larger than limit without reading it
// whole.
func readPage(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("larger than %d bytes", limit)
	}
	return data, nil
}

// vaultBuilder merges pages into a catalog. Objects are keyed on ATT&CK ID,
// never on name: ATT&CK has several techniques called "Cloud Accounts".
type vaultBuilder struct {
	c     *Catalog
	pages int

	techniques  map[string]*Technique
	techNamed   map[string]bool // the name came from the technique's own page
	mitigations map[string]*Mitigation
	mitNamed    map[string]bool
	groups      map[string]*Group
	groupUses   map[string]map[string]*Use
	campaigns   map[string]*Campaign
	software    map[string]*Software
	tactics     map[string]*Tactic
	pageOf      map[string]string // ID → file of the page that defined it

	// Technique → mitigation knowledge from two kinds of source. A
	// technique's (or mitigation's) own page lists its full mitigations;
	// a group page's diagram shows them only for the techniques it draws.
	pageMits    map[string]map[string]bool // from technique and mitigation pages
	pageHasMits map[string]bool            // a technique page with a Mitigations section
	drawn       []drawnMits                // from diagrams, per page
	tacticTechs map[string][]string        // tactic short name → techniques its page lists
}

// drawnMits is what one page's diagram shows for one technique.
type drawnMits struct {
	file, technique string
	mits            map[string]bool
}

func newVaultBuilder() *vaultBuilder {
	return &vaultBuilder{
		c:           &Catalog{},
		techniques:  map[string]*Technique{},
		techNamed:   map[string]bool{},
		mitigations: map[string]*Mitigation{},
		mitNamed:    map[string]bool{},
		groups:      map[string]*Group{},
		groupUses:   map[string]map[string]*Use{},
		campaigns:   map[string]*Campaign{},
		software:    map[string]*Software{},
		tactics:     map[string]*Tactic{},
		pageOf:      map[string]string{},
		pageMits:    map[string]map[string]bool{},
		pageHasMits: map[string]bool{},
		tacticTechs: map[string][]string{},
	}
}

func (b *vaultBuilder) warn(file, object, msg string) {
	b.c.warn(Warning{File: file, Object: object, Message: msg})
}

// technique returns the technique with id, creating it from a reference
// (a link or a diagram node) when no page has defined it yet.
func (b *vaultBuilder) technique(ref VaultRef) *Technique {
	t := b.techniques[ref.ID]
	if t == nil {
		t = &Technique{ID: ref.ID}
		if i := strings.IndexByte(ref.ID, '.'); i > 0 {
			t.Parent = ref.ID[:i] // sub-technique parent from the ID
		}
		b.techniques[ref.ID] = t
	}
	if t.Name == "" {
		t.Name = ref.Name
	}
	return t
}

func (b *vaultBuilder) mitigation(ref VaultRef) *Mitigation {
	m := b.mitigations[ref.ID]
	if m == nil {
		m = &Mitigation{ID: ref.ID}
		b.mitigations[ref.ID] = m
	}
	if m.Name == "" {
		m.Name = ref.Name
	}
	return m
}

func (b *vaultBuilder) group(ref VaultRef) *Group {
	g := b.groups[ref.ID]
	if g == nil {
		g = &Group{ID: ref.ID, Name: ref.Name}
		b.groups[ref.ID] = g
		b.groupUses[ref.ID] = map[string]*Use{}
	}
	return g
}

func (b *vaultBuilder) campaign(ref VaultRef) *Campaign {
	cp := b.campaigns[ref.ID]
	if cp == nil {
		cp = &Campaign{ID: ref.ID, Name: ref.Name}
		b.campaigns[ref.ID] = cp
	}
	return cp
}

func (b *vaultBuilder) softwareRef(ref VaultRef) *Software {
	s := b.software[ref.ID]
	if s == nil {
		s = &Software{ID: ref.ID, Name: ref.Name}
		b.software[ref.ID] = s
	}
	return s
}

// addPage parses one page and merges what it says.
func (b *vaultBuilder) addPage(file string, data []byte) {
	if len(data) == 0 {
		b.warn(file, "", "empty page (0 bytes) skipped")
		return
	}
	p, err := ParseVaultPage(file, data)
	for _, n := range p.Notes {
		b.warn(file, p.ID, n)
	}
	if err != nil {
		b.warn(file, "", err.Error()+"; page skipped")
		return
	}
	if prev, ok := b.pageOf[p.ID]; ok {
		// The same object on two pages (a vault and a page saved from it):
		// names and descriptions come from the first, lists are merged.
		b.warn(file, p.ID, fmt.Sprintf("%s is also described by %s; lists merged, name and description kept from %s", p.ID, prev, prev))
	} else {
		b.pageOf[p.ID] = file
	}
	b.pages++
	self := VaultRef{ID: p.ID, Name: p.Name}

	switch p.Kind {
	case PageGroup:
		g := b.group(self)
		b.describe(&g.Name, &g.Description, p)
		g.Aliases = mergeStrings(g.Aliases, p.Aliases)
		for _, t := range b.pageTechniques(p) {
			b.use(g.ID, t).Direct = true
		}
		var sw []string
		for _, s := range p.Software {
			sw = append(sw, b.softwareRef(s).ID)
		}
		g.Software = mergeStrings(g.Software, sw)
		for _, cr := range p.Campaigns {
			cp := b.campaign(cr)
			cp.Groups = mergeStrings(cp.Groups, []string{g.ID})
		}
	case PageCampaign:
		cp := b.campaign(self)
		b.describe(&cp.Name, &cp.Description, p)
		cp.Aliases = mergeStrings(cp.Aliases, p.Aliases)
		cp.Techniques = mergeStrings(cp.Techniques, b.pageTechniques(p))
		var gs []string
		for _, gr := range p.Groups {
			gs = append(gs, b.group(gr).ID)
		}
		cp.Groups = mergeStrings(cp.Groups, gs)
	case PageSoftware:
		s := b.softwareRef(self)
		var desc string
		b.describe(&s.Name, &desc, p)
		s.Aliases = mergeStrings(s.Aliases, p.Aliases)
		for _, tag := range p.Tags {
			if t := strings.ToLower(strings.TrimLeft(tag, "#")); t == "malware" || t == "tool" {
				s.Type = t
			}
		}
		s.Techniques = mergeStrings(s.Techniques, b.pageTechniques(p))
		for _, gr := range p.Groups {
			g := b.group(gr)
			g.Software = mergeStrings(g.Software, []string{s.ID})
		}
	case PageTechnique:
		t := b.technique(self)
		if !b.techNamed[t.ID] && p.Name != "" {
			t.Name, b.techNamed[t.ID] = p.Name, true
		}
		if t.Description == "" {
			t.Description = p.Description
		}
		if p.HasMitigations {
			b.pageHasMits[t.ID] = true
			set := b.pageMitSet(t.ID)
			for _, m := range p.Mitigations {
				b.mitigation(m)
				set[m.ID] = true
			}
		}
	case PageMitigation:
		m := b.mitigation(self)
		if !b.mitNamed[m.ID] && p.Name != "" {
			m.Name, b.mitNamed[m.ID] = p.Name, true
		}
		if m.Description == "" {
			m.Description = p.Description
		}
		// A mitigation page that lists techniques is as complete a record
		// as a technique page.
		for _, tr := range p.Techniques {
			t := b.technique(tr)
			b.pageHasMits[t.ID] = true
			b.pageMitSet(t.ID)[m.ID] = true
		}
	case PageTactic:
		if _, ok := b.tactics[p.ID]; !ok {
			b.tactics[p.ID] = &Tactic{ID: p.ID, Name: p.Name, ShortName: tacticShortName(p.Name), Description: p.Description}
			short := tacticShortName(p.Name)
			for _, tr := range p.Techniques {
				b.technique(tr)
				b.tacticTechs[short] = append(b.tacticTechs[short], tr.ID)
			}
		}
	}
	b.addDrawnMitigations(p)
}

// describe fills a name and description the first page for an ID gives.
func (b *vaultBuilder) describe(name, desc *string, p VaultPage) {
	if *name == "" || b.pageOf[p.ID] == p.File {
		if p.Name != "" {
			*name = p.Name
		}
	}
	if *desc == "" {
		*desc = p.Description
	}
}

// pageTechniques returns the techniques a group, campaign or software page
// says its subject uses: its list and the diagram's arrows from its own
// node. Either may be missing (a page cut short, a vault without
// diagrams), so both count; a technique in only one is reported because it
// usually means a page was edited by hand.
func (b *vaultBuilder) pageTechniques(p VaultPage) []string {
	listed := map[string]bool{}
	for _, r := range p.Techniques {
		b.technique(r)
		listed[r.ID] = true
	}
	drawn := map[string]bool{}
	for _, e := range p.Edges {
		if e.From.ID == p.ID && kindOfID(e.To.ID) == PageTechnique {
			b.technique(e.To)
			drawn[e.To.ID] = true
		}
	}
	if p.HasTechniques && p.Diagram {
		if d := setDiff(listed, drawn); len(d) > 0 {
			b.warn(p.File, p.ID, fmt.Sprintf("listed but not in the diagram: %s", strings.Join(d, " ")))
		}
		if d := setDiff(drawn, listed); len(d) > 0 {
			b.warn(p.File, p.ID, fmt.Sprintf("in the diagram but not listed: %s", strings.Join(d, " ")))
		}
	}
	for t := range drawn {
		listed[t] = true
	}
	return sortedKeys(listed)
}

func (b *vaultBuilder) pageMitSet(tid string) map[string]bool {
	s := b.pageMits[tid]
	if s == nil {
		s = map[string]bool{}
		b.pageMits[tid] = s
	}
	return s
}

// addDrawnMitigations collects a diagram's technique → mitigation arrows.
// Every technique node in the diagram is recorded, with or without arrows,
// because a drawn technique with no arrow says "no mitigation".
func (b *vaultBuilder) addDrawnMitigations(p VaultPage) {
	if !p.Diagram {
		return
	}
	byTech := map[string]map[string]bool{}
	var order []string
	touch := func(r VaultRef) map[string]bool {
		if kindOfID(r.ID) != PageTechnique {
			return nil
		}
		b.technique(r)
		s, ok := byTech[r.ID]
		if !ok {
			s = map[string]bool{}
			byTech[r.ID] = s
			order = append(order, r.ID)
		}
		return s
	}
	odd := 0
	for _, e := range p.Edges {
		from, to := touch(e.From), touch(e.To)
		switch {
		case from != nil && kindOfID(e.To.ID) == PageMitigation:
			b.mitigation(e.To)
			from[e.To.ID] = true
		case e.From.ID == p.ID && to != nil:
			// a use; pageTechniques handles it
		case from != nil && kindOfID(e.To.ID) != "":
			// Old ATT&CK had course-of-action objects with technique IDs;
			// only M-IDs are mitigations (SPEC §1).
			if odd++; odd <= 5 {
				b.warn(p.File, p.ID, fmt.Sprintf("diagram arrow %s --> %s ignored: only M-IDs are mitigations", e.From.ID, e.To.ID))
			}
		default:
			if odd++; odd <= 5 {
				b.warn(p.File, p.ID, fmt.Sprintf("diagram arrow %s --> %s ignored: expected page --> technique or technique --> mitigation", e.From.ID, e.To.ID))
			}
		}
	}
	for _, t := range order {
		b.drawn = append(b.drawn, drawnMits{file: p.File, technique: t, mits: byTech[t]})
	}
}

// build resolves the technique → mitigation map and the reverse links and
// returns the catalog (not yet indexed).
func (b *vaultBuilder) build() *Catalog {
	c := b.c
	// Which source wins: a technique's own page (or the mitigation pages
	// that list it) is the complete record; a group page's diagram is a
	// picture of it for the techniques that group uses, generated at some
	// point and possibly stale or trimmed. So where a technique page lists
	// mitigations, it wins and each disagreeing diagram is reported. Where
	// no page does, the diagrams are all there is: their union is used, and
	// diagrams that disagree with each other are reported.
	fromDiagrams := map[string]map[string]bool{}
	firstDrawn := map[string]drawnMits{}
	for _, d := range b.drawn {
		if b.pageHasMits[d.technique] {
			if page := b.pageMits[d.technique]; !sameSet(page, d.mits) {
				b.warn(d.file, d.technique, fmt.Sprintf("diagram shows mitigations %s but the technique's page lists %s (%s); the technique page is used",
					setString(d.mits), setString(page), diffString(page, d.mits)))
			}
			continue
		}
		if first, ok := firstDrawn[d.technique]; !ok {
			firstDrawn[d.technique] = d
		} else if !sameSet(first.mits, d.mits) {
			b.warn(d.file, d.technique, fmt.Sprintf("diagram shows mitigations %s but %s shows %s; both are used",
				setString(d.mits), first.file, setString(first.mits)))
		}
		s := fromDiagrams[d.technique]
		if s == nil {
			s = map[string]bool{}
			fromDiagrams[d.technique] = s
		}
		for m := range d.mits {
			s[m] = true
		}
	}

	for id, t := range b.techniques {
		mits := fromDiagrams[id]
		if b.pageHasMits[id] {
			mits = b.pageMits[id]
		}
		t.Mitigations = sortedKeys(mits)
		for _, m := range t.Mitigations {
			mt := b.mitigations[m]
			mt.Techniques = append(mt.Techniques, id)
		}
		if t.Parent != "" {
			if p := b.techniques[t.Parent]; p != nil {
				p.Subtechniques = append(p.Subtechniques, id)
			}
		}
		c.Techniques = append(c.Techniques, t)
	}
	for _, t := range c.Techniques {
		sort.Strings(t.Subtechniques)
	}
	for _, m := range b.mitigations {
		sort.Strings(m.Techniques)
		c.Mitigations = append(c.Mitigations, m)
	}

	// Campaign techniques count for the groups a campaign is attributed to
	// (SPEC §2), software techniques for the groups that use it; the
	// UseOptions decide later whether they are counted.
	for _, cp := range b.campaigns {
		for _, gid := range cp.Groups {
			g := b.group(VaultRef{ID: gid})
			g.Campaigns = mergeStrings(g.Campaigns, []string{cp.ID})
			for _, t := range cp.Techniques {
				u := b.use(gid, t)
				u.Campaigns = mergeStrings(u.Campaigns, []string{cp.ID})
			}
		}
		c.Campaigns = append(c.Campaigns, cp)
	}
	for _, g := range b.groups {
		for _, sid := range g.Software {
			s := b.software[sid]
			for _, t := range s.Techniques {
				u := b.use(g.ID, t)
				u.Software = mergeStrings(u.Software, []string{sid})
			}
		}
	}
	for gid, g := range b.groups {
		g.Uses = g.Uses[:0]
		for _, t := range sortedKeys(b.groupUses[gid]) {
			g.Uses = append(g.Uses, *b.groupUses[gid][t])
		}
		if g.Name == "" {
			b.warn("", g.ID, "group named by a link but without a page of its own")
			g.Name = g.ID
		}
		c.Groups = append(c.Groups, g)
	}
	for _, s := range b.software {
		c.Software = append(c.Software, s)
	}

	for _, t := range b.tactics {
		c.Tactics = append(c.Tactics, *t)
	}
	sort.Slice(c.Tactics, func(i, j int) bool {
		oi, oj := tacticRank(c.Tactics[i].ID), tacticRank(c.Tactics[j].ID)
		if oi != oj {
			return oi < oj
		}
		return c.Tactics[i].ID < c.Tactics[j].ID
	})
	for _, ta := range c.Tactics {
		for _, tid := range b.tacticTechs[ta.ShortName] {
			t := b.techniques[tid]
			t.Tactics = mergeStringsStable(t.Tactics, ta.ShortName)
		}
	}
	return c
}

func (b *vaultBuilder) use(gid, tid string) *Use {
	uses := b.groupUses[gid]
	if uses == nil {
		uses = map[string]*Use{}
		b.groupUses[gid] = uses
	}
	u := uses[tid]
	if u == nil {
		u = &Use{Technique: tid}
		uses[tid] = u
	}
	return u
}

// tacticShortName derives the kill-chain phase name STIX uses from the
// tactic's name: "Command and Control" → "command-and-control".
func tacticShortName(name string) string {
	return strings.Join(strings.Fields(strings.ToLower(name)), "-")
}

// enterpriseTacticOrder is the column order of the Enterprise matrix;
// vault pages do not record it. Tactics of other domains follow by ID.
var enterpriseTacticOrder = []string{
	"TA0043", "TA0042", "TA0001", "TA0002", "TA0003", "TA0004", "TA0005",
	"TA0006", "TA0007", "TA0008", "TA0009", "TA0011", "TA0010", "TA0040",
}

func tacticRank(id string) int {
	for i, t := range enterpriseTacticOrder {
		if t == id {
			return i
		}
	}
	return len(enterpriseTacticOrder)
}

// mergeStrings adds the strings of add that s lacks and keeps s sorted.
// Callers pass whole lists at once: sorting per call keeps a page with
// thousands of links from costing quadratic time.
func mergeStrings(s, add []string) []string {
	if len(add) == 0 {
		return s
	}
	s = append(s, add...)
	sort.Strings(s)
	return slices.Compact(s)
}

// mergeStringsStable appends a to s unless present, keeping order.
func mergeStringsStable(s []string, a string) []string {
	for _, x := range s {
		if x == a {
			return s
		}
	}
	return append(s, a)
}

func setDiff(a, b map[string]bool) []string {
	var out []string
	for k := range a {
		if !b[k] {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func sameSet(a, b map[string]bool) bool {
	return len(setDiff(a, b)) == 0 && len(setDiff(b, a)) == 0
}

func setString(s map[string]bool) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(sortedKeys(s), " ")
}

// diffString says what a diagram lacks and adds compared with the page.
func diffString(page, drawn map[string]bool) string {
	var parts []string
	if d := setDiff(page, drawn); len(d) > 0 {
		parts = append(parts, "diagram lacks "+strings.Join(d, " "))
	}
	if d := setDiff(drawn, page); len(d) > 0 {
		parts = append(parts, "diagram adds "+strings.Join(d, " "))
	}
	return strings.Join(parts, "; ")
}
