package attack

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"
)

// stixObject holds the few fields of a STIX object that a Catalog needs.
type stixObject struct {
	Type, ID, Modified string
	Name, Description  string
	ExtID              string // ATT&CK ID from external_references
	Revoked            bool
	Deprecated         bool
	Aliases            []string // aliases or x_mitre_aliases
	Platforms          []string
	Phases             []string // kill-chain phase names (tactic short names)
	ShortName          string   // x-mitre-tactic
	TacticRefs         []string // x-mitre-matrix
	Domains            []string
	Version            string // x_mitre_version (the collection's is the ATT&CK release)
	CreatedBy          string // created_by_ref, read for collections only
	RelType            string
	Source, Target     string
	file               string
}

// wanted says which STIX types the loader reads; everything else (analytics,
// detection strategies, data sources and components, identities, markings)
// is delimited and skipped.
func wanted(typ []byte) bool {
	switch string(typ) {
	case "attack-pattern", "course-of-action", "intrusion-set", "campaign", "malware", "tool",
		"relationship", "x-mitre-tactic", "x-mitre-matrix", "x-mitre-collection":
		return true
	}
	return false
}

// mitreSource reports whether an external reference's source_name is one
// that carries the ATT&CK ID.
func mitreSource(s string) bool {
	return s == "mitre-attack" || s == "mitre-ics-attack" || s == "mitre-mobile-attack"
}

// decodeObject reads one element of a bundle's objects array. It returns
// nil for objects of types the loader does not use. When "type" comes first,
// as in MITRE's files, a skipped object costs nothing beyond delimiting it.
func decodeObject(b []byte, intern map[string]string) (*stixObject, error) {
	o := &stixObject{}
	skip := false
	_, err := objectFields(b, 0, func(key []byte, v int) (int, bool, error) {
		var err error
		var e int
		switch string(key) {
		case "type":
			if v < len(b) && b[v] == '"' {
				if e, err = skipString(b, v); err == nil {
					if !wanted(b[v+1 : e-1]) {
						skip = true
						return e, false, nil
					}
					o.Type = string(b[v+1 : e-1])
				}
				return e, true, err
			}
		case "id":
			o.ID, e, err = decodeStringValue(b, v)
			return e, true, err
		case "modified":
			o.Modified, e, err = decodeStringValue(b, v)
			return e, true, err
		case "name":
			o.Name, e, err = decodeStringValue(b, v)
			return e, true, err
		case "revoked":
			o.Revoked, e, err = decodeBool(b, v)
			return e, true, err
		case "x_mitre_deprecated":
			o.Deprecated, e, err = decodeBool(b, v)
			return e, true, err
		case "relationship_type", "source_ref", "target_ref":
			// Twenty thousand relationships name a few thousand objects
			// and a handful of types: interning saves most allocations.
			var ref string
			ref, e, err = decodeInterned(b, v, intern)
			switch key[0] {
			case 'r':
				o.RelType = ref
			case 's':
				o.Source = ref
			default:
				o.Target = ref
			}
			return e, true, err
		case "description":
			// Relationship descriptions are a fifth of the bundle and unused;
			// they are skipped when the type is already known.
			if o.Type == "relationship" {
				break
			}
			o.Description, e, err = decodeStringValue(b, v)
			return e, true, err
		case "aliases", "x_mitre_aliases":
			o.Aliases, e, err = decodeStrings(b, v)
			return e, true, err
		case "x_mitre_platforms":
			o.Platforms, e, err = decodeStrings(b, v)
			return e, true, err
		case "x_mitre_domains":
			o.Domains, e, err = decodeStrings(b, v)
			return e, true, err
		case "tactic_refs":
			o.TacticRefs, e, err = decodeStrings(b, v)
			return e, true, err
		case "x_mitre_shortname":
			o.ShortName, e, err = decodeStringValue(b, v)
			return e, true, err
		case "x_mitre_version":
			o.Version, e, err = decodeStringValue(b, v)
			return e, true, err
		case "created_by_ref":
			if o.Type != "x-mitre-collection" {
				break
			}
			o.CreatedBy, e, err = decodeStringValue(b, v)
			return e, true, err
		case "external_references":
			e, err = decodeExternalRefs(b, v, o)
			return e, true, err
		case "kill_chain_phases":
			e, err = decodePhases(b, v, o)
			return e, true, err
		}
		e, err = skipValue(b, v)
		return e, true, err
	})
	if err != nil || skip {
		return nil, err
	}
	if o.Type == "relationship" {
		o.Description = ""
	}
	if o.Type == "" { // Type is set only once wanted accepted it
		return nil, nil
	}
	return o, nil
}

// decodeInterned decodes a string value, returning the copy held in intern
// when there is one.
func decodeInterned(b []byte, v int, intern map[string]string) (string, int, error) {
	if v < len(b) && b[v] == '"' {
		e, err := skipString(b, v)
		if err != nil {
			return "", e, err
		}
		raw := b[v+1 : e-1]
		if s, ok := intern[string(raw)]; ok {
			return s, e, nil
		}
	}
	s, e, err := decodeStringValue(b, v)
	if err == nil {
		intern[s] = s
	}
	return s, e, err
}

func decodeExternalRefs(b []byte, i int, o *stixObject) (int, error) {
	if i < len(b) && b[i] == 'n' {
		return skipLiteral(b, i, "null")
	}
	return arrayElems(b, i, func(v int) (int, error) {
		var src, id string
		e, err := objectFields(b, v, func(key []byte, v int) (int, bool, error) {
			var err error
			var e int
			switch string(key) {
			case "source_name":
				src, e, err = decodeStringValue(b, v)
			case "external_id":
				id, e, err = decodeStringValue(b, v)
			default:
				e, err = skipValue(b, v)
			}
			return e, true, err
		})
		if err == nil && o.ExtID == "" && id != "" && mitreSource(src) {
			o.ExtID = strings.TrimSpace(id)
		}
		return e, err
	})
}

func decodePhases(b []byte, i int, o *stixObject) (int, error) {
	if i < len(b) && b[i] == 'n' {
		return skipLiteral(b, i, "null")
	}
	return arrayElems(b, i, func(v int) (int, error) {
		var phase string
		e, err := objectFields(b, v, func(key []byte, v int) (int, bool, error) {
			var err error
			var e int
			if string(key) == "phase_name" {
				phase, e, err = decodeStringValue(b, v)
			} else {
				e, err = skipValue(b, v)
			}
			return e, true, err
		})
		if err == nil && phase != "" {
			o.Phases = append(o.Phases, phase)
		}
		return e, err
	})
}

// bundle is the decoded content of one or more bundle files of one domain.
type bundle struct {
	objs     map[string]int // STIX id -> index in list
	list     []*stixObject  // in the order first seen, for stable output
	intern   map[string]string
	files    []string
	domain   string
	warnings []Warning
}

// LoadSTIX loads one STIX 2.1 bundle (JSON, or gzip-compressed JSON,
// recognised by its content) from r. name is used in messages and as the
// catalog's Source.
func LoadSTIX(r io.Reader, name string) (*Catalog, error) {
	bd := newBundle(sizeHint(r))
	if err := bd.add(r, name); err != nil {
		return nil, err
	}
	return bd.build()
}

// LoadSTIXFiles loads and merges bundles of one ATT&CK domain, such as
// MITRE's release and a Workbench export with the team's own groups. An
// object present in several files is kept once, in its newest version by
// "modified". Bundles of different domains are an error.
func LoadSTIXFiles(paths ...string) (*Catalog, error) {
	if len(paths) == 0 {
		return nil, errors.New("no STIX bundle given")
	}
	var total int64
	for _, p := range paths {
		if st, err := os.Stat(p); err == nil {
			total += st.Size()
		}
	}
	bd := newBundle(total)
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return nil, err
		}
		err = bd.add(f, p)
		f.Close()
		if err != nil {
			return nil, err
		}
	}
	return bd.build()
}

// newBundle sizes its maps from the input size: Enterprise ATT&CK keeps
// about 22,000 of its objects, one per 2.3 KB of JSON or 400 bytes of gzip,
// and growing maps that large costs milliseconds; a small input should not
// pay for a large map either.
func newBundle(size int64) *bundle {
	n := int(min(size/400, 1<<16))
	return &bundle{objs: make(map[string]int, n), intern: make(map[string]string, n/8)}
}

// sizeHint is the input size when the reader knows it, else 0.
func sizeHint(r io.Reader) int64 {
	switch v := r.(type) {
	case interface{ Len() int }:
		return int64(v.Len())
	case interface{ Stat() (os.FileInfo, error) }:
		if st, err := v.Stat(); err == nil {
			return st.Size()
		}
	}
	return 0
}

// get returns the object with STIX id id, or nil.
func (bd *bundle) get(id string) *stixObject {
	if i, ok := bd.objs[id]; ok {
		return bd.list[i]
	}
	return nil
}

// add reads one file into the bundle, checking that its domain matches the
// files read before.
func (bd *bundle) add(r io.Reader, name string) error {
	var (
		matrixDomain string
		domainVotes  = map[string]int{}
	)
	err := readBundle(r, name, MaxBundleSize, func(b []byte, off int64) error {
		o, err := decodeObject(b, bd.intern)
		if err != nil {
			// The object's bytes were already delimited as JSON, so what
			// fails here is a field of the wrong type: name the object.
			id := objectID(b)
			var se *syntaxError
			if errors.As(err, &se) {
				return &BundleError{File: name, Offset: off + int64(se.off), Object: id, Msg: "unexpected value: " + se.msg}
			}
			return &BundleError{File: name, Offset: off, Object: id, Msg: err.Error()}
		}
		if o == nil {
			return nil
		}
		if o.ID == "" {
			return &BundleError{File: name, Offset: off, Msg: fmt.Sprintf("%s object has no \"id\"", o.Type)}
		}
		o.file = name
		if o.Type == "x-mitre-matrix" && !o.Revoked && !o.Deprecated && matrixDomain == "" {
			if isDomain(o.ExtID) {
				matrixDomain = o.ExtID
			}
		}
		for _, d := range o.Domains {
			domainVotes[d]++
		}
		if i, ok := bd.objs[o.ID]; ok {
			prev := bd.list[i]
			if _, err := time.Parse(time.RFC3339Nano, o.Modified); err != nil && o.Modified != prev.Modified {
				// An edited copy with a broken timestamp cannot be ordered;
				// say which copy was kept rather than drop it silently.
				bd.warnings = append(bd.warnings, Warning{File: name, Object: o.ID,
					Message: fmt.Sprintf("modified %q is not a STIX timestamp; the copy from %s is kept", o.Modified, prev.file)})
			}
			if newer(o.Modified, prev.Modified) {
				bd.list[i] = o
			}
			return nil
		}
		bd.objs[o.ID] = len(bd.list)
		bd.list = append(bd.list, o)
		return nil
	})
	if err != nil {
		return err
	}
	dom := matrixDomain
	if dom == "" {
		best := 0
		for d, v := range domainVotes {
			if isDomain(d) && (v > best || v == best && d < dom) {
				dom, best = d, v
			}
		}
	}
	switch {
	case dom == "":
		// A Workbench export of a few custom objects may name no domain; it
		// joins the domain of the other files.
	case bd.domain == "":
		bd.domain = dom
	case bd.domain != dom:
		return &BundleError{File: name, Offset: -1, Msg: fmt.Sprintf("bundle is %s but %s is %s; bundles of different domains cannot be merged", dom, strings.Join(bd.files, ", "), bd.domain)}
	}
	bd.files = append(bd.files, name)
	return nil
}

func isDomain(s string) bool { return s == Enterprise || s == ICS || s == Mobile }

// newer reports whether STIX timestamp a is later than b. Timestamps are
// compared as times, since fractional seconds vary in length.
func newer(a, b string) bool {
	ta, ea := time.Parse(time.RFC3339Nano, a)
	tb, eb := time.Parse(time.RFC3339Nano, b)
	switch {
	case ea != nil && eb != nil:
		return a > b
	case ea != nil:
		return false
	case eb != nil:
		return true
	}
	return ta.After(tb)
}

// mitreIdentity is the STIX identity of The MITRE Corporation, the author
// of every object in MITRE's own ATT&CK bundles.
const mitreIdentity = "identity--c78cb6e5-0c4b-4611-8297-d1b8b55e40b5"

func isMITRE(o *stixObject) bool { return o.CreatedBy == mitreIdentity }

func (o *stixObject) active() bool { return !o.Revoked && !o.Deprecated }

// isMitigationID reports whether id is an M-ID; the old course-of-action
// objects carry technique IDs instead and never count as mitigations.
func isMitigationID(id string) bool { return len(id) > 1 && id[0] == 'M' && isDigits(id[1:]) }

// build turns the decoded objects into a Catalog following SPEC §1–2.
func (bd *bundle) build() (*Catalog, error) {
	c := &Catalog{Domain: bd.domain, Source: strings.Join(bd.files, ", ")}

	var (
		collection *stixObject
		matrices   []*stixObject
		rels       []*stixObject
		tech       = map[string]*Technique{}
		mit        = map[string]*Mitigation{}
		grp        = map[string]*Group{}
		camp       = map[string]*Campaign{}
		soft       = map[string]*Software{}
		tactics    = map[string]*stixObject{}
		retiredAt  = map[string]int{} // STIX id -> index in c.Retired
		seenExt    = map[string]*stixObject{}
	)
	addWarning := c.warn
	warnf := func(o *stixObject, format string, args ...any) {
		addWarning(Warning{File: o.file, Object: o.ID, Message: fmt.Sprintf(format, args...)})
	}
	for _, w := range bd.warnings {
		addWarning(w)
	}
	// Objects in file order keep lists and warnings stable without sorting
	// twenty thousand ids.
	for _, o := range bd.list {
		switch o.Type {
		case "relationship":
			rels = append(rels, o)
			continue
		case "x-mitre-collection":
			// The catalog's version is ATT&CK's: MITRE's collection wins
			// over a Workbench export's own (versioned "1.0"), then the
			// newer one.
			switch {
			case collection == nil:
				collection = o
			case isMITRE(o) != isMITRE(collection):
				other := o
				if isMITRE(o) {
					other, collection = collection, o
				}
				warnf(other, "collection %q (version %s) merged into ATT&CK %s; the catalog keeps ATT&CK's version", other.Name, other.Version, collection.Version)
			default:
				if collection.Version != o.Version {
					warnf(o, "bundles of ATT&CK %s and %s merged; the catalog takes the newer collection's version", collection.Version, o.Version)
				}
				if newer(o.Modified, collection.Modified) {
					collection = o
				}
			}
			continue
		case "x-mitre-matrix":
			if o.active() {
				matrices = append(matrices, o)
			}
			continue
		case "x-mitre-tactic":
			if o.active() {
				tactics[o.ID] = o
			}
			continue
		}
		if o.ExtID == "" {
			if o.active() {
				warnf(o, "%s %q has no ATT&CK ID in external_references; left out", o.Type, o.Name)
			}
			continue
		}
		if !o.active() {
			var k Kind
			switch o.Type {
			case "attack-pattern":
				k = KindTechnique
			case "course-of-action":
				k = KindMitigation
			case "intrusion-set":
				k = KindGroup
			default:
				continue
			}
			retiredAt[o.ID] = len(c.Retired)
			c.Retired = append(c.Retired, Retired{Kind: k, ID: o.ExtID, Name: o.Name, Revoked: o.Revoked, Deprecated: o.Deprecated})
			continue
		}
		// Two active objects with one ATT&CK ID (an edited copy in a
		// Workbench export) would make lookups ambiguous: the newer wins.
		kind := o.Type
		if kind == "tool" {
			kind = "malware"
		}
		if prev := seenExt[kind+"\x00"+o.ExtID]; prev != nil {
			keep, drop := prev, o
			if newer(o.Modified, prev.Modified) {
				keep, drop = o, prev
			}
			warnf(drop, "%s %s %q is also %s; keeping the newer %q", o.Type, o.ExtID, drop.Name, keep.ID, keep.Name)
			delete(tech, drop.ID)
			delete(mit, drop.ID)
			delete(grp, drop.ID)
			delete(camp, drop.ID)
			delete(soft, drop.ID)
			if keep == prev {
				continue
			}
		}
		seenExt[kind+"\x00"+o.ExtID] = o
		switch o.Type {
		case "attack-pattern":
			tech[o.ID] = &Technique{ID: o.ExtID, Name: o.Name, Platforms: o.Platforms, Description: o.Description, Tactics: o.Phases}
		case "course-of-action":
			if !isMitigationID(o.ExtID) {
				c.Retired = append(c.Retired, Retired{Kind: KindMitigation, ID: o.ExtID, Name: o.Name, Deprecated: true})
				continue
			}
			mit[o.ID] = &Mitigation{ID: o.ExtID, Name: o.Name, Description: o.Description}
		case "intrusion-set":
			grp[o.ID] = &Group{ID: o.ExtID, Name: o.Name, Aliases: otherNames(o.Name, o.Aliases), Description: o.Description}
		case "campaign":
			camp[o.ID] = &Campaign{ID: o.ExtID, Name: o.Name, Aliases: otherNames(o.Name, o.Aliases), Description: o.Description}
		case "malware", "tool":
			soft[o.ID] = &Software{ID: o.ExtID, Name: o.Name, Type: o.Type, Aliases: otherNames(o.Name, o.Aliases)}
		}
	}
	if collection != nil {
		c.Version = collection.Version
	}

	// Tactics in matrix order; with no matrix (a partial Workbench export)
	// in ID order.
	order := map[string]int{}
	seen := map[string]bool{}
	addTactic := func(o *stixObject) {
		if seen[o.ID] || o.ShortName == "" {
			return
		}
		seen[o.ID] = true
		order[o.ShortName] = len(c.Tactics)
		c.Tactics = append(c.Tactics, Tactic{ID: o.ExtID, ShortName: o.ShortName, Name: o.Name, Description: o.Description})
	}
	for _, m := range matrices {
		for _, ref := range m.TacticRefs {
			if t := tactics[ref]; t != nil {
				addTactic(t)
			} else if _, ok := bd.objs[ref]; !ok {
				warnf(m, "matrix refers to tactic %s, which the bundle does not contain", ref)
			}
		}
	}
	var rest []*stixObject
	for _, t := range tactics {
		if !seen[t.ID] {
			rest = append(rest, t)
		}
	}
	sort.Slice(rest, func(i, j int) bool { return rest[i].ExtID < rest[j].ExtID })
	for _, t := range rest {
		addTactic(t)
	}
	for _, t := range tech {
		t.Tactics = sortTactics(t.Tactics, order)
	}

	// Relationships. Those between kept objects that are retired are
	// dropped silently; those naming objects absent from the bundle are
	// warnings, since a merged Workbench export may lack them.
	revokedBy := map[string]string{} // STIX id -> STIX id
	type use struct{ from, tech string }
	var (
		groupUses    []use // intrusion-set -> attack-pattern
		campUses     []use // campaign -> attack-pattern
		softUses     []use // malware/tool -> attack-pattern
		groupSoft    []use // intrusion-set -> malware/tool
		attributions []use // campaign -> intrusion-set
	)
	known := func(r *stixObject, ref string) bool {
		if _, ok := bd.objs[ref]; ok {
			return true
		}
		addWarning(Warning{File: r.file, Object: r.ID,
			Message: fmt.Sprintf("%s relationship refers to %s, which the bundle does not contain", r.RelType, ref)})
		return false
	}
	for _, r := range rels {
		if !r.active() {
			continue
		}
		if r.Source == "" || r.Target == "" {
			warnf(r, "%s relationship without source_ref or target_ref; ignored", r.RelType)
			continue
		}
		st, tt := stixType(r.Source), stixType(r.Target)
		switch r.RelType {
		case "revoked-by":
		case "uses":
			if !(st == "intrusion-set" || st == "campaign" || st == "malware" || st == "tool") ||
				!(tt == "attack-pattern" || tt == "malware" || tt == "tool") {
				continue
			}
		case "mitigates":
			if st != "course-of-action" || tt != "attack-pattern" {
				continue
			}
		case "subtechnique-of":
			if st != "attack-pattern" || tt != "attack-pattern" {
				continue
			}
		case "attributed-to":
			if st != "campaign" || tt != "intrusion-set" {
				continue
			}
		default:
			continue
		}
		if !known(r, r.Source) || !known(r, r.Target) {
			continue
		}
		switch r.RelType {
		case "revoked-by":
			revokedBy[r.Source] = r.Target
		case "mitigates":
			m, t := mit[r.Source], tech[r.Target]
			if m != nil && t != nil {
				m.Techniques = append(m.Techniques, t.ID)
				t.Mitigations = append(t.Mitigations, m.ID)
			}
		case "subtechnique-of":
			sub, parent := tech[r.Source], tech[r.Target]
			if sub != nil && parent != nil {
				sub.Parent = parent.ID
				parent.Subtechniques = append(parent.Subtechniques, sub.ID)
			}
		case "attributed-to":
			if camp[r.Source] != nil && grp[r.Target] != nil {
				attributions = append(attributions, use{r.Source, r.Target})
			}
		case "uses":
			switch {
			case tt == "attack-pattern" && tech[r.Target] == nil:
			case st == "intrusion-set" && tt == "attack-pattern" && grp[r.Source] != nil:
				groupUses = append(groupUses, use{r.Source, r.Target})
			case st == "campaign" && tt == "attack-pattern" && camp[r.Source] != nil:
				campUses = append(campUses, use{r.Source, r.Target})
			case (st == "malware" || st == "tool") && tt == "attack-pattern" && soft[r.Source] != nil:
				softUses = append(softUses, use{r.Source, r.Target})
			case st == "intrusion-set" && (tt == "malware" || tt == "tool") && grp[r.Source] != nil && soft[r.Target] != nil:
				groupSoft = append(groupSoft, use{r.Source, r.Target})
			}
		}
	}

	// A sub-technique with no subtechnique-of relationship (seen in partial
	// exports) still has a parent by its ID.
	byExt := make(map[string]*Technique, len(tech))
	for _, t := range tech {
		byExt[t.ID] = t
	}
	for _, t := range tech {
		if t.Parent == "" {
			if dot := strings.IndexByte(t.ID, '.'); dot > 0 {
				if p := byExt[t.ID[:dot]]; p != nil {
					t.Parent = p.ID
					p.Subtechniques = append(p.Subtechniques, t.ID)
				}
			}
		}
	}

	// Group uses, with their provenance.
	uses := map[*Group]map[string]*Use{}
	useOf := func(g *Group, techID string) *Use {
		m := uses[g]
		if m == nil {
			m = map[string]*Use{}
			uses[g] = m
		}
		u := m[techID]
		if u == nil {
			u = &Use{Technique: techID}
			m[techID] = u
		}
		return u
	}
	for _, u := range groupUses {
		useOf(grp[u.from], tech[u.tech].ID).Direct = true
	}
	for _, u := range campUses {
		cp := camp[u.from]
		cp.Techniques = append(cp.Techniques, tech[u.tech].ID)
	}
	for _, u := range softUses {
		s := soft[u.from]
		s.Techniques = append(s.Techniques, tech[u.tech].ID)
	}
	for _, cp := range camp {
		cp.Techniques = uniqSorted(cp.Techniques)
	}
	for _, s := range soft {
		s.Techniques = uniqSorted(s.Techniques)
	}
	for _, a := range attributions {
		cp, g := camp[a.from], grp[a.tech]
		cp.Groups = append(cp.Groups, g.ID)
		g.Campaigns = append(g.Campaigns, cp.ID)
		for _, t := range cp.Techniques {
			u := useOf(g, t)
			u.Campaigns = append(u.Campaigns, cp.ID)
		}
	}
	for _, gs := range groupSoft {
		g, s := grp[gs.from], soft[gs.tech]
		g.Software = append(g.Software, s.ID)
		for _, t := range s.Techniques {
			u := useOf(g, t)
			u.Software = append(u.Software, s.ID)
		}
	}
	for g, m := range uses {
		g.Uses = make([]Use, 0, len(m))
		for _, u := range m {
			u.Campaigns = uniqSorted(u.Campaigns)
			u.Software = uniqSorted(u.Software)
			g.Uses = append(g.Uses, *u)
		}
	}

	// Revocations point at the replacement's ATT&CK ID, following chains of
	// revocations to the active end.
	extOf := func(id string) string {
		for range 16 {
			o := bd.get(id)
			if o == nil {
				return ""
			}
			if o.active() {
				return o.ExtID
			}
			next, ok := revokedBy[id]
			if !ok {
				return ""
			}
			id = next
		}
		return ""
	}
	for _, src := range sortedKeys(revokedBy) {
		if i, ok := retiredAt[src]; ok && c.Retired[i].Revoked {
			c.Retired[i].ReplacedBy = extOf(revokedBy[src])
		}
	}

	for _, t := range tech {
		t.Mitigations = uniqSorted(t.Mitigations)
		t.Subtechniques = uniqSorted(t.Subtechniques)
		c.Techniques = append(c.Techniques, t)
	}
	for _, m := range mit {
		m.Techniques = uniqSorted(m.Techniques)
		c.Mitigations = append(c.Mitigations, m)
	}
	for _, g := range grp {
		g.Campaigns = uniqSorted(g.Campaigns)
		g.Software = uniqSorted(g.Software)
		c.Groups = append(c.Groups, g)
	}
	for _, cp := range camp {
		cp.Groups = uniqSorted(cp.Groups)
		c.Campaigns = append(c.Campaigns, cp)
	}
	for _, s := range soft {
		c.Software = append(c.Software, s)
	}
	sort.SliceStable(c.Retired, func(i, j int) bool {
		a, b := c.Retired[i], c.Retired[j]
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		if a.ID != b.ID {
			return a.ID < b.ID
		}
		return a.Name < b.Name
	})
	if c.Domain == "" && len(c.Techniques)+len(c.Groups) == 0 {
		return nil, &BundleError{File: c.Source, Offset: -1, Msg: "bundle holds no ATT&CK techniques or groups"}
	}
	c.finishWarnings()
	c.Index()
	return c, nil
}

// stixType is the type part of a STIX id ("attack-pattern--uuid").
func stixType(id string) string {
	if i := strings.Index(id, "--"); i > 0 {
		return id[:i]
	}
	return ""
}

// otherNames drops the object's own name from its alias list, where STIX
// repeats it, so Aliases holds only the other names.
func otherNames(name string, aliases []string) []string {
	var out []string
	for _, a := range aliases {
		if !strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(name)) {
			out = append(out, a)
		}
	}
	return out
}

// sortTactics orders phase names by the matrix; names the matrix lacks
// (a custom tactic) follow in their original order.
func sortTactics(phases []string, order map[string]int) []string {
	if len(phases) == 0 {
		return nil
	}
	out := uniqStable(phases)
	sort.SliceStable(out, func(i, j int) bool {
		oi, iok := order[out[i]]
		oj, jok := order[out[j]]
		switch {
		case iok && jok:
			return oi < oj
		case iok:
			return true
		}
		return false
	})
	return out
}

func uniqStable(s []string) []string {
	out := make([]string, 0, len(s))
	seen := make(map[string]bool, len(s))
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// uniqSorted sorts s and drops repeats; an empty list becomes nil so that
// catalogs compare equal however they were built.
func uniqSorted(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	sort.Strings(s)
	out := s[:1]
	for _, x := range s[1:] {
		if x != out[len(out)-1] {
			out = append(out, x)
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// objectID finds the "id" of an object whose decoding failed, for the
// message; "" when it cannot.
func objectID(b []byte) string {
	id := ""
	objectFields(b, 0, func(key []byte, v int) (int, bool, error) {
		if string(key) == "id" {
			var e int
			var err error
			id, e, err = decodeStringValue(b, v)
			return e, false, err
		}
		e, err := skipValue(b, v)
		return e, true, err
	})
	return id
}
