// Package assessment keeps analyses over time: a saved assessment (one
// quarter's result in a self-contained file), the comparison of two of them
// with every change of a score attributed to its cause, the trend across
// several, and the migration of an old assessment to a newer ATT&CK catalog.
//
// An assessment carries the part of the ATT&CK map it was scored on (each
// group's techniques and each technique's mitigations), so it can be
// rescored and compared without any catalog. This package reads and writes
// assessment files; it never loads a catalog, never reads an inventory file
// and never prints.
//
// Compare splits every movement in two. With before = the old score and
// after = the new one, mid is the new inventory's levels scored on the old
// map (the old assessment's groups, techniques, mitigations, weights and
// model); Δ_inventory = mid − before, Δ_attack = after − mid, and
// Δ = Δ_inventory + Δ_attack exactly. All three are rescored from the files
// in the same order of summation, so a cause that did not change gives
// exactly 0, not rounding dust. A group without a score on either side
// (new, gone, or with no mitigable technique) has no Δ at all: a score
// that does not exist cannot move. The split is order-dependent, as any
// two-way split of a non-additive score is: ATT&CK's part is measured with
// the new levels, so a mitigation ATT&CK added to a technique the new
// inventory already covers moved nothing.
package assessment

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/covgap/covgap/analyzer"
	"github.com/covgap/covgap/attack"
	"github.com/covgap/covgap/inventory"
)

// SchemaVersion is the version of the assessment file format this package
// writes and the newest it reads. Raise it when a change would make an
// older reader misread a file; adding an optional field does not.
const SchemaVersion = 1

// Assessment is one saved analysis.
type Assessment struct {
	Schema  int       `json:"schema"`
	Created time.Time `json:"created"`
	Label   string    `json:"label,omitempty"` // "2026-Q3"

	Catalog Catalog              `json:"catalog"`
	Model   analyzer.Model       `json:"model"`
	Options analyzer.OptionsInfo `json:"options"`

	Profile Profile `json:"profile"`
	// Groups are sorted by ID.
	Groups []Group `json:"groups"`
	// Techniques are every technique of the profile, sorted by ID.
	Techniques []Technique `json:"techniques"`
	// Mitigations name every mitigation the map or the inventory refers
	// to, sorted by ID, so reports can show names without a catalog.
	Mitigations []Mitigation `json:"mitigations"`

	Inventory Inventory `json:"inventory"`

	// retiredIdx indexes Catalog.Retired by kind and ID, built on first use:
	// a comparison asks for every mitigation of both inventories.
	retiredIdx map[attack.Kind]map[string]*attack.Retired
}

// Catalog identifies the ATT&CK knowledge base an assessment was made on.
type Catalog struct {
	Domain  string `json:"domain"`
	Version string `json:"version"`
	Source  string `json:"source,omitempty"`
	// Fingerprint is a SHA-256 over the whole catalog's content (see
	// CatalogFingerprint); empty when the assessment was made without the
	// catalog at hand (New alone).
	Fingerprint string `json:"fingerprint,omitempty"`
	// MapFingerprint is a SHA-256 over the part of the map the profile
	// was scored on: every group's weight and techniques and every
	// technique's mitigations (see Assessment.MapFingerprint). Two
	// assessments with the same map fingerprint differ only by their
	// inventories (and model).
	MapFingerprint string `json:"map_fingerprint"`
	// Groups are the IDs of every active group of the catalog, so that a
	// comparison can tell a group new in ATT&CK from one added to the
	// profile. Empty when unknown.
	Groups []string `json:"groups,omitempty"`
	// Retired are the catalog's revoked and deprecated techniques,
	// mitigations and groups (the old course-of-action objects whose ID is
	// a technique ID left out), so that a comparison can name a revoked
	// technique's replacement. Empty when unknown.
	Retired []attack.Retired `json:"retired,omitempty"`
}

// Profile is the profile's weighted score.
type Profile struct {
	Name  string   `json:"name,omitempty"`
	Score *float64 `json:"score"`
	analyzer.Counts
}

// Group is one group of the profile with its score and its techniques.
type Group struct {
	ID     string   `json:"id"`
	Name   string   `json:"name"`
	Weight float64  `json:"weight"`
	Score  *float64 `json:"score"` // nil when the group has no mitigable technique
	analyzer.Counts
	// TechniqueIDs are the techniques the group uses under the
	// assessment's options, sorted. (Counts.Techniques is their number.)
	TechniqueIDs []string `json:"technique_ids"`
	// Sources say why each technique is linked to the group under the
	// assessment's options: source ("direct", a campaign ID, a software
	// ID) → the techniques it links, sorted. Compare reads them to tell a
	// technique that came or went with the campaign and software options
	// from one ATT&CK linked or unlinked. Keyed by source rather than by
	// technique because a few sources cover all of a group's techniques,
	// which keeps an all-groups file small. nil in files saved before
	// covgap recorded it: the sources are then unknown.
	Sources map[string][]string `json:"sources,omitempty"`
}

// Technique is one technique of the profile as scored.
type Technique struct {
	ID       string         `json:"id"`
	Name     string         `json:"name"`
	Tactics  []string       `json:"tactics,omitempty"`
	State    analyzer.State `json:"state"`
	Coverage float64        `json:"coverage"`
	// Mitigations are M(t) of SPEC §4 in that catalog: the active
	// M-mitigations that count for scoring (M1056 left out), sorted.
	Mitigations []string `json:"mitigations"`
}

// Mitigation names a mitigation.
type Mitigation struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Inventory is the inventory as it was read.
type Inventory struct {
	File string `json:"file,omitempty"`
	Rows int    `json:"rows"`
	// Levels are the effective level of every assessed mitigation.
	Levels        map[string]float64  `json:"levels"`
	NotApplicable []string            `json:"not_applicable,omitempty"`
	NotAssessed   []string            `json:"not_assessed,omitempty"`
	Problems      []inventory.Problem `json:"problems"`
}

// New turns a result into an assessment. It needs no catalog: the map the
// result was scored on is taken from the result's items. Call Attach as
// well when the catalog and inventory are at hand, for the catalog's
// fingerprint, group list and retired objects and the inventory's
// not-applicable rows.
func New(r *analyzer.Result, label string, created time.Time) *Assessment {
	a := &Assessment{
		Schema:  SchemaVersion,
		Created: created.UTC(),
		Label:   label,
		Catalog: Catalog{Domain: r.Attack.Domain, Version: r.Attack.Version, Source: r.Attack.Source},
		Model:   r.Model,
		Options: r.Options,
		Profile: Profile{Name: r.Profile.Name, Score: copyPtr(r.Profile.Score), Counts: r.Profile.Counts},
		Inventory: Inventory{
			File:        r.Inventory.File,
			Rows:        r.Inventory.Rows,
			Levels:      map[string]float64{},
			NotAssessed: append([]string(nil), r.Inventory.NotAssessed...),
			Problems:    append([]inventory.Problem{}, r.Inventory.Problems...),
		},
	}
	if a.Model == "" {
		a.Model = analyzer.ModelMax
	}
	for id, l := range r.Inventory.Levels {
		a.Inventory.Levels[id] = l
	}

	names := map[string]string{}
	techs := map[string]*Technique{}
	addTech := func(it analyzer.Item) {
		if _, ok := techs[it.Technique]; ok {
			return
		}
		t := &Technique{ID: it.Technique, Name: it.Name, Tactics: append([]string(nil), it.Tactics...),
			State: it.State, Coverage: it.Coverage, Mitigations: []string{}}
		for _, m := range it.Mitigations {
			names[m.ID] = m.Name
			// The analyzer already leaves M1056 out; dropping it here as
			// well keeps a rescoring right whatever the items show.
			if attack.Deployable(m.ID) {
				t.Mitigations = append(t.Mitigations, m.ID)
			}
		}
		sort.Strings(t.Mitigations)
		techs[t.ID] = t
	}
	for _, it := range r.Techniques {
		addTech(it)
	}
	for _, g := range r.Groups {
		ag := Group{ID: g.ID, Name: g.Name, Weight: g.Weight, Score: copyPtr(g.Score), Counts: g.Counts, TechniqueIDs: []string{}}
		if ag.Weight <= 0 {
			ag.Weight = 1
		}
		for _, it := range g.Items {
			addTech(it) // a profile list always holds them; a hand-made result may not
			ag.TechniqueIDs = append(ag.TechniqueIDs, it.Technique)
			for _, src := range it.Sources {
				if ag.Sources == nil {
					ag.Sources = map[string][]string{}
				}
				ag.Sources[src] = appendOnce(ag.Sources[src], it.Technique)
			}
		}
		sort.Strings(ag.TechniqueIDs)
		for _, ts := range ag.Sources {
			sort.Strings(ts)
		}
		a.Groups = append(a.Groups, ag)
	}
	sort.Slice(a.Groups, func(i, j int) bool { return a.Groups[i].ID < a.Groups[j].ID })
	for _, t := range techs {
		a.Techniques = append(a.Techniques, *t)
	}
	sort.Slice(a.Techniques, func(i, j int) bool { return a.Techniques[i].ID < a.Techniques[j].ID })
	for id := range a.Inventory.Levels {
		if _, ok := names[id]; !ok {
			names[id] = ""
		}
	}
	for id, n := range names {
		a.Mitigations = append(a.Mitigations, Mitigation{ID: id, Name: n})
	}
	sort.Slice(a.Mitigations, func(i, j int) bool { return a.Mitigations[i].ID < a.Mitigations[j].ID })
	a.Catalog.MapFingerprint = a.MapFingerprint()
	return a
}

// Attach records what only the catalog and the inventory know: the
// catalog's content fingerprint, its active groups and retired objects, the
// names of inventory mitigations the profile does not use, and the
// inventory's not-applicable mitigations. Either argument may be nil.
func (a *Assessment) Attach(cat *attack.Catalog, inv *inventory.Inventory) {
	if cat != nil {
		a.Catalog.Fingerprint = CatalogFingerprint(cat)
		a.Catalog.Groups = a.Catalog.Groups[:0]
		for _, g := range cat.Groups {
			a.Catalog.Groups = append(a.Catalog.Groups, g.ID)
		}
		sort.Strings(a.Catalog.Groups)
		a.Catalog.Retired = a.Catalog.Retired[:0]
		a.retiredIdx = nil
		for _, r := range cat.Retired {
			// The ~224 old course-of-action objects with technique IDs
			// never counted as mitigations; keeping them would only
			// bloat every file.
			if r.Kind == attack.KindMitigation && !strings.HasPrefix(r.ID, "M") {
				continue
			}
			a.Catalog.Retired = append(a.Catalog.Retired, r)
		}
		sort.Slice(a.Catalog.Retired, func(i, j int) bool {
			x, y := a.Catalog.Retired[i], a.Catalog.Retired[j]
			if x.Kind != y.Kind {
				return x.Kind < y.Kind
			}
			return x.ID < y.ID
		})
		for i, m := range a.Mitigations {
			if m.Name == "" {
				if cm := cat.Mitigation(m.ID); cm != nil {
					a.Mitigations[i].Name = cm.Name
				}
			}
		}
	}
	if inv != nil {
		a.Inventory.NotApplicable = a.Inventory.NotApplicable[:0]
		for id, ok := range inv.NotApplicable {
			if ok {
				a.Inventory.NotApplicable = append(a.Inventory.NotApplicable, id)
			}
		}
		sort.Strings(a.Inventory.NotApplicable)
	}
}

// Name returns a short name for the assessment in reports: its label, or,
// when it has none, its creation date and time in UTC to the minute. The
// time matters: assessments saved on one day without a label could not be
// told apart by their date. Names and Compare tell apart two assessments
// of the same minute.
func (a *Assessment) Name() string {
	return Names([]*Assessment{a})[0]
}

// nameFormats are the ever finer creation times an unlabelled assessment
// is named by, the first that tells it from the others being shown.
var nameFormats = []string{"2006-01-02 15:04 UTC", "2006-01-02 15:04:05 UTC", "2006-01-02 15:04:05.999999999 UTC"}

// Names names the assessments shown together (the columns of a trend, the
// two sides of a comparison) so that they can be told apart: the label
// where there is one, otherwise the creation time to the minute, or to the
// second or below when another assessment shown would get the same name.
func Names(as []*Assessment) []string {
	out := make([]string, len(as))
	for k, f := range nameFormats {
		// Decided before any is renamed, so that every name of a clash
		// gets the finer time, not only the first.
		finer := make([]bool, len(as))
		for i := range as {
			finer[i] = k == 0 || clash(out, i)
		}
		for i, a := range as {
			if a.Label != "" {
				out[i] = a.Label
			} else if finer[i] {
				out[i] = a.Created.UTC().Format(f)
			}
		}
		if !anyClash(as, out) {
			break
		}
	}
	return out
}

// clash reports whether out[i] is also another's name.
func clash(out []string, i int) bool {
	for j := range out {
		if j != i && out[j] == out[i] {
			return true
		}
	}
	return false
}

// anyClash reports whether two unlabelled assessments share a name, the
// only clash a finer time can resolve.
func anyClash(as []*Assessment, out []string) bool {
	for i, a := range as {
		if a.Label == "" && clash(out, i) {
			return true
		}
	}
	return false
}

// MapFingerprint is "sha256:" and the hex SHA-256 of the assessment's
// map, written as lines "G id weight T1,T2…" per group and "T id M1,M2…"
// per technique, both in ID order. It changes exactly when a comparison
// could find an ATT&CK or profile change, whatever the inventory.
func (a *Assessment) MapFingerprint() string {
	h := sha256.New()
	for _, g := range a.Groups {
		fmt.Fprintf(h, "G %s %g %s\n", g.ID, g.Weight, strings.Join(g.TechniqueIDs, ","))
	}
	for _, t := range a.Techniques {
		fmt.Fprintf(h, "T %s %s\n", t.ID, strings.Join(t.Mitigations, ","))
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// CatalogFingerprint is "sha256:" and the hex SHA-256 of what scoring
// reads from a catalog: its domain, every active technique with its
// mitigations, every active mitigation, every active group with its uses
// (direct, campaign and software sources), and the retired objects with
// their replacements. Descriptions are left out: a reworded description
// does not change a score. It is independent of the order objects were
// loaded in.
func CatalogFingerprint(cat *attack.Catalog) string {
	h := sha256.New()
	fmt.Fprintf(h, "D %s\n", cat.Domain)
	var lines []string
	for _, t := range cat.Techniques {
		lines = append(lines, fmt.Sprintf("T %s %s %s", t.ID, t.Name, strings.Join(sorted(t.Mitigations), ",")))
	}
	for _, m := range cat.Mitigations {
		lines = append(lines, fmt.Sprintf("M %s %s", m.ID, m.Name))
	}
	for _, g := range cat.Groups {
		uses := make([]string, 0, len(g.Uses))
		for _, u := range g.Uses {
			uses = append(uses, fmt.Sprintf("%s:%t:%s:%s", u.Technique, u.Direct,
				strings.Join(sorted(u.Campaigns), "+"), strings.Join(sorted(u.Software), "+")))
		}
		sort.Strings(uses)
		lines = append(lines, fmt.Sprintf("G %s %s %s", g.ID, g.Name, strings.Join(uses, ",")))
	}
	for _, r := range cat.Retired {
		lines = append(lines, fmt.Sprintf("R %s %s %t %t %s", r.Kind, r.ID, r.Revoked, r.Deprecated, r.ReplacedBy))
	}
	sort.Strings(lines)
	for _, l := range lines {
		h.Write([]byte(l))
		h.Write([]byte{'\n'})
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

func copyPtr(p *float64) *float64 {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// technique returns the assessment's technique id, or nil.
func (a *Assessment) technique(id string) *Technique {
	i := sort.Search(len(a.Techniques), func(i int) bool { return a.Techniques[i].ID >= id })
	if i < len(a.Techniques) && a.Techniques[i].ID == id {
		return &a.Techniques[i]
	}
	return nil
}

// group returns the assessment's group id, or nil.
func (a *Assessment) group(id string) *Group {
	i := sort.Search(len(a.Groups), func(i int) bool { return a.Groups[i].ID >= id })
	if i < len(a.Groups) && a.Groups[i].ID == id {
		return &a.Groups[i]
	}
	return nil
}

// mitigationName returns the name the assessment knows for mitigation id.
func (a *Assessment) mitigationName(id string) string {
	i := sort.Search(len(a.Mitigations), func(i int) bool { return a.Mitigations[i].ID >= id })
	if i < len(a.Mitigations) && a.Mitigations[i].ID == id {
		return a.Mitigations[i].Name
	}
	return ""
}

// retired returns the retired object of kind k with ID id in the
// assessment's catalog, or nil.
func (a *Assessment) retired(k attack.Kind, id string) *attack.Retired {
	if a.retiredIdx == nil {
		a.retiredIdx = map[attack.Kind]map[string]*attack.Retired{}
		for i := range a.Catalog.Retired {
			r := &a.Catalog.Retired[i]
			if a.retiredIdx[r.Kind] == nil {
				a.retiredIdx[r.Kind] = map[string]*attack.Retired{}
			}
			if _, dup := a.retiredIdx[r.Kind][r.ID]; !dup { // the first, as the scan found it
				a.retiredIdx[r.Kind][r.ID] = r
			}
		}
	}
	return a.retiredIdx[k][id]
}
