package attack

import (
	"fmt"
	"sort"
	"strings"
)

// index holds the lookup maps of a Catalog. Keys are folded with fold.
type index struct {
	tactics     map[string]*Tactic // by short name and by ID
	techniques  map[string]*Technique
	techByName  map[string][]*Technique // several techniques may share a name
	mitigations map[string]*Mitigation
	mitByName   map[string]*Mitigation
	groups      map[string]*Group // by ID, name and alias
	campaigns   map[string]*Campaign
	software    map[string]*Software
	retired     map[Kind]map[string]*Retired // by ID and by name
}

// Index sorts the catalog's lists and (re)builds its lookup maps. Loaders
// call it; code that builds or edits a Catalog by hand must call it before
// the first lookup.
func (c *Catalog) Index() {
	sort.Slice(c.Techniques, func(i, j int) bool { return c.Techniques[i].ID < c.Techniques[j].ID })
	sort.Slice(c.Mitigations, func(i, j int) bool { return c.Mitigations[i].ID < c.Mitigations[j].ID })
	sort.Slice(c.Groups, func(i, j int) bool { return c.Groups[i].ID < c.Groups[j].ID })
	sort.Slice(c.Campaigns, func(i, j int) bool { return c.Campaigns[i].ID < c.Campaigns[j].ID })
	sort.Slice(c.Software, func(i, j int) bool { return c.Software[i].ID < c.Software[j].ID })
	for _, g := range c.Groups {
		sort.Slice(g.Uses, func(i, j int) bool { return g.Uses[i].Technique < g.Uses[j].Technique })
	}

	x := index{
		tactics:     make(map[string]*Tactic, 2*len(c.Tactics)),
		techniques:  make(map[string]*Technique, len(c.Techniques)),
		techByName:  make(map[string][]*Technique, len(c.Techniques)),
		mitigations: make(map[string]*Mitigation, len(c.Mitigations)),
		mitByName:   make(map[string]*Mitigation, len(c.Mitigations)),
		groups:      make(map[string]*Group, 4*len(c.Groups)),
		campaigns:   make(map[string]*Campaign, len(c.Campaigns)),
		software:    make(map[string]*Software, len(c.Software)),
		retired:     map[Kind]map[string]*Retired{},
	}
	for i := range c.Tactics {
		t := &c.Tactics[i]
		x.tactics[fold(t.ShortName)] = t
		x.tactics[fold(t.ID)] = t
	}
	for _, t := range c.Techniques {
		x.techniques[t.ID] = t
		k := fold(t.Name)
		x.techByName[k] = append(x.techByName[k], t)
	}
	for _, m := range c.Mitigations {
		x.mitigations[m.ID] = m
		x.mitByName[fold(m.Name)] = m
	}
	// IDs first, then names, then aliases: an alias never shadows a name.
	for _, g := range c.Groups {
		x.groups[fold(g.ID)] = g
	}
	for _, g := range c.Groups {
		if _, ok := x.groups[fold(g.Name)]; !ok {
			x.groups[fold(g.Name)] = g
		}
	}
	for _, g := range c.Groups {
		for _, a := range g.Aliases {
			if _, ok := x.groups[fold(a)]; !ok {
				x.groups[fold(a)] = g
			}
		}
	}
	for _, cp := range c.Campaigns {
		x.campaigns[cp.ID] = cp
	}
	for _, s := range c.Software {
		x.software[s.ID] = s
	}
	for i := range c.Retired {
		r := &c.Retired[i]
		m := x.retired[r.Kind]
		if m == nil {
			m = map[string]*Retired{}
			x.retired[r.Kind] = m
		}
		// A revoked entry with a replacement is the more useful answer when
		// an ID or name was retired twice.
		for _, k := range []string{fold(r.ID), fold(r.Name)} {
			if k == "" {
				continue
			}
			if old, ok := m[k]; !ok || (old.ReplacedBy == "" && r.ReplacedBy != "") {
				m[k] = r
			}
		}
	}
	c.idx = x
}

// fold is the case- and space-insensitive key used for names and IDs.
func fold(s string) string {
	// Most keys (IDs aside) are already folded or differ only in ASCII
	// case; Index folds thousands of them at every load, so the common
	// cases avoid Fields and Join.
	ascii, clean := true, true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 0x80:
			ascii = false
		case c == ' ':
			if i == 0 || i == len(s)-1 || s[i-1] == ' ' {
				clean = false
			}
		case c < ' ':
			clean = false
		}
	}
	if !ascii || !clean {
		return strings.ToLower(strings.Join(strings.Fields(s), " "))
	}
	return strings.ToLower(s)
}

// NormalizeTechniqueID turns " t1567/002 " into "T1567.002"; other strings
// are returned trimmed and upper-cased.
func NormalizeTechniqueID(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	return strings.ReplaceAll(s, "/", ".")
}

// Tactic returns the tactic with the given short name or TA-ID, or nil.
func (c *Catalog) Tactic(ref string) *Tactic { return c.idx.tactics[fold(ref)] }

// Technique returns the active technique with the given ID (T1567.002 or
// T1567/002, any case), or nil.
func (c *Catalog) Technique(id string) *Technique {
	return c.idx.techniques[NormalizeTechniqueID(id)]
}

// Mitigation returns the active mitigation with the given ID, or nil.
func (c *Catalog) Mitigation(id string) *Mitigation {
	return c.idx.mitigations[strings.ToUpper(strings.TrimSpace(id))]
}

// Group returns the active group with the given ID, name or alias
// (case-insensitive), or nil.
func (c *Catalog) Group(ref string) *Group { return c.idx.groups[fold(ref)] }

// Campaign returns the active campaign with the given ID, or nil.
func (c *Catalog) Campaign(id string) *Campaign {
	return c.idx.campaigns[strings.ToUpper(strings.TrimSpace(id))]
}

// SoftwareByID returns the active software with the given ID, or nil.
func (c *Catalog) SoftwareByID(id string) *Software {
	return c.idx.software[strings.ToUpper(strings.TrimSpace(id))]
}

// RetiredObject returns the revoked or deprecated object of kind k with the
// given ID or name, or nil.
func (c *Catalog) RetiredObject(k Kind, ref string) *Retired { return c.idx.retired[k][fold(ref)] }

// LookupError says that a reference names no active object, why (a
// retired object), and what was probably meant.
type LookupError struct {
	Kind        Kind
	Query       string
	Retired     *Retired // the query names a deprecated object, or a revoked one with no active successor
	Version     string   // the catalog's ATT&CK version, for the message
	Domain      string   // the catalog's domain; named in the message unless Enterprise
	Suggestions []string // "M1032 Multi-factor Authentication", closest first
}

func (e *LookupError) Error() string {
	var b strings.Builder
	in := "the catalog"
	if e.Version != "" {
		in = "ATT&CK " + e.Version
	}
	// Enterprise is what people mean by ATT&CK; other domains are named, so
	// an Enterprise ID read against ICS explains itself.
	switch e.Domain {
	case ICS:
		in = strings.Replace(in, "ATT&CK", "ATT&CK for ICS", 1)
	case Mobile:
		in = strings.Replace(in, "ATT&CK", "ATT&CK for Mobile", 1)
	}
	switch {
	case e.Retired != nil && e.Retired.Deprecated:
		fmt.Fprintf(&b, "%s %s %q is deprecated in %s and never counts", e.Kind, e.Retired.ID, e.Retired.Name, in)
	case e.Retired != nil:
		fmt.Fprintf(&b, "%s %s %q is revoked in %s with no active replacement", e.Kind, e.Retired.ID, e.Retired.Name, in)
	default:
		fmt.Fprintf(&b, "%q names no active %s in %s", e.Query, e.Kind, in)
	}
	if len(e.Suggestions) > 0 {
		b.WriteString("; did you mean ")
		b.WriteString(strings.Join(e.Suggestions, ", "))
		b.WriteString("?")
	}
	return b.String()
}

// Resolution is what a reference resolved to. Via is set when the reference
// named a revoked object that was followed to its active replacement, so the
// caller can report the substitution.
type Resolution[T any] struct {
	Value *T
	Via   *Retired
}

// FindTechnique resolves a technique ID (T1078, T1078.004, T1078/004) or an
// exact name (case-insensitive). A name shared by several techniques is an
// error that lists them, since scoring keys on IDs.
func (c *Catalog) FindTechnique(ref string) (Resolution[Technique], error) {
	q := strings.TrimSpace(ref)
	if t := c.Technique(q); t != nil {
		return Resolution[Technique]{Value: t}, nil
	}
	if ts := c.idx.techByName[fold(q)]; len(ts) == 1 {
		return Resolution[Technique]{Value: ts[0]}, nil
	} else if len(ts) > 1 {
		e := &LookupError{Kind: KindTechnique, Query: ref, Version: c.Version, Domain: c.Domain}
		for _, t := range ts {
			e.Suggestions = append(e.Suggestions, t.ID+" "+t.Name)
		}
		return Resolution[Technique]{}, e
	}
	r := c.RetiredObject(KindTechnique, NormalizeTechniqueID(q))
	if r == nil {
		r = c.RetiredObject(KindTechnique, q)
	}
	if r != nil && r.ReplacedBy != "" {
		if t := c.Technique(r.ReplacedBy); t != nil {
			return Resolution[Technique]{Value: t, Via: r}, nil
		}
	}
	return Resolution[Technique]{}, &LookupError{Kind: KindTechnique, Query: ref, Retired: r, Version: c.Version, Domain: c.Domain,
		Suggestions: c.suggestTechniques(q)}
}

// FindMitigation resolves a mitigation ID (M1032, any case) or an exact name
// (case-insensitive). A revoked mitigation is followed to its replacement; a
// deprecated one, such as the old course-of-action objects whose ID is a
// technique ID, is an error that says so.
func (c *Catalog) FindMitigation(ref string) (Resolution[Mitigation], error) {
	q := strings.TrimSpace(ref)
	if m := c.Mitigation(q); m != nil {
		return Resolution[Mitigation]{Value: m}, nil
	}
	if m := c.idx.mitByName[fold(q)]; m != nil {
		return Resolution[Mitigation]{Value: m}, nil
	}
	r := c.RetiredObject(KindMitigation, q)
	if r != nil && r.ReplacedBy != "" {
		if m := c.Mitigation(r.ReplacedBy); m != nil {
			return Resolution[Mitigation]{Value: m, Via: r}, nil
		}
	}
	sugg := c.suggestMitigations(q)
	// The old course-of-action objects carry their technique's ID; what
	// replaced them is that technique's M-mitigations, not mitigations
	// whose names or IDs look alike.
	if r != nil && strings.HasPrefix(r.ID, "T") {
		if s := c.MitigationsFor(r.ID); len(s) > 0 {
			sugg = s
		}
	}
	return Resolution[Mitigation]{}, &LookupError{Kind: KindMitigation, Query: ref, Retired: r, Version: c.Version, Domain: c.Domain,
		Suggestions: sugg}
}

// MitigationsFor lists technique techID's deployable mitigations as
// "M1032 Multi-factor Authentication": what to suggest when someone names
// the technique, or its retired course of action, where a mitigation
// belongs.
func (c *Catalog) MitigationsFor(techID string) []string {
	t := c.Technique(techID)
	if t == nil {
		return nil
	}
	var out []string
	for _, id := range t.Mitigations {
		if m := c.Mitigation(id); m != nil && Deployable(id) {
			out = append(out, m.ID+" "+m.Name)
		}
	}
	return out
}

// FindGroup resolves a group ID, name or alias (case-insensitive). A revoked
// group is followed to its replacement.
func (c *Catalog) FindGroup(ref string) (Resolution[Group], error) {
	q := strings.TrimSpace(ref)
	if g := c.Group(q); g != nil {
		return Resolution[Group]{Value: g}, nil
	}
	r := c.RetiredObject(KindGroup, q)
	if r != nil && r.ReplacedBy != "" {
		if g := c.Group(r.ReplacedBy); g != nil {
			return Resolution[Group]{Value: g, Via: r}, nil
		}
	}
	return Resolution[Group]{}, &LookupError{Kind: KindGroup, Query: ref, Retired: r, Version: c.Version, Domain: c.Domain,
		Suggestions: c.suggestGroups(q)}
}

func (c *Catalog) suggestMitigations(q string) []string {
	cands := make([]Candidate, 0, 2*len(c.Mitigations))
	for _, m := range c.Mitigations {
		label := m.ID + " " + m.Name
		cands = append(cands, Candidate{m.ID, label}, Candidate{m.Name, label})
	}
	return Suggest(q, cands, 3)
}

func (c *Catalog) suggestTechniques(q string) []string {
	cands := make([]Candidate, 0, 2*len(c.Techniques))
	for _, t := range c.Techniques {
		label := t.ID + " " + t.Name
		cands = append(cands, Candidate{t.ID, label}, Candidate{t.Name, label})
	}
	return Suggest(q, cands, 3)
}

func (c *Catalog) suggestGroups(q string) []string {
	var cands []Candidate
	for _, g := range c.Groups {
		label := g.Name + " " + g.ID
		cands = append(cands, Candidate{g.ID, label}, Candidate{g.Name, label})
		for _, a := range g.Aliases {
			cands = append(cands, Candidate{a, label})
		}
	}
	return Suggest(q, cands, 3)
}
