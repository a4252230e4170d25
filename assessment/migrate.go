package assessment

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/covgap/covgap/analyzer"
	"github.com/covgap/covgap/attack"
)

// Migration statuses: what became of an object of an old assessment or
// inventory in a newer catalog.
const (
	Revoked            = "revoked"             // followed to ReplacedBy
	Deprecated         = "deprecated"          // gone, with no successor
	Missing            = "missing"             // the catalog does not know it at all
	Renamed            = "renamed"             // same ID, another name
	MitigationsChanged = "mitigations-changed" // a technique's mitigations differ
)

// Migration is one object of an old assessment (or inventory) that reads
// differently in a newer catalog.
type Migration struct {
	Kind            attack.Kind `json:"kind"`
	ID              string      `json:"id"`
	Name            string      `json:"name"`
	Status          string      `json:"status"`
	ReplacedBy      string      `json:"replaced_by,omitempty"`
	ReplacementName string      `json:"replacement_name,omitempty"`
	Added           []string    `json:"added,omitempty"`   // mitigations a technique gained
	Removed         []string    `json:"removed,omitempty"` // mitigations a technique lost
	Message         string      `json:"message"`
}

// Migrate reads assessment a, made on an older ATT&CK, with the newer
// catalog cat, and names every group, technique and mitigation of it that
// the catalog revoked (with the replacement to use), deprecated, does not
// know or renamed, and every technique whose mitigations changed. Rerunning
// the analysis with cat gives the new scores; Compare of the two then
// explains them.
func Migrate(a *Assessment, cat *attack.Catalog) []Migration {
	var out []Migration
	for _, g := range a.Groups {
		res, err := cat.FindGroup(g.ID)
		if m, ok := migration(attack.KindGroup, g.ID, g.Name, cat, err, res.Via, valueName(res.Value, func(x *attack.Group) (string, string) { return x.ID, x.Name })); ok {
			out = append(out, m)
		}
	}
	for _, t := range a.Techniques {
		res, err := cat.FindTechnique(t.ID)
		m, ok := migration(attack.KindTechnique, t.ID, t.Name, cat, err, res.Via, valueName(res.Value, func(x *attack.Technique) (string, string) { return x.ID, x.Name }))
		if ok {
			out = append(out, m)
		}
		if res.Value == nil || res.Via != nil {
			continue
		}
		added, removed := setDiff(t.Mitigations, analyzer.Deployable(res.Value))
		if len(added)+len(removed) > 0 {
			mc := Migration{Kind: attack.KindTechnique, ID: t.ID, Name: res.Value.Name, Status: MitigationsChanged, Added: added, Removed: removed}
			var parts []string
			if len(added) > 0 {
				parts = append(parts, "gains "+strings.Join(added, ", "))
			}
			if len(removed) > 0 {
				parts = append(parts, "loses "+strings.Join(removed, ", "))
			}
			mc.Message = fmt.Sprintf("technique %s %s %s in %s", t.ID, res.Value.Name, strings.Join(parts, " and "), version(cat))
			out = append(out, mc)
		}
	}
	ms, _ := migrateMitigations(a.Inventory.Levels, a.mitigationIDs(), a.mitigationName, cat)
	out = append(out, ms...)
	return out
}

// MigrateLevels moves an inventory's levels to catalog cat: a revoked
// mitigation's level goes to its replacement (the higher level wins when
// both are given, as for duplicate rows), and a deprecated or unknown
// mitigation is dropped. It returns the new levels and what changed.
func MigrateLevels(levels map[string]float64, cat *attack.Catalog) (map[string]float64, []Migration) {
	ids := make([]string, 0, len(levels))
	for id := range levels {
		ids = append(ids, id)
	}
	ms, moved := migrateMitigations(levels, ids, func(string) string { return "" }, cat)
	return moved, ms
}

func migrateMitigations(levels map[string]float64, ids []string, name func(string) string, cat *attack.Catalog) ([]Migration, map[string]float64) {
	sort.Strings(ids)
	var out []Migration
	moved := make(map[string]float64, len(levels))
	for _, id := range ids {
		res, err := cat.FindMitigation(id)
		m, ok := migration(attack.KindMitigation, id, name(id), cat, err, res.Via, valueName(res.Value, func(x *attack.Mitigation) (string, string) { return x.ID, x.Name }))
		if ok {
			out = append(out, m)
		}
		l, has := levels[id]
		if res.Value != nil && has {
			moved[res.Value.ID] = max(moved[res.Value.ID], l)
		}
	}
	return out, moved
}

// migration describes one lookup's outcome; ok is false when the object
// reads the same in cat.
func migration(k attack.Kind, id, oldName string, cat *attack.Catalog, err error, via *attack.Retired, to func() (string, string)) (Migration, bool) {
	m := Migration{Kind: k, ID: id, Name: oldName}
	var le *attack.LookupError
	switch {
	case err != nil && errors.As(err, &le) && le.Retired != nil && le.Retired.Deprecated:
		m.Status = Deprecated
		m.Message = fmt.Sprintf("%s %s %s is deprecated in %s and no longer counts", k, id, oldName, version(cat))
	case err != nil && errors.As(err, &le) && le.Retired != nil:
		m.Status = Revoked
		m.Message = fmt.Sprintf("%s %s %s is revoked in %s with no active replacement", k, id, oldName, version(cat))
	case err != nil:
		m.Status = Missing
		m.Message = fmt.Sprintf("%s %s %s is not in %s", k, id, oldName, version(cat))
		if le != nil && len(le.Suggestions) > 0 {
			m.Message += "; did you mean " + strings.Join(le.Suggestions, ", ") + "?"
		}
	case via != nil:
		m.Status = Revoked
		m.ReplacedBy, m.ReplacementName = to()
		m.Message = fmt.Sprintf("%s %s %s is revoked in %s; use %s %s", k, id, oldName, version(cat), m.ReplacedBy, m.ReplacementName)
	default:
		newID, newName := to()
		if oldName == "" || newName == oldName || newID != id {
			return m, false
		}
		m.Status = Renamed
		m.Message = fmt.Sprintf("%s %s is named %q in %s (was %q)", k, id, newName, version(cat), oldName)
	}
	return m, true
}

// valueName defers naming a lookup's value until it is known to exist.
func valueName[T any](v *T, f func(*T) (string, string)) func() (string, string) {
	return func() (string, string) {
		if v == nil {
			return "", ""
		}
		return f(v)
	}
}

func version(cat *attack.Catalog) string {
	if cat.Version != "" {
		return "ATT&CK " + cat.Version
	}
	return "the catalog"
}

// setDiff returns what b has that a lacks, and what a has that b lacks,
// both sorted.
func setDiff(a, b []string) (added, removed []string) {
	as, bs := set(a), set(b)
	for _, x := range b {
		if !as[x] {
			added = append(added, x)
		}
	}
	for _, x := range a {
		if !bs[x] {
			removed = append(removed, x)
		}
	}
	sort.Strings(added)
	sort.Strings(removed)
	return added, removed
}

// mitigationIDs are every mitigation the assessment's map or inventory
// names.
func (a *Assessment) mitigationIDs() []string {
	seen := map[string]bool{}
	for id := range a.Inventory.Levels {
		seen[id] = true
	}
	for _, t := range a.Techniques {
		for _, m := range t.Mitigations {
			seen[m] = true
		}
	}
	ids := make([]string, 0, len(seen))
	for id := range seen {
		ids = append(ids, id)
	}
	return ids
}
