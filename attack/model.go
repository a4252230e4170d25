// Package attack holds one loaded MITRE ATT&CK knowledge base (a Catalog):
// its tactics, techniques, mitigations, groups, campaigns and software, and
// the relations between them that covgap scores against.
//
// It loads catalogs from STIX 2.1 bundles, from Markdown vault pages and from
// the snapshots embedded in the binary, and answers lookups by ID, name or
// alias with "did you mean" suggestions. It never reads inventories and never
// scores anything: data flows one way, from here to inventory and analyzer.
//
// Only active objects are part of a Catalog's main lists; revoked and
// deprecated ones are kept aside in Retired so that a stale reference in an
// inventory or profile can be explained and, where ATT&CK names one, followed
// to its replacement.
package attack

import (
	"fmt"
	"sort"
	"strings"
)

// Domains of ATT&CK, as STIX bundles and Navigator layers name them.
const (
	Enterprise = "enterprise-attack"
	ICS        = "ics-attack"
	Mobile     = "mobile-attack"
)

// PreCompromise is ATT&CK's M1056, which mitigates pre-compromise techniques
// but names no control an organisation can deploy; scoring ignores it.
const PreCompromise = "M1056"

// LimitedOrNotEffective is ATT&CK for ICS's M0816, "Mitigation Limited or
// Not Effective": ICS's way of saying a technique has no deployable
// mitigation, the counterpart of Enterprise's M1056.
const LimitedOrNotEffective = "M0816"

// Deployable reports whether mitigation id names a control an organisation
// can deploy. M1056 and M0816 only say that none exists, so SPEC §4 leaves
// them out of M(t): a technique they alone mitigate is unmitigable, and
// they are never recommended.
func Deployable(id string) bool { return id != PreCompromise && id != LimitedOrNotEffective }

// Tactic is a column of the ATT&CK matrix.
type Tactic struct {
	ID          string `json:"id"`        // TA0001
	ShortName   string `json:"shortname"` // initial-access, as kill-chain phases and Navigator name it
	Name        string `json:"name"`      // Initial Access
	Description string `json:"description,omitempty"`
}

// Technique is an active attack-pattern: a technique (T1078) or a
// sub-technique (T1078.004).
type Technique struct {
	ID            string   `json:"id"`
	Name          string   `json:"name"`
	Tactics       []string `json:"tactics,omitempty"` // tactic short names, in matrix order
	Platforms     []string `json:"platforms,omitempty"`
	Parent        string   `json:"parent,omitempty"`        // parent technique ID for a sub-technique
	Subtechniques []string `json:"subtechniques,omitempty"` // sorted IDs
	Description   string   `json:"description,omitempty"`
	// Mitigations are the active M-mitigations that mitigate this technique
	// (M1056 included; scoring drops it), sorted by ID. A sub-technique has
	// its own list and never inherits its parent's.
	Mitigations []string `json:"mitigations,omitempty"`
}

// IsSub reports whether t is a sub-technique.
func (t *Technique) IsSub() bool { return t.Parent != "" }

// URL is the technique's page on attack.mitre.org.
func (t *Technique) URL() string { return TechniqueURL(t.ID) }

// Mitigation is an active ATT&CK course-of-action whose ID starts with M.
type Mitigation struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	Techniques  []string `json:"techniques,omitempty"` // sorted technique IDs it mitigates
}

// URL is the mitigation's page on attack.mitre.org.
func (m *Mitigation) URL() string { return MitigationURL(m.ID) }

// Use records that a group uses a technique and where that knowledge came
// from, so that the campaign and software options can be applied when the
// catalog is queried rather than when it is loaded (the embedded snapshot
// then serves every combination of options).
type Use struct {
	Technique string   `json:"technique"`
	Direct    bool     `json:"direct,omitempty"`    // intrusion-set uses attack-pattern
	Campaigns []string `json:"campaigns,omitempty"` // C-IDs of attributed campaigns that use it
	Software  []string `json:"software,omitempty"`  // S-IDs of the group's software that uses it
}

// Group is an active ATT&CK intrusion-set. A custom group (from a Navigator
// layer or a Workbench bundle) has the same shape.
type Group struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Aliases     []string `json:"aliases,omitempty"`
	Description string   `json:"description,omitempty"`
	Uses        []Use    `json:"uses,omitempty"`      // sorted by technique ID, one entry per technique
	Campaigns   []string `json:"campaigns,omitempty"` // C-IDs attributed to the group
	Software    []string `json:"software,omitempty"`  // S-IDs the group uses
}

// URL is the group's page on attack.mitre.org.
func (g *Group) URL() string { return GroupURL(g.ID) }

// Campaign is an active ATT&CK campaign.
type Campaign struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Aliases     []string `json:"aliases,omitempty"`
	Description string   `json:"description,omitempty"`
	Groups      []string `json:"groups,omitempty"`     // G-IDs it is attributed to
	Techniques  []string `json:"techniques,omitempty"` // sorted technique IDs it uses
}

// Software is an active ATT&CK malware or tool.
type Software struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	Type       string   `json:"type"` // "malware" or "tool"
	Aliases    []string `json:"aliases,omitempty"`
	Techniques []string `json:"techniques,omitempty"` // sorted technique IDs it uses
}

// Kind names the sort of object a Retired entry or a lookup is about.
type Kind string

// Kinds of objects that lookups resolve.
const (
	KindTechnique  Kind = "technique"
	KindMitigation Kind = "mitigation"
	KindGroup      Kind = "group"
)

// Retired is a revoked or deprecated object, kept so that references to it
// can be explained. The ~224 old course-of-action objects whose ATT&CK ID is
// a technique ID are retired mitigations of this kind.
type Retired struct {
	Kind       Kind   `json:"kind"`
	ID         string `json:"id"`
	Name       string `json:"name"`
	Revoked    bool   `json:"revoked,omitempty"`
	Deprecated bool   `json:"deprecated,omitempty"`
	ReplacedBy string `json:"replaced_by,omitempty"` // ATT&CK ID of the revoked-by target, when active
}

// Warning is a problem found while loading that did not stop the load, such
// as a relationship to an object the bundle does not contain.
type Warning struct {
	File    string `json:"file,omitempty"`
	Object  string `json:"object,omitempty"` // STIX id, ATT&CK ID or page
	Message string `json:"message"`
}

func (w Warning) String() string {
	var b strings.Builder
	if w.File != "" {
		b.WriteString(w.File)
		b.WriteString(": ")
	}
	if w.Object != "" {
		b.WriteString(w.Object)
		b.WriteString(": ")
	}
	b.WriteString(w.Message)
	return b.String()
}

// Catalog is one loaded ATT&CK knowledge base. Its slices are sorted by ID
// (tactics in matrix order). Call Index after building or changing one by
// hand; the loaders do it themselves.
type Catalog struct {
	Domain  string `json:"domain"`
	Version string `json:"version"` // "18.1"; "" when unknown (a vault without --attack-version)
	Source  string `json:"source"`  // "embedded", or the files it was loaded from

	Tactics     []Tactic      `json:"tactics"`
	Techniques  []*Technique  `json:"techniques"`
	Mitigations []*Mitigation `json:"mitigations"`
	Groups      []*Group      `json:"groups"`
	Campaigns   []*Campaign   `json:"campaigns,omitempty"`
	Software    []*Software   `json:"software,omitempty"`
	Retired     []Retired     `json:"retired,omitempty"`

	Warnings []Warning `json:"-"`

	idx     index
	dropped int // warnings past maxWarnings, counted by warn
}

// maxWarnings keeps a broken export or a vault full of broken pages from
// burying its first, telling warnings under a million similar ones, and
// from costing memory for each.
const maxWarnings = 1000

// warn records a loading problem, up to maxWarnings; the rest are counted
// and summarised by finishWarnings.
func (c *Catalog) warn(w Warning) {
	if len(c.Warnings) < maxWarnings {
		c.Warnings = append(c.Warnings, w)
	} else {
		c.dropped++
	}
}

// finishWarnings closes a load's warnings with how many were not kept.
func (c *Catalog) finishWarnings() {
	if c.dropped > 0 {
		c.Warnings = append(c.Warnings, Warning{File: c.Source, Message: fmt.Sprintf("%d more warnings not shown", c.dropped)})
		c.dropped = 0
	}
}

// UseOptions says which sources of group → technique knowledge count.
type UseOptions struct {
	Campaigns bool // techniques of campaigns attributed to the group (SPEC default on)
	Software  bool // techniques of the group's software (SPEC default off)
}

// DefaultUseOptions are SPEC §2's defaults: campaigns count, software does not.
func DefaultUseOptions() UseOptions { return UseOptions{Campaigns: true} }

// Counts reports whether this use counts under o.
func (u Use) Counts(o UseOptions) bool {
	return u.Direct || (o.Campaigns && len(u.Campaigns) > 0) || (o.Software && len(u.Software) > 0)
}

// Sources names where a use came from: "direct", campaign IDs and software
// IDs, filtered by o, for tracing a technique back to the evidence.
func (u Use) Sources(o UseOptions) []string {
	var s []string
	if u.Direct {
		s = append(s, "direct")
	}
	if o.Campaigns {
		s = append(s, u.Campaigns...)
	}
	if o.Software {
		s = append(s, u.Software...)
	}
	return s
}

// TechniquesOf returns the IDs of the active techniques g uses under o,
// sorted. Techniques the catalog does not hold are skipped.
func (c *Catalog) TechniquesOf(g *Group, o UseOptions) []string {
	out := make([]string, 0, len(g.Uses))
	for _, u := range g.Uses {
		if u.Counts(o) && c.Technique(u.Technique) != nil {
			out = append(out, u.Technique)
		}
	}
	return out
}

// UseOf returns g's use of technique id, if any.
func (g *Group) UseOf(id string) (Use, bool) {
	i := sort.Search(len(g.Uses), func(i int) bool { return g.Uses[i].Technique >= id })
	if i < len(g.Uses) && g.Uses[i].Technique == id {
		return g.Uses[i], true
	}
	return Use{}, false
}

const site = "https://attack.mitre.org/"

// TechniqueURL links a technique ID to attack.mitre.org; sub-techniques are
// written T1567/002/ there.
func TechniqueURL(id string) string {
	return site + "techniques/" + strings.ReplaceAll(id, ".", "/") + "/"
}

// MitigationURL links a mitigation ID to attack.mitre.org.
func MitigationURL(id string) string { return site + "mitigations/" + id + "/" }

// GroupURL links a group ID to attack.mitre.org.
func GroupURL(id string) string { return site + "groups/" + id + "/" }

// TacticURL links a tactic ID to attack.mitre.org.
func TacticURL(id string) string { return site + "tactics/" + id + "/" }

// URL links any ATT&CK ID (G, T, M, S, C, TA) to attack.mitre.org; "" for
// anything else, such as a custom group's ID.
func URL(id string) string {
	switch {
	case strings.HasPrefix(id, "TA") && isDigits(id[2:]):
		return TacticURL(id)
	case len(id) >= 5 && isDigits(id[1:5]):
		switch id[0] {
		case 'T':
			return TechniqueURL(id)
		case 'M':
			return MitigationURL(id)
		case 'G':
			return GroupURL(id)
		case 'S':
			return site + "software/" + id + "/"
		case 'C':
			return site + "campaigns/" + id + "/"
		}
	}
	return ""
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
