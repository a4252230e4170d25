package analyzer

import (
	"errors"
	"fmt"
	"strings"

	"github.com/covgap/covgap/attack"
	"github.com/covgap/covgap/inventory"
)

// AllGroups is the default profile: every active group of the catalog,
// each with weight 1.
func AllGroups(cat *attack.Catalog) Profile {
	p := Profile{Name: "all groups", Members: make([]Member, 0, len(cat.Groups))}
	for _, g := range cat.Groups {
		p.Members = append(p.Members, Member{Group: g, Weight: 1})
	}
	return p
}

// SelectionError lists every group reference that names no active group,
// so that a user fixing a --groups list fixes it in one go.
type SelectionError struct {
	Unknown []*attack.LookupError
}

func (e *SelectionError) Error() string {
	msgs := make([]string, len(e.Unknown))
	for i, u := range e.Unknown {
		msgs[i] = u.Error()
	}
	if len(msgs) == 1 {
		return "unknown group: " + msgs[0]
	}
	return fmt.Sprintf("%d unknown groups: %s", len(msgs), strings.Join(msgs, "; "))
}

// SelectGroups resolves group IDs, names or aliases (case-insensitive) in
// the order given, each group once with weight 1. A revoked group is
// followed to its replacement and a Note says so. Blank references are
// skipped. Any unknown reference makes the whole selection fail with a
// *SelectionError naming them all, with suggestions.
func SelectGroups(cat *attack.Catalog, refs []string) (Profile, error) {
	var p Profile
	var bad SelectionError
	seen := map[string]bool{}
	var names []string
	for _, ref := range refs {
		if strings.TrimSpace(ref) == "" {
			continue
		}
		res, err := cat.FindGroup(ref)
		if err != nil {
			var le *attack.LookupError
			if errors.As(err, &le) {
				bad.Unknown = append(bad.Unknown, le)
			} else {
				bad.Unknown = append(bad.Unknown, &attack.LookupError{Kind: attack.KindGroup, Query: ref, Version: cat.Version})
			}
			continue
		}
		g := res.Value
		if res.Via != nil {
			p.Notes = append(p.Notes, fmt.Sprintf("group %s %q is revoked; using its replacement %s %q", res.Via.ID, res.Via.Name, g.ID, g.Name))
		}
		if seen[g.ID] {
			continue
		}
		seen[g.ID] = true
		names = append(names, g.Name)
		p.Members = append(p.Members, Member{Group: g, Weight: 1})
	}
	if len(bad.Unknown) > 0 {
		return Profile{}, &bad
	}
	p.Name = strings.Join(names, ", ")
	return p, nil
}

// MatchGroups selects the groups whose name, aliases or description
// contain text, case-insensitively ("Israel" finds POLONIUM, whose
// description names Israeli targets). Blank text matches nothing rather
// than everything: a forgotten argument should not silently mean "all".
func MatchGroups(cat *attack.Catalog, text string) Profile {
	q := strings.ToLower(strings.TrimSpace(text))
	p := Profile{Name: fmt.Sprintf("groups matching %q", strings.TrimSpace(text))}
	if q == "" {
		return p
	}
	for _, g := range cat.Groups {
		if groupMatches(g, q) {
			p.Members = append(p.Members, Member{Group: g, Weight: 1})
		}
	}
	return p
}

func groupMatches(g *attack.Group, q string) bool {
	if strings.Contains(strings.ToLower(g.Name), q) || strings.Contains(strings.ToLower(g.Description), q) {
		return true
	}
	for _, a := range g.Aliases {
		if strings.Contains(strings.ToLower(a), q) {
			return true
		}
	}
	return false
}

// MergeProfiles joins profiles (say --groups, --match and --profile given
// together) into one that names each group once. A group named more than
// once keeps its highest weight: a weight says how much the team worries
// about a group, and naming it again with less worry should not lower that.
// Members keep the order of their first appearance; names and notes are
// joined.
func MergeProfiles(ps ...Profile) Profile {
	var out Profile
	at := map[string]int{}
	var names []string
	for _, p := range ps {
		if p.Name != "" {
			names = append(names, p.Name)
		}
		out.Notes = append(out.Notes, p.Notes...)
		for _, m := range p.Members {
			if m.Group == nil {
				continue
			}
			w := m.Weight
			if w == 0 {
				w = 1
			}
			if i, ok := at[m.Group.ID]; ok {
				out.Members[i].Weight = max(out.Members[i].Weight, w)
				continue
			}
			at[m.Group.ID] = len(out.Members)
			out.Members = append(out.Members, Member{Group: m.Group, Weight: w})
		}
	}
	out.Name = strings.Join(names, " + ")
	return out
}

// ProfileFrom turns a threat-profile file as read into a Profile. Entries
// whose group did not resolve are left out (ReadProfile reported them as
// problems, which the caller shows; they are not copied to Notes so they
// are not told twice); repeated groups keep their highest weight, as in
// MergeProfiles.
func ProfileFrom(tp *inventory.ThreatProfile) Profile {
	p := Profile{Name: tp.Name}
	for _, e := range tp.Entries {
		if e.Group != nil {
			p.Members = append(p.Members, Member{Group: e.Group, Weight: e.Weight})
		}
	}
	p = MergeProfiles(p)
	p.Name = tp.Name
	return p
}
