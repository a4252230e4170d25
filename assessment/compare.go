package assessment

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/covgap/covgap/analyzer"
	"github.com/covgap/covgap/attack"
)

// Method explains how Compare splits a change of score; reports print it.
const Method = "Δ = after − before is split by rescoring the new inventory's levels on the old map " +
	"(the old assessment's group → techniques and technique → mitigations, its weights and model): " +
	"that score is mid, Δ_inventory = mid − before and Δ_attack = after − mid, so Δ = Δ_inventory + Δ_attack exactly. " +
	"Δ_inventory is what the changed mitigation levels alone would have done; Δ_attack is everything else: " +
	"ATT&CK's changes (techniques added to or dropped from a group, mitigations added to or removed from a technique, revocations) " +
	"and changes of the profile's weights and the analysis options. A technique that came or went only because the campaign or software " +
	"options changed (as its saved sources show) is named as a profile change, not ATT&CK's, and a change of model is named in every group " +
	"with what it alone moved it. A level of a mitigation revoked in the new catalog is read " +
	"from its replacement. A group with no score (no mitigable technique) on either side has no Δ."

// Cause says what a change comes from. Inventory changes make up
// Δ_inventory; ATT&CK and profile changes make up Δ_attack.
type Cause string

// Causes of a change.
const (
	CauseInventory Cause = "inventory" // a mitigation's level changed
	CauseAttack    Cause = "attack"    // the ATT&CK content changed
	CauseProfile   Cause = "profile"   // the user changed the profile or the options
)

// Kind is what exactly changed.
type Kind string

// Kinds of change.
const (
	LevelChanged        Kind = "level-changed"        // a mitigation's level in the inventory
	TechniqueAdded      Kind = "technique-added"      // the group uses a technique it did not
	TechniqueDropped    Kind = "technique-dropped"    // the group no longer uses a technique
	TechniqueRevoked    Kind = "technique-revoked"    // a technique of the group was revoked (ReplacedBy names its successor)
	TechniqueDeprecated Kind = "technique-deprecated" // a technique of the group was deprecated
	MitigationAdded     Kind = "mitigation-added"     // a technique gained a mitigation
	MitigationRemoved   Kind = "mitigation-removed"   // a technique lost a mitigation
	MitigationRevoked   Kind = "mitigation-revoked"   // a technique's mitigation was revoked (ReplacedBy names its successor)
	GroupAdded          Kind = "group-added"          // a group on the new side only
	GroupRemoved        Kind = "group-removed"        // a group on the old side only
	GroupRevoked        Kind = "group-revoked"        // a group revoked in the new catalog (ReplacedBy names its successor)
	GroupRenamed        Kind = "group-renamed"        // the same ID with another name
	WeightChanged       Kind = "weight-changed"       // the group's weight in the profile
	NoScore             Kind = "no-score"             // the group has no mitigable technique on one side
	OptionsChanged      Kind = "options-changed"      // model, campaigns or software
)

// Change is one cause of a movement, with the techniques and mitigations
// involved.
type Change struct {
	Cause          Cause  `json:"cause"`
	Kind           Kind   `json:"kind"`
	Technique      string `json:"technique,omitempty"`
	TechniqueName  string `json:"technique_name,omitempty"`
	Mitigation     string `json:"mitigation,omitempty"`
	MitigationName string `json:"mitigation_name,omitempty"`
	// LevelBefore and LevelAfter are a mitigation's levels for a
	// level change; nil means not assessed (level 0).
	LevelBefore *float64 `json:"level_before,omitempty"`
	LevelAfter  *float64 `json:"level_after,omitempty"`
	ReplacedBy  string   `json:"replaced_by,omitempty"`
	// CoverageBefore and CoverageAfter show what an ATT&CK change alone
	// did to its technique's coverage (0–1), both read with the new
	// inventory's levels so that only the map differs: for a mitigation
	// added to or removed from a technique, the coverage with the old
	// mitigations and with the old ones plus or minus this one; for a
	// technique added or dropped, its coverage on the side that has it.
	// nil means unmitigable or absent on that side. A change that leaves
	// them equal moved no score by itself.
	CoverageBefore *float64 `json:"coverage_before,omitempty"`
	CoverageAfter  *float64 `json:"coverage_after,omitempty"`
	// Techniques are the techniques the change touches: for a level
	// change, those (of the group, or of the profile) the mitigation
	// mitigates on either side.
	Techniques []string `json:"techniques,omitempty"`
	Message    string   `json:"message"`
}

// CatalogInfo identifies a catalog in a comparison: Catalog without the
// lists that only Compare itself needs.
type CatalogInfo struct {
	Domain         string `json:"domain"`
	Version        string `json:"version"`
	Source         string `json:"source,omitempty"`
	Fingerprint    string `json:"fingerprint,omitempty"`
	MapFingerprint string `json:"map_fingerprint"`
}

// Side describes one of the two compared assessments.
type Side struct {
	Label   string               `json:"label,omitempty"` // the label, or the creation time (see Names)
	Created time.Time            `json:"created"`
	Catalog CatalogInfo          `json:"catalog"`
	Model   analyzer.Model       `json:"model"`
	Options analyzer.OptionsInfo `json:"options"`
	File    string               `json:"inventory_file,omitempty"`
}

// Movement is a score before and after with its split. All of Delta,
// DeltaInventory and DeltaAttack are nil when Before or After is.
type Movement struct {
	Before         *float64 `json:"before"`
	After          *float64 `json:"after"`
	Delta          *float64 `json:"delta"`
	DeltaInventory *float64 `json:"delta_inventory"`
	DeltaAttack    *float64 `json:"delta_attack"`
}

// GroupDelta is one group's movement and its causes.
type GroupDelta struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	OldName string `json:"old_name,omitempty"` // when ATT&CK renamed it
	// Status is "both", "added" (new side only) or "removed" (old side only).
	Status string `json:"status"`
	Movement
	Changes []Change `json:"changes"`
}

// ProfileDelta is the profile's movement.
type ProfileDelta struct {
	Movement
	GroupsBefore int `json:"groups_before"`
	GroupsAfter  int `json:"groups_after"`
	Added        int `json:"groups_added"`
	Removed      int `json:"groups_removed"`
	// Changes are the profile-wide causes: option changes and every
	// inventory change that touches a technique of the profile.
	Changes []Change `json:"changes"`
}

// Comparison is the explained difference between two assessments.
type Comparison struct {
	Old     Side         `json:"old"`
	New     Side         `json:"new"`
	SameMap bool         `json:"same_map"` // the two maps are identical: every Δ is the inventory's
	Profile ProfileDelta `json:"profile"`
	Groups  []GroupDelta `json:"groups"` // sorted by ID
	// Inventory lists every mitigation whose level changed, with the
	// profile techniques it touches (possibly none).
	Inventory []Change `json:"inventory"`
	// Warnings tell about saved scores that their rescoring does not
	// reproduce (an edited file, or one from a covgap that scored
	// differently); the comparison uses the rescored values.
	Warnings []string `json:"warnings,omitempty"`
	Method   string   `json:"method"`
}

// scoreTolerance is how far a saved score may be from its rescoring before
// Compare warns: far above floating-point noise, far below the one
// decimal that reports show.
const scoreTolerance = 1e-6

// Compare explains how scores moved from old to new (see Method). Groups
// are matched by ATT&CK ID, which ATT&CK keeps stable across versions; a
// group revoked in favour of another appears as removed (naming its
// successor) and its successor as added.
func Compare(old, new *Assessment) *Comparison {
	names := Names([]*Assessment{old, new})
	c := &Comparison{
		Old:       side(old, names[0]),
		New:       side(new, names[1]),
		SameMap:   old.MapFingerprint() == new.MapFingerprint(),
		Groups:    []GroupDelta{},
		Inventory: []Change{},
		Method:    Method,
	}
	cx := &comparer{old: old, new: new, oldName: names[0], newName: names[1]}
	before := own(old)
	mid := scoring{m: old, level: cx.newLevel}
	after := own(new)
	c.Warnings = append(checkSaved(old, names[0]), checkSaved(new, names[1])...)
	if old.Catalog.Domain != new.Catalog.Domain {
		c.Warnings = append(c.Warnings, fmt.Sprintf("the assessments are of different ATT&CK domains (%s, %s); no group is on both sides",
			old.Catalog.Domain, new.Catalog.Domain))
	}

	c.Inventory = cx.levelChanges()
	cx.levels = c.Inventory
	c.Profile = ProfileDelta{
		Movement:     movement(before.profile(), mid.profile(), after.profile()),
		GroupsBefore: len(old.Groups),
		GroupsAfter:  len(new.Groups),
		Changes:      cx.optionChanges(),
	}
	for _, ch := range c.Inventory {
		if len(ch.Techniques) > 0 {
			c.Profile.Changes = append(c.Profile.Changes, ch)
		}
	}
	if c.Profile.Changes == nil {
		c.Profile.Changes = []Change{}
	}

	ids := map[string]bool{}
	for _, g := range old.Groups {
		ids[g.ID] = true
	}
	for _, g := range new.Groups {
		ids[g.ID] = true
	}
	for id := range ids {
		og, ng := old.group(id), new.group(id)
		gd := GroupDelta{ID: id, Changes: []Change{}}
		switch {
		case og != nil && ng != nil:
			gd.Status, gd.Name = "both", ng.Name
			gd.Movement = movement(before.group(og), mid.group(og), after.group(ng))
			gd.Changes = cx.groupChanges(og, ng, gd.Movement)
			if og.Name != ng.Name {
				gd.OldName = og.Name
			}
		case og != nil:
			c.Profile.Removed++
			gd.Status, gd.Name = "removed", og.Name
			gd.Before = before.group(og)
			gd.Changes = append(gd.Changes, cx.removed(og))
		default:
			c.Profile.Added++
			gd.Status, gd.Name = "added", ng.Name
			gd.After = after.group(ng)
			gd.Changes = append(gd.Changes, cx.added(ng))
		}
		c.Groups = append(c.Groups, gd)
	}
	sort.Slice(c.Groups, func(i, j int) bool { return c.Groups[i].ID < c.Groups[j].ID })
	return c
}

func side(a *Assessment, name string) Side {
	return Side{Label: name, Created: a.Created, Model: a.Model, Options: a.Options, File: a.Inventory.File,
		Catalog: CatalogInfo{Domain: a.Catalog.Domain, Version: a.Catalog.Version, Source: a.Catalog.Source,
			Fingerprint: a.Catalog.Fingerprint, MapFingerprint: a.Catalog.MapFingerprint}}
}

// movement splits after − before at mid. Each part is a difference of two
// rescorings, so a cause that did not change gives exactly 0, and Delta
// is their sum, so the identity of SPEC §7 holds to the last bit.
func movement(before, mid, after *float64) Movement {
	m := Movement{Before: before, After: after}
	if before == nil || after == nil || mid == nil {
		return m
	}
	di, da := *mid-*before, *after-*mid
	d := di + da
	m.Delta, m.DeltaInventory, m.DeltaAttack = &d, &di, &da
	return m
}

// checkSaved compares a's saved scores with their rescoring.
func checkSaved(a *Assessment, name string) []string {
	var w []string
	s := own(a)
	differs := func(saved, re *float64) bool {
		if (saved == nil) != (re == nil) {
			return true
		}
		return saved != nil && math.Abs(*saved-*re) > scoreTolerance
	}
	if re := s.profile(); differs(a.Profile.Score, re) {
		w = append(w, fmt.Sprintf("assessment %s: the saved profile score %s differs from its rescoring %s; the comparison uses the rescoring",
			name, fmtScore(a.Profile.Score), fmtScore(re)))
	}
	for i := range a.Groups {
		g := &a.Groups[i]
		if re := s.group(g); differs(g.Score, re) {
			w = append(w, fmt.Sprintf("assessment %s: the saved score %s of group %s differs from its rescoring %s; the comparison uses the rescoring",
				name, fmtScore(g.Score), g.ID, fmtScore(re)))
		}
	}
	return w
}

func fmtScore(p *float64) string {
	if p == nil {
		return "n/a"
	}
	return fmt.Sprintf("%.1f", *p)
}

func fmtLevel(p *float64) string {
	if p == nil {
		return "not assessed"
	}
	return fmt.Sprintf("%g%%", math.Round(*p*1000)/10)
}

// comparer holds the two sides while causes are collected.
type comparer struct {
	old, new         *Assessment
	oldName, newName string   // as Names tells them apart
	levels           []Change // every level change, over both maps: computed once
}

// covOld is technique t's coverage on the old map with the new levels.
func (cx *comparer) covOld(t string) *float64 {
	c, ok := scoring{m: cx.old, level: cx.newLevel}.coverage(cx.old.technique(t))
	if !ok {
		return nil
	}
	return &c
}

// covNew is technique t's coverage on the new map with the new levels.
func (cx *comparer) covNew(t string) *float64 {
	c, ok := own(cx.new).coverage(cx.new.technique(t))
	if !ok {
		return nil
	}
	return &c
}

// newLevel is the new inventory's level of a mitigation of the old map.
// A mitigation revoked in the new catalog is read from its replacement, as
// the inventory reader would have resolved it: the inventory did not
// change, ATT&CK did.
func (cx *comparer) newLevel(id string) float64 {
	l, _ := cx.newLevelOK(id)
	return l
}

func (cx *comparer) newLevelOK(id string) (float64, bool) {
	if l, ok := cx.new.Inventory.Levels[id]; ok {
		return analyzer.Clamp01(l), true
	}
	if r := cx.new.retired(attack.KindMitigation, id); r != nil && r.ReplacedBy != "" {
		if l, ok := cx.new.Inventory.Levels[r.ReplacedBy]; ok {
			return analyzer.Clamp01(l), true
		}
	}
	return 0, false
}

// oldLevelOK is the old inventory's level of a mitigation of the new
// side, read from the mitigation it replaces when the old inventory could
// only name that one.
func (cx *comparer) oldLevelOK(id string) (float64, bool) {
	if l, ok := cx.old.Inventory.Levels[id]; ok {
		return analyzer.Clamp01(l), true
	}
	var l float64
	found := false
	for _, r := range cx.new.Catalog.Retired {
		if r.Kind == attack.KindMitigation && r.ReplacedBy == id {
			if x, ok := cx.old.Inventory.Levels[r.ID]; ok {
				l, found = max(l, analyzer.Clamp01(x)), true
			}
		}
	}
	return l, found
}

func (cx *comparer) versionOf(a *Assessment) string {
	if a.Catalog.Version != "" {
		return "ATT&CK " + a.Catalog.Version
	}
	if a == cx.old {
		return "the catalog of " + cx.oldName
	}
	return "the catalog of " + cx.newName
}

// levelChanges lists the mitigations whose level differs, each with the
// techniques of either map that it mitigates.
func (cx *comparer) levelChanges() []Change {
	ids := map[string]bool{}
	for id := range cx.old.Inventory.Levels {
		ids[id] = true
	}
	for id := range cx.new.Inventory.Levels {
		ids[id] = true
	}
	touched := map[string][]string{} // mitigation → techniques of either map
	for _, a := range []*Assessment{cx.old, cx.new} {
		for _, t := range a.Techniques {
			for _, m := range t.Mitigations {
				touched[m] = appendOnce(touched[m], t.ID)
			}
		}
	}
	out := []Change{}
	for id := range ids {
		lb, okb := cx.oldLevelOK(id)
		la, oka := cx.newLevelOK(id)
		if lb == la {
			continue
		}
		techs := touched[id]
		if r := cx.new.retired(attack.KindMitigation, id); r != nil && r.ReplacedBy != "" {
			for _, t := range touched[r.ReplacedBy] {
				techs = appendOnce(techs, t)
			}
		}
		sort.Strings(techs)
		ch := Change{Cause: CauseInventory, Kind: LevelChanged, Mitigation: id, MitigationName: cx.mitName(id), Techniques: techs}
		if okb {
			ch.LevelBefore = &lb
		}
		if oka {
			ch.LevelAfter = &la
		}
		ch.Message = levelMessage(ch)
		out = append(out, ch)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Mitigation < out[j].Mitigation })
	return out
}

// levelChangesIn narrows the level changes to those touching the
// techniques in, each listing only those techniques.
func (cx *comparer) levelChangesIn(in map[string]bool) []Change {
	out := []Change{}
	for _, ch := range cx.levels {
		var techs []string
		for _, t := range ch.Techniques {
			if in[t] {
				techs = append(techs, t)
			}
		}
		if len(techs) == 0 {
			continue
		}
		ch.Techniques = techs
		ch.Message = levelMessage(ch)
		out = append(out, ch)
	}
	return out
}

func levelMessage(ch Change) string {
	m := fmt.Sprintf("%s %s: level %s → %s", ch.Mitigation, ch.MitigationName, fmtLevel(ch.LevelBefore), fmtLevel(ch.LevelAfter))
	if len(ch.Techniques) == 0 {
		return m + "; it mitigates none of the profile's techniques"
	}
	return m + "; it mitigates " + strings.Join(ch.Techniques, ", ")
}

func appendOnce(s []string, v string) []string {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}

func (cx *comparer) mitName(id string) string {
	if n := cx.new.mitigationName(id); n != "" {
		return n
	}
	return cx.old.mitigationName(id)
}

func (cx *comparer) techName(id string) string {
	if t := cx.new.technique(id); t != nil && t.Name != "" {
		return t.Name
	}
	if t := cx.old.technique(id); t != nil {
		return t.Name
	}
	return ""
}

// optionChanges names the differences of model and options; they are part
// of Δ_attack because they change the map or how it is read, not the
// inventory.
func (cx *comparer) optionChanges() []Change {
	var out []Change
	o, n := cx.old, cx.new
	if o.Model != n.Model {
		ch := Change{Cause: CauseProfile, Kind: OptionsChanged,
			Message: fmt.Sprintf("the scoring model changed from %s to %s; its effect is counted in Δ_attack", o.Model, n.Model)}
		mid := scoring{m: o, level: cx.newLevel}
		if d := diff(mid.profile(), scoring{m: o, level: cx.newLevel, model: n.Model}.profile()); d != nil {
			ch.Message += fmt.Sprintf("; with the new levels on the old map it alone moves the profile by %+.1f", *d)
		}
		out = append(out, ch)
	}
	if o.Options.Campaigns != n.Options.Campaigns {
		out = append(out, Change{Cause: CauseProfile, Kind: OptionsChanged,
			Message: fmt.Sprintf("campaign techniques counted: %t → %t; group techniques changed with it", o.Options.Campaigns, n.Options.Campaigns)})
	}
	if o.Options.IncludeSoftware != n.Options.IncludeSoftware {
		out = append(out, Change{Cause: CauseProfile, Kind: OptionsChanged,
			Message: fmt.Sprintf("software techniques counted: %t → %t; group techniques changed with it", o.Options.IncludeSoftware, n.Options.IncludeSoftware)})
	}
	if out == nil {
		out = []Change{}
	}
	return out
}

// groupChanges explains the movement of a group present on both sides.
func (cx *comparer) groupChanges(og, ng *Group, mv Movement) []Change {
	in := map[string]bool{}
	for _, t := range og.TechniqueIDs {
		in[t] = true
	}
	for _, t := range ng.TechniqueIDs {
		in[t] = true
	}
	out := cx.levelChangesIn(in)

	if og.Name != ng.Name {
		out = append(out, Change{Cause: CauseAttack, Kind: GroupRenamed,
			Message: fmt.Sprintf("%s is named %q in %s (was %q)", ng.ID, ng.Name, cx.versionOf(cx.new), og.Name)})
	}
	if og.Weight != ng.Weight {
		out = append(out, Change{Cause: CauseProfile, Kind: WeightChanged,
			Message: fmt.Sprintf("weight in the profile %g → %g", og.Weight, ng.Weight)})
	}

	oldT, newT := set(og.TechniqueIDs), set(ng.TechniqueIDs)
	explained := map[string]bool{} // new techniques named as a replacement
	for _, t := range og.TechniqueIDs {
		if newT[t] {
			continue
		}
		ch := Change{Cause: CauseAttack, Kind: TechniqueDropped, Technique: t, TechniqueName: cx.techName(t), Techniques: []string{t},
			CoverageBefore: cx.covOld(t)}
		was := ""
		if ot := cx.old.technique(t); ot != nil {
			was = " (it was " + stateWords(ot.State) + ")"
		}
		r := cx.new.retired(attack.KindTechnique, t)
		switch {
		case r != nil && r.Revoked && r.ReplacedBy != "":
			ch.Kind, ch.ReplacedBy = TechniqueRevoked, r.ReplacedBy
			ch.Message = fmt.Sprintf("%s %s is revoked in %s, replaced by %s %s", t, ch.TechniqueName, cx.versionOf(cx.new), r.ReplacedBy, cx.techName(r.ReplacedBy))
			if newT[r.ReplacedBy] && !oldT[r.ReplacedBy] {
				explained[r.ReplacedBy] = true
				ch.Techniques = append(ch.Techniques, r.ReplacedBy)
				ch.CoverageAfter = cx.covNew(r.ReplacedBy)
				ch.Message += ", which the group now uses"
			}
		case r != nil && r.Deprecated:
			ch.Kind = TechniqueDeprecated
			ch.Message = fmt.Sprintf("%s %s is deprecated in %s", t, ch.TechniqueName, cx.versionOf(cx.new))
		case r != nil && r.Revoked:
			ch.Kind = TechniqueRevoked
			ch.Message = fmt.Sprintf("%s %s is revoked in %s with no active replacement", t, ch.TechniqueName, cx.versionOf(cx.new))
		default:
			if why, ok := cx.byOptions(og, t, cx.new); ok {
				ch.Cause = CauseProfile
				ch.Message = fmt.Sprintf("%s %s is no longer counted: %s", t, ch.TechniqueName, why)
			} else {
				ch.Message = fmt.Sprintf("%s %s is no longer linked to the group in %s", t, ch.TechniqueName, cx.versionOf(cx.new)) + why
			}
		}
		ch.Message += was
		out = append(out, ch)
	}
	for _, t := range ng.TechniqueIDs {
		if oldT[t] || explained[t] {
			continue
		}
		ch := Change{Cause: CauseAttack, Kind: TechniqueAdded, Technique: t, TechniqueName: cx.techName(t), Techniques: []string{t},
			CoverageAfter: cx.covNew(t)}
		if why, ok := cx.byOptions(ng, t, cx.old); ok {
			ch.Cause = CauseProfile
			ch.Message = fmt.Sprintf("%s %s is now counted: %s", t, ch.TechniqueName, why)
		} else {
			ch.Message = fmt.Sprintf("%s %s is newly linked to the group in %s", t, ch.TechniqueName, cx.versionOf(cx.new)) + why
		}
		if nt := cx.new.technique(t); nt != nil {
			ch.Message += " (it is " + stateWords(nt.State) + ")"
		}
		out = append(out, ch)
	}
	for _, t := range og.TechniqueIDs {
		if newT[t] {
			out = append(out, cx.mitigationChanges(t)...)
		}
	}
	if ch, ok := cx.modelChange(og); ok {
		out = append(out, ch)
	}
	if (mv.Before == nil) != (mv.After == nil) {
		ch := Change{Cause: CauseAttack, Kind: NoScore}
		// When the options alone changed the group's techniques, they,
		// not ATT&CK, left it without a score.
		where := func(a *Assessment) string { return "in " + cx.versionOf(a) }
		if mapCause(out) == CauseProfile {
			ch.Cause = CauseProfile
			where = func(a *Assessment) string { return "under the options of " + cx.name(a) }
		}
		if mv.Before == nil {
			ch.Message = fmt.Sprintf("the group had no mitigable technique %s, so it has no Δ", where(cx.old))
		} else {
			ch.Message = fmt.Sprintf("the group has no mitigable technique %s, so it has no Δ", where(cx.new))
		}
		out = append(out, ch)
	}
	return out
}

// mapCause is CauseProfile when every change of a group's techniques and
// their mitigations in out comes from the options, CauseAttack when any
// comes from ATT&CK, and "" when there is none.
func mapCause(out []Change) Cause {
	var c Cause
	for _, ch := range out {
		switch ch.Kind {
		case LevelChanged, GroupRenamed, WeightChanged, OptionsChanged, NoScore:
			continue
		}
		if ch.Cause == CauseAttack {
			return CauseAttack
		}
		c = ch.Cause
	}
	return c
}

// name is how the comparison names a, one of its two sides.
func (cx *comparer) name(a *Assessment) string {
	if a == cx.old {
		return cx.oldName
	}
	return cx.newName
}

// countsChanged reports whether the options that decide which of a
// group's techniques count (campaigns, software) differ.
func (cx *comparer) countsChanged() bool {
	o, n := cx.old.Options, cx.new.Options
	return o.Campaigns != n.Campaigns || o.IncludeSoftware != n.IncludeSoftware
}

// sameCatalog reports whether both sides were scored on the same ATT&CK
// content: the same content fingerprint, or, for a file without one, the
// same domain and version.
func (cx *comparer) sameCatalog() bool {
	o, n := cx.old.Catalog, cx.new.Catalog
	if o.Fingerprint != "" && n.Fingerprint != "" {
		return o.Fingerprint == n.Fingerprint
	}
	return o.Domain == n.Domain && o.Version != "" && o.Version == n.Version
}

// counts reports whether a source of a group's technique ("direct", a
// campaign ID, a software ID) links it under options o.
func counts(src string, o analyzer.OptionsInfo) bool {
	switch {
	case strings.HasPrefix(src, "C"):
		return o.Campaigns
	case strings.HasPrefix(src, "S"):
		return o.IncludeSoftware
	}
	return true // "direct", or a kind no option filters
}

// byOptions tells whether technique t, which group g has on one side and
// the group lacks on the other side (other), is explained by the other
// side's campaign and software options rather than by ATT&CK: every source
// t had in g is one the other side's options do not count. ok says that
// the options explain it, and why then says how ("it came only from
// campaign C0024, and campaigns are not counted in 2026-Q2"). When they
// do not, why is empty, or a caveat to append to an ATT&CK message when
// the sources are unknown.
func (cx *comparer) byOptions(g *Group, t string, other *Assessment) (why string, ok bool) {
	if !cx.countsChanged() {
		return "", false
	}
	if g.Sources == nil {
		// A file saved before sources were recorded: with the same
		// catalog on both sides only the options can have done it.
		if cx.sameCatalog() {
			return fmt.Sprintf("both sides use %s, so the changed campaign or software options (%s) did it; "+
				"the assessment does not record the technique's sources", cx.versionOf(cx.new), cx.countsWords()), true
		}
		return fmt.Sprintf("; the campaign or software options changed as well (%s), and the assessment does not record "+
			"the technique's sources, so that may be the cause instead", cx.countsWords()), false
	}
	var camps, softs []string
	for src, ts := range g.Sources {
		if !contains(ts, t) {
			continue
		}
		if counts(src, other.Options) {
			return "", false
		}
		if strings.HasPrefix(src, "C") {
			camps = append(camps, src)
		} else {
			softs = append(softs, src)
		}
	}
	if len(camps)+len(softs) == 0 {
		return "", false // no recorded source: nothing to explain it by
	}
	sort.Strings(camps)
	sort.Strings(softs)
	var from, off []string
	if len(camps) > 0 {
		from = append(from, plural("campaign", "campaigns", camps))
		off = append(off, "campaigns")
	}
	if len(softs) > 0 {
		from = append(from, plural("software", "software", softs))
		off = append(off, "software")
	}
	tense, are := "came", "are"
	if other == cx.old {
		tense, are = "comes", "were"
	}
	if len(camps) == 0 { // "software" alone takes a singular verb
		are = map[string]string{"are": "is", "were": "was"}[are]
	}
	return fmt.Sprintf("it %s only from %s, and %s %s not counted in %s", tense, strings.Join(from, " and "),
		strings.Join(off, " and "), are, cx.name(other)), true
}

// countsWords says how the counting options changed.
func (cx *comparer) countsWords() string {
	o, n := cx.old.Options, cx.new.Options
	var parts []string
	if o.Campaigns != n.Campaigns {
		parts = append(parts, fmt.Sprintf("campaigns counted: %t → %t", o.Campaigns, n.Campaigns))
	}
	if o.IncludeSoftware != n.IncludeSoftware {
		parts = append(parts, fmt.Sprintf("software counted: %t → %t", o.IncludeSoftware, n.IncludeSoftware))
	}
	return strings.Join(parts, ", ")
}

func plural(one, many string, ids []string) string {
	if len(ids) == 1 {
		return one + " " + ids[0]
	}
	return many + " " + strings.Join(ids, ", ")
}

func contains(s []string, v string) bool {
	i := sort.SearchStrings(s, v)
	return i < len(s) && s[i] == v
}

// modelChange names a change of scoring model in the group's changes,
// with what it alone did to the group's score: the old map scored with
// the new levels under the new model, minus mid (the same under the old
// model). Without it a group's Δ_attack could be all the model's while
// the group listed no cause.
func (cx *comparer) modelChange(og *Group) (Change, bool) {
	o, n := cx.old.Model, cx.new.Model
	if o == n {
		return Change{}, false
	}
	ch := Change{Cause: CauseProfile, Kind: OptionsChanged,
		Message: fmt.Sprintf("the scoring model changed from %s to %s", o, n)}
	mid := scoring{m: cx.old, level: cx.newLevel}
	remodel := scoring{m: cx.old, level: cx.newLevel, model: n}
	if d := diff(mid.group(og), remodel.group(og)); d != nil {
		ch.Message += fmt.Sprintf("; with the new levels on the old map that alone moves the group by %+.1f", *d)
	}
	return ch, true
}

// mitigationChanges lists how technique t's mitigations differ.
func (cx *comparer) mitigationChanges(t string) []Change {
	ot, nt := cx.old.technique(t), cx.new.technique(t)
	if ot == nil || nt == nil {
		return nil
	}
	oldM, newM := set(ot.Mitigations), set(nt.Mitigations)
	name := cx.techName(t)
	mid := scoring{m: cx.old, level: cx.newLevel}
	cb := cx.covOld(t)
	// alone is t's coverage on the old map with m added or taken away.
	alone := func(m string, add bool) *float64 {
		var ms []string
		for _, x := range ot.Mitigations {
			if x != m {
				ms = append(ms, x)
			}
		}
		if add {
			ms = append(ms, m)
		}
		c, ok := mid.coverageOf(ms)
		if !ok {
			return nil
		}
		return &c
	}
	var out []Change
	explained := map[string]bool{}
	for _, m := range ot.Mitigations {
		if newM[m] {
			continue
		}
		ch := Change{Cause: CauseAttack, Kind: MitigationRemoved, Technique: t, TechniqueName: name,
			Mitigation: m, MitigationName: cx.mitName(m), Techniques: []string{t}, CoverageBefore: cb, CoverageAfter: alone(m, false)}
		if r := cx.new.retired(attack.KindMitigation, m); r != nil && r.Revoked && r.ReplacedBy != "" {
			ch.Kind, ch.ReplacedBy = MitigationRevoked, r.ReplacedBy
			explained[r.ReplacedBy] = newM[r.ReplacedBy]
			ch.Message = fmt.Sprintf("%s %s: mitigation %s %s is revoked in %s, replaced by %s %s",
				t, name, m, ch.MitigationName, cx.versionOf(cx.new), r.ReplacedBy, cx.mitName(r.ReplacedBy))
		} else {
			ch.Message = fmt.Sprintf("%s %s lost mitigation %s %s in %s (old level %s)",
				t, name, m, ch.MitigationName, cx.versionOf(cx.new), fmtLevel(levelPtr(cx.old, m)))
		}
		out = append(out, ch)
	}
	for _, m := range nt.Mitigations {
		if oldM[m] || explained[m] {
			continue
		}
		ch := Change{Cause: CauseAttack, Kind: MitigationAdded, Technique: t, TechniqueName: name,
			Mitigation: m, MitigationName: cx.mitName(m), Techniques: []string{t}, CoverageBefore: cb, CoverageAfter: alone(m, true)}
		ch.Message = fmt.Sprintf("%s %s gained mitigation %s %s in %s (new level %s)",
			t, name, m, ch.MitigationName, cx.versionOf(cx.new), fmtLevel(levelPtr(cx.new, m)))
		out = append(out, ch)
	}
	return out
}

// stateWords says a technique's state in a sentence.
func stateWords(s analyzer.State) string {
	switch s {
	case analyzer.Gap:
		return "a gap"
	case analyzer.Partial:
		return "partly covered"
	}
	return string(s)
}

func levelPtr(a *Assessment, id string) *float64 {
	if l, ok := a.Inventory.Levels[id]; ok {
		return &l
	}
	return nil
}

func set(s []string) map[string]bool {
	m := make(map[string]bool, len(s))
	for _, x := range s {
		m[x] = true
	}
	return m
}

// knows reports whether a's catalog is known to list group id, and
// whether that is known at all (Attach records the catalog's groups).
func knows(a *Assessment, id string) (listed, known bool) {
	if len(a.Catalog.Groups) == 0 {
		return false, false
	}
	i := sort.SearchStrings(a.Catalog.Groups, id)
	return i < len(a.Catalog.Groups) && a.Catalog.Groups[i] == id, true
}

// added explains a group found on the new side only.
func (cx *comparer) added(g *Group) Change {
	ch := Change{Cause: CauseProfile, Kind: GroupAdded}
	listed, known := knows(cx.old, g.ID)
	switch {
	case known && !listed:
		ch.Cause = CauseAttack
		ch.Message = fmt.Sprintf("%s %s is new in %s (not in %s)", g.ID, g.Name, cx.versionOf(cx.new), cx.versionOf(cx.old))
	case known:
		ch.Message = fmt.Sprintf("%s %s was added to the profile", g.ID, g.Name)
	case cx.old.Catalog.Version != cx.new.Catalog.Version:
		ch.Cause = CauseAttack
		ch.Message = fmt.Sprintf("%s %s is not in the old assessment (%s → %s)", g.ID, g.Name, cx.versionOf(cx.old), cx.versionOf(cx.new))
	default:
		ch.Message = fmt.Sprintf("%s %s was added to the profile", g.ID, g.Name)
	}
	for _, r := range cx.new.Catalog.Retired {
		if r.Kind == attack.KindGroup && r.ReplacedBy == g.ID && cx.old.group(r.ID) != nil {
			ch.Cause = CauseAttack
			ch.Message += fmt.Sprintf("; it replaces %s %s, revoked in %s", r.ID, r.Name, cx.versionOf(cx.new))
		}
	}
	return ch
}

// removed explains a group found on the old side only.
func (cx *comparer) removed(g *Group) Change {
	ch := Change{Cause: CauseProfile, Kind: GroupRemoved}
	r := cx.new.retired(attack.KindGroup, g.ID)
	listed, known := knows(cx.new, g.ID)
	switch {
	case r != nil && r.Revoked && r.ReplacedBy != "":
		ch.Cause, ch.Kind, ch.ReplacedBy = CauseAttack, GroupRevoked, r.ReplacedBy
		ch.Message = fmt.Sprintf("%s %s is revoked in %s, replaced by %s", g.ID, g.Name, cx.versionOf(cx.new), r.ReplacedBy)
	case r != nil && r.Deprecated:
		ch.Cause = CauseAttack
		ch.Message = fmt.Sprintf("%s %s is deprecated in %s", g.ID, g.Name, cx.versionOf(cx.new))
	case r != nil:
		ch.Cause, ch.Kind = CauseAttack, GroupRevoked
		ch.Message = fmt.Sprintf("%s %s is revoked in %s", g.ID, g.Name, cx.versionOf(cx.new))
	case known && !listed:
		ch.Cause = CauseAttack
		ch.Message = fmt.Sprintf("%s %s is not in %s", g.ID, g.Name, cx.versionOf(cx.new))
	case known:
		ch.Message = fmt.Sprintf("%s %s was taken out of the profile", g.ID, g.Name)
	case cx.old.Catalog.Version != cx.new.Catalog.Version:
		ch.Cause = CauseAttack
		ch.Message = fmt.Sprintf("%s %s is not in the new assessment (%s → %s)", g.ID, g.Name, cx.versionOf(cx.old), cx.versionOf(cx.new))
	default:
		ch.Message = fmt.Sprintf("%s %s was taken out of the profile", g.ID, g.Name)
	}
	return ch
}
